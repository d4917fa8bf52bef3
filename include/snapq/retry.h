// How often and how long to wait before a failed job runs again.
#pragma once

#include <vector>

#include "snapq/clock.h"

namespace snapq {

struct RetryPolicy {
  // Total number of attempts, the first one included (1 = never retry).
  int max_attempts = 3;
  // Explicit waits after attempt 1, 2, ...; the last entry repeats.
  // When empty, exponential backoff below is used.
  std::vector<Duration> backoff;
  // Exponential: base * factor^(attempt-1), capped, with +-jitter share.
  Duration base = Duration(1000);
  double factor = 2.0;
  Duration cap = Duration(5 * 60 * 1000);
  double jitter = 0.2;  // 0.2 = up to 20% shorter or longer

  // Wait before the next attempt after `failed_attempt` (1-based) failed.
  Duration delayAfter(int failed_attempt, Random& random) const;
};

}  // namespace snapq
