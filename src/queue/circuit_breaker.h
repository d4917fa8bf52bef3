// Per service instance: stop sending to a service that keeps failing, so jobs
// wait for it to recover instead of burning their retry attempts on it.
#pragma once

#include <mutex>

#include "snapq/clock.h"

namespace snapq {

// closed:    requests go; `failure_threshold` consecutive failures open it.
// open:      requests are refused until the cool-down ends.
// half_open: the cool-down ended; exactly one trial request goes. Its success
//            closes the breaker, its failure opens it for another cool-down.
//            A trial that reports nothing within a cool-down is presumed lost
//            and the next caller becomes the trial.
// What counts as a failure is the caller's decision: network errors, timeouts
// and 5xx, not 4xx answers (the service is up) nor 429 (that is the rate
// limiter's business). Results reported while open (requests that started
// before it opened) change nothing. Thread-safe.
class CircuitBreaker {
 public:
  enum class State { closed, open, half_open };

  struct Options {
    int failure_threshold = 5;  // <= 0: never opens
    Duration cool_down = std::chrono::seconds(30);
  };

  struct Permit {
    bool allowed = false;
    TimePoint retry_at{};  // when refused: the earliest time asking again can succeed
    explicit operator bool() const { return allowed; }
  };

  CircuitBreaker(Options options, Clock& clock);

  // Whether a request may go now. A refused job should wait until retry_at
  // (re-queue with run_at = retry_at) without counting an attempt.
  Permit acquire();
  void onSuccess();
  void onFailure();

  // As a caller would find it now: open reads half_open once the cool-down has
  // passed, even before anyone asked.
  State state() const;
  // The end of the current refusal (cool-down, or a trial in flight); a time
  // not after now when requests may go.
  TimePoint openUntil() const;
  int consecutiveFailures() const;

 private:
  void open(TimePoint now);

  const Options options_;
  Clock& clock_;

  mutable std::mutex mu_;
  State state_ = State::closed;
  int failures_ = 0;
  TimePoint open_until_{};  // open: end of the cool-down
  bool trial_in_flight_ = false;
  TimePoint trial_deadline_{};  // half_open with a trial: when it is presumed lost
};

const char* toString(CircuitBreaker::State state);

}  // namespace snapq
