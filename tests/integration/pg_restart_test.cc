// PostgreSQL restarted (fast shutdown, start) under a running engine: the
// engine reports not-ready meanwhile, logs the outage once and the recovery
// once, reconnects by itself and every job still ends in success. A server
// that stays down for seconds while every periodic task fails is still one
// line when it goes and one when it is back.
//
// It restarts a server of its own (PrivatePostgres): restarting the shared
// test server would cut off the tests running beside this one.
#include <atomic>
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
  std::vector<std::string> lines() {
    std::lock_guard lock(mu_);
    return lines_;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> lines_;
};

class PostgresRestart : public ::testing::Test {
 protected:
  // An engine on a migrated store of the private server, logging to logger_.
  std::unique_ptr<Engine> openEngine(const EngineOptions& options) {
    auto opened = openStore(server_.url());
    if (!opened) throw std::runtime_error(opened.status().toString());
    store_ = *opened;
    if (Status s = store_->migrate(); !s) throw std::runtime_error(s.toString());
    Env env;
    env.logger = logger_;
    auto engine = Engine::open(store_, {std::string("restart-secret"), ""}, options, env);
    if (!engine) throw std::runtime_error(engine.status().toString());
    return std::move(*engine);
  }

  PrivatePostgres server_;
  std::shared_ptr<Store> store_;
  std::shared_ptr<RecordingLogger> logger_ = std::make_shared<RecordingLogger>();
};

TEST_F(PostgresRestart, EveryJobEndsTerminalAndTheEngineReportsNotReadyMeanwhile) {
  constexpr int kJobs = 3000;
  EngineOptions options;
  options.workers = 4;
  options.heartbeat = Duration(500);
  options.poll = Duration(200);
  auto engine = openEngine(options);
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
  engine->registerJobType(slow);
  std::vector<DispatchRequest> batch(kJobs);
  for (auto& r : batch) {
    r.service = "svc";
    r.action = "work";
  }
  ASSERT_TRUE(engine->dispatchMany(std::move(batch)).isOk());
  ASSERT_TRUE(engine->start().isOk());
  EXPECT_TRUE(engine->ready());
  ASSERT_TRUE(waitFor([&] { return runs.load() >= 300; }, std::chrono::seconds(60)));

  // Watch readiness while the server restarts.
  std::atomic<bool> watching{true}, saw_not_ready{false};
  std::thread watcher([&] {
    while (watching) {
      if (!engine->ready()) saw_not_ready = true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  int before = runs.load();
  server_.restart();
  ASSERT_TRUE(waitFor([&] { return saw_not_ready.load(); }, std::chrono::seconds(10)))
      << "the engine never reported not-ready";
  ASSERT_TRUE(waitFor([&] { return engine->ready(); }, std::chrono::seconds(30)))
      << "the engine did not become ready again by itself";
  watching = false;
  watcher.join();

  JobFilter all;
  all.limit = 1;
  ASSERT_TRUE(waitFor(
      [&] {
        auto page = store_->listJobs(all);
        return page.isOk() && page->status_counts[JobStatus::queued] + page->status_counts[JobStatus::running] == 0;
      },
      std::chrono::seconds(120)))
      << "jobs were left open after the restart";
  auto page = store_->listJobs(all);
  ASSERT_TRUE(page.isOk());
  EXPECT_EQ(page->status_counts[JobStatus::success], kJobs) << "every job ends in success";
  engine->stop();

  EXPECT_GE(logger_->count("store unavailable: "), 1);
  EXPECT_LE(logger_->count("store unavailable: "), 3) << "an outage is logged once, not per failed call";
  EXPECT_GE(logger_->count("store reachable again"), 1);
  auto workers = store_->listWorkers();
  ASSERT_TRUE(workers.isOk());
  EXPECT_TRUE(workers->empty()) << "the stopped engine left the registry";
  std::printf("restart: %d jobs ran before the restart, %d executions in all (%d jobs); outage logged %d time(s)\n",
              before, runs.load(), kJobs, logger_->count("store unavailable: "));
}

// Down for seconds under an idle engine whose claims, heartbeats, lease
// extensions and rescues all fail meanwhile (each every 100-200 ms), then
// back: the log says so once each way, each message on one line. Before, each
// periodic task added a warning per attempt, and a connection still waiting
// out its reconnect backoff reported the server unreachable right after
// another one had reconnected, logging the outage a second time.
TEST_F(PostgresRestart, AnOutageOfSecondsIsOneLineWhenItStartsAndOneWhenItEnds) {
  EngineOptions options;
  options.workers = 2;
  options.heartbeat = Duration(100);
  options.rescue_interval = Duration(100);
  options.poll = Duration(100);
  auto engine = openEngine(options);
  ASSERT_TRUE(engine->start().isOk());
  ASSERT_TRUE(waitFor([&] { return engine->ready(); }, std::chrono::seconds(10)));

  server_.stop();
  ASSERT_TRUE(waitFor([&] { return !engine->ready(); }, std::chrono::seconds(10)))
      << "the engine never reported not-ready";
  std::this_thread::sleep_for(std::chrono::seconds(3));  // connections back off to seconds between attempts
  server_.restart();
  ASSERT_TRUE(waitFor([&] { return engine->ready(); }, std::chrono::seconds(30)))
      << "the engine did not become ready again by itself";
  std::this_thread::sleep_for(std::chrono::seconds(2));  // every periodic task runs again, on every connection
  engine->stop();

  std::string all;
  int task_failures = 0;
  for (const std::string& line : logger_->lines()) {
    all += line + "\n";
    EXPECT_EQ(line.find('\n'), std::string::npos) << "a message over several lines: " << line;
    task_failures += line.find(" failed: ") != std::string::npos && !line.starts_with("store unavailable: ");
  }
  EXPECT_EQ(logger_->count("store unavailable: "), 1) << all;
  EXPECT_EQ(logger_->count("store reachable again"), 1) << all;
  EXPECT_EQ(task_failures, 0) << "a task logged the outage again\n" << all;
}

}  // namespace
}  // namespace snapq::testing
