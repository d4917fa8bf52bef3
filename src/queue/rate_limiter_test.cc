#include "queue/rate_limiter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <queue>
#include <thread>
#include <vector>

namespace snapq {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const TimePoint kStart = TimePoint{} + std::chrono::hours(24 * 365 * 56);

struct Sent {
  TimePoint at;
  Duration waited;
  bool priority;
};

// Clients in a loop: reserve, wait as told, send, think, reserve again. The
// manual clock jumps from event to event, so a minute of traffic takes no time.
std::vector<Sent> simulate(TokenBucket& bucket, ManualClock& clock, int clients, Duration run_for, Duration think,
                           const std::function<bool(int)>& is_priority) {
  using Event = std::pair<TimePoint, int>;
  std::priority_queue<Event, std::vector<Event>, std::greater<>> events;
  for (int c = 0; c < clients; ++c) events.emplace(clock.now() + milliseconds(c), c);
  const TimePoint end = clock.now() + run_for;
  std::vector<Sent> sent;
  while (!events.empty()) {
    const auto [time, client] = events.top();
    events.pop();
    if (time > end) continue;
    clock.set(time);
    const bool priority = is_priority(client);
    const Duration wait = bucket.reserve(priority);
    sent.push_back({time + wait, wait, priority});
    events.emplace(time + wait + think, client);
  }
  std::sort(sent.begin(), sent.end(), [](const Sent& a, const Sent& b) { return a.at < b.at; });
  return sent;
}

// The most requests sent in any half-open window [t, t + window).
int busiestWindow(const std::vector<Sent>& sent, Duration window) {
  int most = 0;
  size_t end = 0;
  for (size_t begin = 0; begin < sent.size(); ++begin) {
    while (end < sent.size() && sent[end].at < sent[begin].at + window) ++end;
    most = std::max(most, static_cast<int>(end - begin));
  }
  return most;
}

TEST(TokenBucket, SteadyRateNeverExceedsTheRateInAnySecond) {
  for (const double rate : {20.0, 3.0, 7.5}) {
    ManualClock clock(kStart);
    TokenBucket bucket(rate, 1, clock);
    const auto sent = simulate(bucket, clock, 8, seconds(60), milliseconds(1), [](int c) { return c % 3 == 0; });
    EXPECT_LE(busiestWindow(sent, seconds(1)), static_cast<int>(std::ceil(rate))) << rate;
    // ... while still using the budget: 8 eager clients keep it saturated.
    EXPECT_GE(static_cast<double>(sent.size()), 0.98 * rate * 60) << rate;
  }
}

TEST(TokenBucket, BurstBoundsEveryWindow) {
  ManualClock clock(kStart);
  TokenBucket bucket(20, 5, clock);
  // Bursty clients: long pauses let the bucket refill, then all rush at once.
  const auto sent = simulate(bucket, clock, 6, seconds(120), milliseconds(700), [](int c) { return c == 0; });
  EXPECT_LE(busiestWindow(sent, seconds(1)), 20 + 5 - 1);
  EXPECT_LE(busiestWindow(sent, milliseconds(1)), 5);
}

TEST(TokenBucket, BurstGoesAtOnceThenTheRate) {
  ManualClock clock(kStart);
  TokenBucket bucket(10, 5, clock, 0.0);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(bucket.reserve(false), Duration::zero()) << i;
  EXPECT_EQ(bucket.reserve(false), milliseconds(100));
  EXPECT_EQ(bucket.reserve(false), milliseconds(200));
  // A long idle spell refills up to the burst, not beyond it.
  clock.advance(seconds(100));
  for (int i = 0; i < 5; ++i) EXPECT_EQ(bucket.reserve(false), Duration::zero()) << i;
  EXPECT_EQ(bucket.reserve(false), milliseconds(100));
}

TEST(TokenBucket, ConcurrentCallersGetDistinctEvenlySpacedSlots) {
  ManualClock clock(kStart);
  TokenBucket bucket(20, 1, clock);
  constexpr int kThreads = 8;
  constexpr int kEach = 200;
  std::vector<std::vector<Duration>> waits(kThreads);
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) waits[static_cast<size_t>(t)].push_back(bucket.reserve(t % 2 == 0));
    });
  }
  for (auto& thread : threads) thread.join();
  std::vector<Duration> all;
  for (const auto& w : waits) all.insert(all.end(), w.begin(), w.end());
  std::sort(all.begin(), all.end());
  for (size_t i = 0; i < all.size(); ++i) ASSERT_EQ(all[i], milliseconds(50 * static_cast<int64_t>(i))) << i;
}

TEST(TokenBucket, BackgroundLeavesTheLastShareOfTheBurstToPriority) {
  ManualClock clock(kStart);
  TokenBucket bucket(1, 10, clock);  // 20% of 10: background stops at 2 tokens left
  for (int i = 0; i < 8; ++i) EXPECT_EQ(bucket.reserve(false), Duration::zero()) << i;
  EXPECT_EQ(bucket.reserve(false), seconds(1));       // waits for a 3rd token
  EXPECT_EQ(bucket.reserve(true), Duration::zero());  // a user's request goes at once
  EXPECT_EQ(bucket.reserve(true), seconds(1));
}

TEST(TokenBucket, PriorityArrivingLaterIsServedFirst) {
  ManualClock clock(kStart);
  TokenBucket bucket(1, 10, clock);
  for (int i = 0; i < 10; ++i) (void)bucket.reserve(true);  // empty
  const Duration background = bucket.reserve(false);
  clock.advance(milliseconds(10));
  const Duration priority = bucket.reserve(true);
  EXPECT_LT(clock.now() + priority, clock.now() - milliseconds(10) + background);
}

TEST(TokenBucket, UnderSaturationPriorityWaitsLess) {
  ManualClock clock(kStart);
  TokenBucket bucket(20, 10, clock);
  const auto sent = simulate(bucket, clock, 6, seconds(60), milliseconds(1), [](int c) { return c == 0; });
  double priority_ms = 0, background_ms = 0;
  int priority_n = 0, background_n = 0;
  for (const Sent& s : sent) {
    (s.priority ? priority_ms : background_ms) += static_cast<double>(s.waited.count());
    ++(s.priority ? priority_n : background_n);
  }
  ASSERT_GT(priority_n, 0);
  ASSERT_GT(background_n, 0);
  // The designed edge: two tokens (20% of the burst) at 20/s = 100 ms sooner.
  EXPECT_LT(priority_ms / priority_n + 90, background_ms / background_n);
  EXPECT_LE(busiestWindow(sent, seconds(1)), 20 + 10 - 1);
}

TEST(TokenBucket, PauseHoldsEveryoneThenResumesAtTheRate) {
  ManualClock clock(kStart);
  TokenBucket bucket(10, 10, clock);  // full: 10 could go at once
  bucket.pauseUntil(clock.now() + seconds(2));
  EXPECT_EQ(bucket.pausedUntil(), clock.now() + seconds(2));
  EXPECT_EQ(bucket.reserve(true), milliseconds(2000));
  EXPECT_EQ(bucket.reserve(true), milliseconds(2100));   // no burst after a 429
  EXPECT_EQ(bucket.reserve(false), milliseconds(2400));  // background leaves 2 tokens' time to users
  bucket.pauseUntil(clock.now() + seconds(1));           // earlier than the current pause: ignored
  EXPECT_EQ(bucket.pausedUntil(), clock.now() + seconds(2));
  clock.advance(seconds(5));
  EXPECT_EQ(bucket.reserve(true), Duration::zero());
}

TEST(TokenBucket, LongerPauseExtendsAndNobodySendsBeforeIt) {
  ManualClock clock(kStart);
  TokenBucket bucket(5, 1, clock);
  bucket.pauseUntil(clock.now() + seconds(1));
  clock.advance(milliseconds(500));
  bucket.pauseUntil(clock.now() + seconds(3));
  const TimePoint until = clock.now() + seconds(3);
  for (int i = 0; i < 20; ++i) {
    const TimePoint send_at = clock.now() + bucket.reserve(i % 2 == 0);
    EXPECT_GE(send_at, until + milliseconds(200 * i)) << i;
  }
}

TEST(TokenBucket, PauseVoidsSendTimesBeforeItAndKeepsLaterOnes) {
  ManualClock clock(kStart);
  const TimePoint t0 = clock.now();
  TokenBucket bucket(1, 1, clock);
  EXPECT_EQ(bucket.reserve(true), seconds(0));  // sent at once, before the 429
  EXPECT_EQ(bucket.reserve(true), seconds(1));  // falls inside the pause: void
  EXPECT_EQ(bucket.reserve(true), seconds(2));  // after the pause: still counted
  bucket.pauseUntil(t0 + milliseconds(1500));
  clock.set(t0 + seconds(1));  // the second caller wakes inside the pause and reserves again
  ASSERT_LT(clock.now(), bucket.pausedUntil());
  EXPECT_EQ(clock.now() + bucket.reserve(true), t0 + seconds(3));
  EXPECT_EQ(clock.now() + bucket.reserve(false), t0 + seconds(4));
}

TEST(TokenBucket, ZeroRateIsUnlimitedButObeysPauses) {
  ManualClock clock(kStart);
  TokenBucket bucket(0, 1, clock);
  EXPECT_EQ(bucket.rate(), 0.0);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(bucket.reserve(i % 2 == 0), Duration::zero());
  bucket.pauseUntil(clock.now() + seconds(30));
  EXPECT_EQ(bucket.reserve(true), seconds(30));
  EXPECT_EQ(bucket.reserve(false), seconds(30));
  clock.advance(seconds(30));
  EXPECT_EQ(bucket.reserve(false), Duration::zero());
}

TEST(TokenBucket, BurstOfOneIsStrictSpacingForEveryone) {
  ManualClock clock(kStart);
  TokenBucket bucket(10, 1, clock);
  EXPECT_EQ(bucket.burst(), 1.0);
  EXPECT_EQ(bucket.reserve(false), Duration::zero());  // an idle service is not made to wait
  EXPECT_EQ(bucket.reserve(true), milliseconds(100));
  EXPECT_EQ(bucket.reserve(false), milliseconds(200));
  TokenBucket fractional(10, 0.2, clock);  // raised to 1
  EXPECT_EQ(fractional.burst(), 1.0);
}

}  // namespace
}  // namespace snapq
