// Services and snapshot rows over HTTP: the service list with counts, schedule
// and circuit; row listing with search, typed filters, status, sort and
// keyset pages; one row with its document and ETag; keys that are odd text;
// the refusals of bad input. Dispatching: api_dispatch_test.cc.
#include <fstream>
#include <iterator>
#include <set>

#include "api_fixture.h"
#include "core/time_format.h"
#include "net/http_message.h"

namespace snapq::testing {
namespace {

using json = nlohmann::json;
using ApiServices = ApiTest;

// The sim's accounts as it has them (the truth a listing is checked against).
std::vector<json> simAccounts(sim::testing::SimHttp& sim) {
  json page = sim.json("GET", "/v1/accounts?per_page=1000", nullptr, 200);
  return page["data"].get<std::vector<json>>();
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Every byte but letters and digits escaped, dots too: a client library would
// otherwise resolve a ".." segment before sending it.
std::string encodeKey(const std::string& key) {
  std::string out;
  for (char c : net::percentEncode(key)) out += c == '.' ? std::string("%2E") : std::string(1, c);
  return out;
}

net::Headers If(const std::string& etag) {
  net::Headers h;
  h.set("If-Match", etag);
  return h;
}

std::set<std::string> keysOf(const json& rows) {
  std::set<std::string> out;
  for (const json& r : rows) out.insert(r["key"].get<std::string>());
  return out;
}

TEST_P(ApiServices, TheServiceListShowsResourcesCountsScheduleAndCircuit) {
  startApi(20);
  Job synced = syncAndWait("accounts");
  ASSERT_EQ(synced.status, JobStatus::success);
  Caller vic = token("vic");
  json out = expect(200, "GET", "/api/v1/services", vic);
  ASSERT_EQ(out["services"].size(), 1u) << out.dump();
  const json& sim = out["services"][0];
  EXPECT_EQ(sim["name"], "sim");
  EXPECT_EQ(sim["connector"], "rest");
  EXPECT_EQ(sim["instances"], (json::array({{{"name", "default"}, {"circuit", "closed"}}})));
  ASSERT_EQ(sim["resources"].size(), 3u);
  const json& accounts = sim["resources"][0];
  EXPECT_EQ(accounts["name"], "accounts");
  EXPECT_EQ(accounts["key"], json::array({"id"}));
  EXPECT_EQ(accounts["scope"], nullptr);
  EXPECT_EQ(accounts["rows"], 20);
  EXPECT_EQ(accounts["sync_status_counts"]["synced"], 20);
  EXPECT_EQ(accounts["sync_status_counts"]["failed"], 0);
  EXPECT_EQ(accounts["last_synced_at"], formatIso(*synced.finished_at));
  EXPECT_EQ(accounts["schedule"], "* * * * *");
  ASSERT_TRUE(accounts["next_run_at"].is_string()) << accounts.dump();
  auto next = parseIso(accounts["next_run_at"].get<std::string>());
  ASSERT_TRUE(next.has_value());
  EXPECT_GT(*next, engine_->clock().now());
  EXPECT_LE(*next, engine_->clock().now() + std::chrono::minutes(1));
  EXPECT_EQ(accounts["writes"], (json{{"create", true}, {"update", true}, {"delete", true}}));
  EXPECT_EQ(accounts["actions"], (json::array({{{"name", "suspend"}, {"label", "Suspend account"}},
                                               {{"name", "unsuspend"}, {"label", "Unsuspend account"}}})));
  bool password_declared = false;
  for (const json& f : accounts["fields"]) {
    EXPECT_TRUE(f.contains("type") && f.contains("indexed") && f.contains("searchable")) << f.dump();
    if (f["name"] == "password") password_declared = f["write_only"] == true;
  }
  EXPECT_TRUE(password_declared) << "a create form needs to know the write-only field";
  const json& records = sim["resources"][2];
  EXPECT_EQ(records["scope"], (json{{"parent", "zones"}, {"var", "zone_id"}}));
  EXPECT_EQ(records["rows"], 0);
  EXPECT_EQ(records["last_synced_at"], nullptr) << "never synced";

  EXPECT_EQ(expect(400, "GET", "/api/v1/services?verbose=1", vic)["error"]["code"], "unknown_parameter");
  expect(401, "GET", "/api/v1/services", anonymous());
  expect(403, "GET", "/api/v1/services", token("olga", "sync.job.view"));
}

TEST_P(ApiServices, RowsAreSearchedFilteredSortedAndPagedWithoutTheWriteOnlyField) {
  startApi(30);
  Job synced = syncAndWait("accounts");
  ASSERT_EQ(synced.status, JobStatus::success);
  const std::vector<json> truth = simAccounts(*sim_);
  ASSERT_EQ(truth.size(), 30u);
  Caller vic = session("vic");
  const std::string base = "/api/v1/services/sim/accounts";

  // Every row, page by page, sorted by quota descending.
  std::vector<json> seen;
  std::string cursor;
  int pages = 0;
  do {
    json page = expect(200, "GET", base + "?sort=-quota_mb&limit=7" + (cursor.empty() ? "" : "&cursor=" + cursor), vic);
    EXPECT_EQ(page["last_synced_at"], formatIso(*synced.finished_at));
    for (const json& r : page["rows"]) seen.push_back(r);
    cursor = page["next_cursor"].is_string() ? page["next_cursor"].get<std::string>() : "";
    ASSERT_LT(++pages, 10);
  } while (!cursor.empty());
  EXPECT_EQ(pages, 5);
  ASSERT_EQ(seen.size(), 30u);
  EXPECT_EQ(keysOf(json(seen)).size(), 30u) << "no row twice";
  for (size_t i = 1; i < seen.size(); ++i) EXPECT_GE(seen[i - 1]["quota_mb"], seen[i]["quota_mb"]) << i;
  for (const json& r : seen) {
    for (const char* member : {"instance", "key", "id", "email", "domain", "quota_mb", "suspended", "sync_status",
                               "sync_error", "last_synced_at", "content_hash"}) {
      EXPECT_TRUE(r.contains(member)) << member << " in " << r.dump();
    }
    EXPECT_FALSE(r.contains("password")) << r.dump();
    EXPECT_FALSE(r.contains("doc")) << "a listing carries no documents";
  }

  // The default page is 25 rows, by key.
  json first = expect(200, "GET", base, vic);
  EXPECT_EQ(first["rows"].size(), 25u);
  EXPECT_EQ(first["rows"][0]["key"], "1");

  // q: case-insensitive, over the searchable fields and the key.
  std::set<std::string> want;
  for (const json& a : truth) {
    if (lower(a["email"]).find("user1") != std::string::npos || lower(a["domain"]).find("user1") != std::string::npos) {
      want.insert(std::to_string(a["id"].get<int64_t>()));
    }
  }
  ASSERT_FALSE(want.empty());
  EXPECT_EQ(keysOf(expect(200, "GET", base + "?q=USER1&limit=200", vic)["rows"]), want);

  // Exact filters, typed by the field, combined with each other and with q.
  const json& probe = truth[4];
  const std::string domain = probe["domain"];
  const int64_t quota = probe["quota_mb"];
  std::set<std::string> by_domain, by_both;
  for (const json& a : truth) {
    if (a["domain"] != domain) continue;
    by_domain.insert(std::to_string(a["id"].get<int64_t>()));
    if (a["quota_mb"] == quota) by_both.insert(std::to_string(a["id"].get<int64_t>()));
  }
  EXPECT_EQ(keysOf(expect(200, "GET", base + "?limit=200&domain=" + net::percentEncode(domain), vic)["rows"]),
            by_domain);
  EXPECT_EQ(
      keysOf(expect(200, "GET",
                    base + "?limit=200&domain=" + net::percentEncode(domain) + "&quota_mb=" + std::to_string(quota),
                    vic)["rows"]),
      by_both);
  EXPECT_EQ(keysOf(expect(200, "GET", base + "?id=5", vic)["rows"]), std::set<std::string>{"5"});
  EXPECT_EQ(keysOf(expect(200, "GET", base + "?id=5&q=user5%40", vic)["rows"]), std::set<std::string>{"5"});
  EXPECT_EQ(expect(200, "GET", base + "?id=5&q=user6%40", vic)["rows"].size(), 0u);

  // sync_status: one or several, "pending" for the three pending ones.
  EXPECT_EQ(expect(200, "GET", base + "?sync_status=synced&limit=200", vic)["rows"].size(), 30u);
  EXPECT_EQ(expect(200, "GET", base + "?sync_status=failed,conflict", vic)["rows"].size(), 0u);
  engine_->stop();
  ASSERT_TRUE(mutate("accounts", "update", "7", {{"quota_mb", 7}}).isOk());
  json pending = expect(200, "GET", base + "?sync_status=pending", vic);
  ASSERT_EQ(pending["rows"].size(), 1u);
  EXPECT_EQ(pending["rows"][0]["key"], "7");
  EXPECT_EQ(pending["rows"][0]["sync_status"], "pending_update");
  EXPECT_EQ(expect(200, "GET", base + "?sync_status=synced,pending_update&limit=200", vic)["rows"].size(), 30u);
  EXPECT_EQ(expect(200, "GET", base + "?instance=default&limit=200", vic)["rows"].size(), 30u);
}

TEST_P(ApiServices, SqlMetacharactersInSearchAndFiltersAreJustText) {
  startApi(10);
  ASSERT_EQ(syncAndWait("accounts").status, JobStatus::success);
  Caller vic = token("vic");
  const std::string base = "/api/v1/services/sim/accounts?";
  for (const std::string& text : {std::string("' OR 1=1 --"), std::string("%"), std::string("_"),
                                  std::string("x'; DROP TABLE snap_sim_accounts; --"), std::string("\" OR \"\"=\""),
                                  std::string("\\"), std::string("1) OR (1=1")}) {
    const std::string v = net::percentEncode(text);
    EXPECT_EQ(expect(200, "GET", base + "q=" + v, vic)["rows"].size(), 0u) << text;
    EXPECT_EQ(expect(200, "GET", base + "email=" + v, vic)["rows"].size(), 0u) << text;
    EXPECT_EQ(expect(200, "GET", base + "domain=" + v + "&q=" + v, vic)["rows"].size(), 0u) << text;
  }
  EXPECT_EQ(rowCount("accounts"), 10) << "the table is still there, whole";
}

TEST_P(ApiServices, BadListParametersAre400sThatNameThem) {
  startApi(10);
  ASSERT_EQ(syncAndWait("accounts").status, JobStatus::success);
  Caller vic = token("vic");
  const std::string base = "/api/v1/services/sim/accounts?";
  auto message = [&](const std::string& query) {
    json e = expect(400, "GET", base + query, vic);
    return e["error"]["message"].is_string() ? e["error"]["message"].get<std::string>() : e.dump();
  };
  for (const char* q : {"quota_mb=abc", "suspended=maybe", "id=1.5", "quota_mb=1&quota_mb=2"}) {
    std::string field = std::string(q).substr(0, std::string(q).find('='));
    EXPECT_NE(message(q).find(field), std::string::npos) << q;
  }
  EXPECT_NE(message("sort=colour").find("colour"), std::string::npos);
  EXPECT_NE(message("sort=password").find("password"), std::string::npos) << "write-only fields are not stored";
  EXPECT_NE(message("sort=-").find("sort"), std::string::npos);
  EXPECT_NE(message("password=secret1234").find("password"), std::string::npos);
  for (const char* q : {"limit=0", "limit=201", "limit=ten", "limit=-1"})
    EXPECT_NE(message(q).find("limit"), std::string::npos) << q;
  EXPECT_NE(message("sync_status=broken").find("sync_status"), std::string::npos);
  EXPECT_EQ(expect(400, "GET", base + "colour=red", vic)["error"]["code"], "unknown_parameter");
  EXPECT_EQ(expect(400, "GET", base + "key=1", vic)["error"]["code"], "unknown_parameter");
  EXPECT_NE(message("cursor=not-a-cursor").find("invalid cursor"), std::string::npos);
  EXPECT_NE(message("cursor=%21%21").find("invalid cursor"), std::string::npos);
  // A cursor is bound to the sort it was made for.
  json page = expect(200, "GET", base + "limit=2&sort=quota_mb", vic);
  ASSERT_TRUE(page["next_cursor"].is_string());
  EXPECT_NE(message("limit=2&sort=email&cursor=" + page["next_cursor"].get<std::string>()).find("invalid cursor"),
            std::string::npos);

  EXPECT_EQ(expect(404, "GET", base + "instance=nope", vic)["error"]["code"], "not_found");
  EXPECT_EQ(expect(404, "GET", "/api/v1/services/nope/accounts", vic)["error"]["code"], "not_found");
  EXPECT_EQ(expect(404, "GET", "/api/v1/services/sim/nope", vic)["error"]["code"], "not_found");
}

TEST_P(ApiServices, ARowComesWithItsDocumentAndItsContentHashAsETag) {
  startApi(10);
  ASSERT_EQ(syncAndWait("accounts").status, JobStatus::success);
  Caller vic = token("vic");
  net::ClientResponse res = call("GET", "/api/v1/services/sim/accounts/3", vic);
  ASSERT_EQ(res.status, 200) << res.body;
  json row = body(res);
  EXPECT_EQ(row["key"], "3");
  EXPECT_EQ(row["instance"], "default");
  EXPECT_EQ(row["sync_status"], "synced");
  ASSERT_TRUE(row["doc"].is_object()) << row.dump();
  EXPECT_EQ(row["doc"]["email"], row["email"]);
  EXPECT_EQ(row["doc"], sim_->json("GET", "/v1/accounts/3"));
  EXPECT_FALSE(row.contains("password"));
  EXPECT_FALSE(row["doc"].contains("password"));
  EXPECT_EQ(res.headers.get("ETag"), "\"" + row["content_hash"].get<std::string>() + "\"");
  EXPECT_EQ(row["content_hash"].get<std::string>().size(), 64u);

  EXPECT_EQ(expect(200, "GET", "/api/v1/services/sim/accounts/3?instance=default", vic)["key"], "3");
  EXPECT_EQ(expect(404, "GET", "/api/v1/services/sim/accounts/3?instance=eu", vic)["error"]["code"], "not_found");
  EXPECT_EQ(expect(400, "GET", "/api/v1/services/sim/accounts/3?colour=red", vic)["error"]["code"],
            "unknown_parameter");
  EXPECT_EQ(expect(404, "GET", "/api/v1/services/sim/accounts/999", vic)["error"]["code"], "not_found");
}

TEST_P(ApiServices, KeysAreLookedUpAsTextWhateverTheyHoldAndNeverBreakRouting) {
  startApi(5);
  ASSERT_EQ(syncAndWait("accounts").status, JobStatus::success);
  Caller vic = token("vic");
  for (const std::string& key :
       {std::string("../3"), std::string("../../jobs"), std::string("3/.."), std::string("a/b"), std::string("\"3\""),
        std::string("3' OR '1'='1"), std::string("%2F"), std::string("3%"), std::string(".."), std::string("sync"),
        std::string("actions")}) {
    const std::string target = "/api/v1/services/sim/accounts/" + encodeKey(key);
    json e = expect(404, "GET", target, vic);
    EXPECT_EQ(e["error"]["code"], "not_found") << key;
    EXPECT_NE(e["error"]["message"].get<std::string>().find("in the snapshot"), std::string::npos)
        << key << ": looked up as a key, not a missing route: " << e.dump();
  }
}

TEST_P(ApiServices, AKeyWithSlashesQuotesAndEscapesIsFoundByItsEncodedText) {
  // The accounts of this config are keyed by email, which the sim lets hold
  // '/', quotes, '%' and dots.
  std::ifstream in(std::string(SNAPQ_SOURCE_DIR) + "/examples/sim.yaml");
  std::string yaml((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string by_id = "      accounts:\n        key: id\n";
  ASSERT_NE(yaml.find(by_id), std::string::npos);
  yaml.replace(yaml.find(by_id), by_id.size(), "      accounts:\n        key: email\n");
  // The sim reads accounts by id only, which a create does not know before
  // the answer: it cannot look first for one that already exists.
  const std::string create = "        create:\n          path: /v1/accounts\n";
  ASSERT_NE(yaml.find(create), std::string::npos);
  yaml.replace(yaml.find(create), create.size(), create + "          conflict: last_write_wins\n");
  startApi(3, yaml);
  Caller olga = token("olga");
  const std::string email = "../a/b'c%2F..@odd.test";
  json created =
      expect(202, "POST", "/api/v1/services/sim/accounts", olga,
             json{{"data", {{"email", email}, {"domain", "odd.test"}, {"password", "secret-pass-1"}}}}.dump());
  Job job = waitFinal(created["job"]["id"].get<int64_t>());
  ASSERT_EQ(job.status, JobStatus::success) << job.error;

  const std::string target = "/api/v1/services/sim/accounts/" + encodeKey(email);
  net::ClientResponse res = call("GET", target, olga);
  ASSERT_EQ(res.status, 200) << res.body;
  json row = body(res);
  EXPECT_EQ(row["key"], email);
  EXPECT_FALSE(row.contains("password"));
  EXPECT_FALSE(row["doc"].contains("password")) << row["doc"].dump();
  json patched =
      expect(202, "PATCH", target, olga, R"({"data":{"quota_mb":55}})", If(res.headers.get("ETag").value_or("")));
  EXPECT_EQ(patched["job"]["target_id"], email);
  ASSERT_EQ(waitFinal(patched["job"]["id"].get<int64_t>()).status, JobStatus::success);
  EXPECT_EQ(expect(200, "GET", target, olga)["quota_mb"], 55);
  // Its neighbours in text are other keys.
  for (const std::string& other : {std::string("../a/b'c/..@odd.test"), std::string("a/b'c%2F..@odd.test")}) {
    expect(404, "GET", "/api/v1/services/sim/accounts/" + encodeKey(other), olga);
  }
}

INSTANTIATE_TEST_SUITE_P(Drivers, ApiServices, ::testing::Values("sqlite", "postgres"), driverName);

}  // namespace
}  // namespace snapq::testing
