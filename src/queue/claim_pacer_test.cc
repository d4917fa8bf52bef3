#include "queue/claim_pacer.h"

#include <gtest/gtest.h>

namespace snapq {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
const ClaimPacer::Clock::time_point kT0 = ClaimPacer::Clock::time_point{} + std::chrono::hours(1);

TEST(ClaimPacer, SmallClaimsSpaceTheNextOnesOutUpToFiftyMilliseconds) {
  ClaimPacer pacer(true, 7);
  pacer.claimed(kT0, 3, 1000);
  EXPECT_EQ(pacer.gap(), milliseconds(2));
  pacer.claimed(kT0, 0, 1000);  // an empty claim is a small one
  EXPECT_EQ(pacer.gap(), milliseconds(4));
  for (int i = 0; i < 10; ++i) pacer.claimed(kT0, 10, 1000);
  EXPECT_EQ(pacer.gap(), milliseconds(50));
  for (int i = 0; i < 100; ++i) {
    auto at = pacer.nextClaimAt();
    EXPECT_GE(at, kT0 + microseconds(37500));  // 50 ms +- 25 %
    EXPECT_LE(at, kT0 + microseconds(62500));
  }
}

TEST(ClaimPacer, FullClaimsShrinkTheGapToNothing) {
  ClaimPacer pacer(true, 7);
  for (int i = 0; i < 10; ++i) pacer.claimed(kT0, 1, 1000);
  ASSERT_EQ(pacer.gap(), milliseconds(50));
  pacer.claimed(kT0, ClaimPacer::kPacedBatch, 1000);
  EXPECT_EQ(pacer.gap(), milliseconds(25));
  for (int i = 0; i < 5; ++i) pacer.claimed(kT0, ClaimPacer::kPacedBatch, 1000);
  EXPECT_EQ(pacer.gap(), microseconds(0));
  EXPECT_EQ(pacer.nextClaimAt(), kT0);  // claim again at once
}

TEST(ClaimPacer, AClaimThatFillsASmallRoomIsFull) {
  // Slow jobs: a pool with room for 4 that gets 4 is not starved of work.
  ClaimPacer pacer(true, 7);
  pacer.claimed(kT0, 1, 4);
  ASSERT_EQ(pacer.gap(), milliseconds(2));
  pacer.claimed(kT0, 4, 4);
  EXPECT_EQ(pacer.gap(), microseconds(0));
}

TEST(ClaimPacer, OffNeverWaits) {
  ClaimPacer pacer(false, 7);
  for (int i = 0; i < 10; ++i) pacer.claimed(kT0 + milliseconds(i), 0, 1000);
  EXPECT_EQ(pacer.gap(), microseconds(0));
  EXPECT_EQ(pacer.nextClaimAt(), kT0 + milliseconds(9));
}

}  // namespace
}  // namespace snapq
