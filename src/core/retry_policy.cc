#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "snapq/retry.h"

namespace snapq {
namespace {

// Below 2^63 so the final conversion to int64_t milliseconds cannot overflow.
constexpr double kMaxDelayMs = 9.0e18;

}  // namespace

Duration RetryPolicy::delayAfter(int failed_attempt, Random& random) const {
  const int attempt = std::max(failed_attempt, 1);
  if (!backoff.empty()) {
    const size_t index = std::min(static_cast<size_t>(attempt - 1), backoff.size() - 1);
    return backoff[index];
  }

  // Doubles throughout: base * factor^(attempt-1) overflows any integer type
  // after a few dozen attempts, whereas pow() just saturates to infinity.
  const double cap_ms = std::clamp(static_cast<double>(cap.count()), 0.0, kMaxDelayMs);
  double delay = static_cast<double>(base.count()) * std::pow(factor, attempt - 1);
  // Written so that NaN (e.g. 0 * inf) also lands on the cap.
  if (!(delay <= cap_ms)) delay = cap_ms;
  delay = std::max(delay, 0.0);

  // Jitter spreads retries of jobs that failed together, so they do not hit
  // a recovering service in lockstep.
  const double spread = jitter > 0.0 ? jitter : 0.0;
  const double u = std::clamp(random.uniform(), 0.0, 1.0);
  delay *= 1.0 + spread * (2.0 * u - 1.0);
  delay = std::clamp(delay, 0.0, std::min(cap_ms * (1.0 + spread), kMaxDelayMs));
  return Duration(static_cast<int64_t>(delay));
}

}  // namespace snapq
