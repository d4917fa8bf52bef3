// Dispatching over HTTP: creates, updates with If-Match, deletes, custom
// actions and syncs queue jobs as the caller; 422 lists every failing field;
// a queued sync and an Idempotency-Key return the job that already exists;
// only snapshot.write may dispatch. Reads: api_services_test.cc.
#include "api_fixture.h"
#include "http/api_context.h"

namespace snapq::testing {
namespace {

using json = nlohmann::json;
using ApiDispatch = ApiTest;

const std::string kAccounts = "/api/v1/services/sim/accounts";

net::Headers headers(std::initializer_list<std::pair<std::string, std::string>> fields) {
  net::Headers h;
  for (const auto& [name, value] : fields) h.add(name, value);
  return h;
}

int64_t jobCount(Store& store) {
  auto page = store.listJobs(JobFilter{});
  EXPECT_TRUE(page.isOk()) << page.status().toString();
  int64_t total = 0;
  if (page) {
    for (const auto& [status, n] : page->status_counts) total += n;
  }
  return total;
}

TEST_P(ApiDispatch, APatchWithTheCurrentETagRunsAndAStaleOneIsRefusedAtOnce) {
  startApi(10);
  ASSERT_EQ(syncAndWait("accounts").status, JobStatus::success);
  Caller olga = token("olga");
  net::ClientResponse read = call("GET", kAccounts + "/4", olga);
  ASSERT_EQ(read.status, 200);
  const std::string etag = read.headers.get("ETag").value_or("");
  ASSERT_FALSE(etag.empty());

  json queued =
      expect(202, "PATCH", kAccounts + "/4", olga, R"({"data":{"quota_mb":4444}})", headers({{"If-Match", etag}}));
  const json& job = queued["job"];
  EXPECT_EQ(queued["deduplicated"], false);
  EXPECT_EQ(job["action"], "update");
  EXPECT_EQ(job["kind"], "mutation");
  EXPECT_EQ(job["target_type"], "accounts");
  EXPECT_EQ(job["target_id"], "4");
  EXPECT_EQ(job["trigger_source"], "api") << "a bearer token is a program";
  EXPECT_EQ(job["actor"]["type"], "token");
  EXPECT_EQ(job["actor"]["name"].get<std::string>().rfind("olga/", 0), 0u) << job["actor"].dump();
  EXPECT_EQ(job["expected_hash"], etag.substr(1, etag.size() - 2));
  Job done = waitFinal(job["id"].get<int64_t>());
  ASSERT_EQ(done.status, JobStatus::success) << done.error;
  EXPECT_EQ(sim_->json("GET", "/v1/accounts/4")["quota_mb"], 4444);
  json now = expect(200, "GET", kAccounts + "/4", olga);
  EXPECT_EQ(now["quota_mb"], 4444);
  EXPECT_EQ(now["sync_status"], "synced");

  // The old ETag is stale now: 412 and nothing queued, however it is written.
  const int64_t jobs = jobCount(*store_);
  const std::string hash = now["content_hash"];
  for (const std::string& stale : {etag, etag.substr(1, etag.size() - 2), std::string("\"\""), std::string("bogus"),
                                   "W/\"" + hash + "\"", std::string("\"") + hash}) {
    json e = expect(412, "PATCH", kAccounts + "/4", olga, R"({"data":{"quota_mb":1}})", headers({{"If-Match", stale}}));
    EXPECT_EQ(e["error"]["code"], "precondition_failed") << stale;
  }
  EXPECT_EQ(jobCount(*store_), jobs) << "a refused precondition queues nothing";
  EXPECT_EQ(expect(200, "GET", kAccounts + "/4", olga)["sync_status"], "synced");

  // The bare hash works as well as the quoted ETag, and so does "*".
  json bare = expect(202, "PATCH", kAccounts + "/4", olga, R"({"data":{"quota_mb":5}})", headers({{"If-Match", hash}}));
  ASSERT_EQ(waitFinal(bare["job"]["id"].get<int64_t>()).status, JobStatus::success);
  json any = expect(202, "PATCH", kAccounts + "/4", olga, R"({"data":{"quota_mb":6}})", headers({{"If-Match", "*"}}));
  ASSERT_EQ(waitFinal(any["job"]["id"].get<int64_t>()).status, JobStatus::success);
  EXPECT_EQ(sim_->json("GET", "/v1/accounts/4")["quota_mb"], 6);
}

TEST_P(ApiDispatch, AnInvalidPayloadIs422ListingEveryFailingFieldAndQueuesNothing) {
  startApi(5);
  ASSERT_EQ(syncAndWait("accounts").status, JobStatus::success);
  Caller olga = token("olga");
  const int64_t jobs = jobCount(*store_);
  json e = expect(422, "POST", kAccounts, olga, R"({"data":{"quota_mb":"lots","colour":"red","email":"a@b.test"}})");
  EXPECT_EQ(e["error"]["code"], "validation_failed");
  const json& details = e["error"]["details"];
  for (const char* field : {"quota_mb", "colour", "domain", "password"}) {
    EXPECT_TRUE(details.contains(field) && details[field].is_string()) << field << " in " << details.dump();
  }
  EXPECT_FALSE(details.contains("email")) << "the valid field is not listed";
  EXPECT_NE(e["error"]["message"].get<std::string>().find("quota_mb"), std::string::npos);
  EXPECT_NE(e["error"]["message"].get<std::string>().find("colour"), std::string::npos);

  json patch = expect(422, "PATCH", kAccounts + "/3", olga, R"({"data":{"id":9,"suspended":"yes","quota_mb":1}})");
  EXPECT_EQ(patch["error"]["details"].size(), 2u) << patch.dump();
  EXPECT_TRUE(patch["error"]["details"].contains("id"));
  EXPECT_TRUE(patch["error"]["details"].contains("suspended"));
  EXPECT_EQ(jobCount(*store_), jobs);
  EXPECT_EQ(expect(200, "GET", kAccounts + "/3", olga)["sync_status"], "synced");
}

TEST_P(ApiDispatch, MalformedRequestsAre400sAndUnknownTargets404s) {
  startApi(5);
  ASSERT_EQ(syncAndWait("accounts").status, JobStatus::success);
  Caller olga = token("olga");
  const int64_t jobs = jobCount(*store_);
  EXPECT_EQ(expect(400, "POST", kAccounts, olga, R"({"data":)")["error"]["code"], "malformed_json");
  EXPECT_EQ(expect(400, "POST", kAccounts, olga, R"({"data":[1]})")["error"]["code"], "bad_request");
  EXPECT_EQ(expect(400, "POST", kAccounts, olga, R"({"instance":"default"})")["error"]["code"], "bad_request");
  EXPECT_EQ(expect(400, "POST", kAccounts, olga, R"({"data":{},"extra":1})")["error"]["code"], "unknown_field");
  EXPECT_EQ(expect(400, "POST", kAccounts, olga, R"({"data":{},"instance":7})")["error"]["code"], "bad_request");
  EXPECT_EQ(expect(400, "POST", kAccounts + "?dry_run=1", olga, R"({"data":{}})")["error"]["code"],
            "unknown_parameter");
  EXPECT_EQ(expect(400, "PATCH", kAccounts + "/3", olga, R"({"data":{},"instance":"default"})")["error"]["code"],
            "unknown_field");
  EXPECT_EQ(expect(400, "PATCH", kAccounts + "/3", olga, "")["error"]["code"], "bad_request");
  EXPECT_EQ(expect(400, "DELETE", kAccounts + "/3", olga, R"({"force":true})")["error"]["code"], "unknown_field");
  EXPECT_EQ(expect(400, "POST", kAccounts + "/actions/suspend", olga, R"({"key":3})")["error"]["code"], "bad_request");
  EXPECT_EQ(expect(400, "POST", kAccounts + "/sync", olga, R"({"force":"yes"})")["error"]["code"], "bad_request");
  EXPECT_EQ(expect(400, "POST", "/api/v1/services/sim/records", olga,
                   R"({"data":{"name":"www","type":"A","content":"192.0.2.1"}})")["error"]["code"],
            "bad_request")
      << "records are scoped: which zone?";
  EXPECT_EQ(expect(400, "PATCH", kAccounts + "/3", olga, R"({"data":{}})",
                   headers({{"Idempotency-Key", std::string(300, 'k')}}))["error"]["code"],
            "bad_request");

  const std::string good = R"({"data":{"email":"n@x.test","domain":"x.test","password":"secret-pass-1"}})";
  EXPECT_EQ(expect(404, "POST", "/api/v1/services/nope/accounts", olga, good)["error"]["code"], "not_found");
  EXPECT_EQ(expect(404, "POST", "/api/v1/services/sim/nope", olga, good)["error"]["code"], "not_found");
  expect(404, "POST", kAccounts, olga,
         R"({"instance":"eu","data":{"email":"n@x.test","domain":"x.test","password":"secret-pass-1"}})");
  expect(404, "PATCH", kAccounts + "/3?instance=eu", olga, R"({"data":{"quota_mb":1}})");
  expect(404, "PATCH", kAccounts + "/999", olga, R"({"data":{"quota_mb":1}})");
  expect(404, "PATCH", kAccounts + "/..%2F3", olga, R"({"data":{"quota_mb":1}})");
  expect(404, "DELETE", kAccounts + "/3%27%20OR%20%271%27%3D%271", olga);
  expect(404, "POST", kAccounts + "/actions/explode", olga, R"({"key":"3"})");
  expect(404, "POST", kAccounts + "/actions/update", olga, R"({"key":"3","data":{"quota_mb":1}})");
  expect(404, "POST", kAccounts + "/sync", olga, R"({"instance":"eu"})");
  EXPECT_EQ(jobCount(*store_), jobs) << "nothing was queued";
}

TEST_P(ApiDispatch, CreatesActionsAndDeletesRunAsTheCallerAndWriteOnlyFieldsStayOut) {
  startApi(5);
  ASSERT_EQ(syncAndWait("accounts").status, JobStatus::success);
  Caller olga = session("olga");
  json created = expect(202, "POST", kAccounts, olga,
                        R"({"data":{"email":"new@x.test","domain":"x.test","password":"secret-pass-1"}})");
  EXPECT_EQ(created["job"]["trigger_source"], "manual") << "a person in the UI";
  EXPECT_EQ(created["job"]["actor"], (json{{"type", "user"}, {"name", "olga"}}));
  EXPECT_EQ(created["job"]["payload"]["data"]["password"], "***");
  Job done = waitFinal(created["job"]["id"].get<int64_t>());
  ASSERT_EQ(done.status, JobStatus::success) << done.error;
  json found = expect(200, "GET", kAccounts + "?q=new%40x.test", olga);
  ASSERT_EQ(found["rows"].size(), 1u);
  const std::string key = found["rows"][0]["key"];
  EXPECT_FALSE(found["rows"][0].contains("password"));
  json row = expect(200, "GET", kAccounts + "/" + key, olga);
  EXPECT_FALSE(row.contains("password"));
  EXPECT_FALSE(row["doc"].contains("password")) << row["doc"].dump();
  EXPECT_EQ(row["doc"]["email"], "new@x.test");

  json suspended = expect(202, "POST", kAccounts + "/actions/suspend", olga, R"({"key":"2"})");
  EXPECT_EQ(suspended["job"]["action"], "suspend");
  ASSERT_EQ(waitFinal(suspended["job"]["id"].get<int64_t>()).status, JobStatus::success);
  EXPECT_EQ(expect(200, "GET", kAccounts + "/2", olga)["suspended"], true);

  json removed = expect(202, "DELETE", kAccounts + "/5", olga);
  EXPECT_EQ(removed["job"]["action"], "delete");
  ASSERT_EQ(waitFinal(removed["job"]["id"].get<int64_t>()).status, JobStatus::success);
  expect(404, "GET", kAccounts + "/5", olga);
  EXPECT_EQ(sim_->call("GET", "/v1/accounts/5").status, 404);
}

TEST_P(ApiDispatch, AQueuedSyncAndARepeatedIdempotencyKeyReturnTheExistingJob) {
  startApi(5);
  ASSERT_EQ(syncAndWait("accounts").status, JobStatus::success);
  engine_->stop();
  Caller olga = token("olga");
  json first = expect(202, "POST", kAccounts + "/sync", olga);
  EXPECT_EQ(first["job"]["status"], "queued");
  EXPECT_EQ(first["job"]["action"], "sync");
  json again = expect(200, "POST", kAccounts + "/sync", olga, R"({"instance":"default"})");
  EXPECT_EQ(again["deduplicated"], true);
  EXPECT_EQ(again["job"]["id"], first["job"]["id"]);
  json zone = expect(202, "POST", "/api/v1/services/sim/records/sync", olga, R"({"scope":"1","force":true})");
  EXPECT_NE(zone["job"]["id"], first["job"]["id"]);
  EXPECT_EQ(zone["job"]["target_id"], "1");

  // The same Idempotency-Key: the same job, whatever the repeat says.
  net::Headers k1;
  k1.set("Idempotency-Key", "order-1");
  json patch = expect(202, "PATCH", kAccounts + "/1", olga, R"({"data":{"quota_mb":11}})", k1);
  json repeat = expect(200, "PATCH", kAccounts + "/1", olga, R"({"data":{"quota_mb":11}})", k1);
  EXPECT_EQ(repeat["deduplicated"], true);
  EXPECT_EQ(repeat["job"]["id"], patch["job"]["id"]);
  EXPECT_EQ(expect(200, "PATCH", kAccounts + "/1", olga, R"({"data":{"quota_mb":12}})", k1)["job"]["id"],
            patch["job"]["id"]);
  // Another user's key of the same text is another request.
  json admins = expect(202, "PATCH", kAccounts + "/2", token("admin"), R"({"data":{"quota_mb":22}})", k1);
  EXPECT_NE(admins["job"]["id"], patch["job"]["id"]);

  net::Headers k2;
  k2.set("Idempotency-Key", "delete-3");
  json del = expect(202, "DELETE", kAccounts + "/3", olga, "", k2);
  net::Headers k3;
  k3.set("Idempotency-Key", "create-1");
  const std::string create = R"({"data":{"email":"idem@x.test","domain":"x.test","password":"secret-pass-1"}})";
  json made = expect(202, "POST", kAccounts, olga, create, k3);
  EXPECT_EQ(expect(200, "POST", kAccounts, olga, create, k3)["job"]["id"], made["job"]["id"]);

  // Once they ran, a repeat still returns them: not a 412 for the changed row,
  // not a 404 for the deleted one, and no second account.
  ASSERT_TRUE(engine_->start().isOk());
  for (const json* j : {&patch, &del, &made}) {
    ASSERT_EQ(waitFinal((*j)["job"]["id"].get<int64_t>()).status, JobStatus::success) << j->dump();
  }
  EXPECT_EQ(expect(200, "PATCH", kAccounts + "/1", olga, R"({"data":{"quota_mb":11}})",
                   headers({{"Idempotency-Key", "order-1"}, {"If-Match", "\"stale\""}}))["job"]["status"],
            "success");
  EXPECT_EQ(expect(200, "DELETE", kAccounts + "/3", olga, "", k2)["job"]["id"], del["job"]["id"]);
  EXPECT_EQ(expect(200, "POST", kAccounts, olga, create, k3)["job"]["id"], made["job"]["id"]);
  EXPECT_EQ(sim_->json("GET", "/v1/accounts?per_page=1000")["meta"]["total"], 5) << "5 - 1 deleted + 1 created";
}

TEST_P(ApiDispatch, OnlySnapshotWriteMayDispatch) {
  startApi(5);
  ASSERT_EQ(syncAndWait("accounts").status, JobStatus::success);
  const int64_t jobs = jobCount(*store_);
  const std::string create = R"({"data":{"email":"v@x.test","domain":"x.test","password":"secret-pass-1"}})";
  for (const Caller& who : {token("vic"), session("vic"), token("olga", "snapshot.view,sync.job.manage")}) {
    expect(200, "GET", kAccounts + "/1", who);
    for (auto [method, target, body] : {std::tuple{"POST", kAccounts, create},
                                        {"PATCH", kAccounts + "/1", std::string(R"({"data":{"quota_mb":1}})")},
                                        {"DELETE", kAccounts + "/1", std::string()},
                                        {"POST", kAccounts + "/actions/suspend", std::string(R"({"key":"1"})")},
                                        {"POST", kAccounts + "/sync", std::string()}}) {
      json e = expect(403, method, target, who, body);
      EXPECT_EQ(e["error"]["code"], "forbidden") << who.name << " " << method << " " << target;
      EXPECT_EQ(e["error"]["details"]["permission"], "snapshot.write");
    }
  }
  Caller writer = token("olga", "snapshot.write");
  expect(403, "GET", kAccounts, writer);  // writing does not include reading
  expect(202, "POST", kAccounts + "/sync", writer);
  expect(401, "POST", kAccounts + "/sync", anonymous());
  Caller no_csrf = session("olga");
  no_csrf.csrf.clear();
  EXPECT_EQ(expect(403, "POST", kAccounts + "/sync", no_csrf)["error"]["code"], "csrf_token_invalid");
  EXPECT_EQ(jobCount(*store_), jobs + 1);
}

TEST_P(ApiDispatch, WithoutAConfigThereAreNoServicesAndEveryServiceRouteIs404) {
  startApi(1);
  class Quiet final : public Logger {
   public:
    void log(LogLevel, std::string_view) override {}
  } quiet;
  http::ApiServerOptions options;
  options.http.port = 0;
  options.access_log = false;
  http::ApiContext without_config{*store_, *engine_, *auth_, quiet};  // config and sync stay null
  http::ApiServer bare(without_config, options);
  ASSERT_TRUE(bare.start().isOk());
  const std::string configured = base_;
  base_ = bare.url();
  Caller admin = token("admin");
  EXPECT_EQ(expect(200, "GET", "/api/v1/services", admin), (json{{"services", json::array()}}));
  expect(404, "GET", kAccounts, admin);
  expect(404, "GET", kAccounts + "/1", admin);
  expect(404, "POST", kAccounts + "/sync", admin);
  expect(404, "PATCH", kAccounts + "/1", admin, R"({"data":{}})");
  base_ = configured;
  bare.stop();
}

INSTANTIATE_TEST_SUITE_P(Drivers, ApiDispatch, ::testing::Values("sqlite", "postgres"), driverName);

}  // namespace
}  // namespace snapq::testing
