// Answers of snapshot listings, kept so that a caller asking again for a page
// of an unchanged table gets it without the query (docs/ARCHITECTURE.md,
// "Snapshot page cache"). An entry is the rendered body of a 200 answer under
// a key the caller builds from everything the answer depends on (the table,
// the normalized query, the caller's permissions), stamped with the table's
// generation (SnapshotStore::generation) read BEFORE the rows. It is served
// only to a request that read the same generation: any committed change of the
// table, by any process sharing the database, moves the generation, so a write
// a caller has seen acknowledged is never hidden by an entry. Bounded by entry
// count and bytes, least recently used first out. Thread-safe.
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace snapq::http {

struct PageCacheOptions {
  size_t max_entries = 4096;
  size_t max_bytes = 64u << 20;
  // Bodies larger than this are not kept (a 1,000-row page of large documents).
  size_t max_entry_bytes = 1u << 20;
};

class PageCache {
 public:
  explicit PageCache(PageCacheOptions options = {}) : options_(options) {}

  // The body kept under `key` for exactly this generation, if any.
  std::optional<std::string> find(const std::string& key, int64_t generation);
  // Keeps `body` under `key` (replacing an entry of another generation).
  void put(const std::string& key, int64_t generation, std::string body);

  struct Stats {
    int64_t hits = 0;
    int64_t misses = 0;
    size_t entries = 0;
    size_t bytes = 0;
  };
  Stats stats() const;

 private:
  struct Entry {
    int64_t generation;
    std::string body;
    std::list<std::string>::iterator lru;  // position in lru_
  };
  void evict();  // mu_ held

  PageCacheOptions options_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
  std::list<std::string> lru_;  // keys, most recently used first
  size_t bytes_ = 0;
  int64_t hits_ = 0;
  int64_t misses_ = 0;
};

}  // namespace snapq::http
