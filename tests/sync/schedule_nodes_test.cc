// Two nodes share one database and a resource's sync schedule of every minute
// (issue: "Two nodes with a schedule every minute, driven by an injected
// clock: each tick fires once; killing the leader hands over"). Each node has
// its own store connection, engine, sync service and ClusterScheduler, as
// `snapq serve` / `snapq worker` wire them; one ManualClock drives both.
#include <gtest/gtest.h>

#include <algorithm>

#include "connectors/rest/rest_connector.h"
#include "core/time_format.h"
#include "queue/cluster_scheduler.h"
#include "sync/sync_service.h"
#include "test_support.h"

namespace snapq::testing {
namespace {

constexpr Duration kLease{15000};

// Nobody listens at the base URL: the syncs are only dispatched, never run.
constexpr const char* kConfig = R"(
services:
  sim:
    connector: rest
    base_url: http://127.0.0.1:9
    resources:
      accounts:
        key: id
        fields: {id: integer, email: string}
        list: {path: /v1/accounts, items: data}
        sync: {schedule: "* * * * *"}
)";

TimePoint at(const std::string& hh_mm_ss) { return parseIso("2026-03-01T" + hh_mm_ss + "Z").value(); }
TimePoint minute(int m) { return at("10:00:00") + Duration(60000) * m; }

struct Node {
  std::shared_ptr<Store> store;
  std::unique_ptr<Engine> engine;
  std::unique_ptr<SyncService> sync;
  std::unique_ptr<ClusterScheduler> scheduler;
};

class ScheduleNodes : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    ConfigCheck check = checkConfigText(kConfig, LoadOptions{});
    for (const ConfigProblem& p : check.problems) ADD_FAILURE() << p.line << ": " << p.message;
    ASSERT_TRUE(check.ok());
    config_ = std::move(check.config);
    std::string url;
    std::shared_ptr<Store> first = openTestStore(GetParam(), dir_, &url);
    for (const char* id : {"node-a", "node-b"}) {
      Node node;
      if (first) {
        node.store = std::move(first);
      } else {
        auto store = openStore(url);
        ASSERT_TRUE(store.isOk()) << store.status().toString();
        node.store = std::move(*store);
      }
      EngineOptions options;
      options.worker_id = id;
      Env env;
      env.clock = clock_;
      auto engine = Engine::open(node.store, Engine::Keys{std::string(32, 'k'), ""}, options, env);
      ASSERT_TRUE(engine.isOk()) << engine.status().toString();
      node.engine = std::move(*engine);
      auto sync = SyncService::open(*config_, *node.engine, [this](const ServiceSpec& s, const InstanceSpec& i) {
        return Result<std::unique_ptr<Connector>>(makeRestConnector(s, i, RestOptions{*clock_}));
      });
      ASSERT_TRUE(sync.isOk()) << sync.status().toString();
      node.sync = std::move(*sync);
      auto entries = node.sync->schedules();
      ASSERT_TRUE(entries.isOk()) << entries.status().toString();
      ASSERT_EQ(entries->size(), 1u);
      node.scheduler = std::make_unique<ClusterScheduler>(*node.store, id, *clock_, kLease, std::move(*entries),
                                                          *env.logger);
      nodes_.push_back(std::move(node));
    }
  }

  // A worker runs the queued syncs (a queued sync absorbs further requests
  // for the same resource, which would hide a second fire of a tick).
  void runQueued() {
    Store& store = *nodes_[0].store;
    ClaimRequest claim;
    claim.worker_id = "runner";
    claim.limit = 100;
    claim.now = clock_->now();
    auto claimed = store.claimJobs(claim);
    ASSERT_TRUE(claimed.isOk()) << claimed.status().toString();
    std::vector<JobCompletion> done;
    for (const Job& job : *claimed) {
      JobCompletion c;
      c.job_id = job.id;
      c.worker_id = "runner";
      c.started_at = c.finished_at = claim.now;
      done.push_back(std::move(c));
    }
    if (done.empty()) return;
    auto applied = store.completeJobsAndWait(std::move(done));
    ASSERT_TRUE(applied.isOk()) << applied.status().toString();
  }

  // The scheduled syncs queued so far, oldest first.
  std::vector<Job> scheduledSyncs() {
    JobFilter filter;
    filter.triggers = {TriggerSource::scheduled};
    filter.limit = 1000;
    auto page = nodes_[0].store->listJobs(filter);
    EXPECT_TRUE(page.isOk()) << page.status().toString();
    std::vector<Job> jobs = page ? page->jobs : std::vector<Job>{};
    std::reverse(jobs.begin(), jobs.end());
    return jobs;
  }

  TempDir dir_;
  // Half a minute past a tick.
  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>(at("10:00:30"));
  std::optional<Config> config_;
  std::vector<Node> nodes_;
};

TEST_P(ScheduleNodes, EachTickFiresOnceAndTheOtherNodeTakesOverWhenTheLeaderDies) {
  // Start-up: the schedule is overdue (its 10:00 tick passed) on both nodes;
  // only the node that wins the lease fires it, once.
  Node& a = nodes_[0];
  Node& b = nodes_[1];
  EXPECT_EQ(a.scheduler->tick(), 1);
  EXPECT_EQ(b.scheduler->tick(), 0) << "node-a leads";
  runQueued();
  EXPECT_TRUE(a.scheduler->leads());
  EXPECT_FALSE(b.scheduler->leads());

  // Five minutes, both nodes checking every 10 s: one sync per tick.
  for (int i = 0; i < 30; ++i) {
    clock_->advance(Duration(10000));
    a.scheduler->tick();
    b.scheduler->tick();
    runQueued();
  }
  std::vector<Job> jobs = scheduledSyncs();
  ASSERT_EQ(jobs.size(), 6u) << "10:00 (late, at start-up) and 10:01 to 10:05";
  EXPECT_EQ(jobs[0].created_at, at("10:00:30"));
  for (int i = 1; i < 6; ++i) EXPECT_EQ(jobs[i].created_at, minute(i)) << i;
  for (const Job& job : jobs) EXPECT_EQ(job.action, "sync");

  // Both nodes believing they lead (say their clocks disagree): a tick still
  // queues one sync, through the idempotency key naming the tick.
  clock_->advance(Duration(60000));  // 10:06:30
  auto a_entries = a.sync->schedules();
  auto b_entries = b.sync->schedules();
  ASSERT_TRUE(a_entries.isOk() && b_entries.isOk());
  ASSERT_TRUE(a_entries->front().fire(at("10:06:00")).isOk());
  runQueued();
  ASSERT_TRUE(b_entries->front().fire(at("10:06:00")).isOk());
  a.scheduler->tick();  // renews node-a's lease, to 10:06:45, and fires 10:06 a third time
  runQueued();
  EXPECT_EQ(scheduledSyncs().size(), 7u);

  // node-a dies here: it stops renewing and never gives its lease up. node-b
  // takes over once the lease runs out and fires every tick from then on (the
  // overdue 10:06, which it fires at once, was queued already).
  clock_->advance(Duration(10000));  // 10:06:40
  EXPECT_EQ(b.scheduler->tick(), 0) << "node-a's lease still runs";
  EXPECT_FALSE(b.scheduler->leads());
  clock_->advance(Duration(10000));  // 10:06:50
  b.scheduler->tick();
  runQueued();
  EXPECT_TRUE(b.scheduler->leads()) << "within one lease period of node-a's last renewal";
  EXPECT_EQ(scheduledSyncs().size(), 7u);
  for (int i = 0; i < 24; ++i) {  // to 10:10:50
    clock_->advance(Duration(10000));
    b.scheduler->tick();
    runQueued();
  }
  jobs = scheduledSyncs();
  ASSERT_EQ(jobs.size(), 11u) << "10:07 to 10:10 from node-b";
  for (int i = 7; i < 11; ++i) EXPECT_EQ(jobs[i].created_at, minute(i)) << i;
}

INSTANTIATE_TEST_SUITE_P(Drivers, ScheduleNodes, ::testing::Values("sqlite", "postgres"),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

}  // namespace
}  // namespace snapq::testing
