// The request budget of one service instance (one credential), shared by its
// sync and mutation jobs: a token bucket that also obeys the provider's own
// "slow down" answers (HTTP 429 Retry-After, rate-limit headers).
#pragma once

#include <mutex>

#include "snapq/clock.h"

namespace snapq {

// Tokens accrue at `rate` per second up to `burst`; each request takes one.
// reserve() hands out send times rather than yes/no answers: the caller is
// told how long to wait, and the token is taken at once, so concurrent callers
// are spaced 1/rate apart instead of all waking together. Over any window of
// W seconds at most burst + rate*W requests are released; burst 1 is strict
// spacing ("never more than N in any one second" for rate N).
//
// Priority: user-triggered (priority) requests are served before background
// syncs. Background callers may not take the last `priority_share` of the
// burst (20% by default, at least one token when the burst allows): they wait
// until the bucket holds 1 + share*burst tokens, priority callers only until it
// holds 1. A priority request arriving while background work is waiting
// therefore gets a send time up to share*burst/rate earlier than the next
// background one. Send times already handed out are not moved, so at most the
// instance's concurrency limit of background reservations can stand in front.
//
// Thread-safe.
class TokenBucket {
 public:
  // rate_per_s <= 0: unlimited (only pauses apply). burst is at least 1.
  TokenBucket(double rate_per_s, double burst, Clock& clock, double priority_share = 0.2);

  // How long to wait before sending (zero: now). The request is counted as
  // sent at now + the returned duration; the caller must then send it, unless
  // a pause began meanwhile: a caller that wakes before pausedUntil() calls
  // reserve() again (its old send time is void and was not counted past the pause).
  Duration reserve(bool priority);

  // Nobody may send before t (a 429 Retry-After or an exhausted provider
  // quota). Later pauses extend, earlier ones are ignored. The bucket restarts
  // at t holding at most one token, so the requests that waited go out at the
  // steady rate rather than in a burst that would earn another 429.
  void pauseUntil(TimePoint t);

  TimePoint pausedUntil() const;
  double rate() const { return rate_; }
  double burst() const { return burst_; }

 private:
  void refill(TimePoint now);

  const double rate_;
  const double burst_;
  const double background_need_;  // tokens a background request needs in the bucket
  Clock& clock_;

  mutable std::mutex mu_;
  double tokens_;    // at `as_of_`; negative when future send times are promised
  TimePoint as_of_;  // may lie in the future during a pause
  TimePoint paused_until_{};
};

}  // namespace snapq
