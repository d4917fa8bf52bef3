// PostgreSQL restarted (fast shutdown, start) under a running engine: the
// engine reports not-ready meanwhile, logs the outage once and the recovery
// once, reconnects by itself and every job still ends in success.
//
// It restarts a server of its own (scripts/pg.sh, found through
// $SNAPQ_TEST_PG_SCRIPT, which scripts/test.sh exports): restarting the shared
// test server would cut off the tests running beside this one.
#include <atomic>
#include <cstdlib>
#include <mutex>
#include <thread>

#include "snapq/engine.h"
#include "test_support.h"

namespace snapq::testing {
namespace {

class RecordingLogger final : public Logger {
 public:
  void log(LogLevel, std::string_view message) override {
    std::lock_guard lock(mu_);
    lines_.emplace_back(message);
  }
  int count(std::string_view needle) {
    std::lock_guard lock(mu_);
    int n = 0;
    for (const std::string& l : lines_) n += l.find(needle) != std::string::npos;
    return n;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> lines_;
};

// The server's output goes to the test log; its URL is the script's last line.
std::string run(const std::string& command) {
  std::string out;
  FILE* p = popen(command.c_str(), "r");
  if (!p) return out;
  char buf[512];
  while (std::fgets(buf, sizeof buf, p)) out += buf;
  int rc = pclose(p);
  if (rc != 0) throw std::runtime_error("'" + command + "' failed: " + out);
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

class PostgresRestart : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* script = std::getenv("SNAPQ_TEST_PG_SCRIPT");
    ASSERT_TRUE(script && *script) << "SNAPQ_TEST_PG_SCRIPT is not set; run scripts/test.sh (it exports the "
                                      "path of scripts/pg.sh), or export it by hand";
    script_ = script;
    url_ = run(script_ + " start " + dir_.path().string() + " 2>&1 | tail -n 1");
    ASSERT_EQ(url_.rfind("postgresql://", 0), 0u) << "pg.sh start printed: " << url_;
    started_ = true;
  }
  void TearDown() override {
    if (started_) (void)std::system((script_ + " stop " + dir_.path().string() + " >/dev/null 2>&1").c_str());
  }

  TempDir dir_;
  std::string script_, url_;
  bool started_ = false;
};

TEST_F(PostgresRestart, EveryJobEndsTerminalAndTheEngineReportsNotReadyMeanwhile) {
  constexpr int kJobs = 3000;
  auto opened = openStore(url_);
  ASSERT_TRUE(opened.isOk()) << opened.status().toString();
  std::shared_ptr<Store> store = *opened;
  ASSERT_TRUE(store->migrate().isOk());

  auto logger = std::make_shared<RecordingLogger>();
  EngineOptions options;
  options.workers = 4;
  options.heartbeat = Duration(500);
  options.poll = Duration(200);
  Env env;
  env.logger = logger;
  auto engine = Engine::open(store, {std::string("restart-secret"), ""}, options, env);
  ASSERT_TRUE(engine.isOk());
  std::atomic<int> runs{0};
  JobType slow;
  slow.service = "svc";
  slow.action = "work";
  slow.retry.max_attempts = 5;
  slow.handler = [&runs](JobContext&) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));  // jobs are in flight when the server goes
    ++runs;
    return Outcome::ok();
  };
  (*engine)->registerJobType(slow);
  std::vector<DispatchRequest> batch(kJobs);
  for (auto& r : batch) {
    r.service = "svc";
    r.action = "work";
  }
  ASSERT_TRUE((*engine)->dispatchMany(std::move(batch)).isOk());
  ASSERT_TRUE((*engine)->start().isOk());
  EXPECT_TRUE((*engine)->ready());
  ASSERT_TRUE(waitFor([&] { return runs.load() >= 300; }, std::chrono::seconds(60)));

  // Watch readiness while the server restarts.
  std::atomic<bool> watching{true}, saw_not_ready{false};
  std::thread watcher([&] {
    while (watching) {
      if (!(*engine)->ready()) saw_not_ready = true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  int before = runs.load();
  run(script_ + " restart " + dir_.path().string() + " 2>&1");
  ASSERT_TRUE(waitFor([&] { return saw_not_ready.load(); }, std::chrono::seconds(10)))
      << "the engine never reported not-ready";
  ASSERT_TRUE(waitFor([&] { return (*engine)->ready(); }, std::chrono::seconds(30)))
      << "the engine did not become ready again by itself";
  watching = false;
  watcher.join();

  JobFilter all;
  all.limit = 1;
  ASSERT_TRUE(waitFor(
      [&] {
        auto page = store->listJobs(all);
        return page.isOk() && page->status_counts[JobStatus::queued] + page->status_counts[JobStatus::running] == 0;
      },
      std::chrono::seconds(120)))
      << "jobs were left open after the restart";
  auto page = store->listJobs(all);
  ASSERT_TRUE(page.isOk());
  EXPECT_EQ(page->status_counts[JobStatus::success], kJobs) << "every job ends in success";
  (*engine)->stop();

  EXPECT_GE(logger->count("store unavailable: "), 1);
  EXPECT_LE(logger->count("store unavailable: "), 3) << "an outage is logged once, not per failed call";
  EXPECT_GE(logger->count("store reachable again"), 1);
  auto workers = store->listWorkers();
  ASSERT_TRUE(workers.isOk());
  EXPECT_TRUE(workers->empty()) << "the stopped engine left the registry";
  std::printf("restart: %d jobs ran before the restart, %d executions in all (%d jobs); outage logged %d time(s)\n",
              before, runs.load(), kJobs, logger->count("store unavailable: "));
}

}  // namespace
}  // namespace snapq::testing
