// examples/sim.yaml through the rest connector against a real `snapq sim`
// on loopback: the same file and the same code path as `snapq demo`.
#include <gtest/gtest.h>

#include <set>

#include "connectors/rest/rest_connector.h"
#include "connectors/rest/rest_test_util.h"
#include "connectors/sim/sim_test_util.h"

#ifndef SNAPQ_EXAMPLES_DIR
#error "SNAPQ_EXAMPLES_DIR must point at examples/"
#endif

namespace snapq::rest {
namespace {

using nlohmann::json;
using sim::testing::SimHttp;
using testing::objectRef;

sim::SimOptions simOptions(int64_t accounts = 50) {
  sim::SimOptions o = sim::testing::smallSim();
  o.data.accounts = accounts;
  return o;
}

class RestSimTest : public ::testing::Test {
 protected:
  std::unique_ptr<Connector> connect(SimHttp& sim, const std::string& token = "sim-token") {
    Result<Config> config = loadConfig(std::string(SNAPQ_EXAMPLES_DIR) + "/sim.yaml",
                                       testing::envOf({{"SIM_URL", sim.server().url()}, {"SIM_TOKEN", token}}));
    EXPECT_TRUE(config) << config.status().toString();
    if (!config) return nullptr;
    service = *config->service("sim");
    return makeRestConnector(service, service.instances.front(), RestOptions{clock});
  }

  SystemClock clock;
  ServiceSpec service;
};

TEST_F(RestSimTest, ListsEveryAccountAcrossPages) {
  SimHttp sim(simOptions(2345));  // sim.yaml asks for 1000 per page: three pages
  auto c = connect(sim);
  std::set<int64_t> ids;
  std::vector<std::string> cursors;
  std::string cursor;
  for (int guard = 0; guard < 10; ++guard) {
    RemoteResult<Page> page = c->list("accounts", {}, cursor);
    ASSERT_TRUE(page) << page.error().message;
    for (const json& a : page->objects) ids.insert(a["id"].get<int64_t>());
    if (!page->next_cursor) break;
    cursor = *page->next_cursor;
    cursors.push_back(cursor);
  }
  EXPECT_EQ(ids.size(), 2345u);
  EXPECT_EQ(cursors, (std::vector<std::string>{"2", "3"}));
}

TEST_F(RestSimTest, GetsOneAccountAndNothingForAMissingOne) {
  SimHttp sim(simOptions());
  auto c = connect(sim);
  RemoteResult<std::optional<json>> one = c->get(objectRef("accounts", "7", {{"id", 7}}));
  ASSERT_TRUE(one) << one.error().message;
  ASSERT_TRUE(one->has_value());
  EXPECT_EQ((**one)["id"], 7);
  EXPECT_EQ((**one)["email"], sim.json("GET", "/v1/accounts/7", nullptr, 200)["email"]);

  RemoteResult<std::optional<json>> missing = c->get(objectRef("accounts", "99999"));
  ASSERT_TRUE(missing) << missing.error().message;
  EXPECT_FALSE(missing->has_value());
}

TEST_F(RestSimTest, CreateUpdateSuspendAndRemoveAnAccount) {
  SimHttp sim(simOptions());
  auto c = connect(sim);
  const std::string password = "correct horse battery staple";
  const json payload = {{"email", "ada@example.test"}, {"domain", "example.test"}, {"password", password}};
  RemoteResult<json> created = c->create(objectRef("accounts", "", payload, payload));
  ASSERT_TRUE(created) << created.error().message;
  const int64_t id = (*created)["id"];
  const std::string key = std::to_string(id);
  EXPECT_EQ((*created)["email"], "ada@example.test");
  EXPECT_FALSE(created->contains("password"));  // write-only: sent, never returned
  EXPECT_EQ(sim.stats()["password_writes"]["accounts/" + key], 1);

  json row = *created;
  row.erase("updated_at");
  RemoteResult<json> updated = c->update(objectRef("accounts", key,
                                                   [&] {
                                                     json values = row;
                                                     values["quota_mb"] = 4096;
                                                     return values;
                                                   }(),
                                                   {{"quota_mb", 4096}}));
  ASSERT_TRUE(updated) << updated.error().message;
  EXPECT_EQ((*updated)["quota_mb"], 4096);
  RemoteResult<std::optional<json>> read = c->get(objectRef("accounts", key, {{"id", id}}));
  ASSERT_TRUE(read && read->has_value());
  EXPECT_EQ((**read)["quota_mb"], 4096);

  RemoteResult<json> suspended = c->action("suspend", objectRef("accounts", key, row));
  ASSERT_TRUE(suspended) << suspended.error().message;
  EXPECT_EQ((*suspended)["suspended"], true);
  EXPECT_EQ(sim.json("GET", "/v1/accounts/" + key, nullptr, 200)["suspended"], true);

  ASSERT_TRUE(c->remove(objectRef("accounts", key, row)));
  RemoteResult<std::optional<json>> gone = c->get(objectRef("accounts", key, row));
  ASSERT_TRUE(gone) << gone.error().message;
  EXPECT_FALSE(gone->has_value());
  EXPECT_TRUE(c->remove(objectRef("accounts", key, row)));  // already gone is done
  EXPECT_EQ(sim.stats()["writes"]["accounts/" + key], 4);   // create, update, suspend, delete
}

TEST_F(RestSimTest, ARejectedCreateCarriesTheSimsFieldMessages) {
  SimHttp sim(simOptions());
  auto c = connect(sim);
  const json payload = {{"email", "not-an-email"}, {"domain", "example.test"}, {"password", "short"}};
  RemoteResult<json> created = c->create(objectRef("accounts", "", payload, payload));
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().kind, RemoteError::Kind::rejected);
  EXPECT_EQ(created.error().http_status, 422);
  EXPECT_EQ(created.error().message,
            "POST /v1/accounts: HTTP 422 Unprocessable Entity: invalid fields: email, password "
            "(email: must be an email address; password: must be a string of 8 to 1024 characters)");
}

TEST_F(RestSimTest, ListsTheRecordsOfOneZone) {
  SimHttp sim(simOptions());
  auto c = connect(sim);
  RemoteResult<Page> page = c->list("records", {{"zone_id", "2"}}, "");
  ASSERT_TRUE(page) << page.error().message;
  EXPECT_EQ(page->objects.size(), static_cast<size_t>(sim.server().options().data.records_per_zone));
  for (const json& r : page->objects) EXPECT_EQ(r["zone_id"], 2);
  EXPECT_FALSE(page->next_cursor);

  RemoteResult<Page> unknown = c->list("records", {{"zone_id", "999"}}, "");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().kind, RemoteError::Kind::not_found);
}

TEST_F(RestSimTest, ChaosIsClassified429RateLimitedAnd503Retryable) {
  SimHttp sim(simOptions());
  auto c = connect(sim);
  sim.json("POST", "/_sim/chaos", json{{"fail_next", 1}}, 200);
  RemoteResult<std::optional<json>> failed = c->get(objectRef("accounts", "1"));
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().kind, RemoteError::Kind::retryable);
  EXPECT_EQ(failed.error().http_status, 503);
  EXPECT_EQ(failed.error().message,
            "GET /v1/accounts/1: HTTP 503 Service Unavailable: the service is temporarily unavailable (simulated)");

  sim.json("POST", "/_sim/chaos", json{{"rate_limit", 1}}, 200);
  std::optional<RemoteError> limited;
  for (int i = 0; i < 5 && !limited; ++i) {
    RemoteResult<std::optional<json>> r = c->get(objectRef("accounts", "1"));
    if (!r) limited = r.error();
  }
  ASSERT_TRUE(limited);
  EXPECT_EQ(limited->kind, RemoteError::Kind::rate_limited);
  EXPECT_EQ(limited->http_status, 429);
  EXPECT_GE(limited->retry_after, std::chrono::seconds(1));
  EXPECT_NE(limited->message.find("rate limit of 1 requests per second exceeded"), std::string::npos)
      << limited->message;
}

TEST_F(RestSimTest, AWrongTokenIsAuthenticationFailedWithoutTheToken) {
  SimHttp sim(simOptions());
  auto c = connect(sim, "wrong-token-value");
  RemoteResult<Page> page = c->list("accounts", {}, "");
  ASSERT_FALSE(page);
  EXPECT_EQ(page.error().kind, RemoteError::Kind::rejected);
  EXPECT_EQ(page.error().http_status, 401);
  EXPECT_TRUE(page.error().message.starts_with("GET /v1/accounts: authentication failed (HTTP 401)"))
      << page.error().message;
  EXPECT_EQ(page.error().message.find("wrong-token-value"), std::string::npos);
}

}  // namespace
}  // namespace snapq::rest
