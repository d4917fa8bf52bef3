// The audit log over HTTP: listing with filters, counts and cursors, one job
// with its history, and the manager operations with their refusals.
#include "api_fixture.h"

namespace snapq::testing {
namespace {

using json = nlohmann::json;
using ApiJobs = ApiTest;

TEST_P(ApiJobs, ListsFiltersCountsAndPagesTheAuditLog) {
  startApi(10);
  Job synced = syncAndWait("accounts");
  ASSERT_EQ(synced.status, JobStatus::success);
  engine_->stop();
  auto a = mutate("accounts", "update", "3", {{"quota_mb", 30}});
  auto b = mutate("accounts", "update", "4", {{"quota_mb", 40}});
  ASSERT_TRUE(a.isOk() && b.isOk());
  Caller vic = token("vic");

  json all = expect(200, "GET", "/api/v1/jobs", vic);
  ASSERT_EQ(all["jobs"].size(), 3u);
  EXPECT_EQ(all["jobs"][0]["id"], b->id) << "newest first";
  EXPECT_EQ(all["status_counts"]["queued"], 2);
  EXPECT_EQ(all["status_counts"]["success"], 1);
  EXPECT_EQ(all["next_cursor"], nullptr);
  json job = all["jobs"][0];
  for (const char* field : {"id", "service", "instance", "action", "kind", "target_type", "target_id", "status",
                            "attempts", "max_attempts", "priority", "queue", "trigger_source", "actor", "payload",
                            "result", "error", "expected_hash", "created_at", "run_at", "started_at", "finished_at",
                            "duration_ms"}) {
    EXPECT_TRUE(job.contains(field)) << field;
  }
  EXPECT_EQ(job["actor"], (json{{"type", "user"}, {"name", "alice"}}));
  EXPECT_EQ(job["target_id"], "4");

  json queued = expect(200, "GET", "/api/v1/jobs?status=queued&limit=1", vic);
  ASSERT_EQ(queued["jobs"].size(), 1u);
  EXPECT_EQ(queued["jobs"][0]["id"], b->id);
  EXPECT_EQ(queued["status_counts"]["success"], 1) << "counts ignore the status filter";
  ASSERT_TRUE(queued["next_cursor"].is_string());
  json next = expect(200, "GET", "/api/v1/jobs?status=queued&limit=1&cursor=" + queued["next_cursor"].get<std::string>(), vic);
  ASSERT_EQ(next["jobs"].size(), 1u);
  EXPECT_EQ(next["jobs"][0]["id"], a->id);

  EXPECT_EQ(expect(200, "GET", "/api/v1/jobs?action=sync", vic)["jobs"].size(), 1u);
  EXPECT_EQ(expect(200, "GET", "/api/v1/jobs?actor=system", vic)["jobs"].size(), 1u);
  EXPECT_EQ(expect(200, "GET", "/api/v1/jobs?actor=alice&target_id=3", vic)["jobs"].size(), 1u);
  EXPECT_EQ(expect(200, "GET", "/api/v1/jobs?service=sim,other&since=1h", vic)["jobs"].size(), 3u);
  EXPECT_EQ(expect(200, "GET", "/api/v1/jobs?until=2000-01-01", vic)["jobs"].size(), 0u);
  // Search text with quotes and SQL metacharacters is text.
  EXPECT_EQ(expect(200, "GET", "/api/v1/jobs?q=%27%20OR%201%3D1%20--%25_", vic)["jobs"].size(), 0u);
}

TEST_P(ApiJobs, BadFiltersAre400sNamingTheParameter) {
  startApi(1);
  Caller vic = token("vic");
  for (const char* bad : {"status=finished", "limit=0", "limit=201", "limit=ten", "cursor=abc", "cursor=-1",
                          "since=yesterday", "trigger=cron", "colour=red"}) {
    json e = expect(400, "GET", std::string("/api/v1/jobs?") + bad, vic);
    std::string param = std::string(bad).substr(0, std::string(bad).find('='));
    EXPECT_NE(e["error"]["message"].get<std::string>().find(param), std::string::npos) << bad << ": " << e.dump();
  }
}

TEST_P(ApiJobs, ActorsListsWhoHasJobsInTheWindowForTheUserFilter) {
  startApi(10);
  ASSERT_EQ(syncAndWait("accounts").status, JobStatus::success);
  engine_->stop();
  ASSERT_TRUE(mutate("accounts", "update", "3", {{"quota_mb", 30}}).isOk());
  Caller vic = token("vic");
  const json alice = {{"type", "user"}, {"name", "alice"}};
  const json system = {{"type", "system"}, {"name", "system"}};
  EXPECT_EQ(expect(200, "GET", "/api/v1/jobs/actors", vic), (json{{"actors", {alice, system}}})) << "sorted by name";
  EXPECT_EQ(expect(200, "GET", "/api/v1/jobs/actors?since=7d&service=sim", vic)["actors"], (json{alice, system}));
  EXPECT_EQ(expect(200, "GET", "/api/v1/jobs/actors?service=other", vic)["actors"], json::array());
  EXPECT_EQ(expect(200, "GET", "/api/v1/jobs/actors?until=2000-01-01", vic)["actors"], json::array());
  for (const char* bad : {"since=yesterday", "status=queued", "actor=alice"}) {
    json e = expect(400, "GET", std::string("/api/v1/jobs/actors?") + bad, vic);
    std::string param = std::string(bad).substr(0, std::string(bad).find('='));
    EXPECT_NE(e["error"]["message"].get<std::string>().find(param), std::string::npos) << bad << ": " << e.dump();
  }
}

TEST_P(ApiJobs, AJobShowsItsHistoryAndUnknownIdsAre404) {
  startApi(5);
  Job synced = syncAndWait("accounts");
  Caller vic = token("vic");
  json one = expect(200, "GET", "/api/v1/jobs/" + std::to_string(synced.id), vic);
  EXPECT_EQ(one["status"], "success");
  EXPECT_EQ(one["events"], json::array()) << "a first attempt that succeeds has no history to tell";
  engine_->stop();
  auto waiting = mutate("accounts", "update", "2", {{"quota_mb", 2}});
  ASSERT_TRUE(waiting.isOk());
  ASSERT_TRUE(engine_->cancel(waiting->id, Actor::user("olga")).isOk());
  json cancelled = expect(200, "GET", "/api/v1/jobs/" + std::to_string(waiting->id), vic);
  ASSERT_EQ(cancelled["events"].size(), 1u) << cancelled.dump();
  const json& e = cancelled["events"][0];
  EXPECT_TRUE(e.contains("at") && e.contains("type") && e.contains("message")) << e.dump();
  EXPECT_EQ(e["actor"], (json{{"type", "user"}, {"name", "olga"}}));
  EXPECT_EQ(expect(404, "GET", "/api/v1/jobs/999999", vic)["error"]["code"], "not_found");
  EXPECT_EQ(expect(400, "GET", "/api/v1/jobs/abc", vic)["error"]["code"], "bad_request");
  EXPECT_EQ(expect(400, "GET", "/api/v1/jobs/0", vic)["error"]["code"], "bad_request");
}

TEST_P(ApiJobs, ManagersRetryConflictsCancelQueuedJobsAndDeleteFinishedOnes) {
  startApi(10);
  ASSERT_EQ(syncAndWait("accounts").status, JobStatus::success);
  engine_->stop();
  auto conflicting = mutate("accounts", "update", "9", {{"quota_mb", 999}});
  auto waiting = mutate("accounts", "update", "8", {{"quota_mb", 888}});
  ASSERT_TRUE(conflicting.isOk() && waiting.isOk());
  sim_->json("POST", "/_sim/drift", json{{"resource", "accounts"}, {"id", 9}, {"changes", {{"quota_mb", 1}}}}, 200);
  Caller olga = session("olga");
  const std::string waiting_path = "/api/v1/jobs/" + std::to_string(waiting->id);
  json cancelled = expect(200, "POST", waiting_path + "/cancel", olga);
  EXPECT_EQ(cancelled["status"], "cancelled");
  EXPECT_EQ(expect(409, "POST", waiting_path + "/cancel", olga)["error"]["code"], "invalid_state");
  EXPECT_EQ(expect(409, "POST", waiting_path + "/retry", olga)["error"]["code"], "invalid_state");

  ASSERT_TRUE(engine_->start().isOk());
  ASSERT_EQ(waitFinal(conflicting->id).status, JobStatus::conflict);
  const std::string path = "/api/v1/jobs/" + std::to_string(conflicting->id);
  expect(400, "POST", path + "/retry", olga, R"({"override":"yes"})");
  json retried = expect(200, "POST", path + "/retry", olga, R"({"override":true})");
  EXPECT_EQ(retried["status"], "queued");
  Job applied = waitFinal(conflicting->id);
  EXPECT_EQ(applied.status, JobStatus::success) << applied.error;
  EXPECT_EQ(sim_->json("GET", "/v1/accounts/9")["quota_mb"], 999) << "applied anyway";
  json history = expect(200, "GET", path, olga);
  bool retried_by_olga = false;
  for (const json& e : history["events"]) retried_by_olga |= e["actor"]["name"] == "olga";
  EXPECT_TRUE(retried_by_olga) << history["events"].dump();

  EXPECT_EQ(call("DELETE", path, olga).status, 204);
  expect(404, "GET", path, olga);
  expect(404, "DELETE", path, olga);
}

TEST_P(ApiJobs, BulkOperationsReportEachIdAndRefuseBadRequests) {
  startApi(5);
  engine_->stop();
  auto a = mutate("accounts", "create", "", {{"email", "a@x.test"}, {"domain", "x.test"}, {"password", "pw-1-secret"}});
  ASSERT_TRUE(a.isOk()) << a.status().toString();
  Caller olga = token("olga");
  json out = expect(200, "POST", "/api/v1/jobs/bulk", olga,
                    json{{"action", "cancel"}, {"ids", {a->id, 777777}}}.dump());
  ASSERT_EQ(out["results"].size(), 2u);
  EXPECT_EQ(out["results"][0], (json{{"id", a->id}, {"ok", true}}));
  EXPECT_EQ(out["results"][1]["ok"], false);
  EXPECT_EQ(out["results"][1]["status"], 404);
  expect(400, "POST", "/api/v1/jobs/bulk", olga, R"({"action":"explode","ids":[1]})");
  expect(400, "POST", "/api/v1/jobs/bulk", olga, R"({"action":"retry","ids":[]})");
  expect(400, "POST", "/api/v1/jobs/bulk", olga, R"({"action":"retry","ids":["1"]})");
  expect(400, "POST", "/api/v1/jobs/bulk", olga, R"({"action":"retry","ids":[1],"all":true})");
  // The audit row of the create shows the password masked.
  json shown = expect(200, "GET", "/api/v1/jobs/" + std::to_string(a->id), olga);
  EXPECT_EQ(shown["payload"]["data"]["password"], "***") << shown["payload"].dump();
  EXPECT_EQ(shown["status"], "cancelled");
}

INSTANTIATE_TEST_SUITE_P(Drivers, ApiJobs, ::testing::Values("sqlite", "postgres"), driverName);

}  // namespace
}  // namespace snapq::testing
