// What several processes sharing one database rely on, on every driver:
// wake-ups, ping, the worker registry, the rescue of dead workers' jobs and
// leader leases.
#include <atomic>
#include <set>
#include <thread>

#include "conformance/store_fixture.h"

namespace snapq::testing {
namespace {

class StoreNodes : public StoreTest {
 protected:
  // Waits until nothing moves the epoch for a while (PostgreSQL's listener
  // connecting, echoes of earlier NOTIFYs), so an absence can be checked.
  uint64_t quietEpoch() {
    uint64_t seen = store_->workEpoch();
    for (int i = 0; i < 40 && store_->waitForWork(seen, Duration(300)); ++i) seen = store_->workEpoch();
    return seen;
  }
  WorkerRecord worker(const std::string& id, TimePoint at, int running = 0) {
    WorkerRecord w;
    w.id = id;
    w.host = "host-" + id;
    w.pid = 4242;
    w.started_at = at;
    w.heartbeat_at = at;
    w.running_jobs = running;
    w.queues = {"mail", "dns"};
    w.version = "0.1.0";
    return w;
  }
  Result<bool> lead(const std::string& holder, TimePoint now, Duration lease = Duration(15000),
                    const std::string& name = "maintenance") {
    return store_->tryLeadership({name, holder, now, now + lease});
  }
  std::vector<JobEvent> events(int64_t id) {
    auto e = store_->jobEvents(id);
    EXPECT_TRUE(e.isOk()) << e.status().toString();
    return e.isOk() ? *e : std::vector<JobEvent>{};
  }
};

TEST_P(StoreNodes, TheSchemaHasTheRegistryTables) {
  auto version = store_->schemaVersion();
  ASSERT_TRUE(version.isOk());
  EXPECT_EQ(*version, store_->latestSchemaVersion());
  EXPECT_GE(*version, 2);
  EXPECT_TRUE(rawQuery(url_, "SELECT id, host, pid, started_at, heartbeat_at, running_jobs, queues, version "
                             "FROM workers")
                  .isOk());
  EXPECT_TRUE(rawQuery(url_, "SELECT name, holder, lease_until FROM leader_leases").isOk());
}

TEST_P(StoreNodes, PingAnswers) { EXPECT_TRUE(store_->ping().isOk()); }

TEST_P(StoreNodes, AnInsertMovesTheWorkEpochAndASuccessDoesNot) {
  insert(job());
  ASSERT_EQ(claim(1).size(), 1u);
  uint64_t seen = quietEpoch();
  ASSERT_TRUE(complete(1, Transition::succeed));
  EXPECT_FALSE(store_->waitForWork(seen, Duration(300))) << "a success queues nothing";
  EXPECT_EQ(store_->workEpoch(), seen);
  int64_t id = insert(job());
  EXPECT_TRUE(store_->waitForWork(seen, Duration(10000))) << "an insert should wake waiters";
  EXPECT_NE(store_->workEpoch(), seen);
  EXPECT_EQ(get(id).status, JobStatus::queued);
}

TEST_P(StoreNodes, RetriesReleasesRescuesAndManualRetriesMoveTheEpoch) {
  for (int i = 0; i < 4; ++i) insert(job());
  auto jobs = claim(4);
  ASSERT_EQ(jobs.size(), 4u);

  uint64_t seen = quietEpoch();
  ASSERT_TRUE(complete(jobs[0].id, Transition::retry_later, "w1", t0() + Duration(1000)));
  EXPECT_TRUE(store_->waitForWork(seen, Duration(10000))) << "retry_later";

  seen = quietEpoch();
  ASSERT_TRUE(complete(jobs[1].id, Transition::release));
  EXPECT_TRUE(store_->waitForWork(seen, Duration(10000))) << "release";

  seen = quietEpoch();
  auto rescued = store_->rescueExpired({t0() + Duration(60000), 1, {}, {}});
  ASSERT_TRUE(rescued.isOk());
  ASSERT_EQ(rescued->size(), 1u);
  EXPECT_TRUE(store_->waitForWork(seen, Duration(10000))) << "rescue";

  ASSERT_TRUE(complete(jobs[3].id, Transition::fail));
  seen = quietEpoch();
  ManagerRequest retry{jobs[3].id, Actor::user("ops"), t0(), false, "", nullptr};
  ASSERT_TRUE(store_->retryJob(retry).isOk());
  EXPECT_TRUE(store_->waitForWork(seen, Duration(10000))) << "manual retry";
}

TEST_P(StoreNodes, AHeartbeatRegistersAndThenRefreshesAWorker) {
  ASSERT_TRUE(store_->heartbeatWorker(worker("b", t0(), 3)).isOk());
  ASSERT_TRUE(store_->heartbeatWorker(worker("a", t0())).isOk());
  WorkerRecord later = worker("b", t0() + Duration(10000), 7);
  later.started_at = t0() + Duration(99999);  // kept from the first heartbeat
  later.host = "elsewhere";
  later.queues = {"mail"};
  ASSERT_TRUE(store_->heartbeatWorker(later).isOk());

  auto workers = store_->listWorkers();
  ASSERT_TRUE(workers.isOk()) << workers.status().toString();
  ASSERT_EQ(workers->size(), 2u);
  EXPECT_EQ(workers->at(0).id, "a");
  const WorkerRecord& b = workers->at(1);
  EXPECT_EQ(b.id, "b");
  EXPECT_EQ(b.host, "host-b");
  EXPECT_EQ(b.pid, 4242);
  EXPECT_EQ(b.started_at, t0());
  EXPECT_EQ(b.heartbeat_at, t0() + Duration(10000));
  EXPECT_EQ(b.running_jobs, 7);
  EXPECT_EQ(b.queues, std::vector<std::string>{"mail"});
  EXPECT_EQ(b.version, "0.1.0");

  ASSERT_TRUE(store_->removeWorker("b").isOk());
  ASSERT_TRUE(store_->removeWorker("nobody").isOk());
  workers = store_->listWorkers();
  ASSERT_TRUE(workers.isOk());
  ASSERT_EQ(workers->size(), 1u);
  EXPECT_EQ(workers->at(0).id, "a");
  EXPECT_TRUE(workers->at(0).queues.size() == 2);
}

TEST_P(StoreNodes, ADeadWorkersJobsAreRescuedBeforeTheirLeasesExpire) {
  NewJob last_try = job();
  last_try.max_attempts = 1;
  int64_t a1 = insert(job());
  int64_t a2 = insert(last_try);
  int64_t b1 = insert(job());
  ASSERT_EQ(claim(2, t0(), "dead").size(), 2u);
  ASSERT_EQ(claim(1, t0(), "alive").size(), 1u);
  ASSERT_TRUE(store_->heartbeatWorker(worker("dead", t0())).isOk());
  ASSERT_TRUE(store_->heartbeatWorker(worker("alive", t0() + Duration(20000))).isOk());

  // 25 s later: the leases (30 s) still run, but "dead" missed its heartbeats.
  TimePoint now = t0() + Duration(25000);
  uint64_t seen = quietEpoch();
  auto rescue = store_->rescueDeadWorkers({now - Duration(15000), now, 100, {}, {}});
  ASSERT_TRUE(rescue.isOk()) << rescue.status().toString();
  EXPECT_EQ(rescue->workers, std::vector<std::string>{"dead"});
  ASSERT_EQ(rescue->jobs.size(), 2u);
  EXPECT_TRUE(store_->waitForWork(seen, Duration(10000))) << "re-queued jobs should wake waiters";

  Job requeued = get(a1);
  EXPECT_EQ(requeued.status, JobStatus::queued);
  EXPECT_EQ(requeued.attempts, 1);
  EXPECT_EQ(requeued.run_at, now);
  EXPECT_TRUE(requeued.locked_by.empty());
  EXPECT_NE(requeued.error.find("worker lost"), std::string::npos) << requeued.error;
  EXPECT_NE(requeued.error.find("dead"), std::string::npos) << requeued.error;
  Job failed = get(a2);
  EXPECT_EQ(failed.status, JobStatus::failed) << "its only attempt was used";
  EXPECT_EQ(failed.finished_at, now);
  EXPECT_EQ(get(b1).status, JobStatus::running) << "a live worker's job is left alone";
  for (int64_t id : {a1, a2}) {
    auto history = events(id);
    ASSERT_FALSE(history.empty());
    EXPECT_EQ(history.back().type, "rescued");
    EXPECT_NE(history.back().message.find("dead"), std::string::npos) << history.back().message;
  }

  auto workers = store_->listWorkers();
  ASSERT_TRUE(workers.isOk());
  ASSERT_EQ(workers->size(), 1u);
  EXPECT_EQ(workers->at(0).id, "alive");
  // The dead worker's late completion is refused; the job is someone else's now.
  EXPECT_FALSE(complete(a1, Transition::succeed, "dead"));
  auto again = store_->rescueDeadWorkers({now - Duration(15000), now, 100, {}, {}});
  ASSERT_TRUE(again.isOk());
  EXPECT_TRUE(again->workers.empty());
  EXPECT_TRUE(again->jobs.empty());
}

// The sync layer fails a mutation's snapshot row in the transaction of the
// rescue that fails its job: the hook sees exactly the jobs the rescue fails,
// and its failure undoes the rescue.
TEST_P(StoreNodes, ARescueHookSeesTheJobsItFailsAndItsFailureUndoesTheRescue) {
  NewJob last_try = job();
  last_try.max_attempts = 1;
  int64_t expiring = insert(last_try);
  int64_t requeued = insert(job());
  ASSERT_EQ(claim(2, t0(), "w1").size(), 2u);
  std::vector<int64_t> seen;
  RescueHook refuse = [&seen](Txn&, const Job& j) {
    seen.push_back(j.id);
    return Status::unavailable("the row could not be written");
  };
  auto refused = store_->rescueExpired({t0() + Duration(60000), 10, refuse, {}});
  EXPECT_FALSE(refused.isOk());
  EXPECT_EQ(seen, std::vector<int64_t>{expiring});
  EXPECT_EQ(get(expiring).status, JobStatus::running) << "rolled back with the hook";
  EXPECT_EQ(get(requeued).status, JobStatus::running);

  seen.clear();
  RescueHook record = [&seen](Txn&, const Job& j) {
    EXPECT_EQ(j.status, JobStatus::failed);
    seen.push_back(j.id);
    return Status::ok();
  };
  auto rescued = store_->rescueExpired({t0() + Duration(60000), 10, record, {}});
  ASSERT_TRUE(rescued.isOk()) << rescued.status().toString();
  EXPECT_EQ(rescued->size(), 2u);
  EXPECT_EQ(seen, std::vector<int64_t>{expiring}) << "a re-queued job is not failed";

  // The same for a dead worker's jobs.
  int64_t dying = insert(last_try);
  ASSERT_EQ(claim(1, t0(), "dead").size(), 1u);
  ASSERT_TRUE(store_->heartbeatWorker(worker("dead", t0())).isOk());
  seen.clear();
  TimePoint now = t0() + Duration(25000);
  auto dead = store_->rescueDeadWorkers({now - Duration(15000), now, 100, record, {}});
  ASSERT_TRUE(dead.isOk()) << dead.status().toString();
  EXPECT_EQ(seen, std::vector<int64_t>{dying});
  EXPECT_EQ(get(dying).status, JobStatus::failed);
}

TEST_P(StoreNodes, ALeaseIsTakenWhenFreeRenewedByItsHolderAndTakenOverOnceExpired) {
  auto a = lead("node-a", t0());
  ASSERT_TRUE(a.isOk()) << a.status().toString();
  EXPECT_TRUE(*a);
  EXPECT_FALSE(*lead("node-b", t0() + Duration(1000))) << "held by node-a";
  EXPECT_TRUE(*lead("node-a", t0() + Duration(10000))) << "its holder renews it";
  EXPECT_FALSE(*lead("node-b", t0() + Duration(20000))) << "renewed until 25 s";
  EXPECT_TRUE(*lead("node-c", t0(), Duration(15000), "scheduler")) << "names are independent";
  EXPECT_TRUE(*lead("node-b", t0() + Duration(25000))) << "expired: taken over";
  EXPECT_FALSE(*lead("node-a", t0() + Duration(26000))) << "the old holder lost it";
  auto rows = rawQuery(url_, "SELECT holder FROM leader_leases WHERE name = 'maintenance'");
  ASSERT_TRUE(rows.isOk());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->at(0).at(0), "node-b");
}

TEST_P(StoreNodes, ReleasingALeaseLetsAnotherTakeItAtOnceButOnlyItsHolderCanRelease) {
  ASSERT_TRUE(*lead("node-a", t0()));
  ASSERT_TRUE(store_->releaseLeadership("maintenance", "node-b").isOk());
  EXPECT_FALSE(*lead("node-b", t0() + Duration(1))) << "node-b cannot release node-a's lease";
  ASSERT_TRUE(store_->releaseLeadership("maintenance", "node-a").isOk());
  EXPECT_TRUE(*lead("node-b", t0() + Duration(2)));
}

TEST_P(StoreNodes, ALeaseRequestMustNameAHolderAndEndInTheFuture) {
  EXPECT_EQ(store_->tryLeadership({"maintenance", "", t0(), t0() + Duration(1)}).status().code(),
            ErrorCode::invalid_argument);
  EXPECT_EQ(store_->tryLeadership({"maintenance", "a", t0(), t0()}).status().code(), ErrorCode::invalid_argument);
}

// Each candidate on its own connection (as separate processes would be),
// racing for the same lease at the same instant, round after round.
TEST_P(StoreNodes, CandidatesRacingFromSeparateConnectionsNeverBothWin) {
  constexpr int kNodes = 4;
  constexpr int kRounds = 25;
  std::vector<std::shared_ptr<Store>> nodes;
  for (int i = 0; i < kNodes; ++i) {
    auto s = openStore(url_);
    ASSERT_TRUE(s.isOk()) << s.status().toString();
    nodes.push_back(std::move(*s));
  }
  for (int round = 0; round < kRounds; ++round) {
    // Each round starts after the previous lease (1 s) ran out.
    TimePoint now = t0() + Duration(2000 * round);
    std::atomic<int> winners{0}, errors{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < kNodes; ++i) {
      threads.emplace_back([&, i] {
        auto won = nodes[i]->tryLeadership({"race", "node-" + std::to_string(i), now, now + Duration(1000)});
        if (!won) ++errors;
        if (won && *won) ++winners;
      });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(errors.load(), 0) << "round " << round;
    EXPECT_EQ(winners.load(), 1) << "round " << round;
  }
}

INSTANTIATE_TEST_SUITE_P(Drivers, StoreNodes, allDrivers(), driverName);

}  // namespace
}  // namespace snapq::testing
