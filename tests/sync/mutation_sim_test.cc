// The mutation protocol against `snapq sim` over real HTTP, on both drivers
// (DESIGN.md "Mutation job"; issue: "Against snapq sim").
#include <fstream>

#include "connectors/rest/rest_connector.h"
#include "sync/sync_runner.h"
#include "sync_fixture.h"

namespace snapq::testing {
namespace {

using json = nlohmann::json;

using MutationSim = SyncSimTest;

// examples/sim.yaml's accounts with a policy of the test's choosing.
std::string accountsYaml(const std::string& policy) {
  return R"(
services:
  sim:
    connector: rest
    base_url: ${SIM_URL}
    auth: {kind: bearer, token: sim-token}
    policy:
)" + policy + R"(
    resources:
      accounts:
        key: id
        fields:
          id: integer
          email: {type: string, indexed: true, searchable: true, required_on_create: true}
          domain: {type: string, indexed: true, searchable: true, required_on_create: true}
          quota_mb: {type: integer, indexed: true}
          suspended: {type: boolean, indexed: true}
          password: {type: string, write_only: true, required_on_create: true}
        list:
          path: /v1/accounts
          items: data
          pagination: {kind: page, per_page: 1000, total_pages: meta.total_pages}
        get: /v1/accounts/{id}
        create: {path: /v1/accounts, body: "{$payload}", success: [201, 200], returns: object}
        update: {method: PATCH, path: "/v1/accounts/{id}", body: "{$payload}", returns: object}
        delete: /v1/accounts/{id}
)";
}

int64_t writesOf(const json& stats, const std::string& key) {
  const json& w = stats["writes"];
  auto it = w.find("accounts/" + key);
  return it == w.end() ? 0 : it->get<int64_t>();
}

TEST_P(MutationSim, AnUpdateWithTheCurrentHashChangesTheRemoteObjectAndTheRowTogether) {
  startSim(50);
  startSnapq();
  ASSERT_EQ(syncAndWait("accounts").status, JobStatus::success);
  auto before = row("accounts", "7");
  ASSERT_TRUE(before);
  auto d = mutate("accounts", "update", "7", {{"quota_mb", 777}}, before->content_hash);
  ASSERT_TRUE(d.isOk()) << d.status().toString();
  Job job = waitFinal(d->id);
  ASSERT_EQ(job.status, JobStatus::success) << job.error;
  EXPECT_EQ(job.expected_hash, before->content_hash);
  EXPECT_LE(result(job)["requests"].get<int>(), 3) << "check, write, read-back at most";
  EXPECT_EQ(sim_->json("GET", "/v1/accounts/7")["quota_mb"], 777);
  auto after = row("accounts", "7");
  EXPECT_EQ(after->fields["quota_mb"], 777);
  EXPECT_EQ(after->sync_status, RowStatus::synced);
  EXPECT_EQ(after->pending_job_id, 0);
  EXPECT_NE(after->content_hash, before->content_hash);
  EXPECT_EQ(writesOf(simStats(), "7"), 1);
  // The next sync agrees with what the mutation wrote: nothing to update.
  Job resync = syncAndWait("accounts");
  EXPECT_EQ(result(resync)["updated"], 0);
}

TEST_P(MutationSim, ADriftAfterDispatchEndsInConflictAndLeavesTheRemoteObjectAlone) {
  startSim(50);
  startSnapq();
  ASSERT_EQ(syncAndWait("accounts").status, JobStatus::success);
  engine_->stop();  // the job waits while someone changes the object remotely
  auto d = mutate("accounts", "update", "9", {{"quota_mb", 999}});
  ASSERT_TRUE(d.isOk());
  EXPECT_EQ(row("accounts", "9")->sync_status, RowStatus::pending_update);
  sim_->json("POST", "/_sim/drift", json{{"resource", "accounts"}, {"id", 9}, {"changes", {{"quota_mb", 1}}}}, 200);
  ASSERT_TRUE(engine_->start().isOk());
  Job job = waitFinal(d->id);
  ASSERT_EQ(job.status, JobStatus::conflict) << job.error;
  EXPECT_EQ(sim_->json("GET", "/v1/accounts/9")["quota_mb"], 1) << "nothing was written remotely";
  EXPECT_EQ(writesOf(simStats(), "9"), 0);
  json r = result(job);
  EXPECT_EQ(r["current"]["quota_mb"], 1) << "the job shows the current remote object";
  EXPECT_EQ(r["expected_hash"], job.expected_hash);
  auto conflicted = row("accounts", "9");
  EXPECT_EQ(conflicted->sync_status, RowStatus::conflict);
  EXPECT_NE(conflicted->sync_error.find("changed"), std::string::npos) << conflicted->sync_error;

  // A manager applies it anyway: last write wins.
  auto retried = engine_->retry(d->id, Actor::user("boss"), true);
  ASSERT_TRUE(retried.isOk()) << retried.status().toString();
  Job applied = waitFinal(d->id);
  ASSERT_EQ(applied.status, JobStatus::success) << applied.error;
  EXPECT_EQ(sim_->json("GET", "/v1/accounts/9")["quota_mb"], 999);
  EXPECT_EQ(row("accounts", "9")->sync_status, RowStatus::synced);
}

TEST_P(MutationSim, DispatchRefusesBadInputWithoutQueueingAnything) {
  startSim(20);
  startSnapq();
  ASSERT_EQ(syncAndWait("accounts").status, JobStatus::success);
  auto code = [&](const std::string& action, const std::string& key, json data, const std::string& if_match = {}) {
    return mutate("accounts", action, key, std::move(data), if_match).status().code();
  };
  EXPECT_EQ(code("update", "3", {{"colour", "red"}}), ErrorCode::invalid_argument);
  EXPECT_EQ(code("update", "3", {{"quota_mb", "lots"}}), ErrorCode::invalid_argument);
  EXPECT_EQ(code("update", "3", {{"id", 4}}), ErrorCode::invalid_argument) << "keys do not change";
  EXPECT_EQ(code("update", "999999", {{"quota_mb", 1}}), ErrorCode::not_found);
  EXPECT_EQ(code("update", "3", {{"quota_mb", 1}}, "not-the-hash"), ErrorCode::failed_precondition);
  EXPECT_EQ(code("create", "", {{"email", "x@y.test"}}), ErrorCode::invalid_argument) << "domain, password missing";
  EXPECT_EQ(code("explode", "3", json::object()), ErrorCode::not_found);
  JobFilter mutations;
  mutations.actions = {"update", "create", "explode"};
  EXPECT_TRUE(store_->listJobs(mutations)->jobs.empty());
  EXPECT_EQ(row("accounts", "3")->sync_status, RowStatus::synced);
}

TEST_P(MutationSim, ACreateSendsTheWriteOnlyPasswordButNeverStoresIt) {
  startSim(5);
  startSnapq();
  ASSERT_EQ(syncAndWait("accounts").status, JobStatus::success);
  auto d = mutate("accounts", "create", "",
                  {{"email", "new@example.test"}, {"domain", "example.test"}, {"password", "correct horse battery"}});
  ASSERT_TRUE(d.isOk()) << d.status().toString();
  Job job = waitFinal(d->id);
  ASSERT_EQ(job.status, JobStatus::success) << job.error;
  std::string key = result(job)["key"];
  auto created = row("accounts", key);
  ASSERT_TRUE(created);
  EXPECT_EQ(created->fields["email"], "new@example.test");
  EXPECT_FALSE(created->fields.contains("password"));
  EXPECT_EQ(job.payload.find("correct horse"), std::string::npos) << "the audit row is masked";
  EXPECT_EQ(simStats()["password_writes"]["accounts/" + key], 1) << "the password reached the service";
  EXPECT_EQ(rowCount("accounts"), 6);
}

TEST_P(MutationSim, ADeleteRemovesTheRemoteObjectAndTheRow) {
  startSim(5);
  startSnapq();
  ASSERT_EQ(syncAndWait("accounts").status, JobStatus::success);
  auto d = mutate("accounts", "delete", "2", json::object());
  ASSERT_TRUE(d.isOk());
  EXPECT_EQ(row("accounts", "2")->sync_status, RowStatus::pending_delete);
  Job job = waitFinal(d->id);
  ASSERT_EQ(job.status, JobStatus::success) << job.error;
  EXPECT_FALSE(row("accounts", "2").has_value());
  EXPECT_EQ(sim_->call("GET", "/v1/accounts/2").status, 404);
}

TEST_P(MutationSim, ASyncKeepsAPendingRowAndACancelGivesItBack) {
  startSim(20);
  startSnapq();
  ASSERT_EQ(syncAndWait("accounts").status, JobStatus::success);
  engine_->stop();
  auto d = mutate("accounts", "update", "4", {{"quota_mb", 4}});
  ASSERT_TRUE(d.isOk());
  sim_->json("POST", "/_sim/drift", json{{"resource", "accounts"}, {"id", 4}, {"changes", {{"quota_mb", 5}}}}, 200);
  std::string hash_before = row("accounts", "4")->content_hash;
  // Run only the sync: cancel nothing yet, but start workers after queueing it.
  SyncRequest r;
  r.service = "sim";
  r.resource = "accounts";
  auto sync = sync_->dispatchSync(r);
  ASSERT_TRUE(sync.isOk());
  ASSERT_TRUE(engine_->cancel(d->id, Actor::user("alice")).isOk());
  EXPECT_EQ(row("accounts", "4")->sync_status, RowStatus::synced) << "a cancelled mutation gives the row back";
  ASSERT_TRUE(engine_->start().isOk());
  Job job = waitFinal(sync->id);
  ASSERT_EQ(job.status, JobStatus::success) << job.error;
  EXPECT_EQ(result(job)["updated"], 1) << "the released row takes the remote change";
  EXPECT_NE(row("accounts", "4")->content_hash, hash_before);
}

// What a sync job's handler sees, for running the sync runner directly.
class DirectContext final : public JobContext {
 public:
  const Job& job() const override { return job_; }
  const std::string& payload() const override { return payload_; }
  std::stop_token stopToken() const override { return {}; }
  void progress(std::string json) override { last_progress = std::move(json); }
  std::string last_progress;

 private:
  Job job_;
  std::string payload_ = "{}";
};

TEST_P(MutationSim, APendingRowIsNotOverwrittenByASync) {
  startSim(20);
  startSnapq();
  ASSERT_EQ(syncAndWait("accounts").status, JobStatus::success);
  engine_->stop();  // the mutation stays queued
  auto d = mutate("accounts", "update", "6", {{"quota_mb", 6}});
  ASSERT_TRUE(d.isOk());
  sim_->json("POST", "/_sim/drift", json{{"resource", "accounts"}, {"id", 6}, {"changes", {{"quota_mb", 66}}}}, 200);
  auto before = row("accounts", "6");

  auto connector = makeRestConnector(*config_->service("sim"), config_->service("sim")->instances[0],
                                     RestOptions{engine_->clock()});
  RowBuilder rows(*config_->service("sim")->resource("accounts"));
  SyncRunner runner(store_->snapshots(), *connector, rows, engine_->clock());
  SyncTarget target;
  target.table = table("accounts");
  DirectContext ctx;
  Outcome outcome = runner.run(target, ctx);
  ASSERT_EQ(outcome.kind, Outcome::Kind::success) << outcome.message;
  json stats = json::parse(outcome.result);
  EXPECT_EQ(stats["kept_pending"], 1) << stats.dump();
  EXPECT_EQ(stats["updated"], 0);
  EXPECT_NE(ctx.last_progress.find("fetched"), std::string::npos) << "progress is reported";
  auto after = row("accounts", "6");
  EXPECT_EQ(after->sync_status, RowStatus::pending_update);
  EXPECT_EQ(after->content_hash, before->content_hash) << "the pending row is not overwritten";
  EXPECT_EQ(after->pending_job_id, d->id);

  ASSERT_TRUE(engine_->start().isOk());
  Job mutation = waitFinal(d->id);
  EXPECT_EQ(mutation.status, JobStatus::conflict) << "the remote changed after dispatch: " << mutation.error;
}

TEST_P(MutationSim, AConfiguredRateLimitIsNeverExceeded) {
  startSim(30);
  startSnapq(accountsYaml("      concurrency: 4\n      rate_limit: 20\n      burst: 1\n"
                          "      retry: {attempts: 5, base: 100ms}\n"),
             8);
  ASSERT_EQ(syncAndWait("accounts").status, JobStatus::success);
  sim_->call("DELETE", "/_sim/stats");
  std::vector<int64_t> ids;
  for (int i = 1; i <= 30; ++i) {
    auto d = mutate("accounts", "update", std::to_string(i), {{"quota_mb", 1000 + i}});
    ASSERT_TRUE(d.isOk());
    ids.push_back(d->id);
  }
  for (int64_t id : ids) EXPECT_EQ(waitFinal(id).status, JobStatus::success);
  json stats = simStats();
  EXPECT_LE(stats["max_requests_per_second"].get<int>(), 20) << stats.dump();
  EXPECT_EQ(stats["rate_limited"], 0);
  EXPECT_GE(stats["requests"]["total"].get<int>(), 60);
}

TEST_P(MutationSim, WithThirtyPercentErrorsAndRateLimitsEveryJobStillSucceeds) {
  startSim(40);
  startSnapq(accountsYaml("      concurrency: 4\n      retry: {attempts: 40, base: 20ms, factor: 1.5, cap: 200ms}\n"
                          "      circuit_breaker: {failures: 0}\n"),
             8);
  ASSERT_EQ(syncAndWait("accounts").status, JobStatus::success);
  chaos({{"error_rate", 0.3}, {"rate_limit", 40}});
  std::vector<int64_t> ids;
  for (int i = 1; i <= 40; ++i) {
    auto d = mutate("accounts", "update", std::to_string(i), {{"quota_mb", 2000 + i}});
    ASSERT_TRUE(d.isOk());
    ids.push_back(d->id);
  }
  for (int64_t id : ids) {
    Job job = waitFinal(id, std::chrono::seconds(120));
    EXPECT_TRUE(job.status == JobStatus::success || job.status == JobStatus::skipped)
        << id << " " << toString(job.status) << ": " << job.error;
  }
  json stats = simStats();
  EXPECT_GT(stats["errors_injected"].get<int>(), 0);
  chaos({{"error_rate", 0}, {"rate_limit", 0}});
  for (int i = 1; i <= 40; ++i) {
    EXPECT_EQ(sim_->json("GET", "/v1/accounts/" + std::to_string(i))["quota_mb"], 2000 + i);
  }
}

TEST_P(MutationSim, AnInstancesRetryPolicyReplacesTheServicesForItsJobs) {
  startSim(5);
  startSnapq(accountsYaml("      retry: {attempts: 2, base: 10ms, jitter: 0}\n"
                          "      circuit_breaker: {failures: 0}\n"
                          "    instances:\n"
                          "      plain: {}\n"
                          "      patient: {policy: {retry: {attempts: 4, base: 10ms, jitter: 0}}}\n"));
  for (const char* instance : {"plain", "patient"}) {
    SyncRequest sync;
    sync.service = "sim";
    sync.resource = "accounts";
    sync.instance = instance;
    auto d = sync_->dispatchSync(sync);
    ASSERT_TRUE(d.isOk()) << d.status().toString();
    ASSERT_EQ(waitFinal(d->id).status, JobStatus::success) << instance;
  }
  chaos({{"error_rate", 1.0}});  // every request of the service fails with a 503
  std::map<std::string, int64_t> ids;
  for (const char* instance : {"plain", "patient"}) {
    MutationRequest r;
    r.service = "sim";
    r.resource = "accounts";
    r.action = "update";
    r.instance = instance;
    r.key = "2";
    r.data = {{"quota_mb", 77}};
    auto d = sync_->dispatchMutation(r);
    ASSERT_TRUE(d.isOk()) << d.status().toString();
    ids[instance] = d->id;
  }
  Job plain = waitFinal(ids["plain"]);
  Job patient = waitFinal(ids["patient"]);
  EXPECT_EQ(plain.status, JobStatus::failed);
  EXPECT_EQ(plain.max_attempts, 2);
  EXPECT_EQ(plain.attempts, 2) << "the service's policy";
  EXPECT_EQ(patient.status, JobStatus::failed);
  EXPECT_EQ(patient.max_attempts, 4);
  EXPECT_EQ(patient.attempts, 4) << "the instance's own policy";
}

TEST_P(MutationSim, AJobWhoseWorkerDiedOnItsLastAttemptFailsItsRowToo) {
  startSim(5);
  startSnapq(accountsYaml("      retry: {attempts: 1}\n"));
  ASSERT_EQ(syncAndWait("accounts").status, JobStatus::success);
  engine_->stop();
  auto d = mutate("accounts", "update", "3", {{"quota_mb", 33}});
  ASSERT_TRUE(d.isOk()) << d.status().toString();
  ASSERT_EQ(row("accounts", "3")->sync_status, RowStatus::pending_update);
  // A worker of another process claims the job (its only attempt) and dies:
  // its lease runs out with nobody to complete the job.
  ClaimRequest claim;
  claim.worker_id = "gone:1:abc";
  claim.now = engine_->clock().now();
  claim.lease = Duration(1);
  auto claimed = store_->claimJobs(claim);
  ASSERT_TRUE(claimed.isOk()) << claimed.status().toString();
  ASSERT_EQ(claimed->size(), 1u);
  ASSERT_TRUE(engine_->start().isOk());  // its maintenance rescues expired leases at once
  Job job = waitFinal(d->id);
  EXPECT_EQ(job.status, JobStatus::failed);
  EXPECT_NE(job.error.find("worker lost"), std::string::npos) << job.error;
  auto r = row("accounts", "3");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->sync_status, RowStatus::failed) << "not left pending for good";
  EXPECT_EQ(r->sync_error, job.error);
  // The row takes a new mutation, which goes through.
  auto again = mutate("accounts", "update", "3", {{"quota_mb", 34}});
  ASSERT_TRUE(again.isOk()) << again.status().toString();
  EXPECT_EQ(waitFinal(again->id).status, JobStatus::success);
  EXPECT_EQ(row("accounts", "3")->sync_status, RowStatus::synced);
}

INSTANTIATE_TEST_SUITE_P(Drivers, MutationSim, ::testing::Values("sqlite", "postgres"), driverName);

}  // namespace
}  // namespace snapq::testing
