#include "queue/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace snapq {
namespace {

double seconds(Duration d) { return static_cast<double>(d.count()) / 1000.0; }

// Token arithmetic in doubles gathers rounding noise; a request this close to
// its token is not made to wait a whole extra millisecond for it.
constexpr double kEpsilon = 1e-9;

}  // namespace

TokenBucket::TokenBucket(double rate_per_s, double burst, Clock& clock, double priority_share)
    : rate_(rate_per_s > 0 ? rate_per_s : 0.0),
      burst_(std::max(1.0, burst)),
      // Never more than the burst: a bucket that can never hold what background
      // callers need would make them wait on an idle service, and would let a
      // priority request slip in less than 1/rate after a background one.
      background_need_(std::min(burst_, 1.0 + std::clamp(priority_share, 0.0, 1.0) * burst_)),
      clock_(clock),
      tokens_(burst_),
      as_of_(clock.now()) {}

void TokenBucket::refill(TimePoint now) {
  if (now <= as_of_) return;
  tokens_ = std::min(burst_, tokens_ + rate_ * seconds(now - as_of_));
  as_of_ = now;
}

Duration TokenBucket::reserve(bool priority) {
  std::lock_guard lock(mu_);
  const TimePoint now = clock_.now();
  const Duration pause_wait = std::max(paused_until_ - now, Duration::zero());
  if (rate_ == 0) return pause_wait;

  refill(now);
  const double need = priority ? 1.0 : background_need_;
  double wait_ms = static_cast<double>((as_of_ - now).count());
  if (tokens_ < need - kEpsilon) wait_ms += (need - tokens_) / rate_ * 1000.0;
  tokens_ -= 1.0;
  // Rounded up: sending a fraction of a millisecond late keeps the promise, early would not.
  const Duration wait(static_cast<Duration::rep>(std::ceil(wait_ms - 1e-6)));
  return std::max({wait, pause_wait, Duration::zero()});
}

void TokenBucket::pauseUntil(TimePoint t) {
  std::lock_guard lock(mu_);
  const TimePoint now = clock_.now();
  if (t <= now || t <= paused_until_) return;
  paused_until_ = t;
  if (rate_ == 0) return;
  refill(now);
  // Send times already promised beyond t stay counted (the level at t is what
  // the old schedule leaves); those before t are void and their callers
  // reserve again. Nothing accrues past one token while paused.
  tokens_ = std::min(1.0, tokens_ + rate_ * seconds(t - as_of_));
  as_of_ = t;
}

TimePoint TokenBucket::pausedUntil() const {
  std::lock_guard lock(mu_);
  return paused_until_;
}

}  // namespace snapq
