// The README's flow, end to end: `snapq demo` (what scripts/demo.sh runs
// after building), sign in with the printed password, sync, update an account
// with If-Match, watch the job succeed on the events stream, find it in
// /api/v1/jobs and /api/v1/health, and stop with Ctrl-C.
#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/time_format.h"
#include "net/http_client.h"
#include "node_process.h"
#include "queue/cron.h"
#include "test_support.h"

namespace snapq::testing {
namespace {

using json = nlohmann::json;

struct Http {
  std::string base;
  std::string cookie;
  std::string csrf;
  net::HttpClient client;

  net::ClientResponse call(const std::string& method, const std::string& path, const std::string& body = {},
                           const net::Headers& extra = {}) {
    net::ClientRequest req;
    req.method = method;
    req.url = base + path;
    req.body = body;
    for (const auto& [name, value] : extra) req.headers.add(name, value);
    if (!cookie.empty()) req.headers.set("Cookie", cookie);
    if (!csrf.empty() && method != "GET") req.headers.set("X-CSRF-Token", csrf);
    if (!body.empty()) req.headers.set("Content-Type", "application/json");
    auto res = client.send(req);
    EXPECT_TRUE(res.isOk()) << method << " " << path << ": " << res.status().toString();
    return res ? *res : net::ClientResponse{};
  }
};

// Reads the URL and admin password the demo prints and signs in as admin.
::testing::AssertionResult signIn(NodeProcess& demo, Http& http) {
  std::string url, password;
  for (int i = 0; i < 20 && (url.empty() || password.empty()); ++i) {
    std::string line = demo.readLine(std::chrono::seconds(30));
    if (size_t at = line.find("open      "); at != std::string::npos) url = line.substr(at + 10);
    if (size_t at = line.find("admin / "); at != std::string::npos) password = line.substr(at + 8);
  }
  if (url.empty()) return ::testing::AssertionFailure() << "the demo printed no URL";
  if (password.size() != 20u) return ::testing::AssertionFailure() << "the demo printed no admin password";
  http.base = url;
  auto login = http.call("POST", "/api/v1/session", json{{"username", "admin"}, {"password", password}}.dump());
  if (login.status != 200) return ::testing::AssertionFailure() << "sign-in: " << login.body;
  std::string set_cookie = login.headers.get("Set-Cookie").value_or("");
  http.cookie = set_cookie.substr(0, set_cookie.find(';'));
  http.csrf = json::parse(login.body)["csrf_token"];
  return ::testing::AssertionSuccess();
}

// The demo's first round syncs each resource once, a scoped one (records, per
// zone) after its parent. The scheduler used to fire every schedule's latest
// tick at start-up on top of it, syncing everything twice in the first second.
TEST(DemoFlow, StartUpSyncsEachResourceOnce) {
  TempDir dir;
  NodeProcess demo({"demo", "--listen", "127.0.0.1:0", "--dir", dir.file("demo"), "--accounts", "20"},
                   dir.file("demo.log"));
  Http http;
  ASSERT_TRUE(signIn(demo, http));
  auto syncs = [&] {
    auto r = http.call("GET", "/api/v1/jobs?action=sync&limit=200");
    return r.status == 200 ? json::parse(r.body)["jobs"] : json::array();
  };
  auto idle = [&] {
    auto r = http.call("GET", "/api/v1/jobs?status=queued,running&limit=1");
    return r.status == 200 && json::parse(r.body)["jobs"].empty();
  };
  // Long enough for the start-up round of the scheduler, which came within a second or two.
  ASSERT_TRUE(waitFor([&] { return syncs().size() >= 3; }, std::chrono::seconds(30)));
  const TimePoint first = *parseIso(syncs().back()["created_at"].get<std::string>());
  ASSERT_TRUE(
      waitFor([&] { return SystemClock().now() >= first + Duration(4000) && idle(); }, std::chrono::seconds(60)));

  const std::map<std::string, CronSchedule> schedules = {{"accounts", *CronSchedule::parse("* * * * *")},
                                                         {"zones", *CronSchedule::parse("*/10 * * * *")},
                                                         {"records", *CronSchedule::parse("*/10 * * * *")}};
  std::map<std::string, int> whole;  // resource -> syncs of all of it
  int per_zone = 0;
  for (const json& job : syncs()) {
    const std::string resource = job["target_type"];
    if (!job["target_id"].get<std::string>().empty()) {
      per_zone += resource == "records";
      continue;
    }
    if (job["trigger_source"] == "scheduled") {
      // Only for a tick after start-up.
      TimePoint created = *parseIso(job["created_at"].get<std::string>());
      auto tick = schedules.at(resource).next(first - Duration(200));
      EXPECT_TRUE(tick && *tick <= created)
          << "a scheduled sync of " << resource << " with no tick since start-up: " << job.dump();
      continue;
    }
    ++whole[resource];
  }
  EXPECT_EQ(whole, (std::map<std::string, int>{{"accounts", 1}, {"records", 1}, {"zones", 1}}));
  EXPECT_GT(per_zone, 0) << "records synced after the zones they are listed under";
  demo.signal(SIGINT);
  EXPECT_EQ(demo.wait(std::chrono::seconds(30)), 0);
}

TEST(DemoFlow, SignInSyncUpdateWithIfMatchAndWatchTheJobSucceed) {
  TempDir dir;
  NodeProcess demo({"demo", "--listen", "127.0.0.1:0", "--dir", dir.file("demo"), "--accounts", "50"},
                   dir.file("demo.log"));
  Http http;
  ASSERT_TRUE(signIn(demo, http));
  const std::string url = http.base;

  // The demo queued a first sync of every resource; sync accounts once more and wait for the rows.
  auto sync = http.call("POST", "/api/v1/services/sim/accounts/sync", "{}");
  ASSERT_TRUE(sync.status == 202 || sync.status == 200) << sync.body;
  ASSERT_TRUE(waitFor(
      [&] {
        auto rows = http.call("GET", "/api/v1/services/sim/accounts?limit=200");
        return rows.status == 200 && json::parse(rows.body)["rows"].size() == 50;
      },
      std::chrono::seconds(30)));

  // Watch the events stream while updating account 7 with its ETag.
  std::mutex mu;
  std::string events;
  bool stop = false;
  std::thread watcher([&] {
    net::HttpClient client;
    net::ClientRequest req;
    req.url = url + "/api/v1/events";
    req.headers.set("Cookie", http.cookie);
    req.timeout = std::chrono::seconds(60);
    req.on_body = [&](std::string_view piece) {
      std::lock_guard lock(mu);
      events += piece;
      return !stop;
    };
    (void)client.send(req);
  });
  ASSERT_TRUE(waitFor(
      [&] {
        std::lock_guard lock(mu);
        return events.find(": connected") != std::string::npos;
      },
      std::chrono::seconds(10)));
  auto row = http.call("GET", "/api/v1/services/sim/accounts/7");
  ASSERT_EQ(row.status, 200) << row.body;
  const std::string etag = row.headers.get("ETag").value_or("");
  ASSERT_FALSE(etag.empty());
  net::Headers if_match;
  if_match.set("If-Match", etag);
  auto update = http.call("PATCH", "/api/v1/services/sim/accounts/7", R"({"data":{"quota_mb":4321}})", if_match);
  ASSERT_EQ(update.status, 202) << update.body;
  const int64_t id = json::parse(update.body)["job"]["id"];
  const std::string done = "\"id\":" + std::to_string(id);
  const bool succeeded = waitFor(
      [&] {
        std::lock_guard lock(mu);
        for (size_t at = events.find(done); at != std::string::npos; at = events.find(done, at + 1)) {
          size_t end = events.find('\n', at);
          if (events.substr(at, end - at).find("\"status\":\"success\"") != std::string::npos) return true;
        }
        return false;
      },
      std::chrono::seconds(30));
  {
    std::lock_guard lock(mu);
    stop = true;
    EXPECT_TRUE(succeeded) << events;
  }
  auto job = http.call("GET", "/api/v1/jobs/" + std::to_string(id));
  EXPECT_EQ(json::parse(job.body)["status"], "success") << job.body;
  auto listed = http.call("GET", "/api/v1/jobs?target_id=7&action=update");
  ASSERT_EQ(json::parse(listed.body)["jobs"].size(), 1u) << listed.body;
  EXPECT_EQ(json::parse(listed.body)["jobs"][0]["actor"]["name"], "admin");
  auto health = http.call("GET", "/api/v1/health?window=1h");
  json h = json::parse(health.body);
  EXPECT_GE(h["totals"]["success"].get<int>(), 2) << health.body;
  EXPECT_EQ(h["services"][0]["service"], "sim");
  EXPECT_EQ(json::parse(http.call("GET", "/api/v1/services/sim/accounts/7").body)["quota_mb"], 4321);
  // The stale ETag no longer matches: 412 and nothing queued.
  auto stale = http.call("PATCH", "/api/v1/services/sim/accounts/7", R"({"data":{"quota_mb":1}})", if_match);
  EXPECT_EQ(stale.status, 412) << stale.body;
  // The watcher ends at its next event or heartbeat; the demo's stop ends the stream too.
  demo.signal(SIGINT);
  EXPECT_EQ(demo.wait(std::chrono::seconds(30)), 0);
  watcher.join();
}

}  // namespace
}  // namespace snapq::testing
