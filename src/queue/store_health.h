// Whether the store can be reached, as the engine's threads find out: every
// store call that failed `unavailable` marks it unreachable, the next one that
// worked (or a ping) marks it reachable again. Only the changes are logged, so
// an outage is two lines, not one per failed call.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <string_view>

#include "snapq/log.h"
#include "snapq/status.h"

namespace snapq {

class StoreHealth {
 public:
  explicit StoreHealth(Logger& logger) : logger_(logger) {}

  // Any store result: `unavailable` marks the store unreachable, success
  // reachable; other errors say nothing about reachability.
  void record(const Status& status);
  // record(status), and a warning "<task> failed: ..." when it failed for
  // another reason than the store being unreachable (record() logs that once
  // for every task).
  void recordTask(std::string_view task, const Status& status);
  bool reachable() const { return reachable_.load(); }
  // The schema is at (or past) the version this build needs.
  void setSchemaCurrent(bool current) { schema_current_.store(current); }
  bool schemaCurrent() const { return schema_current_.load(); }
  bool ready() const { return reachable() && schemaCurrent(); }

 private:
  Logger& logger_;
  std::mutex mu_;  // orders the log lines with the state changes
  std::atomic<bool> reachable_{true};
  std::atomic<bool> schema_current_{false};
};

// Capped exponential backoff for retrying a store that failed: 100 ms doubling
// to 5 s, back to 100 ms after a success.
class Backoff {
 public:
  std::chrono::milliseconds next() {
    auto d = delay_;
    delay_ = std::min(delay_ * 2, kMax);
    return d;
  }
  void reset() { delay_ = kFirst; }

 private:
  static constexpr std::chrono::milliseconds kFirst{100};
  static constexpr std::chrono::milliseconds kMax{5000};
  std::chrono::milliseconds delay_{kFirst};
};

}  // namespace snapq
