// `snapq worker` and `snapq serve` started before their PostgreSQL server
// answers (both started at boot, the server restarting): they wait for it
// (--wait-for-db), say so once, start when it answers, stop on SIGTERM while
// waiting, and give up with the reason when the wait runs out. A login the
// server refuses is not waited for: the URL is wrong.
#include <fstream>
#include <sstream>

#include "node_process.h"
#include "snapq/engine.h"
#include "test_support.h"

namespace snapq::testing {
namespace {

constexpr const char* kSecret = "db-wait-secret";

std::string readLog(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

int countLines(const std::string& log, std::string_view needle) {
  int n = 0;
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) n += line.find(needle) != std::string::npos;
  return n;
}

class DatabaseWait : public ::testing::Test {
 protected:
  void SetUp() override {
    unsetenv("SNAPQ_DB");
    setenv("SNAPQ_SECRET_KEY", kSecret, 1);
    auto opened = openStore(server_.url());
    ASSERT_TRUE(opened.isOk()) << opened.status().toString();
    store_ = *opened;
    ASSERT_TRUE(store_->migrate().isOk());
  }

  TempDir dir_;
  PrivatePostgres server_;
  std::shared_ptr<Store> store_;
};

TEST_F(DatabaseWait, AWorkerStartedBeforeItsServerWaitsThenRunsJobs) {
  server_.stop();
  std::string log = dir_.file("worker.log");
  NodeProcess worker({"worker", "--db", server_.url(), "--wait-for-db", "60"}, log);
  EXPECT_EQ(worker.readLine(std::chrono::milliseconds(1500)), "") << "no server, yet ready";
  ASSERT_EQ(worker.wait(std::chrono::milliseconds(0)), -1) << "it exited instead of waiting:\n" << readLog(log);

  server_.restart();
  std::string line = worker.readLine(std::chrono::seconds(30));
  ASSERT_EQ(line.rfind("snapq worker ", 0), 0u) << "'" << line << "'\n" << readLog(log);
  auto engine = Engine::open(store_, {std::string(kSecret), ""});
  ASSERT_TRUE(engine.isOk()) << engine.status().toString();
  DispatchRequest noop;
  noop.service = "snapq";
  noop.action = "noop";
  auto job = (*engine)->dispatch(noop);
  ASSERT_TRUE(job.isOk()) << job.status().toString();
  EXPECT_TRUE(waitFor([&] {
    auto j = store_->getJob(job->id);
    return j.isOk() && j->status == JobStatus::success;
  })) << readLog(log);

  worker.signal(SIGTERM);
  EXPECT_EQ(worker.wait(std::chrono::seconds(30)), 0);
  std::string text = readLog(log);
  EXPECT_EQ(countLines(text, "waiting up to 60 s for the database (--wait-for-db): cannot connect to postgres"), 1)
      << text;
  EXPECT_EQ(countLines(text, "the database answers, after "), 1) << text;
}

TEST_F(DatabaseWait, ServeStopsOnSigtermWhileWaitingAndAWaitThatRunsOutExitsOne) {
  server_.stop();
  std::string serve_log = dir_.file("serve.log");
  NodeProcess serve({"serve", "--db", server_.url(), "--listen", "127.0.0.1:0"}, serve_log);
  ASSERT_TRUE(waitFor([&] { return readLog(serve_log).find("waiting up to 60 s") != std::string::npos; }))
      << readLog(serve_log);
  serve.signal(SIGTERM);
  EXPECT_EQ(serve.wait(std::chrono::seconds(5)), 0) << readLog(serve_log);
  EXPECT_EQ(countLines(readLog(serve_log), "SIGTERM received while waiting for the database; stopping"), 1)
      << readLog(serve_log);

  std::string worker_log = dir_.file("worker.log");
  NodeProcess worker({"worker", "--db", server_.url(), "--wait-for-db", "1"}, worker_log);
  EXPECT_EQ(worker.wait(std::chrono::seconds(20)), 1);
  std::string text = readLog(worker_log);
  EXPECT_EQ(countLines(text, "snapq: error: the database did not answer within 1 s (--wait-for-db): cannot connect"),
            1)
      << text;
}

TEST_F(DatabaseWait, ALoginTheServerRefusesIsAUsageErrorWithoutWaiting) {
  std::string url = server_.url();
  url.replace(url.find("snapq@"), 6, "nosuchrole@");
  std::string log = dir_.file("worker.log");
  NodeProcess worker({"worker", "--db", url, "--wait-for-db", "60"}, log);
  EXPECT_EQ(worker.wait(std::chrono::seconds(10)), 2) << readLog(log);
  std::string text = readLog(log);
  EXPECT_EQ(countLines(text, "snapq: error: cannot connect to postgres"), 1) << text;
  EXPECT_EQ(countLines(text, "role \"nosuchrole\" does not exist"), 1) << text;
  EXPECT_EQ(countLines(text, "waiting"), 0) << text;
}

}  // namespace
}  // namespace snapq::testing
