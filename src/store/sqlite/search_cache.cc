#include "store/sqlite/search_cache.h"

namespace snapq::sqlite {

std::optional<std::string> SearchTermCache::find(const std::string& q, int64_t newest) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(q);
  // A smaller newest id than the entry's: jobs were deleted; the choice is as good as any.
  if (it == entries_.end() || newest - it->second.newest > kReuseJobs) return std::nullopt;
  return it->second.terms;
}

void SearchTermCache::put(const std::string& q, int64_t newest, const std::string& terms) {
  if (q.size() > kMaxKeyBytes) return;
  std::lock_guard lock(mu_);
  if (entries_.size() >= kMaxEntries && entries_.count(q) == 0) entries_.clear();
  entries_[q] = Entry{newest, terms};
}

}  // namespace snapq::sqlite
