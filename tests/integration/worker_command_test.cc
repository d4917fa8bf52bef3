// `snapq worker` as a process on SQLite, configured by a file: it prints its
// ready line, registers itself, runs the built-in no-op job, and on SIGTERM
// stops gracefully (exit 0) and leaves the registry.
#include <fstream>
#include <thread>

#include "node_process.h"
#include "snapq/engine.h"
#include "test_support.h"

namespace snapq::testing {
namespace {

TEST(WorkerCommand, RunsTheNoopJobFromAConfigsDatabaseAndStopsOnSigterm) {
  TempDir dir;
  std::string url;
  auto store = openTestStore("sqlite", dir, &url);
  std::string config = dir.file("snapq.yaml");
  std::ofstream(config) << "database: " << url << "\nworkers: 2\n";
  unsetenv("SNAPQ_DB");
  setenv("SNAPQ_SECRET_KEY", "worker-command-secret", 1);

  NodeProcess worker({"worker", "--config", config, "--queue", "snapq"}, dir.file("worker.log"));
  std::string line = worker.readLine(std::chrono::seconds(30));
  EXPECT_EQ(line.rfind("snapq worker ", 0), 0u) << line;
  EXPECT_NE(line.find("ready: db sqlite, 2 workers"), std::string::npos) << line;

  auto engine = Engine::open(store, {std::string("worker-command-secret"), ""});
  ASSERT_TRUE(engine.isOk());
  DispatchRequest noop;
  noop.service = "snapq";
  noop.action = "noop";
  auto job = (*engine)->dispatch(noop);
  ASSERT_TRUE(job.isOk()) << job.status().toString();
  // The worker is another process: SQLite's wake-ups stay in-process, so it finds the job by polling (1 s).
  ASSERT_TRUE(waitFor([&] {
    auto j = store->getJob(job->id);
    return j.isOk() && j->status == JobStatus::success;
  }));
  auto workers = store->listWorkers();
  ASSERT_TRUE(workers.isOk());
  ASSERT_EQ(workers->size(), 1u);
  EXPECT_EQ(workers->at(0).pid, worker.pid());
  EXPECT_EQ(workers->at(0).queues, std::vector<std::string>{"snapq"});
  EXPECT_EQ(workers->at(0).version, "0.1.0");

  worker.signal(SIGTERM);
  EXPECT_EQ(worker.wait(std::chrono::seconds(30)), 0);
  workers = store->listWorkers();
  ASSERT_TRUE(workers.isOk());
  EXPECT_TRUE(workers->empty()) << "a graceful stop leaves the registry";
}

}  // namespace
}  // namespace snapq::testing
