// Principals of bearer tokens that authenticated recently, by token hash, so a
// client sending the same token many times a second costs one store lookup per
// `ttl`, not one per request. Only successful lookups are kept (a flood of
// made-up tokens cannot fill it). A change of users or tokens in this process
// (Auth::forgetTokens) empties it at once; one made by another process (the
// CLI, another node) is seen within `ttl` (docs/ARCHITECTURE.md, "Authentication").
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "auth/auth_service.h"

namespace snapq::auth {

class TokenCache {
 public:
  TokenCache(Duration ttl, size_t max_entries) : ttl_(ttl), max_entries_(max_entries) {}

  // The principal kept for this hash, if it is younger than the ttl at `now`
  // and its token has not expired by then.
  std::optional<Principal> find(const std::string& hash, TimePoint now);
  // Read before the store lookup and handed to put: an entry whose lookup
  // started before a forget() is not kept (it may predate the change).
  uint64_t epoch() const;
  void put(const std::string& hash, const Principal& principal, std::optional<TimePoint> expires_at, TimePoint now,
           uint64_t epoch);
  void forget();

 private:
  struct Entry {
    Principal principal;
    std::optional<TimePoint> expires_at;  // the token's own expiry
    TimePoint stored_at;
  };
  Duration ttl_;
  size_t max_entries_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
  uint64_t epoch_ = 0;
};

}  // namespace snapq::auth
