// The simulated service over real HTTP: resources, pagination, auth, drift.
#include "connectors/sim/sim_server.h"

#include <gtest/gtest.h>

#include <set>

#include "connectors/sim/sim_test_util.h"

namespace snapq::sim {
namespace {

using nlohmann::json;
using testing::SimHttp;
using testing::smallSim;

TEST(SimServerTest, PaginationCoversEveryAccountExactlyOnce) {
  SimOptions options = smallSim();
  options.data.accounts = 1234;
  SimHttp sim(options);
  std::multiset<int64_t> seen;
  int64_t total_pages = 0;
  for (int64_t page = 1;; ++page) {
    const json body = sim.json("GET", "/v1/accounts?page=" + std::to_string(page) + "&per_page=100", nullptr, 200);
    EXPECT_EQ(body["meta"]["total"], 1234);
    total_pages = body["meta"]["total_pages"];
    for (const json& a : body["data"]) seen.insert(a["id"].get<int64_t>());
    if (body["data"].empty()) break;
  }
  EXPECT_EQ(total_pages, 13);
  EXPECT_EQ(seen.size(), 1234u);
  EXPECT_EQ(std::set<int64_t>(seen.begin(), seen.end()).size(), 1234u);

  EXPECT_EQ(sim.json("GET", "/v1/accounts", nullptr, 200)["meta"]["per_page"], kDefaultPerPage);
  const json capped = sim.json("GET", "/v1/accounts?per_page=5000", nullptr, 200);
  EXPECT_EQ(capped["meta"]["per_page"], kMaxPerPage);
  EXPECT_EQ(capped["data"].size(), 1000u);
  for (const char* bad : {"?page=0", "?per_page=-1", "?page=abc", "?per_page="}) {
    const json error = sim.json("GET", std::string("/v1/accounts") + bad, nullptr, 400);
    EXPECT_EQ(error["error"]["code"], "bad_request") << bad;
  }
}

TEST(SimServerTest, CrudRoundTripNeverReturnsThePassword) {
  SimHttp sim;
  const std::string secret = "Tr0ub4dor&3-secret";
  json created = sim.json("POST", "/v1/accounts", json{{"email", "ada@example.test"}, {"password", secret}}, 201);
  const int64_t id = created["id"];
  EXPECT_EQ(created["email"], "ada@example.test");
  EXPECT_FALSE(created.contains("password"));
  const std::string path = "/v1/accounts/" + std::to_string(id);
  EXPECT_EQ(sim.json("GET", path, nullptr, 200), created);

  json updated = sim.json("PATCH", path, json{{"quota_mb", 4096}, {"password", secret + "!"}}, 200);
  EXPECT_EQ(updated["quota_mb"], 4096);
  EXPECT_GT(updated["updated_at"].get<std::string>(), created["updated_at"].get<std::string>());
  EXPECT_FALSE(updated.contains("password"));

  // Nowhere: not in the object, not in any listing.
  for (const std::string& target : {path, std::string("/v1/accounts?per_page=1000")}) {
    EXPECT_EQ(sim.call("GET", target).body.find(secret), std::string::npos) << target;
  }
  const json stats = sim.stats();
  EXPECT_EQ(stats["writes"]["accounts/" + std::to_string(id)], 2);
  EXPECT_EQ(stats["password_writes"]["accounts/" + std::to_string(id)], 2);
  EXPECT_EQ(stats.dump().find(secret), std::string::npos);

  EXPECT_EQ(sim.call("DELETE", path).status, 204);
  EXPECT_EQ(sim.json("GET", path, nullptr, 404)["error"]["code"], "not_found");
  EXPECT_EQ(sim.call("DELETE", path).status, 404);
  EXPECT_EQ(sim.stats()["writes"]["accounts/" + std::to_string(id)], 3);
}

TEST(SimServerTest, DuplicateEmailIs409AndInvalidFieldsAre422) {
  SimHttp sim;
  const json first = sim.json("GET", "/v1/accounts/1", nullptr, 200);
  json dup = sim.json("POST", "/v1/accounts", json{{"email", first["email"]}}, 409);
  EXPECT_EQ(dup["error"]["code"], "conflict");
  json bad = sim.json("POST", "/v1/accounts", json{{"email", "not-an-email"}, {"suspended", "yes"}}, 422);
  EXPECT_EQ(bad["error"]["code"], "validation_failed");
  EXPECT_EQ(bad["error"]["details"]["email"], "must be an email address");
  EXPECT_EQ(bad["error"]["details"]["suspended"], "must be true or false");
  EXPECT_EQ(sim.call("POST", "/v1/accounts", json::array({1, 2})).status, 400);
  EXPECT_EQ(sim.stats()["objects"]["accounts"], 50);
}

TEST(SimServerTest, EveryRequestNeedsTheBearerToken) {
  SimHttp sim;
  for (const auto& token : std::vector<std::optional<std::string>>{std::nullopt, "wrong-token", "sim-token2", ""}) {
    for (const char* target : {"/v1/accounts", "/v1/accounts/1", "/_sim/stats", "/_sim/chaos", "/elsewhere"}) {
      const net::ClientResponse res = sim.call("GET", target, nullptr, token);
      EXPECT_EQ(res.status, 401) << target << " with " << token.value_or("(none)");
      EXPECT_EQ(res.headers.get("www-authenticate"), "Bearer realm=\"snapq-sim\"");
      EXPECT_EQ(json::parse(res.body)["error"]["code"], "unauthorized");
    }
  }
  EXPECT_EQ(sim.stats()["requests"]["by_method"]["GET"]["401"], 8);  // API requests only
  EXPECT_EQ(sim.call("GET", "/v1/accounts/1").status, 200);
}

TEST(SimServerTest, ZonesAndTheirRecords) {
  SimHttp sim;
  const json zones = sim.json("GET", "/v1/zones", nullptr, 200);
  ASSERT_EQ(zones["data"].size(), 3u);
  EXPECT_EQ(zones["data"][0], (json{{"id", 1}, {"name", "zone1.test"}}));
  const json records = sim.json("GET", "/v1/zones/2/records?per_page=2&page=2", nullptr, 200);
  EXPECT_EQ(records["meta"]["total"], 4);
  for (const json& r : records["data"]) {
    EXPECT_EQ(r["zone_id"], 2);
    for (const char* field : {"id", "name", "type", "content", "ttl"}) EXPECT_TRUE(r.contains(field)) << r.dump();
  }

  json zone = sim.json("POST", "/v1/zones", json{{"name", "new.test"}}, 201);
  const std::string base = "/v1/zones/" + std::to_string(zone["id"].get<int64_t>()) + "/records";
  json rec = sim.json("POST", base, json{{"name", "www.new.test"}, {"type", "A"}, {"content", "192.0.2.1"}}, 201);
  const std::string rec_path = base + "/" + std::to_string(rec["id"].get<int64_t>());
  EXPECT_EQ(sim.json("PATCH", rec_path, json{{"ttl", 60}}, 200)["ttl"], 60);
  EXPECT_EQ(sim.call("GET", "/v1/zones/1/records/" + std::to_string(rec["id"].get<int64_t>())).status, 404);
  EXPECT_EQ(sim.call("GET", "/v1/zones/999/records").status, 404);
  EXPECT_EQ(sim.call("DELETE", "/v1/zones/" + std::to_string(zone["id"].get<int64_t>())).status, 204);
  EXPECT_EQ(sim.call("GET", rec_path).status, 404);
}

TEST(SimServerTest, UnknownPathsMethodsAndIds) {
  SimHttp sim;
  EXPECT_EQ(sim.call("GET", "/v1/nothing").status, 404);
  EXPECT_EQ(sim.call("GET", "/v1/accounts/abc").status, 404);
  EXPECT_EQ(sim.call("GET", "/v1/accounts/%FF%FE").status, 404);  // not UTF-8: still a clean 404
  EXPECT_EQ(sim.call("GET", "/v1/accounts/1/extra").status, 404);
  const net::ClientResponse put = sim.call("PUT", "/v1/accounts/1", json::object());
  EXPECT_EQ(put.status, 405);
  EXPECT_EQ(sim.call("DELETE", "/v1/accounts").status, 405);
  EXPECT_EQ(sim.call("PATCH", "/v1/accounts/1", json{{"nope", 1}}).status, 422);
  net::ClientRequest broken;
  broken.method = "PATCH";
  broken.url = sim.server().url() + "/v1/accounts/1";
  broken.headers.add("Authorization", "Bearer sim-token");
  broken.body = "{not json";
  net::HttpClient client;
  auto res = client.send(broken);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
}

TEST(SimServerTest, DriftChangesTheObjectAndTheStatsButIsNoWrite) {
  SimHttp sim;
  const json before = sim.json("GET", "/v1/accounts/17", nullptr, 200);
  const json drifted = sim.json("POST", "/_sim/drift",
                                json{{"resource", "accounts"}, {"id", 17}, {"changes", {{"quota_mb", 777}}}}, 200);
  EXPECT_EQ(drifted["quota_mb"], 777);
  const json after = sim.json("GET", "/v1/accounts/17", nullptr, 200);
  EXPECT_EQ(after, drifted);
  EXPECT_GT(after["updated_at"].get<std::string>(), before["updated_at"].get<std::string>());
  EXPECT_EQ(after["email"], before["email"]);

  sim.json("POST", "/_sim/drift", json{{"resource", "records"}, {"id", "3"}, {"changes", {{"ttl", 42}}}}, 200);
  EXPECT_EQ(sim.json("GET", "/v1/zones/1/records/3", nullptr, 200)["ttl"], 42);

  const json stats = sim.stats();
  EXPECT_EQ(stats["drifts"], (json{{"accounts/17", 1}, {"records/3", 1}}));
  EXPECT_TRUE(stats["writes"].empty()) << stats.dump();

  EXPECT_EQ(
      sim.call("POST", "/_sim/drift", json{{"resource", "accounts"}, {"id", 9999}, {"changes", json::object()}}).status,
      404);
  const json bad = sim.json("POST", "/_sim/drift", json{{"resource", "users"}, {"id", 0}}, 422);
  for (const char* field : {"resource", "id", "changes"}) EXPECT_TRUE(bad["error"]["details"].contains(field));
  EXPECT_EQ(sim.call("POST", "/_sim/drift", json{{"resource", "accounts"}, {"id", 1}, {"changes", {{"x", 1}}}}).status,
            422);
}

TEST(SimServerTest, StatsCanBeReset) {
  SimHttp sim;
  sim.call("PATCH", "/v1/accounts/1", json{{"suspended", true}});
  EXPECT_EQ(sim.stats()["requests"]["total"], 1);
  EXPECT_EQ(sim.call("DELETE", "/_sim/stats").status, 204);
  const json stats = sim.stats();
  EXPECT_EQ(stats["requests"]["total"], 0);
  EXPECT_TRUE(stats["writes"].empty());
  EXPECT_EQ(sim.json("GET", "/v1/accounts/1", nullptr, 200)["suspended"], true);  // data stays
}

TEST(SimServerTest, BadOptionsAreRefusedAtStart) {
  SimOptions options = smallSim();
  options.chaos.error_rate = 1.5;
  SimServer server(options);
  const Status s = server.start();
  EXPECT_EQ(s.code(), ErrorCode::invalid_argument);
  EXPECT_NE(s.message().find("--error-rate"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace snapq::sim
