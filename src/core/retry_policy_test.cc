#include <gtest/gtest.h>

#include <climits>

#include "snapq/retry.h"

namespace snapq {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

class FixedRandom final : public Random {
 public:
  explicit FixedRandom(double value) : value_(value) {}
  double uniform() override { return value_; }

 private:
  double value_;
};

RetryPolicy exponential(Duration base, double factor, Duration cap, double jitter) {
  RetryPolicy policy;
  policy.base = base;
  policy.factor = factor;
  policy.cap = cap;
  policy.jitter = jitter;
  return policy;
}

TEST(RetryPolicy, ListIsIndexedByAttemptAndLastRepeats) {
  RetryPolicy policy;
  policy.backoff = {seconds(10), seconds(30), seconds(60)};
  FixedRandom random(0.999);  // must be ignored: lists have no jitter
  EXPECT_EQ(policy.delayAfter(1, random), seconds(10));
  EXPECT_EQ(policy.delayAfter(2, random), seconds(30));
  EXPECT_EQ(policy.delayAfter(3, random), seconds(60));
  EXPECT_EQ(policy.delayAfter(4, random), seconds(60));
  EXPECT_EQ(policy.delayAfter(1000, random), seconds(60));
  EXPECT_EQ(policy.delayAfter(INT_MAX, random), seconds(60));
}

TEST(RetryPolicy, AttemptBelowOneCountsAsOne) {
  RetryPolicy list;
  list.backoff = {seconds(10), seconds(30)};
  const RetryPolicy exp = exponential(seconds(1), 2.0, hours(1), 0.0);
  FixedRandom random(0.5);
  for (int attempt : {0, -1, INT_MIN}) {
    EXPECT_EQ(list.delayAfter(attempt, random), seconds(10));
    EXPECT_EQ(exp.delayAfter(attempt, random), seconds(1));
  }
}

TEST(RetryPolicy, ExponentialGrowth) {
  const RetryPolicy policy = exponential(seconds(1), 2.0, hours(1), 0.0);
  FixedRandom random(0.0);
  EXPECT_EQ(policy.delayAfter(1, random), seconds(1));
  EXPECT_EQ(policy.delayAfter(2, random), seconds(2));
  EXPECT_EQ(policy.delayAfter(3, random), seconds(4));
  EXPECT_EQ(policy.delayAfter(6, random), seconds(32));

  const RetryPolicy triple = exponential(Duration(500), 3.0, hours(1), 0.0);
  EXPECT_EQ(triple.delayAfter(3, random), Duration(4500));
}

TEST(RetryPolicy, CapLimitsGrowth) {
  const RetryPolicy policy = exponential(seconds(1), 2.0, minutes(1), 0.0);
  FixedRandom random(0.5);
  EXPECT_EQ(policy.delayAfter(6, random), seconds(32));
  EXPECT_EQ(policy.delayAfter(7, random), minutes(1));
  EXPECT_EQ(policy.delayAfter(50, random), minutes(1));
}

TEST(RetryPolicy, JitterBounds) {
  const RetryPolicy policy = exponential(seconds(10), 2.0, minutes(5), 0.2);
  FixedRandom low(0.0);
  FixedRandom mid(0.5);
  FixedRandom high(0.999);
  EXPECT_EQ(policy.delayAfter(1, low), seconds(8));  // 20% shorter
  EXPECT_EQ(policy.delayAfter(1, mid), seconds(10));
  EXPECT_EQ(policy.delayAfter(1, high), Duration(11996));  // just under 20% longer

  // At the cap, jitter may still go above it, but never beyond cap * (1 + jitter).
  EXPECT_EQ(policy.delayAfter(20, low), minutes(4));
  EXPECT_EQ(policy.delayAfter(20, high), Duration(359'880));
  EXPECT_LE(policy.delayAfter(20, high), Duration(360'000));
}

TEST(RetryPolicy, DefaultPolicyStaysWithinBounds) {
  const RetryPolicy policy;
  DefaultRandom random(42);
  for (int attempt = 1; attempt < 100; ++attempt) {
    const Duration delay = policy.delayAfter(attempt, random);
    EXPECT_GE(delay, Duration(0));
    EXPECT_LE(delay.count(), static_cast<int64_t>(policy.cap.count() * (1 + policy.jitter)));
  }
}

TEST(RetryPolicy, HugeAttemptDoesNotOverflow) {
  const RetryPolicy policy = exponential(seconds(1), 2.0, hours(24), 0.2);
  FixedRandom low(0.0);
  FixedRandom high(0.999);
  for (int attempt : {64, 1025, 100'000, INT_MAX}) {
    EXPECT_EQ(policy.delayAfter(attempt, low), Duration(Duration(hours(24)).count() * 8 / 10))
        << attempt;
    const Duration top = policy.delayAfter(attempt, high);
    EXPECT_GT(top, hours(24)) << attempt;
    EXPECT_LE(top.count(), Duration(hours(24)).count() * 12 / 10) << attempt;
  }
}

TEST(RetryPolicy, DegenerateSettingsStaySane) {
  FixedRandom high(0.999);
  // A cap beyond what fits in milliseconds once jitter is added.
  const RetryPolicy huge_cap = exponential(seconds(1), 10.0, Duration(INT64_MAX), 0.5);
  EXPECT_GT(huge_cap.delayAfter(INT_MAX, high), Duration(0));
  // Zero base times an infinite power is NaN; it must not become garbage.
  const RetryPolicy zero_base = exponential(Duration(0), 2.0, minutes(1), 0.0);
  EXPECT_EQ(zero_base.delayAfter(2000, high), minutes(1));
  const RetryPolicy negative = exponential(Duration(-5), 2.0, minutes(1), 0.2);
  EXPECT_EQ(negative.delayAfter(1, high), Duration(0));
}

}  // namespace
}  // namespace snapq
