// A `snapq worker` killed between the remote write and the local commit: the
// job is rescued and re-run, finds the remote object already changed
// ("already applied") and ends skipped or success, and the service saw
// exactly one write (issue: "kill the worker process between the remote
// write and the local commit").
#include <cstdlib>

#include "node_process.h"
#include "sync/sync_fixture.h"

namespace snapq::testing {
namespace {

using json = nlohmann::json;

using MutationCrash = SyncSimTest;

TEST_P(MutationCrash, AWorkerKilledAfterTheRemoteWriteLeavesExactlyOneWrite) {
  startSim(20);
  startSnapq();
  ASSERT_EQ(syncAndWait("accounts").status, JobStatus::success);
  engine_->stop();  // from here on only the worker processes run jobs
  auto d = mutate("accounts", "update", "3", {{"quota_mb", 3333}});
  ASSERT_TRUE(d.isOk()) << d.status().toString();

  // Every answer of the sim now takes 1.5 s; a write is applied when it
  // arrives, so there is a window between the remote write and its answer.
  chaos({{"latency_ms", 1500}});
  setenv("SIM_URL", sim_->server().url().c_str(), 1);
  setenv("SNAPQ_SECRET_KEY", std::string(32, 'k').c_str(), 1);
  std::string config = std::string(SNAPQ_SOURCE_DIR) + "/examples/sim.yaml";
  std::vector<std::string> args = {"worker", "--config", config, "--db", store_url_, "--workers", "2",
                                   "--heartbeat-ms", "200"};
  {
    NodeProcess first(args, dir_.file("worker-1.log"));
    ASSERT_NE(first.readLine(std::chrono::seconds(20)).find("ready"), std::string::npos);
    ASSERT_TRUE(waitFor([&] { return simStats()["writes"].value("accounts/3", 0) == 1; }, std::chrono::seconds(20)))
        << "the write reached the sim";
    first.signal(SIGKILL);
    first.wait(std::chrono::seconds(10));
  }
  auto locked = store_->getJob(d->id);
  ASSERT_TRUE(locked.isOk());
  EXPECT_EQ(locked->status, JobStatus::running) << "killed before the local commit";
  EXPECT_EQ(row("accounts", "3")->sync_status, RowStatus::pending_update);

  chaos({{"latency_ms", 0}});
  NodeProcess second(args, dir_.file("worker-2.log"));
  ASSERT_NE(second.readLine(std::chrono::seconds(20)).find("ready"), std::string::npos);
  Job job = waitFinal(d->id, std::chrono::seconds(60));
  EXPECT_TRUE(job.status == JobStatus::skipped || job.status == JobStatus::success)
      << toString(job.status) << ": " << job.error;
  EXPECT_EQ(simStats()["writes"].value("accounts/3", 0), 1) << "exactly one write reached the service";
  auto r = row("accounts", "3");
  EXPECT_EQ(r->sync_status, RowStatus::synced);
  EXPECT_EQ(r->fields["quota_mb"], 3333);
  auto events = store_->jobEvents(d->id);
  ASSERT_TRUE(events.isOk());
  bool rescued = false;
  for (const JobEvent& e : *events) rescued |= e.type == "rescued";
  EXPECT_TRUE(rescued) << "the re-run is explained by a rescue";
  second.signal(SIGTERM);
  EXPECT_EQ(second.wait(std::chrono::seconds(20)), 0);
}

INSTANTIATE_TEST_SUITE_P(Drivers, MutationCrash, ::testing::Values("sqlite", "postgres"), driverName);

}  // namespace
}  // namespace snapq::testing
