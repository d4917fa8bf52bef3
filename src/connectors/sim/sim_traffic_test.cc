// The traffic policy with explicit time points: no sleeping, exact windows.
#include "connectors/sim/sim_traffic.h"

#include <gtest/gtest.h>

namespace snapq::sim {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using Verdict = Admission::Verdict;

TEST(SimTrafficTest, RateLimitIsASlidingOneSecondWindow) {
  Traffic traffic(Chaos{.rate_limit = 3}, 1);
  const auto t0 = Traffic::SteadyClock::now();
  EXPECT_EQ(traffic.admit(t0).verdict, Verdict::serve);
  EXPECT_EQ(traffic.admit(t0 + 400ms).verdict, Verdict::serve);
  const Admission third = traffic.admit(t0 + 900ms);
  EXPECT_EQ(third.verdict, Verdict::serve);
  EXPECT_EQ(third.remaining, 0);
  const Admission refused = traffic.admit(t0 + 950ms);
  EXPECT_EQ(refused.verdict, Verdict::rate_limited);
  EXPECT_EQ(refused.retry_after_s, 1);
  // A calendar-second limiter would admit three more at t0 + 1000 ms; the
  // window only frees the slot of the request at t0.
  EXPECT_EQ(traffic.admit(t0 + 1000ms).verdict, Verdict::serve);
  EXPECT_EQ(traffic.admit(t0 + 1001ms).verdict, Verdict::rate_limited);
  EXPECT_EQ(traffic.admit(t0 + 1400ms).verdict, Verdict::serve);

  const json stats = traffic.stats();
  EXPECT_EQ(stats["max_accepted_per_second"], 3);
  EXPECT_EQ(stats["max_requests_per_second"], 5);  // t0+400 .. t0+1001 and t0+1400 minus one
}

TEST(SimTrafficTest, FailNextFailsExactlyTheNextRequests) {
  Traffic traffic(Chaos{}, 1);
  EXPECT_TRUE(traffic.updateChaos(json{{"fail_next", 2}}).empty());
  EXPECT_EQ(traffic.admit().verdict, Verdict::fail);
  EXPECT_EQ(traffic.admit().verdict, Verdict::fail);
  EXPECT_EQ(traffic.admit().verdict, Verdict::serve);
  EXPECT_EQ(traffic.chaos().fail_next, 0);
}

TEST(SimTrafficTest, ErrorRateIsSeededAndNearTheRate) {
  auto failures = [](uint64_t seed) {
    Traffic traffic(Chaos{.error_rate = 0.3}, seed);
    std::vector<bool> out;
    out.reserve(5000);
    for (int i = 0; i < 5000; ++i) out.push_back(traffic.admit().verdict == Verdict::fail);
    return out;
  };
  const auto a = failures(9), b = failures(9), c = failures(10);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  const auto count = std::count(a.begin(), a.end(), true);
  EXPECT_GT(count, 1350);
  EXPECT_LT(count, 1650);
}

TEST(SimTrafficTest, ChaosUpdatesAreValidatedAllOrNothing) {
  Traffic traffic(Chaos{}, 1);
  json errors = traffic.updateChaos(json{{"latency_ms", 50}, {"error_rate", 1.5}, {"mood", "grumpy"}});
  EXPECT_TRUE(errors.contains("error_rate"));
  EXPECT_EQ(errors["mood"], "unknown setting");
  EXPECT_EQ(traffic.chaos().latency_ms, 0);
  EXPECT_TRUE(traffic.updateChaos(json{{"latency_ms", 50}, {"empty_lists", true}, {"rate_limit", 7}}).empty());
  EXPECT_EQ(
      toJson(traffic.chaos()),
      (json{{"latency_ms", 50}, {"error_rate", 0.0}, {"rate_limit", 7}, {"empty_lists", true}, {"fail_next", 0}}));
  EXPECT_FALSE(traffic.updateChaos(json{{"latency_ms", "slow"}}).empty());
  EXPECT_FALSE(traffic.updateChaos(json{{"empty_lists", 1}}).empty());
}

TEST(SimTrafficTest, StatsCountAnswersByMethodAndStatus) {
  Traffic traffic(Chaos{}, 1);
  traffic.answered("GET", 200);
  traffic.answered("GET", 200);
  traffic.answered("GET", 429);
  traffic.answered("PATCH", 503);
  const json stats = traffic.stats();
  EXPECT_EQ(stats["requests"]["total"], 4);
  EXPECT_EQ(stats["requests"]["by_method"], (json{{"GET", {{"200", 2}, {"429", 1}}}, {"PATCH", {{"503", 1}}}}));
  EXPECT_EQ(stats["rate_limited"], 1);
  EXPECT_EQ(stats["errors_injected"], 1);
  traffic.resetStats();
  EXPECT_EQ(traffic.stats()["requests"]["total"], 0);
}

}  // namespace
}  // namespace snapq::sim
