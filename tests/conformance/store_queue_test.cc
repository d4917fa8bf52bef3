// Queue behaviour every driver must share: insert, dedup, claim order,
// per-target ordering, concurrency limits, guarded completion, rescue.
#include <atomic>
#include <thread>

#include "conformance/store_fixture.h"

namespace snapq::testing {
namespace {

using StoreQueue = StoreTest;

TEST_P(StoreQueue, InsertedJobReadsBackAsQueuedWithEveryField) {
  NewJob j = job("billing", "charge");
  j.instance = "eu";
  j.kind = JobKind::mutation;
  j.target_type = "invoice";
  j.target_id = "inv-7";
  j.priority = 2;
  j.trigger_source = TriggerSource::api;
  j.actor = Actor::token("ci-bot");
  j.expected_hash = "abc";
  int64_t id = insert(j);
  Job got = get(id);
  EXPECT_EQ(got.service, "billing");
  EXPECT_EQ(got.instance, "eu");
  EXPECT_EQ(got.kind, JobKind::mutation);
  EXPECT_EQ(got.target_id, "inv-7");
  EXPECT_EQ(got.status, JobStatus::queued);
  EXPECT_EQ(got.attempts, 0);
  EXPECT_EQ(got.max_attempts, 3);
  EXPECT_EQ(got.priority, 2);
  EXPECT_EQ(got.trigger_source, TriggerSource::api);
  EXPECT_EQ(got.actor, Actor::token("ci-bot"));
  EXPECT_EQ(got.payload, R"({"n":1})");
  EXPECT_EQ(got.expected_hash, "abc");
  EXPECT_EQ(got.created_at, t0());
  EXPECT_EQ(got.run_at, t0());
  EXPECT_FALSE(got.started_at);
}

TEST_P(StoreQueue, UniqueKeyReturnsTheOpenJobAndAllowsANewOneAfterItEnds) {
  NewJob j = job();
  j.unique_key = "svc|default|sync|zones|";
  int64_t first = insert(j);
  InsertJobsRequest again;
  again.now = t0();
  again.jobs = {j};
  auto dup = store_->insertJobs(again);
  ASSERT_TRUE(dup.isOk());
  EXPECT_EQ(dup->front().id, first);
  EXPECT_TRUE(dup->front().existing);
  ASSERT_EQ(claim(1).size(), 1u);
  ASSERT_TRUE(complete(first, Transition::succeed));
  int64_t second = insert(j);
  EXPECT_NE(second, first);
}

TEST_P(StoreQueue, IdempotencyKeyReturnsTheSameJobEvenAfterItFinished) {
  NewJob j = job();
  j.idempotency_key = "req-42";
  int64_t first = insert(j);
  ASSERT_EQ(claim(1).size(), 1u);
  ASSERT_TRUE(complete(first, Transition::succeed));
  InsertJobsRequest again;
  again.now = t0();
  again.jobs = {j, j};
  auto dup = store_->insertJobs(again);
  ASSERT_TRUE(dup.isOk());
  EXPECT_EQ(dup->at(0).id, first);
  EXPECT_EQ(dup->at(1).id, first);
}

TEST_P(StoreQueue, ClaimTakesDueJobsByPriorityThenAge) {
  NewJob low = job();
  low.priority = 3;
  NewJob high = job();
  high.priority = 1;
  NewJob later = job();
  later.run_at = t0() + Duration(60000);
  int64_t a = insert(low);
  int64_t b = insert(high);
  int64_t c = insert(later);
  int64_t d = insert(high);
  auto got = claim(10);
  EXPECT_EQ(ids(got), (std::vector<int64_t>{b, d, a}));
  for (const Job& j : got) {
    EXPECT_EQ(j.status, JobStatus::running);
    EXPECT_EQ(j.attempts, 1);
    EXPECT_EQ(j.locked_by, "w1");
    EXPECT_EQ(j.lease_until, t0() + Duration(30000));
  }
  EXPECT_TRUE(claim(10).empty());
  EXPECT_EQ(ids(claim(10, t0() + Duration(60000))), std::vector<int64_t>{c});
}

TEST_P(StoreQueue, JobsOfOneTargetRunOneAtATimeInDispatchOrder) {
  int64_t first = insert(recordJob("r1"));
  int64_t second = insert(recordJob("r1"));
  int64_t third = insert(recordJob("r2"));
  EXPECT_EQ(ids(claim(10)), (std::vector<int64_t>{first, third}));
  EXPECT_TRUE(claim(10).empty()) << "second must wait while first runs";
  // A failed attempt waiting for its retry still holds the target.
  ASSERT_TRUE(complete(first, Transition::retry_later, "w1", t0() + Duration(5000)));
  EXPECT_TRUE(claim(10).empty());
  EXPECT_EQ(ids(claim(10, t0() + Duration(5000))), std::vector<int64_t>{first});
  ASSERT_TRUE(complete(first, Transition::succeed));
  EXPECT_EQ(ids(claim(10, t0() + Duration(5000))), std::vector<int64_t>{second});
}

// One at a time holds whatever the ids say: a job that is queued again after a
// later job of its target started (retried by hand here; on PostgreSQL also a
// dispatch that committed after another node's later-numbered one) waits for
// the running job instead of joining it.
TEST_P(StoreQueue, AJobRetriedByHandWaitsWhileALaterJobOfItsTargetRuns) {
  int64_t first = insert(recordJob("r1"));
  int64_t second = insert(recordJob("r1"));
  EXPECT_EQ(ids(claim(10)), std::vector<int64_t>{first});
  ASSERT_TRUE(complete(first, Transition::fail));
  EXPECT_EQ(ids(claim(10)), std::vector<int64_t>{second});
  auto retried = store_->retryJob({first, Actor::user("alice"), t0() + Duration(1000), false, "127.0.0.1", {}});
  ASSERT_TRUE(retried.isOk()) << retried.status().toString();
  EXPECT_TRUE(claim(10, t0() + Duration(1000)).empty()) << "the retried job must wait while the later one runs";
  ASSERT_TRUE(complete(second, Transition::succeed));
  EXPECT_EQ(ids(claim(10, t0() + Duration(1000))), std::vector<int64_t>{first});
}

TEST_P(StoreQueue, ServiceConcurrencyLimitCountsRunningJobsOfEveryWorker) {
  for (int i = 0; i < 5; ++i) insert(job("slow"));
  for (int i = 0; i < 2; ++i) insert(job("fast"));
  auto first = claim(10, t0(), "w1", {{"slow", 2}});
  auto second = claim(10, t0(), "w2", {{"slow", 2}});
  int slow = 0;
  for (const Job& j : first) slow += j.service == "slow";
  EXPECT_EQ(slow, 2);
  EXPECT_EQ(first.size(), 4u);
  EXPECT_TRUE(second.empty()) << "slow is at its limit, fast is drained";
  ASSERT_TRUE(complete(first[0].service == "slow" ? first[0].id : first[1].id, Transition::succeed));
  EXPECT_EQ(claim(10, t0(), "w2", {{"slow", 2}}).size(), 1u);
}

TEST_P(StoreQueue, CompletionIsRefusedOnceTheJobIsNoLongerThisWorkers) {
  int64_t id = insert(job());
  ASSERT_EQ(claim(1).size(), 1u);
  EXPECT_FALSE(complete(id, Transition::succeed, "w2")) << "another worker cannot finish it";
  auto rescued = store_->rescueExpired({t0() + Duration(31000), 10, {}, {}});
  ASSERT_TRUE(rescued.isOk());
  ASSERT_EQ(rescued->size(), 1u);
  EXPECT_FALSE(complete(id, Transition::succeed, "w1")) << "a late worker cannot overwrite a rescue";
  Job j = get(id);
  EXPECT_EQ(j.status, JobStatus::queued);
  EXPECT_EQ(j.error, "attempt 1 failed: worker lost (lease expired)");
}

TEST_P(StoreQueue, SuccessRecordsTimingsAndErasesTheSealedPayload) {
  NewJob j = job();
  j.sealed_payload = std::string("\x01sealed\0bytes", 13);
  int64_t id = insert(j);
  EXPECT_EQ(get(id).sealed_payload, j.sealed_payload);
  ASSERT_EQ(claim(1).size(), 1u);
  ASSERT_TRUE(complete(id, Transition::succeed));
  Job done = get(id);
  EXPECT_EQ(done.status, JobStatus::success);
  EXPECT_EQ(done.started_at, t0());
  EXPECT_EQ(done.finished_at, t0() + Duration(25));
  EXPECT_EQ(done.duration_ms, 25);
  EXPECT_TRUE(done.sealed_payload.empty());
  EXPECT_TRUE(done.locked_by.empty());
}

TEST_P(StoreQueue, FailureKeepsTheSealedPayloadForARetry) {
  NewJob j = job();
  j.sealed_payload = "sealed";
  int64_t id = insert(j);
  ASSERT_EQ(claim(1).size(), 1u);
  ASSERT_TRUE(complete(id, Transition::fail));
  EXPECT_EQ(get(id).sealed_payload, "sealed");
}

TEST_P(StoreQueue, ReleaseDoesNotChargeAnAttempt) {
  int64_t id = insert(job());
  ASSERT_EQ(claim(1).size(), 1u);
  ASSERT_TRUE(complete(id, Transition::release));
  Job j = get(id);
  EXPECT_EQ(j.status, JobStatus::queued);
  EXPECT_EQ(j.attempts, 0);
}

TEST_P(StoreQueue, RescueFailsAJobWhoseAttemptsAreExhausted) {
  NewJob j = job();
  j.max_attempts = 1;
  int64_t id = insert(j);
  ASSERT_EQ(claim(1).size(), 1u);
  ASSERT_TRUE(store_->extendLeases("w2", {id}, t0() + Duration(90000)).isOk());
  EXPECT_EQ(get(id).lease_until, t0() + Duration(30000)) << "another worker cannot extend it";
  ASSERT_TRUE(store_->extendLeases("w1", {id}, t0() + Duration(90000)).isOk());
  auto none = store_->rescueExpired({t0() + Duration(60000), 10, {}, {}});
  ASSERT_TRUE(none.isOk());
  EXPECT_TRUE(none->empty()) << "the heartbeat extended the lease";
  auto rescued = store_->rescueExpired({t0() + Duration(91000), 10, {}, {}});
  ASSERT_TRUE(rescued.isOk());
  ASSERT_EQ(rescued->size(), 1u);
  EXPECT_EQ(rescued->front().status, JobStatus::failed);
  Job after = get(id);
  EXPECT_EQ(after.status, JobStatus::failed);
  EXPECT_TRUE(after.finished_at.has_value());
  auto events = store_->jobEvents(id);
  ASSERT_TRUE(events.isOk());
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ(events->front().type, "rescued");
}

TEST_P(StoreQueue, DispatchHookFailureRollsTheInsertBack) {
  InsertJobsRequest r;
  r.now = t0();
  r.jobs = {job(), job()};
  std::vector<InsertedJob> seen;
  r.extra = [&seen](Txn&, const std::vector<InsertedJob>& jobs) {
    seen = jobs;
    return Status::invalidArgument("row is locked");
  };
  auto result = store_->insertJobs(std::move(r));
  EXPECT_FALSE(result.isOk());
  EXPECT_EQ(result.status().message(), "row is locked");
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(store_->getJob(seen[0].id).status().code(), ErrorCode::not_found);
  // The failed dispatch left the next one unharmed.
  int64_t id = insert(job());
  EXPECT_EQ(get(id).status, JobStatus::queued);
}

// InsertJobsRequest::on_written is where the engine takes a dispatch's place in
// the order of job changes: it must run for every dispatch that commits, with
// or without a hook, shared INSERT or not, and before any later write (a claim
// of the job) can run.
TEST_P(StoreQueue, OnWrittenRunsForEveryDispatchBeforeAnyLaterWrite) {
  std::atomic<bool> written{false};
  std::thread slow([&] {
    InsertJobsRequest r;
    r.now = t0();
    r.jobs = {job()};
    r.on_written = [&written] {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      written = true;
    };
    EXPECT_TRUE(store_->insertJobs(std::move(r)).isOk());
  });
  // Whenever a claim gets the job, the dispatch's on_written has returned.
  std::vector<Job> got;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (got.empty() && std::chrono::steady_clock::now() < deadline) {
    got = claim(1);
    if (!got.empty()) {
      EXPECT_TRUE(written.load()) << "a write ran before the dispatch's on_written returned";
    }
  }
  slow.join();
  EXPECT_EQ(got.size(), 1u);

  constexpr int kThreads = 8, kEach = 20;
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        int calls = 0;
        InsertJobsRequest r;
        r.now = t0();
        r.jobs = {job()};
        r.on_written = [&calls] { ++calls; };
        if ((t + i) % 3 == 0) r.extra = [](Txn&, const std::vector<InsertedJob>&) { return Status::ok(); };
        if (!store_->insertJobs(std::move(r)).isOk() || calls < 1) ++wrong;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
}

TEST_P(StoreQueue, NextRunAtIsTheEarliestQueuedJob) {
  auto none = store_->nextRunAt({});
  ASSERT_TRUE(none.isOk());
  EXPECT_FALSE(none->has_value());
  NewJob j = job();
  j.run_at = t0() + Duration(9000);
  insert(j);
  j.run_at = t0() + Duration(4000);
  insert(j);
  auto next = store_->nextRunAt({});
  ASSERT_TRUE(next.isOk());
  EXPECT_EQ(**next, t0() + Duration(4000));
}

TEST_P(StoreQueue, AFailingCompletionHookUndoesOnlyItsOwnJob) {
  int64_t a = insert(job());
  int64_t b = insert(job());
  ASSERT_EQ(claim(2).size(), 2u);
  std::vector<JobCompletion> batch(2);
  for (int i = 0; i < 2; ++i) {
    batch[i].job_id = i == 0 ? a : b;
    batch[i].worker_id = "w1";
    batch[i].transition = Transition::succeed;
    batch[i].started_at = t0();
    batch[i].finished_at = t0();
  }
  batch[0].extra = [](Txn&) { return Status::unavailable("snapshot row is gone"); };
  bool hook_ran = false;
  batch[1].extra = [&hook_ran](Txn&) {
    hook_ran = true;
    return Status::ok();
  };
  auto applied = store_->completeJobsAndWait(batch);
  ASSERT_TRUE(applied.isOk());
  EXPECT_EQ(*applied, (std::vector<bool>{false, true}));
  EXPECT_TRUE(hook_ran);
  EXPECT_EQ(get(a).status, JobStatus::running);
  EXPECT_EQ(get(b).status, JobStatus::success);
}

INSTANTIATE_TEST_SUITE_P(Drivers, StoreQueue, allDrivers(), driverName);

}  // namespace
}  // namespace snapq::testing
