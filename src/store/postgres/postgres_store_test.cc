// What only the PostgreSQL driver does: wake-ups across nodes through
// LISTEN/NOTIFY, reconnection after the server dropped its connections,
// migrations from several nodes at once, claims from several nodes that never
// hand one job to two of them, and the writer's plans. The shared behaviour is in tests/conformance.
#include "store/postgres/postgres_store.h"

#include <gmock/gmock.h>

#include <atomic>
#include <future>
#include <set>
#include <thread>

#include "store/postgres/completions.h"
#include "test_support.h"

namespace snapq::testing {
namespace {

TimePoint t0() { return TimePoint(Duration(1'764'000'000'000)); }

// What EXPLAIN says of `sql` on `conn`, one line per plan line.
std::string planOf(pg::Conn& conn, const std::string& sql, const pg::Params& params) {
  auto plan = conn.query("EXPLAIN " + sql, params);
  EXPECT_TRUE(plan.isOk()) << plan.status().toString();
  std::string text;
  for (int r = 0; plan.isOk() && r < plan->size(); ++r) text += plan->text(r, 0) + "\n";
  return text;
}

class PostgresDriver : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = openTestStore("postgres", dir_, &url_);
    pg_ = dynamic_cast<pg::PostgresStore*>(store_.get());
    ASSERT_NE(pg_, nullptr);
  }

  // Another node: a second store on the same database.
  std::shared_ptr<Store> otherNode() {
    auto other = openStore(url_);
    EXPECT_TRUE(other.isOk()) << other.status().toString();
    return other.isOk() ? *other : nullptr;
  }

  static Status insert(Store& store, int count, const std::string& queue = "q") {
    InsertJobsRequest r;
    r.now = t0();
    for (int i = 0; i < count; ++i) {
      NewJob j;
      j.service = "svc";
      j.action = "act";
      j.queue = queue;
      r.jobs.push_back(j);
    }
    return store.insertJobs(std::move(r)).status();
  }

  // Waits until the listening connection is up (its first wake-up), so what
  // follows cannot be announced before anyone listens, and then until 300 ms
  // pass without a wake-up: the NOTIFY of a dispatch made just before is sent
  // after the dispatch returns and may reach the new listener late.
  uint64_t listening() {
    uint64_t first = pg_->workEpoch();
    EXPECT_TRUE(pg_->waitForWork(first, Duration(10000))) << "the listener never connected";
    uint64_t seen = pg_->workEpoch();
    while (pg_->waitForWork(seen, Duration(300))) seen = pg_->workEpoch();
    return seen;
  }

  TempDir dir_;
  std::string url_;
  std::shared_ptr<Store> store_;
  pg::PostgresStore* pg_ = nullptr;
};

TEST_F(PostgresDriver, JobsQueuedOnAnotherNodeWakeTheWaiters) {
  uint64_t seen = listening();
  auto other = otherNode();
  ASSERT_TRUE(other);
  auto woken = std::async(std::launch::async, [&] { return pg_->waitForWork(seen, Duration(10000)); });
  ASSERT_TRUE(insert(*other, 1000).isOk());
  EXPECT_TRUE(woken.get()) << "no NOTIFY arrived within 10 s";
}

// A node sends at most one NOTIFY per few milliseconds (pg::Writer::sendNotify):
// one for work queued within that gap is sent late, not dropped.
TEST_F(PostgresDriver, DispatchesInQuickSuccessionEachWakeTheOtherNodes) {
  uint64_t seen = listening();
  auto other = otherNode();
  ASSERT_TRUE(other);
  for (int round = 0; round < 5; ++round) {
    ASSERT_TRUE(insert(*other, 1).isOk());
    ASSERT_TRUE(pg_->waitForWork(seen, Duration(10000))) << "no NOTIFY arrived for dispatch " << round;
    seen = pg_->workEpoch();
  }
}

TEST_F(PostgresDriver, FinishingJobsWakesNobodyButARetryDoes) {
  ASSERT_TRUE(insert(*store_, 2).isOk());
  uint64_t seen = listening();
  ClaimRequest claim{"w1", {}, 2, t0(), Duration(30000), {}};
  auto jobs = store_->claimJobs(claim);
  ASSERT_TRUE(jobs.isOk());
  ASSERT_EQ(jobs->size(), 2u);
  JobCompletion done{jobs->at(0).id, "w1", Transition::succeed, "", "", t0(), t0(), t0(), std::nullopt, nullptr, {}};
  ASSERT_TRUE(store_->completeJobsAndWait({done}).isOk());
  // Proving an absence needs a bounded wait; 300 ms is far above a local NOTIFY's latency.
  EXPECT_FALSE(pg_->waitForWork(seen, Duration(300))) << "a success queues nothing and should not wake workers";
  JobCompletion again = done;
  again.job_id = jobs->at(1).id;
  again.transition = Transition::retry_later;
  again.error = "attempt 1 failed: boom";
  ASSERT_TRUE(store_->completeJobsAndWait({again}).isOk());
  EXPECT_TRUE(pg_->waitForWork(seen, Duration(10000))) << "a re-queued job should wake workers";
}

TEST_F(PostgresDriver, ReconnectsAfterTheServerDroppedEveryConnection) {
  ASSERT_TRUE(insert(*store_, 1).isOk());
  uint64_t seen = listening();
  // Each backend is waited for until it has exited: the connections are then
  // dead, not dying, when they are used next.
  auto killed = rawQuery(url_,
                         "SELECT count(pg_terminate_backend(pid, 10000)) FROM pg_stat_activity "
                         "WHERE datname = current_database() AND pid <> pg_backend_pid()");
  ASSERT_TRUE(killed.isOk()) << killed.status().toString();
  EXPECT_GE(std::stoi(killed->at(0).at(0)), 3) << "writer, reader(s) and listener were connected";
  // Idle connections that died are replaced on their next use: nothing was in
  // flight, so nothing fails.
  EXPECT_TRUE(insert(*store_, 1).isOk());
  auto job = store_->getJob(2);
  EXPECT_TRUE(job.isOk()) << job.status().toString();
  JobFilter all;
  auto page = store_->listJobs(all);
  ASSERT_TRUE(page.isOk()) << page.status().toString();
  EXPECT_EQ(page->jobs.size(), 2u);
  // This process's own insert moved the epoch without the listener; what
  // another node queues from now on arrives only through a listener that came
  // back (which also wakes waiters by itself when it reconnects).
  seen = pg_->workEpoch();
  auto other = otherNode();
  ASSERT_TRUE(other);
  ASSERT_TRUE(insert(*other, 1).isOk());
  EXPECT_TRUE(pg_->waitForWork(seen, Duration(10000))) << "the listener reconnects and wakes waiters";
}

// A connection that failed to reconnect waits out a backoff (up to 5 s)
// before its next attempt. Once another connection of the process has
// reconnected the server is back: it tries at once instead of answering
// "unreachable" (the engine would log the outage again right after its end).
TEST(PostgresConnection, ABackingOffConnectionTriesAgainOnceAnotherHasReconnected) {
  PrivatePostgres server;
  auto early = pg::Conn::open(server.url());
  auto late = pg::Conn::open(server.url());
  ASSERT_TRUE(early.isOk() && late.isOk());
  server.stop();
  EXPECT_FALSE((*early)->query("SELECT 1", pg::Params()).isOk());
  // `late` keeps trying while the server is down: its waits grow to seconds.
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(3500);
  while (std::chrono::steady_clock::now() < until) {
    EXPECT_FALSE((*late)->query("SELECT 1", pg::Params()).isOk());
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  server.restart();
  auto first = (*early)->query("SELECT 1", pg::Params());
  ASSERT_TRUE(first.isOk()) << first.status().toString();
  auto second = (*late)->query("SELECT 1", pg::Params());
  EXPECT_TRUE(second.isOk()) << second.status().toString();
}

// libpq's messages may span lines; an error holds them on one (one log line).
TEST(PostgresConnection, AConnectionErrorIsOneLine) {
  auto conn = pg::Conn::open("postgresql://snapq@/snapq?host=/nonexistent-snapq-socket-dir&port=5999");
  ASSERT_FALSE(conn.isOk());
  EXPECT_EQ(conn.status().code(), ErrorCode::unavailable);
  EXPECT_THAT(conn.status().message(), ::testing::HasSubstr("No such file or directory"));
  EXPECT_EQ(conn.status().message().find('\n'), std::string::npos) << conn.status().message();
}

TEST_F(PostgresDriver, AnUnreachableServerIsUnavailableAndTheErrorHoldsNoPassword) {
  auto store = openStore("postgresql://snapq:hunter2@/snapq?host=" + dir_.path().string() + "&port=1");
  ASSERT_FALSE(store.isOk());
  EXPECT_EQ(store.status().code(), ErrorCode::unavailable);
  EXPECT_EQ(store.status().message().find("hunter2"), std::string::npos) << store.status().message();
}

TEST_F(PostgresDriver, NodesMigratingAtOnceApplyEachMigrationOnce) {
  // Back to an empty database, whatever the migrations created.
  ASSERT_TRUE(rawExec(url_, "DROP SCHEMA public CASCADE; CREATE SCHEMA public").isOk());
  std::vector<std::shared_ptr<Store>> nodes;
  for (int i = 0; i < 3; ++i) nodes.push_back(otherNode());
  std::vector<std::thread> threads;
  std::vector<Status> results(nodes.size());
  for (size_t i = 0; i < nodes.size(); ++i) {
    threads.emplace_back([&, i] { results[i] = nodes[i]->migrate(); });
  }
  for (auto& t : threads) t.join();
  for (const Status& s : results) EXPECT_TRUE(s.isOk()) << s.toString();
  auto versions = rawQuery(url_, "SELECT count(*), count(DISTINCT version) FROM schema_migrations");
  ASSERT_TRUE(versions.isOk());
  EXPECT_EQ(versions->at(0).at(0), versions->at(0).at(1));
  EXPECT_EQ(versions->at(0).at(0), std::to_string(store_->latestSchemaVersion()));
}

// Migration 8: the audit log's service, target, actor and created indexes get
// no entry for a queued or a claimed job (its versions cost an entry in every
// index otherwise), one when it finishes. An empty btree is its metapage alone.
TEST_F(PostgresDriver, OpenJobsAreNotEnteredInTheAuditIndexes) {
  const std::string sizes =
      "SELECT pg_relation_size('sync_jobs_service'), pg_relation_size('sync_jobs_target'), "
      "pg_relation_size('sync_jobs_actor'), pg_relation_size('sync_jobs_created')";
  ASSERT_TRUE(insert(*store_, 1000).isOk());
  ClaimRequest claim{"w1", {}, 500, t0(), Duration(30000), {}};
  auto jobs = store_->claimJobs(claim);
  ASSERT_TRUE(jobs.isOk());
  ASSERT_EQ(jobs->size(), 500u);
  auto open = rawQuery(url_, sizes);
  ASSERT_TRUE(open.isOk());
  for (const std::string& size : open->at(0)) EXPECT_EQ(size, "8192") << "an audit index holds open jobs";
  std::vector<JobCompletion> done;
  for (const Job& j : *jobs) {
    done.push_back({j.id, "w1", Transition::succeed, "", "", t0(), t0(), t0(), std::nullopt, nullptr, {}});
  }
  ASSERT_TRUE(store_->completeJobsAndWait(done).isOk());
  auto finished = rawQuery(url_, sizes);
  ASSERT_TRUE(finished.isOk());
  for (const std::string& size : finished->at(0)) EXPECT_GT(std::stoll(size), 8192) << "finished jobs are not indexed";
}

// Single dispatches from many threads share INSERTs (the writer's Combinable):
// each caller still gets its own jobs, with its own creation time, and a
// dispatch that fails is rolled back alone. Without hooks the shared INSERT is
// the whole transaction (Writer::runOneStatement): a job the server refuses
// (max_attempts 0 breaks a CHECK) fails that statement, and each dispatch then
// runs alone; with hooks, a hook that refuses fails its own dispatch.
class SharedInserts : public PostgresDriver {
 protected:
  void dispatchFromThreads(bool hooks) {
    constexpr int kThreads = 12, kEach = 25;
    std::atomic<int> wrong{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kEach; ++i) {
          bool doomed = i % 7 == 3;
          InsertJobsRequest r;
          r.now = t0() + Duration(1000 * t + i);
          int jobs = 1 + (i % 3);
          for (int k = 0; k < jobs; ++k) {
            NewJob j;
            j.service = "svc";
            j.action = "act";
            j.queue = "q";
            j.target_id = std::to_string(t) + "-" + std::to_string(i) + "-" + std::to_string(k);
            if (doomed && !hooks && k == jobs - 1) j.max_attempts = 0;
            r.jobs.push_back(j);
          }
          if (hooks) {
            r.extra = [doomed](Txn&, const std::vector<InsertedJob>& ids) {
              return doomed ? Status::internal("hook refused") : ids.empty() ? Status::internal("no ids") : Status::ok();
            };
          }
          auto inserted = store_->insertJobs(r);
          if (doomed) {
            if (inserted.isOk()) ++wrong;
            continue;
          }
          if (!inserted.isOk() || static_cast<int>(inserted->size()) != jobs) {
            ++wrong;
            continue;
          }
          for (int k = 0; k < jobs; ++k) {
            auto job = store_->getJob((*inserted)[k].id);
            if (!job.isOk() || job->target_id != r.jobs[k].target_id || job->created_at != r.now) ++wrong;
          }
        }
      });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(wrong.load(), 0);
    JobFilter f;
    f.limit = 1;
    auto page = store_->listJobs(f);
    ASSERT_TRUE(page.isOk()) << page.status().toString();
    int64_t expected = 0;
    for (int i = 0; i < kEach; ++i) expected += i % 7 == 3 ? 0 : 1 + (i % 3);
    EXPECT_EQ(page->status_counts[JobStatus::queued], expected * kThreads);
  }
};

TEST_F(SharedInserts, DispatchesWithHooksEachGetTheirOwnJobsAndFailAlone) { dispatchFromThreads(true); }

TEST_F(SharedInserts, DispatchesInOneStatementEachGetTheirOwnJobsAndFailAlone) { dispatchFromThreads(false); }

// A completion of many jobs, planned for its real size on the writer's
// connection (its first executions get custom plans), must look each job up in
// the primary key, not compare every job with every running row.
TEST_F(PostgresDriver, ACompletionOfManyJobsLooksEachUpByItsId) {
  constexpr int kRunning = 1500, kDone = 1000;
  ASSERT_TRUE(insert(*store_, kRunning + 500).isOk());
  ClaimRequest claim{"w", {}, kRunning, t0(), Duration(30000), {}};
  auto claimed = store_->claimJobs(claim);
  ASSERT_TRUE(claimed.isOk()) << claimed.status().toString();
  ASSERT_EQ(static_cast<int>(claimed->size()), kRunning);
  std::vector<JobCompletion> done(kDone);
  std::vector<const JobCompletion*> group;
  for (int i = 0; i < kDone; ++i) {
    done[i].job_id = (*claimed)[i].id;
    done[i].worker_id = "w";
    done[i].started_at = done[i].finished_at = t0();
    group.push_back(&done[i]);
  }
  for (bool analyzed : {false, true}) {
    auto writer = pg::Conn::open(url_, pg::writerSettings(StoreOptions{}));
    ASSERT_TRUE(writer.isOk()) << writer.status().toString();
    if (analyzed) {
      ASSERT_TRUE((*writer)->exec("ANALYZE sync_jobs").isOk());
    }
    pg::Statement update = pg::transitionStatement(Transition::succeed, group);
    std::string text = planOf(**writer, update.sql, update.params);
    EXPECT_THAT(text, ::testing::HasSubstr("Index Cond: (id = c.id)")) << (analyzed ? "analyzed\n" : "") << text;
    EXPECT_THAT(text, ::testing::Not(::testing::HasSubstr("Join Filter"))) << text;
  }
}

// The writer forbids sequential scans (writerSettings), so a statement only a
// sequential scan can run is costed 10^10: past jit_above_cost, where
// PostgreSQL would spend 100-200 ms compiling a statement that runs in
// milliseconds. The writer's connection compiles nothing.
TEST_F(PostgresDriver, TheWriterNeverCompilesAStatement) {
  auto writer = pg::Conn::open(url_, pg::writerSettings(StoreOptions{}));
  ASSERT_TRUE(writer.isOk()) << writer.status().toString();
  std::string text = planOf(**writer, "SELECT count(*) FROM sync_jobs WHERE payload = $1", pg::Params().text("{}"));
  ASSERT_THAT(text, ::testing::HasSubstr("Seq Scan")) << text;
  EXPECT_THAT(text, ::testing::Not(::testing::HasSubstr("JIT"))) << text;
}

TEST_F(PostgresDriver, NodesClaimingAtOnceNeverShareAJob) {
  constexpr int kJobs = 600;
  ASSERT_TRUE(insert(*store_, kJobs).isOk());
  std::vector<std::shared_ptr<Store>> nodes = {store_, otherNode(), otherNode()};
  std::vector<std::vector<int64_t>> claimed(nodes.size());
  std::atomic<int> taken{0};
  std::vector<std::thread> threads;
  for (size_t i = 0; i < nodes.size(); ++i) {
    threads.emplace_back([&, i] {
      ClaimRequest r{"w" + std::to_string(i), {}, 7, t0(), Duration(30000), {}};
      auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
      while (taken < kJobs && std::chrono::steady_clock::now() < deadline) {
        auto jobs = nodes[i]->claimJobs(r);
        ASSERT_TRUE(jobs.isOk()) << jobs.status().toString();
        for (const Job& j : *jobs) claimed[i].push_back(j.id);
        taken += static_cast<int>(jobs->size());
      }
    });
  }
  for (auto& t : threads) t.join();
  std::set<int64_t> all;
  size_t total = 0;
  for (const auto& ids : claimed) {
    total += ids.size();
    all.insert(ids.begin(), ids.end());
  }
  EXPECT_EQ(total, static_cast<size_t>(kJobs)) << "every job claimed exactly once";
  EXPECT_EQ(all.size(), static_cast<size_t>(kJobs));
}

}  // namespace
}  // namespace snapq::testing
