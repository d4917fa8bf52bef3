// Leadership of a named task across every process sharing the store (the
// maintenance loop's pruner and dead-worker rescue, the cron scheduler): a
// lease row that one holder at a time renews. Whoever holds it runs the task;
// when the holder dies, its lease runs out and another candidate takes it on
// its next refresh, within one lease period.
//
// Refreshing is the owner's choice: call refresh() from a loop that already
// runs (the engine's maintenance thread does, every lease/3), or start() a
// thread of its own that refreshes every lease/3 in real time and releases the
// lease on stop(). Times come from the injected clock, so tests drive
// expiry and take-over with a ManualClock.
//
// Nodes judge expiry by their own clocks: keep them synchronised (NTP) well
// within the lease period, or two nodes may each believe they hold it.
#pragma once

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "snapq/clock.h"
#include "snapq/log.h"
#include "snapq/store.h"

namespace snapq {

class LeaderLease {
 public:
  // `holder`: this candidate's id, unique in the cluster (an engine's worker
  // id). `logger` (optional) hears when leadership is won and lost.
  LeaderLease(Store& store, std::string name, std::string holder, Clock& clock, Duration lease,
              Logger* logger = nullptr);
  ~LeaderLease();  // stop()
  LeaderLease(const LeaderLease&) = delete;
  LeaderLease& operator=(const LeaderLease&) = delete;

  // One attempt to take or renew the lease; true when this holder has it now.
  // A failed attempt (store unreachable) returns the error; held() then stays
  // true only until the lease it last won runs out.
  Result<bool> refresh();
  // Refreshes when lease/3 has passed (by the clock) since the last attempt.
  void refreshIfDue();
  // This holder won the lease and, by the clock, it has not run out yet.
  bool held() const;
  // When the lease this holder won runs out (meaningful while held()).
  TimePoint heldUntil() const;
  // Gives the lease up now if held, so another candidate need not wait.
  void release();

  // A thread that refreshes every lease/3 until stop(), which also releases.
  void start();
  void stop();

  const std::string& name() const { return name_; }
  const std::string& holder() const { return holder_; }
  Duration leaseDuration() const { return lease_; }

 private:
  void loop();

  Store& store_;
  const std::string name_;
  const std::string holder_;
  Clock& clock_;
  const Duration lease_;
  Logger* logger_;

  mutable std::mutex mu_;
  bool won_ = false;        // the last successful attempt won the lease
  TimePoint until_{};       // ... and it runs until then
  bool attempted_ = false;  // any attempt yet
  TimePoint last_attempt_{};

  std::mutex thread_mu_;
  std::condition_variable thread_cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace snapq
