// What the SQLite driver keeps beside sync_jobs for listJobs (migration 5):
// the status counts of finished jobs in sync_job_counts and the search index
// sync_jobs_search, which holds the finished jobs' target_id, action and error
// (open jobs are few and searched through their own partial indexes).
//
// Not triggers: on SQLite a row trigger costs several microseconds per row
// even when its WHEN is false, and an FTS5 table flushes its pending entries
// at every savepoint (the writer opens one per write). Instead the writes that
// finish a job, or take a finished job back (retry, delete, prune), report it,
// and the reports of a whole writer transaction are applied once, just before
// its commit (Writer::beforeCommit): a batch of 500 completions of one service
// costs a few statements: what the finished jobs are (service, actor, day and
// hour, status, text) is read back from sync_jobs then, in one statement, so
// the hot completion UPDATE needs no RETURNING (which SQLite runs as a trigger).
// While a job is finished its text does not change, so what is taken out of
// the index is what was put in.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "snapq/job.h"
#include "store/sqlite/sqlite_db.h"

namespace snapq::sqlite {

// The reports of one write. Hand them to AuditIndex::add only when the write
// succeeds: a failed write is rolled back, so what it reported never happened.
class AuditChanges {
 public:
  // The job entered a finished status.
  void finished(int64_t job_id) { added_.insert(job_id); }
  // `before` (as it was, finished or not) left its status: retried or deleted.
  void unfinished(const Job& before);
  bool empty() const { return counts_.empty() && added_.empty() && removed_.empty(); }

 private:
  friend class AuditIndex;
  using Key = std::tuple<std::string, std::string, std::string, std::string>;  // span, bucket, service, actor
  struct Removed {
    int64_t id;
    std::string target_id, action, error;
    JobStatus status;
    std::string service, actor, created_at;
  };
  void countAt(const std::string& created_at, const Job& job, int sign);
  void count(const Job& job, int sign);
  void countRemoved(const Removed& r, int sign);
  std::map<Key, std::array<int64_t, 5>> counts_;  // per finished status, in kFinishedStatuses order
  std::set<int64_t> added_;                       // to count and index as they are at the commit
  std::vector<Removed> removed_;                  // to take out of the index, with their old text
};

// The reports of the open transaction; writer thread only.
class AuditIndex {
 public:
  void add(AuditChanges&& changes);
  // Applies the transaction's reports and forgets them (also when it fails:
  // the transaction then rolls back).
  Status flush(Db& db);

 private:
  AuditChanges pending_;
};

}  // namespace snapq::sqlite
