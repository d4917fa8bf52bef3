// Webhook notifications end to end: the sync service against `snapq sim`, the
// engine, and a real HTTP receiver on loopback, on both drivers.
#include <algorithm>
#include <cstdio>
#include <mutex>
#include <set>
#include <sstream>

#include "net/http_server.h"
#include "notify/webhooks.h"
#include "sync/sync_fixture.h"

namespace snapq::testing {
namespace {

using json = nlohmann::json;

// What travels in the receiver's URL path and query: it must never be stored or logged.
constexpr const char* kSecret = "s3cr3t-hook-token";

// A receiver whose answer depends on the path: /ok and /success answer 200,
// /flaky 503 to its first two requests, /reject 400, /hang never (until stopped).
class Receiver {
 public:
  Receiver() {
    net::HttpServerOptions o;
    o.stop_grace = std::chrono::milliseconds(200);
    server_ = std::make_unique<net::HttpServer>(o, net::AsyncHandler([this](net::HttpRequest req, net::Responder res) {
                                                  handle(std::move(req), std::move(res));
                                                }));
    EXPECT_TRUE(server_->start().isOk());
  }
  ~Receiver() { stop(); }
  void stop() { server_->stop(); }

  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(server_->port()) + path + "/" + kSecret + "?token=" + kSecret;
  }
  std::vector<net::HttpRequest> got(const std::string& path) {
    std::lock_guard lock(mu_);
    std::vector<net::HttpRequest> out;
    for (const auto& r : got_) {
      if (r.path.starts_with(path + "/")) out.push_back(r);
    }
    return out;
  }

 private:
  void handle(net::HttpRequest req, net::Responder res) {
    int flaky_seen = 0;
    {
      std::lock_guard lock(mu_);
      got_.push_back(req);
      if (req.path.starts_with("/flaky/")) flaky_seen = ++flaky_;
    }
    net::HttpResponse out;
    if (req.path.starts_with("/hang/")) {
      res.sendAfter(std::chrono::minutes(5), [](net::HttpResponse& r) { r.status = 200; });
      return;
    }
    if (req.path.starts_with("/reject/")) {
      out.text(400, "no");
    } else if (flaky_seen > 0 && flaky_seen <= 2) {
      out.text(503, "busy");
      out.headers.set("Retry-After", "0");
    } else {
      out.text(200, "thanks");
    }
    res.send(std::move(out));
  }

  std::mutex mu_;
  std::vector<net::HttpRequest> got_;
  int flaky_ = 0;
  std::unique_ptr<net::HttpServer> server_;
};

class WebhookSim : public SyncSimTest {
 protected:
  void configureEngine(EngineOptions& options, Env& env) override {
    options.service_concurrency["webhook"] = 1;
    options.lease = Duration(300);
    options.heartbeat = Duration(100);
    options.rescue_interval = Duration(100);
    log_ = open_memstream(&log_buf_, &log_size_);
    env.logger = std::make_shared<JsonLogger>(LogLevel::debug, log_);
  }
  void beforeStart() override { webhooks_ = Webhooks::install(*config_, *engine_); }
  void TearDown() override {
    receiver_.stop();
    SyncSimTest::TearDown();
    if (log_) std::fclose(log_);
    std::free(log_buf_);
  }
  std::string logText() {
    std::fflush(log_);
    return std::string(log_buf_, log_size_);
  }

  // The sim's accounts; policy: one attempt; webhooks as given.
  std::string yaml(const std::string& webhooks) {
    return R"(
services:
  sim:
    base_url: ${SIM_URL}
    auth: {kind: bearer, token: sim-token}
    policy: {retry: {attempts: 1}, circuit_breaker: {failures: 0}}
    webhooks:
)" + webhooks +
           R"(
    resources:
      accounts:
        key: id
        fields: {id: integer, email: string, quota_mb: integer}
        list: {path: /v1/accounts, items: data, pagination: {kind: page, per_page: 1000, total_pages: meta.total_pages}}
        get: /v1/accounts/{id}
        update: {method: PATCH, path: "/v1/accounts/{id}", body: "{$payload}", returns: object}
)";
  }

  // A mutation the sim refuses with 503s: it fails (one attempt).
  int64_t failingMutation(const std::string& key) {
    chaos({{"error_rate", 1.0}});
    auto d = mutate("accounts", "update", key, {{"quota_mb", 5}});
    EXPECT_TRUE(d.isOk()) << d.status().toString();
    Job job = waitFinal(d->id);
    EXPECT_EQ(job.status, JobStatus::failed);
    chaos({{"error_rate", 0}});
    return d->id;
  }

  std::vector<Job> deliveries() {
    JobFilter f;
    f.services = {"webhook"};
    f.limit = 100;
    auto page = store_->listJobs(f);
    EXPECT_TRUE(page.isOk());
    std::vector<Job> jobs = page ? page->jobs : std::vector<Job>{};
    std::reverse(jobs.begin(), jobs.end());  // oldest first
    return jobs;
  }
  std::vector<Job> finalDeliveries(size_t n) {
    std::vector<Job> jobs;
    EXPECT_TRUE(waitFor([&] {
      jobs = deliveries();
      return jobs.size() >= n &&
             std::all_of(jobs.begin(), jobs.end(), [](const Job& j) { return isTerminal(j.status); });
    })) << jobs.size()
        << " deliveries";
    return jobs;
  }
  // Everything the store holds about jobs, as text.
  std::string storedText() {
    std::string all;
    for (const char* sql : {"SELECT * FROM sync_jobs", "SELECT * FROM sync_job_events"}) {
      auto rows = rawQuery(store_url_, sql);
      EXPECT_TRUE(rows.isOk()) << rows.status().toString();
      if (!rows) continue;
      for (const auto& row : *rows) {
        for (const auto& cell : row) all += cell + "\n";
      }
    }
    return all;
  }

  Receiver receiver_;
  std::unique_ptr<Webhooks> webhooks_;
  std::FILE* log_ = nullptr;
  char* log_buf_ = nullptr;
  size_t log_size_ = 0;
};

TEST_P(WebhookSim, FailureAndConflictNotifyOnceEachWithTheJobAndSuccessOnlyWhereAsked) {
  startSim(20);
  startSnapq(yaml("      - {url: \"" + receiver_.url("/ok") +
                  "\"}\n"  // default: failed, conflict
                  "      - {url: \"" +
                  receiver_.url("/success") + "\", events: [success]}\n"));
  Job sync = syncAndWait("accounts");
  ASSERT_EQ(sync.status, JobStatus::success);
  int64_t failed = failingMutation("3");

  // A conflict: the object changes remotely after dispatch.
  engine_->stop();
  auto d = mutate("accounts", "update", "4", {{"quota_mb", 44}});
  ASSERT_TRUE(d.isOk());
  sim_->json("POST", "/_sim/drift", json{{"resource", "accounts"}, {"id", 4}, {"changes", {{"quota_mb", 1}}}}, 200);
  ASSERT_TRUE(engine_->start().isOk());
  ASSERT_EQ(waitFinal(d->id).status, JobStatus::conflict);

  std::vector<Job> jobs = finalDeliveries(3);
  ASSERT_EQ(jobs.size(), 3u) << "success (to /success), failed and conflict (to /ok); none for the deliveries";
  for (const Job& j : jobs) EXPECT_EQ(j.status, JobStatus::success) << j.error;
  EXPECT_EQ(jobs[0].action, "success");
  EXPECT_EQ(jobs[0].instance, "sim.1");
  EXPECT_EQ(jobs[1].action, "failed");
  EXPECT_EQ(jobs[1].instance, "sim.0");
  EXPECT_EQ(jobs[1].target_type, "job");
  EXPECT_EQ(jobs[1].target_id, std::to_string(failed));
  EXPECT_EQ(jobs[2].action, "conflict");

  auto ok = receiver_.got("/ok");
  ASSERT_EQ(ok.size(), 2u);
  ASSERT_EQ(receiver_.got("/success").size(), 1u);
  const net::HttpRequest& first = ok[0];
  EXPECT_EQ(first.method, "POST");
  EXPECT_EQ(first.headers.get("Content-Type"), "application/json");
  EXPECT_TRUE(first.headers.get("User-Agent").value_or("").starts_with("snapq/"));
  EXPECT_EQ(first.headers.get("X-Snapq-Event"), "failed");
  EXPECT_EQ(first.headers.get("X-Snapq-Delivery"), std::to_string(jobs[1].id));
  EXPECT_EQ(first.headers.get("Idempotency-Key"), "snapq-webhook-" + std::to_string(jobs[1].id));
  json body = json::parse(first.body);
  EXPECT_EQ(body["event"], "failed");
  EXPECT_EQ(body["delivery"], std::to_string(jobs[1].id));
  EXPECT_TRUE(body["sent_at"].is_string());
  EXPECT_EQ(body["job"]["id"], failed);
  EXPECT_EQ(body["job"]["service"], "sim");
  EXPECT_EQ(body["job"]["action"], "update");
  EXPECT_EQ(body["job"]["target_id"], "3");
  EXPECT_EQ(body["job"]["status"], "failed");
  EXPECT_EQ(body["job"]["attempts"], 1);
  EXPECT_EQ(body["job"]["actor"]["name"], "alice");
  EXPECT_TRUE(body["job"]["error"].is_string());
  EXPECT_TRUE(body["job"]["finished_at"].is_string());
  EXPECT_FALSE(body["job"].contains("payload")) << "the payload stays in the audit log";
  EXPECT_EQ(json::parse(ok[1].body)["event"], "conflict");
  EXPECT_EQ(json::parse(receiver_.got("/success")[0].body)["job"]["id"], sync.id);

  EXPECT_EQ(storedText().find(kSecret), std::string::npos) << "the URL is in the store";
  EXPECT_EQ(logText().find(kSecret), std::string::npos) << logText();
}

TEST_P(WebhookSim, A503IsRetriedUntilDeliveredAndA400FailsTheDeliveryAtOnce) {
  startSim(5);
  startSnapq(yaml("      - {url: \"" + receiver_.url("/flaky") +
                  "\", retry: {attempts: 4, base: 20ms, jitter: 0}}\n"
                  "      - {url: \"" +
                  receiver_.url("/reject") + "\", retry: {attempts: 4, base: 20ms}}\n"));
  ASSERT_EQ(syncAndWait("accounts").status, JobStatus::success);
  failingMutation("2");

  std::vector<Job> jobs = finalDeliveries(2);
  ASSERT_EQ(jobs.size(), 2u) << "a failed delivery notifies nobody";
  const Job& flaky = jobs[0];
  EXPECT_EQ(flaky.instance, "sim.0");
  EXPECT_EQ(flaky.status, JobStatus::success) << flaky.error;
  EXPECT_EQ(flaky.attempts, 3);
  EXPECT_EQ(flaky.max_attempts, 4) << "the webhook's own retry policy";
  auto events = store_->jobEvents(flaky.id);
  ASSERT_TRUE(events.isOk());
  int failures = 0;
  for (const JobEvent& e : *events) {
    if (e.type != "attempt_failed") continue;
    ++failures;
    EXPECT_NE(e.message.find("webhook sim.0 answered HTTP 503"), std::string::npos) << e.message;
  }
  EXPECT_EQ(failures, 2);
  EXPECT_EQ(receiver_.got("/flaky").size(), 3u);
  std::set<std::string> keys;
  for (const auto& r : receiver_.got("/flaky")) keys.insert(r.headers.get("Idempotency-Key").value_or(""));
  EXPECT_EQ(keys.size(), 1u) << "the same delivery id on every attempt";

  const Job& rejected = jobs[1];
  EXPECT_EQ(rejected.status, JobStatus::failed);
  EXPECT_EQ(rejected.attempts, 1) << "a 4xx is not retried";
  EXPECT_NE(rejected.error.find("answered HTTP 400"), std::string::npos) << rejected.error;
  EXPECT_EQ(storedText().find(kSecret), std::string::npos);
  EXPECT_EQ(logText().find(kSecret), std::string::npos);
}

TEST_P(WebhookSim, AReceiverThatHangsDelaysNoOtherJob) {
  startSim(5);
  startSnapq(yaml("      - {url: \"" + receiver_.url("/hang") + "\", timeout: 60s}\n"), /*workers=*/2);
  ASSERT_EQ(syncAndWait("accounts").status, JobStatus::success);
  failingMutation("1");
  ASSERT_TRUE(waitFor([&] { return receiver_.got("/hang").size() == 1; })) << "the delivery is under way";

  const auto started = std::chrono::steady_clock::now();
  auto d = mutate("accounts", "update", "2", {{"quota_mb", 22}});
  ASSERT_TRUE(d.isOk());
  EXPECT_EQ(waitFinal(d->id, std::chrono::seconds(10)).status, JobStatus::success);
  EXPECT_EQ(syncAndWait("accounts").status, JobStatus::success);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  EXPECT_EQ(deliveries().front().status, JobStatus::running) << "still stuck on the receiver";
  receiver_.stop();  // answers the stuck request, so the engine can stop
}

TEST_P(WebhookSim, AJobRescuedToFailedNotifies) {
  startSim(5);
  startSnapq(yaml("      - {url: \"" + receiver_.url("/ok") + "\"}\n"));
  ASSERT_EQ(syncAndWait("accounts").status, JobStatus::success);
  engine_->stop();
  auto d = mutate("accounts", "update", "2", {{"quota_mb", 22}});
  ASSERT_TRUE(d.isOk());
  // A worker of another process takes its only attempt and dies.
  ClaimRequest claim;
  claim.worker_id = "ghost:1:dead";
  claim.now = engine_->clock().now();
  claim.lease = Duration(100);
  auto claimed = store_->claimJobs(claim);
  ASSERT_TRUE(claimed.isOk());
  ASSERT_EQ(claimed->size(), 1u);
  ASSERT_TRUE(engine_->start().isOk());
  Job job = waitFinal(d->id);
  EXPECT_EQ(job.status, JobStatus::failed);
  EXPECT_NE(job.error.find("worker lost"), std::string::npos) << job.error;
  std::vector<Job> jobs = finalDeliveries(1);
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].status, JobStatus::success) << jobs[0].error;
  ASSERT_EQ(receiver_.got("/ok").size(), 1u);
  json body = json::parse(receiver_.got("/ok")[0].body);
  EXPECT_EQ(body["event"], "failed");
  EXPECT_EQ(body["job"]["id"], d->id);
  // The rescue and the failure are in the JSON log with the job's id.
  bool logged = false;
  std::istringstream lines(logText());
  for (std::string line; std::getline(lines, line);) {
    json l = json::parse(line, nullptr, false);
    if (l.is_object() && l.value("job_id", int64_t{0}) == d->id &&
        l["message"].get<std::string>().find("rescued") != std::string::npos) {
      logged = true;
    }
  }
  EXPECT_TRUE(logged) << logText();
}

INSTANTIATE_TEST_SUITE_P(Drivers, WebhookSim, ::testing::Values("sqlite", "postgres"), driverName);

}  // namespace
}  // namespace snapq::testing
