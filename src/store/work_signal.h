// The work epoch behind Store::workEpoch()/waitForWork(): a counter that moves
// when work was queued, and a condition variable to wait for it to move.
// Shared by both drivers (SQLite bumps it after its own commits; PostgreSQL
// also when a NOTIFY arrives from any node).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>

#include "snapq/clock.h"

namespace snapq {

class WorkSignal {
 public:
  uint64_t epoch() {
    std::lock_guard lock(mu_);
    return epoch_;
  }
  void bump() {
    {
      std::lock_guard lock(mu_);
      ++epoch_;
    }
    cv_.notify_all();
  }
  // True when the epoch differs from `seen` (at once or within `timeout`).
  bool waitFor(uint64_t seen, Duration timeout) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return epoch_ != seen; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  uint64_t epoch_ = 0;
};

}  // namespace snapq
