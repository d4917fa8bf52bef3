#include "queue/circuit_breaker.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace snapq {
namespace {

using std::chrono::seconds;
using State = CircuitBreaker::State;

const TimePoint kStart = TimePoint{} + std::chrono::hours(24 * 365 * 56);

CircuitBreaker::Options options(int threshold, Duration cool_down) {
  CircuitBreaker::Options o;
  o.failure_threshold = threshold;
  o.cool_down = cool_down;
  return o;
}

void fail(CircuitBreaker& breaker, int times) {
  for (int i = 0; i < times; ++i) breaker.onFailure();
}

TEST(CircuitBreaker, StartsClosedAndLetsRequestsGo) {
  ManualClock clock(kStart);
  CircuitBreaker breaker(options(3, seconds(30)), clock);
  EXPECT_EQ(breaker.state(), State::closed);
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(breaker.acquire());
  EXPECT_LE(breaker.openUntil(), clock.now());
}

TEST(CircuitBreaker, OnlyConsecutiveFailuresCount) {
  ManualClock clock(kStart);
  CircuitBreaker breaker(options(3, seconds(30)), clock);
  fail(breaker, 2);
  breaker.onSuccess();
  fail(breaker, 2);
  EXPECT_EQ(breaker.state(), State::closed);
  EXPECT_EQ(breaker.consecutiveFailures(), 2);
  EXPECT_TRUE(breaker.acquire());
  breaker.onFailure();
  EXPECT_EQ(breaker.state(), State::open);
}

TEST(CircuitBreaker, OpenRefusesUntilTheCoolDownEnds) {
  ManualClock clock(kStart);
  CircuitBreaker breaker(options(3, seconds(30)), clock);
  fail(breaker, 3);
  const TimePoint until = kStart + seconds(30);
  EXPECT_EQ(breaker.state(), State::open);
  EXPECT_EQ(breaker.openUntil(), until);
  clock.advance(seconds(29));
  const CircuitBreaker::Permit permit = breaker.acquire();
  EXPECT_FALSE(permit.allowed);
  EXPECT_EQ(permit.retry_at, until);  // a job re-queues for then, without spending an attempt
  EXPECT_EQ(breaker.state(), State::open);
}

TEST(CircuitBreaker, OneTrialAfterTheCoolDownAndItsSuccessCloses) {
  ManualClock clock(kStart);
  CircuitBreaker breaker(options(3, seconds(30)), clock);
  fail(breaker, 3);
  clock.advance(seconds(30));
  EXPECT_EQ(breaker.state(), State::half_open);  // even before anyone asks
  EXPECT_TRUE(breaker.acquire());                // the trial
  const CircuitBreaker::Permit second = breaker.acquire();
  EXPECT_FALSE(second.allowed);
  EXPECT_GT(second.retry_at, clock.now());
  EXPECT_EQ(breaker.openUntil(), second.retry_at);
  breaker.onSuccess();
  EXPECT_EQ(breaker.state(), State::closed);
  EXPECT_EQ(breaker.consecutiveFailures(), 0);
  EXPECT_TRUE(breaker.acquire());
  EXPECT_TRUE(breaker.acquire());
}

TEST(CircuitBreaker, FailedTrialReopensForAFullCoolDown) {
  ManualClock clock(kStart);
  CircuitBreaker breaker(options(3, seconds(30)), clock);
  fail(breaker, 3);
  clock.advance(seconds(45));
  ASSERT_TRUE(breaker.acquire());
  clock.advance(seconds(5));  // the trial takes a while, then fails
  breaker.onFailure();
  EXPECT_EQ(breaker.state(), State::open);
  EXPECT_EQ(breaker.openUntil(), clock.now() + seconds(30));
  EXPECT_FALSE(breaker.acquire());
  clock.advance(seconds(30));
  EXPECT_TRUE(breaker.acquire());
}

TEST(CircuitBreaker, ALostTrialIsReplacedAfterACoolDown) {
  ManualClock clock(kStart);
  CircuitBreaker breaker(options(1, seconds(10)), clock);
  breaker.onFailure();
  clock.advance(seconds(10));
  ASSERT_TRUE(breaker.acquire());  // ...and this caller never reports back
  clock.advance(seconds(9));
  EXPECT_FALSE(breaker.acquire());
  clock.advance(seconds(1));
  EXPECT_TRUE(breaker.acquire());
  EXPECT_EQ(breaker.state(), State::half_open);
}

TEST(CircuitBreaker, ResultsReportedWhileOpenChangeNothing) {
  ManualClock clock(kStart);
  CircuitBreaker breaker(options(2, seconds(30)), clock);
  fail(breaker, 2);
  clock.advance(seconds(10));
  breaker.onFailure();  // a request that started before the breaker opened
  EXPECT_EQ(breaker.openUntil(), kStart + seconds(30));
  breaker.onSuccess();
  EXPECT_EQ(breaker.state(), State::open);
  EXPECT_FALSE(breaker.acquire());
}

TEST(CircuitBreaker, ThresholdZeroNeverOpens) {
  ManualClock clock(kStart);
  CircuitBreaker breaker(options(0, seconds(30)), clock);
  fail(breaker, 1000);
  EXPECT_EQ(breaker.state(), State::closed);
  EXPECT_TRUE(breaker.acquire());
}

TEST(CircuitBreaker, StateNames) {
  EXPECT_STREQ(toString(State::closed), "closed");
  EXPECT_STREQ(toString(State::open), "open");
  EXPECT_STREQ(toString(State::half_open), "half_open");
}

TEST(CircuitBreaker, ExactlyOneConcurrentCallerGetsTheTrial) {
  ManualClock clock(kStart);
  CircuitBreaker breaker(options(1, seconds(30)), clock);
  breaker.onFailure();
  clock.advance(seconds(30));
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  threads.reserve(8);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) {
        if (breaker.acquire()) ++allowed;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(allowed.load(), 1);
}

}  // namespace
}  // namespace snapq
