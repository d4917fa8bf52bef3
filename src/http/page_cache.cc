#include "http/page_cache.h"

namespace snapq::http {

std::optional<std::string> PageCache::find(const std::string& key, int64_t generation) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end() || it->second.generation != generation) {
    ++misses_;
    return std::nullopt;
  }
  ++hits_;
  lru_.splice(lru_.begin(), lru_, it->second.lru);
  return it->second.body;
}

void PageCache::put(const std::string& key, int64_t generation, std::string body) {
  if (body.size() > options_.max_entry_bytes || options_.max_entries == 0) return;
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it != entries_.end()) {
    // A request that read an older generation may finish after one that read a
    // newer one: the newer entry stays.
    if (it->second.generation > generation) return;
    bytes_ -= it->second.body.size();
    bytes_ += body.size();
    it->second.generation = generation;
    it->second.body = std::move(body);
    lru_.splice(lru_.begin(), lru_, it->second.lru);
  } else {
    lru_.push_front(key);
    bytes_ += body.size();
    entries_.emplace(key, Entry{generation, std::move(body), lru_.begin()});
  }
  evict();
}

void PageCache::evict() {
  while (!lru_.empty() && (entries_.size() > options_.max_entries || bytes_ > options_.max_bytes)) {
    auto it = entries_.find(lru_.back());
    bytes_ -= it->second.body.size();
    entries_.erase(it);
    lru_.pop_back();
  }
}

PageCache::Stats PageCache::stats() const {
  std::lock_guard lock(mu_);
  return {hits_, misses_, entries_.size(), bytes_};
}

}  // namespace snapq::http
