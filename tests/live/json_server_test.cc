// examples/json-server.yaml against a real json-server 0.17.4 on loopback
// (scripts/json-server.sh, started by scripts/test.sh over
// tests/live/json-server/db.json, which holds 120 users: three pages of 50):
// a paginated sync, create/update/delete through snapq, and json-server's
// 500-with-an-HTML-page answer to a duplicate id.
// The seeded users u1..u120 are only read; objects a test creates carry names
// unique to the test and are deleted again.
#include "live_fixture.h"

namespace snapq::testing {
namespace {

using json = nlohmann::json;

class JsonServer : public LiveTest {
 protected:
  void SetUp() override {
    auto url = requiredEnv("SNAPQ_TEST_JSON_SERVER_URL");
    ASSERT_TRUE(url) << "json-server is not running for this test";
    api_ = std::make_unique<LiveHttp>(*url);
    startSnapq("json-server.yaml", "json_server", {{"JSON_SERVER_URL", *url}});
  }

  void TearDown() override {
    LiveTest::TearDown();
    for (const std::string& target : cleanup_) api_->call("DELETE", target);
  }

  Job mutateAndWait(const std::string& resource, const std::string& action, const std::string& key, json data,
                    const std::string& if_match = {}) {
    auto d = mutate(resource, action, key, std::move(data), std::nullopt, if_match);
    EXPECT_TRUE(d.isOk()) << d.status().toString();
    return d ? waitFinal(d->id) : Job{};
  }

  std::unique_ptr<LiveHttp> api_;
  std::vector<std::string> cleanup_;  // remote objects to delete after the test
};

TEST_P(JsonServer, APaginatedSyncFollowsTheLinkHeadersThroughEveryPage) {
  // What json-server answers: a bare array, X-Total-Count, and Link with rel="next".
  net::ClientResponse first = api_->call("GET", "/users?_page=1&_limit=50");
  ASSERT_EQ(first.status, 200);
  json page = json::parse(first.body, nullptr, false);
  ASSERT_TRUE(page.is_array());
  EXPECT_EQ(page.size(), 50u);
  ASSERT_TRUE(first.headers.get("X-Total-Count")) << "json-server counts the collection";
  const int total = std::stoi(*first.headers.get("X-Total-Count"));
  ASSERT_GT(total, 100) << "more users than two pages of 50";
  EXPECT_NE(first.headers.get("Link").value_or("").find("rel=\"next\""), std::string::npos);

  Job job = syncAndWait("users");
  ASSERT_EQ(job.status, JobStatus::success) << job.error;
  json stats = result(job);
  EXPECT_EQ(stats["fetched"], total) << stats.dump();
  EXPECT_EQ(stats["created"], total);
  EXPECT_EQ(stats["pages"], (total + 49) / 50) << "the last page has no rel=\"next\"";
  EXPECT_EQ(static_cast<int>(rows("users").size()), total);
  auto alice = row("users", "u1");
  ASSERT_TRUE(alice);
  EXPECT_EQ(alice->fields["username"], "alice");
  EXPECT_EQ(alice->fields["enabled"], true);
  auto last = row("users", "u120");
  ASSERT_TRUE(last) << "the third page was read";
  EXPECT_EQ(last->fields["email"], "user120@example.test");

  // The field at a path: email_accounts' userId is stored as user_id.
  Job accounts = syncAndWait("email_accounts");
  ASSERT_EQ(accounts.status, JobStatus::success) << accounts.error;
  auto account = row("email_accounts", "1");
  ASSERT_TRUE(account);
  EXPECT_EQ(account->fields["user_id"], "u1");

  Job again = syncAndWait("users");
  ASSERT_EQ(again.status, JobStatus::success) << again.error;
  EXPECT_EQ(result(again)["unchanged"], total) << again.result;
  EXPECT_EQ(result(again)["updated"], 0);
}

TEST_P(JsonServer, CreatesUpdatesAndDeletesAUserThroughSnapq) {
  const std::string id = uniqueName("user-");
  cleanup_.push_back("/users/" + id);
  Job created = mutateAndWait(
      "users", "create", "",
      {{"id", id}, {"username", id}, {"email", id + "@example.test"}, {"enabled", true}, {"realm", "live"}});
  ASSERT_EQ(created.status, JobStatus::success) << created.error;
  EXPECT_EQ(result(created)["key"], id);
  json remote = api_->json("GET", "/users/" + id);
  EXPECT_EQ(remote["username"], id);
  EXPECT_EQ(remote["realm"], "live");
  auto row_created = row("users", id);
  ASSERT_TRUE(row_created);
  EXPECT_EQ(row_created->sync_status, RowStatus::synced);

  Job updated = mutateAndWait("users", "update", id, {{"enabled", false}, {"realm", "ops"}}, row_created->content_hash);
  ASSERT_EQ(updated.status, JobStatus::success) << updated.error;
  EXPECT_LE(result(updated)["requests"].get<int>(), 2) << "check and write: the PATCH answers with the object";
  remote = api_->json("GET", "/users/" + id);
  EXPECT_EQ(remote["enabled"], false);
  EXPECT_EQ(remote["realm"], "ops");
  EXPECT_EQ(remote["email"], id + "@example.test") << "PATCH merges";
  auto row_updated = row("users", id);
  ASSERT_TRUE(row_updated);
  EXPECT_EQ(row_updated->fields["enabled"], false);
  EXPECT_EQ(row_updated->sync_status, RowStatus::synced);

  // An edit behind snapq's back: the next update is a conflict and writes nothing.
  api_->json("PATCH", "/users/" + id, {{"realm", "elsewhere"}});
  Job conflicted = mutateAndWait("users", "update", id, {{"enabled", true}});
  ASSERT_EQ(conflicted.status, JobStatus::conflict) << conflicted.error;
  EXPECT_EQ(api_->json("GET", "/users/" + id)["enabled"], false);
  Job resync = syncAndWait("users");
  ASSERT_EQ(resync.status, JobStatus::success) << resync.error;
  EXPECT_EQ(row("users", id)->fields["realm"], "elsewhere");

  Job deleted = mutateAndWait("users", "delete", id, json::object());
  ASSERT_EQ(deleted.status, JobStatus::success) << deleted.error;
  EXPECT_EQ(api_->call("GET", "/users/" + id).status, 404);
  EXPECT_FALSE(row("users", id).has_value());
}

TEST_P(JsonServer, ACreateWithoutAKeyTakesTheIdJsonServerAssigns) {
  Job created = mutateAndWait("email_accounts", "create", "",
                              {{"user", uniqueName("box-")},
                               {"domain", "example.test"},
                               {"quota_mb", 256},
                               {"user_id", "u3"},
                               {"password", "correct horse battery"}});
  ASSERT_EQ(created.status, JobStatus::success) << created.error;
  std::string key = result(created)["key"];
  ASSERT_FALSE(key.empty());
  cleanup_.push_back("/email_accounts/" + key);
  json remote = api_->json("GET", "/email_accounts/" + key);
  EXPECT_EQ(remote["userId"], "u3") << "user_id is sent at its path";
  auto account = row("email_accounts", key);
  ASSERT_TRUE(account);
  EXPECT_EQ(account->fields["quota_mb"], 256);
  EXPECT_FALSE(account->fields.contains("password"));
  EXPECT_EQ(account->doc.find("correct horse"), std::string::npos) << "json-server echoes it; snapq does not keep it";
  EXPECT_EQ(created.payload.find("correct horse"), std::string::npos) << "the audit row is masked";

  Job quota = mutateAndWait("email_accounts", "set_quota", key, {{"quota_mb", 2048}});
  ASSERT_EQ(quota.status, JobStatus::success) << quota.error;
  EXPECT_EQ(api_->json("GET", "/email_accounts/" + key)["quota_mb"], 2048);
  EXPECT_EQ(row("email_accounts", key)->fields["quota_mb"], 2048);
}

TEST_P(JsonServer, ADuplicateIdFailsAfterTheRetryPolicyWithAShortReadableError) {
  json before = api_->json("GET", "/users/u1");
  auto d = mutate("users", "create", "", {{"id", "u1"}, {"username", "impostor"}});
  ASSERT_TRUE(d.isOk()) << d.status().toString();
  Job job = waitFinal(d->id, std::chrono::seconds(60));
  ASSERT_EQ(job.status, JobStatus::failed) << toString(job.status) << ": " << job.error;
  const RetryPolicy& retry = config_->service("json_server")->policy.retry;
  EXPECT_EQ(job.attempts, retry.max_attempts) << "every attempt of the retry policy, and no more";
  EXPECT_NE(job.error.find("HTTP 500"), std::string::npos) << job.error;
  EXPECT_NE(job.error.find("duplicate id"), std::string::npos) << "json-server's reason: " << job.error;
  EXPECT_EQ(job.error.find('<'), std::string::npos) << "no HTML in the audit row: " << job.error;
  EXPECT_LT(job.error.size(), 500u) << job.error;
  EXPECT_FALSE(row("users", "u1").has_value()) << "a create that failed leaves no row behind";
  // Each failed attempt is in the job's history, with the same short reason.
  auto events = store_->jobEvents(job.id);
  ASSERT_TRUE(events.isOk());
  int failures = 0;
  for (const JobEvent& e : *events) {
    if (e.type != "attempt_failed") continue;
    ++failures;
    EXPECT_EQ(e.message.find('<'), std::string::npos) << e.message;
    EXPECT_LT(e.message.size(), 500u) << e.message;
  }
  EXPECT_EQ(failures, retry.max_attempts) << "one event per failed attempt";
  EXPECT_EQ(api_->json("GET", "/users/u1"), before) << "the existing user is untouched";
  // The job stays failed: nothing runs it again.
  auto later = store_->getJob(job.id);
  ASSERT_TRUE(later);
  EXPECT_EQ(later->status, JobStatus::failed);
  EXPECT_EQ(later->attempts, job.attempts);
}

INSTANTIATE_TEST_SUITE_P(Drivers, JsonServer, ::testing::Values("sqlite", "postgres"), driverParamName);

}  // namespace
}  // namespace snapq::testing
