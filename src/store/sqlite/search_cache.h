// The FTS5 terms listJobs chose for a search text, kept for the next calls
// with the same text. Choosing them probes the trigram index once per trigram
// of q (job_list.cc: searchTerms), which costs more than the page itself for a
// rare q. Any subset of q's trigrams finds every match, so a stale choice is
// never wrong, only possibly slower: an entry is reused until kReuseJobs jobs
// have been added after it was made, as the rarity it was based on (among the
// newest jobs) drifts only as jobs arrive. Shared by the reader threads.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace snapq::sqlite {

class SearchTermCache {
 public:
  static constexpr int64_t kReuseJobs = 4096;
  static constexpr size_t kMaxEntries = 512;  // then it starts over
  static constexpr size_t kMaxKeyBytes = 256;  // longer texts are rare: not kept

  // The terms kept for q, when they were chosen at most kReuseJobs ids before `newest`.
  std::optional<std::string> find(const std::string& q, int64_t newest);
  void put(const std::string& q, int64_t newest, const std::string& terms);

 private:
  struct Entry {
    int64_t newest;
    std::string terms;
  };
  std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace snapq::sqlite
