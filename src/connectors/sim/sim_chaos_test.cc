// Chaos over real HTTP: rate limit, injected errors, empty listings, latency.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

#include "connectors/sim/sim_server.h"
#include "connectors/sim/sim_test_util.h"

namespace snapq::sim {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::SimHttp;
using testing::smallSim;

TEST(SimChaosTest, ABurstOverTheRateLimitGets429WithRetryAfter) {
  SimOptions options = smallSim();
  options.chaos.rate_limit = 20;
  SimHttp sim(options);
  std::atomic<int> ok{0}, limited{0}, other{0}, bad_retry_after{0};
  std::vector<std::thread> threads;
  threads.reserve(8);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      net::HttpClient client;
      for (int i = 0; i < 15; ++i) {
        net::ClientRequest req;
        req.url = sim.server().url() + "/v1/accounts/1";
        req.headers.add("Authorization", "Bearer sim-token");
        auto res = client.send(req);
        if (res && res->status == 200) {
          ++ok;
        } else if (res && res->status == 429) {
          ++limited;
          const auto retry = res->headers.get("retry-after");
          if (!retry || std::stoi(*retry) < 1 || res->headers.get("x-ratelimit-limit") != "20") ++bad_retry_after;
        } else {
          ++other;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(bad_retry_after.load(), 0);
  EXPECT_GT(limited.load(), 0);
  EXPECT_GE(ok.load(), 20);  // the first 20 at least

  const json stats = sim.stats();
  EXPECT_LE(stats["max_accepted_per_second"].get<int64_t>(), 20);
  EXPECT_GT(stats["max_requests_per_second"].get<int64_t>(), 20);
  EXPECT_EQ(stats["rate_limited"], limited.load());
  EXPECT_EQ(stats["requests"]["by_method"]["GET"]["429"], limited.load());
  // Control endpoints are not limited.
  for (int i = 0; i < 30; ++i) ASSERT_EQ(sim.call("GET", "/_sim/stats").status, 200);
}

TEST(SimChaosTest, ErrorRateAnswersThatShareWith503) {
  SimOptions options = smallSim();
  options.chaos.error_rate = 0.3;
  options.data.seed = 1234;
  SimHttp sim(options);
  int failed = 0;
  for (int i = 0; i < 1000; ++i) {
    const int status = sim.call("GET", "/v1/accounts/" + std::to_string(1 + i % 50)).status;
    ASSERT_TRUE(status == 200 || status == 503) << status;
    failed += status == 503;
  }
  EXPECT_GT(failed, 240);
  EXPECT_LT(failed, 360);
  EXPECT_EQ(sim.stats()["errors_injected"], failed);
}

TEST(SimChaosTest, FailNextAndEmptyListsAreControlledAtRunTime) {
  SimHttp sim;
  EXPECT_EQ(sim.json("POST", "/_sim/chaos", json{{"fail_next", 2}}, 200)["fail_next"], 2);
  EXPECT_EQ(sim.call("GET", "/v1/accounts/1").status, 503);
  EXPECT_EQ(sim.call("PATCH", "/v1/accounts/1", json{{"quota_mb", 1}}).status, 503);
  EXPECT_NE(sim.json("GET", "/v1/accounts/1", nullptr, 200)["quota_mb"], 1);  // generated quotas are >= 256
  EXPECT_TRUE(sim.stats()["writes"].empty());                                 // a failed write applied nothing
  EXPECT_EQ(sim.json("GET", "/_sim/chaos", nullptr, 200)["fail_next"], 0);

  sim.json("POST", "/_sim/chaos", json{{"empty_lists", true}}, 200);
  const json empty = sim.json("GET", "/v1/accounts", nullptr, 200);
  EXPECT_TRUE(empty["data"].empty());
  EXPECT_EQ(empty["meta"]["total"], 0);
  EXPECT_TRUE(sim.json("GET", "/v1/zones/1/records", nullptr, 200)["data"].empty());
  EXPECT_EQ(sim.call("GET", "/v1/accounts/1").status, 200);  // objects are still there
  sim.json("POST", "/_sim/chaos", json{{"empty_lists", false}}, 200);
  EXPECT_EQ(sim.json("GET", "/v1/accounts", nullptr, 200)["meta"]["total"], 50);

  const json refused = sim.json("POST", "/_sim/chaos", json{{"rate_limit", -1}}, 422);
  EXPECT_TRUE(refused["error"]["details"].contains("rate_limit"));
}

TEST(SimChaosTest, LatencyDoesNotSerializeConcurrentRequests) {
  SimOptions options = smallSim();
  options.chaos.latency_ms = 200;
  options.io_threads = 1;  // even one io thread: the wait is a timer
  SimHttp sim(options);
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::future<std::pair<int, std::chrono::nanoseconds>>> done;
  done.reserve(10);
  for (int i = 0; i < 10; ++i) {
    done.push_back(std::async(std::launch::async, [&sim, i] {
      net::HttpClient client;
      net::ClientRequest req;
      req.url = sim.server().url() + "/v1/accounts/" + std::to_string(i + 1);
      req.headers.add("Authorization", "Bearer sim-token");
      const auto t0 = std::chrono::steady_clock::now();
      auto res = client.send(req);
      return std::make_pair(res ? res->status : -1, std::chrono::steady_clock::now() - t0);
    }));
  }
  for (auto& f : done) {
    const auto [status, took] = f.get();
    EXPECT_EQ(status, 200);
    EXPECT_GE(took, 195ms);  // each one was delayed
  }
  // Serialized: 2 s.
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1000ms);
  // Latency changes at run time, and control endpoints never wait for it.
  sim.json("POST", "/_sim/chaos", json{{"latency_ms", 3000}}, 200);
  auto timed = [&](const std::string& target) {
    const auto t0 = std::chrono::steady_clock::now();
    EXPECT_EQ(sim.call("GET", target).status, 200) << target;
    return std::chrono::steady_clock::now() - t0;
  };
  EXPECT_LT(timed("/_sim/stats"), 1500ms);
  EXPECT_GE(timed("/v1/accounts/1"), 2900ms);
  sim.json("POST", "/_sim/chaos", json{{"latency_ms", 0}}, 200);
  EXPECT_LT(timed("/v1/accounts/1"), 1500ms);
}

}  // namespace
}  // namespace snapq::sim
