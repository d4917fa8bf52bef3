// The status counts of a job list, kept per read connection for as long as the
// database has not changed: paging through a search or reloading the audit log
// then reads only its page. SQLite's `PRAGMA data_version` tells a connection
// whether anybody (this process's writer, another process) committed since its
// last read transaction; it is the connection's own number, so entries are kept
// per connection. Counts depend on the filter, not on its statuses, cursor or
// limit (job_list.cc). Shared by the reader threads.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "snapq/job.h"

namespace snapq::sqlite {

class Db;

struct KeptCounts {
  std::map<JobStatus, int64_t> counts;
  bool exact = true;
};

class StatusCountCache {
 public:
  static constexpr size_t kMaxEntries = 1024;  // then it starts over

  // What the filter keyed by `key` counted on `db` while its data_version was `version`.
  std::optional<KeptCounts> find(const Db* db, int64_t version, const std::string& key);
  void put(const Db* db, int64_t version, const std::string& key, KeptCounts counts);

  // The key of a filter's counts: every filter but the statuses, the cursor and the limit.
  static std::string keyOf(const JobFilter& f);

 private:
  struct Entry {
    int64_t version;
    KeptCounts counts;
  };
  std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;  // connection address + key
};

}  // namespace snapq::sqlite
