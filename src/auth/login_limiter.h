// Failed-login counting per user name and per address, in memory. A key with
// `max_failures` failures inside `window` is refused until the oldest of them
// leaves the window. In memory on purpose: a login is checked on the node that
// serves it, a restart forgives (a restart costs an attacker more than waiting
// the window out), and a flood of failures never becomes a flood of writes.
// On several nodes the limit therefore applies per node.
#pragma once

#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>

#include "snapq/clock.h"

namespace snapq::auth {

class LoginLimiter {
 public:
  LoginLimiter(int max_failures, Duration window) : max_failures_(max_failures), window_(window) {}

  // How long `key` must still wait; zero when it may try now.
  Duration wait(const std::string& key, TimePoint now);
  void recordFailure(const std::string& key, TimePoint now);
  void clear(const std::string& key);

 private:
  void prune(std::deque<TimePoint>& failures, TimePoint now) const;

  // Beyond this many keys, keys with no failure inside the window are dropped,
  // so a stream of made-up names cannot grow the map without bound.
  static constexpr size_t kMaxKeys = 100000;

  const int max_failures_;
  const Duration window_;
  std::mutex mu_;
  std::unordered_map<std::string, std::deque<TimePoint>> failures_;
};

}  // namespace snapq::auth
