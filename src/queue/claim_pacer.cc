#include "queue/claim_pacer.h"

#include <algorithm>

namespace snapq {

void ClaimPacer::claimed(Clock::time_point at, size_t found, int room) {
  last_ = at;
  if (!on_) return;
  if (static_cast<int>(found) < std::min(kPacedBatch, room)) {
    gap_ = std::clamp(gap_ * 2, kMinGap, kMaxGap);
  } else {
    gap_ /= 2;
    if (gap_ < kMinGap) gap_ = std::chrono::microseconds(0);
  }
}

ClaimPacer::Clock::time_point ClaimPacer::nextClaimAt() {
  if (gap_.count() == 0) return last_;
  const int64_t jitter = gap_.count() / 4;
  return last_ + gap_ - std::chrono::microseconds(jitter) +
         std::chrono::microseconds(static_cast<int64_t>(rng_() % static_cast<uint64_t>(2 * jitter + 1)));
}

}  // namespace snapq
