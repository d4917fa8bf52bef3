// System health over HTTP: totals, one entry per service, recent failures,
// workers and the throughput series of a window.
#include "api_fixture.h"

namespace snapq::testing {
namespace {

using json = nlohmann::json;
using ApiHealth = ApiTest;

TEST_P(ApiHealth, ShowsTotalsPerServiceFailuresWorkersAndASeries) {
  startApi(10);
  Caller vic = token("vic");
  json empty = expect(200, "GET", "/api/v1/health", vic);
  EXPECT_EQ(empty["window"], "24h");
  ASSERT_EQ(empty["services"].size(), 1u) << "every configured service has its entry, jobs or not";
  EXPECT_EQ(empty["services"][0]["service"], "sim");
  EXPECT_EQ(empty["services"][0]["success_rate"], nullptr);
  EXPECT_EQ(empty["services"][0]["last_sync_at"], nullptr);

  ASSERT_EQ(syncAndWait("accounts").status, JobStatus::success);
  engine_->stop();
  auto conflicting = mutate("accounts", "update", "9", {{"quota_mb", 999}});
  ASSERT_TRUE(conflicting.isOk());
  sim_->json("POST", "/_sim/drift", json{{"resource", "accounts"}, {"id", 9}, {"changes", {{"quota_mb", 1}}}}, 200);
  ASSERT_TRUE(engine_->start().isOk());
  ASSERT_EQ(waitFinal(conflicting->id).status, JobStatus::conflict);
  engine_->stop();
  ASSERT_TRUE(mutate("accounts", "update", "8", {{"quota_mb", 8}}).isOk());  // stays queued
  ASSERT_TRUE(engine_->start().isOk());
  engine_->stop();

  json h = expect(200, "GET", "/api/v1/health?window=1h", vic);
  EXPECT_EQ(h["window"], "1h");
  EXPECT_GE(h["totals"]["total"].get<int>(), 3);
  EXPECT_EQ(h["totals"]["conflict"], 1);
  ASSERT_EQ(h["services"].size(), 1u);
  const json& sim = h["services"][0];
  EXPECT_EQ(sim["circuit"], "closed");
  EXPECT_TRUE(sim["last_sync_at"].is_string());
  EXPECT_TRUE(sim["p50_ms"].is_number());
  EXPECT_TRUE(sim["success_rate"].is_number());
  EXPECT_LT(sim["success_rate"].get<double>(), 100.0) << "a conflict counts against it";
  ASSERT_FALSE(h["recent_failures"].empty());
  EXPECT_EQ(h["recent_failures"][0]["id"], conflicting->id);
  ASSERT_EQ(h["series"].size(), 12u) << "5-minute buckets over an hour";
  int64_t succeeded = 0, failed = 0;
  for (const json& b : h["series"]) {
    succeeded += b["success"].get<int64_t>();
    failed += b["failed"].get<int64_t>();
  }
  EXPECT_GE(succeeded, 1);
  EXPECT_EQ(failed, 1);
  EXPECT_TRUE(h["workers"].is_array());
}

TEST_P(ApiHealth, AnUnknownWindowOrParameterIsA400) {
  startApi(1);
  Caller vic = token("vic");
  EXPECT_NE(expect(400, "GET", "/api/v1/health?window=2h", vic)["error"]["message"].get<std::string>().find("window"),
            std::string::npos);
  expect(400, "GET", "/api/v1/health?service=sim", vic);
  for (const char* w : {"1h", "24h", "7d", "30d"}) expect(200, "GET", std::string("/api/v1/health?window=") + w, vic);
}

INSTANTIATE_TEST_SUITE_P(Drivers, ApiHealth, ::testing::Values("sqlite", "postgres"), driverName);

}  // namespace
}  // namespace snapq::testing
