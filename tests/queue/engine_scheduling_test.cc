// Who runs when: per-target ordering, priorities, per-service limits,
// uniqueness, idempotency, rescue of lost workers, graceful stop, and many
// workers on many threads (run under TSan in CI).
#include <map>
#include <set>

#include "queue/engine_fixture.h"

namespace snapq::testing {
namespace {

using EngineScheduling = EngineTest;

// Counts how many handlers of a group run at once.
struct Concurrency {
  std::atomic<int> now{0};
  std::atomic<int> max{0};
  void enter() {
    int n = ++now;
    int m = max.load();
    while (n > m && !max.compare_exchange_weak(m, n)) {
    }
  }
  void leave() { --now; }
};

TEST_F(EngineScheduling, JobsOfOneTargetRunOneAtATimeInDispatchOrder) {
  Engine& e = open(fastOptions(4), false);
  std::mutex mu;
  std::vector<int> order;
  Concurrency same_target;
  e.registerJobType({"dns", "update",
                     [&](JobContext& ctx) {
                       if (ctx.job().target_id == "www") {
                         same_target.enter();
                         std::this_thread::sleep_for(std::chrono::microseconds(300));
                         {
                           std::lock_guard lock(mu);
                           order.push_back(std::stoi(ctx.payload().substr(5)));
                         }
                         same_target.leave();
                       }
                       return Outcome::ok();
                     },
                     {}});
  ASSERT_TRUE(e.start().isOk());
  std::vector<int64_t> ids;
  for (int i = 0; i < 40; ++i) {
    DispatchRequest r = request("dns", "update");
    r.target_type = "record";
    r.target_id = i % 2 ? "www" : "mx" + std::to_string(i);
    r.payload = R"({"n":)" + std::to_string(i) + "}";
    ids.push_back(dispatch(r));
  }
  for (int64_t id : ids) ASSERT_TRUE(waitStatus(id, JobStatus::success));
  EXPECT_EQ(same_target.max.load(), 1);
  std::vector<int> expected;
  for (int i = 1; i < 40; i += 2) expected.push_back(i);
  EXPECT_EQ(order, expected);
}

TEST_F(EngineScheduling, UserTriggeredJobsRunBeforeScheduledOnes) {
  EngineOptions o = fastOptions(1);
  Engine& e = open(o, false);
  std::mutex mu;
  std::vector<std::string> order;
  e.registerJobType({"svc", "act",
                     [&](JobContext& ctx) {
                       std::lock_guard lock(mu);
                       order.push_back(toString(ctx.job().trigger_source));
                       return Outcome::ok();
                     },
                     {}});
  std::vector<int64_t> ids;
  for (TriggerSource t : {TriggerSource::scheduled, TriggerSource::scheduled, TriggerSource::manual,
                          TriggerSource::event, TriggerSource::api}) {
    DispatchRequest r = request();
    r.trigger_source = t;
    ids.push_back(dispatch(r));
  }
  ASSERT_TRUE(e.start().isOk());
  for (int64_t id : ids) ASSERT_TRUE(waitStatus(id, JobStatus::success));
  EXPECT_EQ(order, (std::vector<std::string>{"manual", "api", "event", "scheduled", "scheduled"}));
}

TEST_F(EngineScheduling, ASlowServiceStaysWithinItsConcurrencyLimitWhileOthersProceed) {
  EngineOptions o = fastOptions(6);
  o.service_concurrency = {{"slow", 2}};
  Engine& e = open(o, false);
  Concurrency slow;
  std::atomic<bool> release{false};
  std::atomic<int> fast_done{0};
  e.registerJobType({"slow", "act",
                     [&](JobContext&) {
                       slow.enter();
                       while (!release.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
                       slow.leave();
                       return Outcome::ok();
                     },
                     {}});
  e.registerJobType({"fast", "act", [&](JobContext&) { ++fast_done; return Outcome::ok(); }, {}});
  std::vector<int64_t> ids;
  for (int i = 0; i < 10; ++i) ids.push_back(dispatch(request("slow")));
  for (int i = 0; i < 10; ++i) ids.push_back(dispatch(request("fast")));
  ASSERT_TRUE(e.start().isOk());
  ASSERT_TRUE(waitFor([&] { return fast_done.load() == 10; })) << "fast jobs are not starved by slow ones";
  EXPECT_EQ(slow.now.load(), 2);
  release = true;
  for (int64_t id : ids) ASSERT_TRUE(waitStatus(id, JobStatus::success));
  EXPECT_EQ(slow.max.load(), 2);
}

TEST_F(EngineScheduling, SlowJobsAreNotHoardedByOneProcess) {
  Engine& e = open(fastOptions(2), false);
  e.registerJobType({"svc", "act",
                     [](JobContext&) {
                       std::this_thread::sleep_for(std::chrono::milliseconds(20));
                       return Outcome::ok();
                     },
                     {}});
  std::vector<int64_t> ids;
  for (int i = 0; i < 40; ++i) ids.push_back(dispatch(request()));
  ASSERT_TRUE(e.start().isOk());
  int64_t most_leased = 0;
  ASSERT_TRUE(waitFor([&] {
    JobFilter f;
    f.limit = 1;
    auto page = store_->listJobs(f);
    if (!page.isOk()) return false;
    most_leased = std::max(most_leased, page->status_counts[JobStatus::running]);
    return page->status_counts[JobStatus::success] == 40;
  }));
  // Two workers at ~20 ms per job finish ~10 jobs in 100 ms: the pool holds about that many.
  EXPECT_LE(most_leased, 14) << "the other 26+ jobs stay queued for other processes";
  EXPECT_GE(most_leased, 2);
}

TEST_F(EngineScheduling, AWorkerPoolRunsOnlyTheQueuesItServes) {
  EngineOptions o = fastOptions(2);
  o.queues = {"fast-lane"};
  Engine& e = open(o, false);
  e.registerJobType({"svc", "act", [](JobContext&) { return Outcome::ok(); }, {}});
  DispatchRequest mine = request();
  mine.queue = "fast-lane";
  int64_t served = dispatch(mine);
  int64_t other = dispatch(request());  // queue defaults to the service name
  EXPECT_EQ(get(other).queue, "svc");
  ASSERT_TRUE(e.start().isOk());
  ASSERT_TRUE(waitStatus(served, JobStatus::success));
  e.stop();
  EXPECT_EQ(get(other).status, JobStatus::queued) << "a job of another queue is left for its own workers";
}

TEST_F(EngineScheduling, UniqueAndIdempotentDispatchesReturnTheExistingJob) {
  open();
  DispatchRequest sync = request("dns", "sync");
  sync.kind = JobKind::sync;
  sync.target_type = "zones";
  sync.unique = true;
  auto first = engine_->dispatch(sync);
  auto second = engine_->dispatch(sync);
  ASSERT_TRUE(first.isOk() && second.isOk());
  EXPECT_EQ(first->id, second->id);
  EXPECT_FALSE(first->existing);
  EXPECT_TRUE(second->existing);
  DispatchRequest other_scope = sync;
  other_scope.target_id = "example.com";
  EXPECT_NE(engine_->dispatch(other_scope)->id, first->id);

  DispatchRequest keyed = request();
  keyed.idempotency_key = "client-req-1";
  auto k1 = engine_->dispatch(keyed);
  keyed.payload = R"({"different":true})";
  auto k2 = engine_->dispatch(keyed);
  EXPECT_EQ(k1->id, k2->id);
}

TEST_F(EngineScheduling, JobsOfALostWorkerAreRescuedAndRunAgain) {
  Engine& e = open();
  e.registerJobType({"svc", "act", [](JobContext&) { return Outcome::ok(); }, {}});
  int64_t id = dispatch(request());
  // A worker of another process claims the job, then dies without a trace.
  ClaimRequest ghost;
  ghost.worker_id = "ghost:1:dead";
  ghost.limit = 1;
  ghost.now = clock_->now();
  ghost.lease = Duration(30000);
  ASSERT_EQ(store_->claimJobs(ghost)->size(), 1u);
  ASSERT_TRUE(e.start().isOk());
  advance(Duration(30001));
  ASSERT_TRUE(waitStatus(id, JobStatus::success, 2));
  EXPECT_EQ(eventTypes(id), std::vector<std::string>{"rescued"});
}

TEST_F(EngineScheduling, GracefulStopReleasesUnfinishedJobsWithoutChargingThem) {
  EngineOptions o = fastOptions(1);
  o.prefetch = 10;
  o.grace = Duration(50);
  Engine& e = open(o, false);
  std::atomic<bool> started{false};
  std::atomic<bool> saw_stop{false};
  e.registerJobType({"svc", "act",
                     [&](JobContext& ctx) {
                       started = true;
                       while (!ctx.stopToken().stop_requested()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
                       saw_stop = true;
                       return Outcome::ok();
                     },
                     {}});
  std::vector<int64_t> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(dispatch(request()));
  ASSERT_TRUE(e.start().isOk());
  ASSERT_TRUE(waitFor([&] { return started.load(); }));
  e.stop();
  EXPECT_TRUE(saw_stop.load());
  for (int64_t id : ids) {
    Job j = get(id);
    EXPECT_EQ(j.status, JobStatus::queued) << id;
    EXPECT_EQ(j.attempts, 0) << id;
  }
  EXPECT_EQ(eventTypes(ids[0]), std::vector<std::string>{"released"});
}

TEST_F(EngineScheduling, ManyWorkersAndDispatchersRunEveryJobExactlyOnce) {
  Engine& e = open(fastOptions(8), false);
  std::mutex mu;
  std::map<int64_t, int> runs;
  e.registerJobType({"svc", "act",
                     [&](JobContext& ctx) {
                       std::lock_guard lock(mu);
                       ++runs[ctx.job().id];
                       return Outcome::ok();
                     },
                     {}});
  ASSERT_TRUE(e.start().isOk());
  constexpr int kThreads = 4, kPerThread = 250;
  std::vector<std::thread> dispatchers;
  std::mutex ids_mu;
  std::set<int64_t> ids;
  for (int t = 0; t < kThreads; ++t) {
    dispatchers.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        DispatchRequest r = request();
        r.target_id = "t" + std::to_string(t) + "-" + std::to_string(i % 7);
        auto d = e.dispatch(r);
        ASSERT_TRUE(d.isOk());
        std::lock_guard lock(ids_mu);
        ids.insert(d->id);
      }
    });
  }
  for (auto& t : dispatchers) t.join();
  ASSERT_EQ(ids.size(), static_cast<size_t>(kThreads * kPerThread));
  ASSERT_TRUE(waitFor([&] {
    JobFilter f;
    f.statuses = {JobStatus::success};
    f.limit = 1;
    auto page = store_->listJobs(f);
    return page.isOk() && page->status_counts[JobStatus::success] == kThreads * kPerThread;
  }, std::chrono::seconds(60)));
  std::lock_guard lock(mu);
  EXPECT_EQ(runs.size(), ids.size());
  for (const auto& [id, n] : runs) EXPECT_EQ(n, 1) << "job " << id;
}

}  // namespace
}  // namespace snapq::testing
