#include "auth/token_cache.h"

namespace snapq::auth {

std::optional<Principal> TokenCache::find(const std::string& hash, TimePoint now) {
  if (ttl_ <= Duration(0)) return std::nullopt;
  std::lock_guard lock(mu_);
  auto it = entries_.find(hash);
  if (it == entries_.end()) return std::nullopt;
  const Entry& e = it->second;
  // A clock that went back counts as old, too.
  if (now >= e.stored_at + ttl_ || now < e.stored_at || (e.expires_at && now >= *e.expires_at)) {
    entries_.erase(it);
    return std::nullopt;
  }
  return e.principal;
}

uint64_t TokenCache::epoch() const {
  std::lock_guard lock(mu_);
  return epoch_;
}

void TokenCache::put(const std::string& hash, const Principal& principal, std::optional<TimePoint> expires_at,
                     TimePoint now, uint64_t epoch) {
  if (ttl_ <= Duration(0)) return;
  std::lock_guard lock(mu_);
  if (epoch != epoch_) return;
  // Few tokens are in use at once; when more are, starting over is simpler than an LRU.
  if (entries_.size() >= max_entries_) entries_.clear();
  entries_[hash] = Entry{principal, expires_at, now};
}

void TokenCache::forget() {
  std::lock_guard lock(mu_);
  ++epoch_;
  entries_.clear();
}

}  // namespace snapq::auth
