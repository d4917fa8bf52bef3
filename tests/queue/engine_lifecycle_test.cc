// The job lifecycle as users see it through the engine: retries with backoff,
// final failure, rejection, timeouts, cancel, manual retry, conflict, hooks.
#include "queue/engine_fixture.h"

namespace snapq::testing {
namespace {

using EngineLifecycle = EngineTest;

TEST_F(EngineLifecycle, RetryableFailuresBackOffPerPolicyUntilSuccess) {
  Engine& e = open();
  std::atomic<int> calls{0};
  e.registerJobType({"svc", "act",
                     [&](JobContext&) { return ++calls < 3 ? Outcome::retry("503 from remote") : Outcome::ok(R"({"ok":true})"); },
                     RetryPolicy{.max_attempts = 3, .backoff = {Duration(10000), Duration(30000)}}});
  int64_t id = dispatch(request());
  TimePoint start = clock_->now();
  ASSERT_TRUE(e.start().isOk());
  ASSERT_TRUE(waitStatus(id, JobStatus::queued, 1));
  Job after1 = get(id);
  EXPECT_EQ(after1.error, "attempt 1 failed: 503 from remote");
  EXPECT_EQ(after1.run_at, start + Duration(10000));
  advance(Duration(9999));
  advance(Duration(1));
  ASSERT_TRUE(waitStatus(id, JobStatus::queued, 2));
  EXPECT_EQ(get(id).run_at, start + Duration(40000)) << "second wait is the list's second entry";
  advance(Duration(30000));
  ASSERT_TRUE(waitStatus(id, JobStatus::success, 3));
  Job done = get(id);
  EXPECT_EQ(done.result, R"({"ok":true})");
  EXPECT_EQ(calls.load(), 3);
  EXPECT_EQ(eventTypes(id), (std::vector<std::string>{"attempt_failed", "attempt_failed"}));
}

TEST_F(EngineLifecycle, LastAttemptFailsTheJobAndNotifiesListeners) {
  Engine& e = open();
  std::mutex mu;
  std::vector<Job> finished;
  e.onJobFinished([&](const Job& j) {
    std::lock_guard lock(mu);
    finished.push_back(j);
  });
  e.registerJobType({"svc", "act", [](JobContext&) { return Outcome::retry("timeout talking to remote"); },
                     RetryPolicy{.max_attempts = 2, .backoff = {Duration(1000)}}});
  int64_t id = dispatch(request());
  ASSERT_TRUE(e.start().isOk());
  ASSERT_TRUE(waitStatus(id, JobStatus::queued, 1));
  advance(Duration(1000));
  ASSERT_TRUE(waitStatus(id, JobStatus::failed, 2));
  EXPECT_EQ(get(id).error, "attempt 2 failed: timeout talking to remote");
  ASSERT_TRUE(waitFor([&] {
    std::lock_guard lock(mu);
    return finished.size() == 1;
  }));
  std::lock_guard lock(mu);
  EXPECT_EQ(finished[0].id, id);
  EXPECT_EQ(finished[0].status, JobStatus::failed);
}

TEST_F(EngineLifecycle, RejectedFailsAtOnceWithoutRetrying) {
  Engine& e = open();
  e.registerJobType({"svc", "act", [](JobContext&) { return Outcome::reject("422: email is invalid"); },
                     maxAttempts(5)});
  int64_t id = dispatch(request());
  ASSERT_TRUE(e.start().isOk());
  ASSERT_TRUE(waitStatus(id, JobStatus::failed, 1));
  EXPECT_EQ(get(id).error, "attempt 1 failed: 422: email is invalid");
  EXPECT_EQ(get(id).max_attempts, 5);
}

TEST_F(EngineLifecycle, AJobWithNoHandlerFailsWithAClearError) {
  Engine& e = open();
  int64_t id = dispatch(request("nobody", "home"));
  ASSERT_TRUE(e.start().isOk());
  ASSERT_TRUE(waitStatus(id, JobStatus::failed));
  EXPECT_EQ(get(id).error, "attempt 1 failed: no handler registered for nobody/home");
}

TEST_F(EngineLifecycle, AHandlerPastItsTimeoutIsStoppedAndTheAttemptFails) {
  Engine& e = open();
  std::atomic<bool> entered{false};
  e.registerJobType({"svc", "act",
                     [&](JobContext& ctx) {
                       entered = true;
                       while (!ctx.stopToken().stop_requested()) std::this_thread::yield();
                       return Outcome::retry("interrupted");
                     },
                     maxAttempts(1), Duration(100)});
  int64_t id = dispatch(request());
  ASSERT_TRUE(e.start().isOk());
  ASSERT_TRUE(waitFor([&] { return entered.load(); }));
  advance(Duration(100));
  ASSERT_TRUE(waitStatus(id, JobStatus::failed));
  EXPECT_EQ(get(id).error, "attempt 1 failed: timed out after 100 ms");
}

TEST_F(EngineLifecycle, AHandlerThatThrowsCountsAsARetryableFailure) {
  Engine& e = open();
  e.registerJobType({"svc", "act", [](JobContext&) -> Outcome { throw std::runtime_error("bad_alloc-ish"); },
                     maxAttempts(1)});
  int64_t id = dispatch(request());
  ASSERT_TRUE(e.start().isOk());
  ASSERT_TRUE(waitStatus(id, JobStatus::failed));
  EXPECT_EQ(get(id).error, "attempt 1 failed: handler threw: bad_alloc-ish");
}

TEST_F(EngineLifecycle, RateLimitedWaitsWithoutChargingAnAttempt) {
  Engine& e = open();
  std::atomic<int> calls{0};
  e.registerJobType({"svc", "act",
                     [&](JobContext&) {
                       return ++calls == 1 ? Outcome::rateLimited(Duration(7000), "429 Retry-After: 7") : Outcome::ok();
                     },
                     maxAttempts(1)});
  int64_t id = dispatch(request());
  TimePoint start = clock_->now();
  ASSERT_TRUE(e.start().isOk());
  ASSERT_TRUE(waitFor([&] { return calls.load() == 1 && get(id).status == JobStatus::queued; }));
  EXPECT_EQ(get(id).attempts, 0);
  EXPECT_EQ(get(id).run_at, start + Duration(7000));
  advance(Duration(7000));
  ASSERT_TRUE(waitStatus(id, JobStatus::success, 1)) << "max_attempts 1 was not used up by the 429";
}

TEST_F(EngineLifecycle, CancelledJobsNeverRun) {
  Engine& e = open();
  std::atomic<int> calls{0};
  e.registerJobType({"svc", "act", [&](JobContext&) { ++calls; return Outcome::ok(); }, {}});
  DispatchRequest later = request();
  later.run_at = clock_->now() + Duration(5000);
  int64_t id = dispatch(later);
  auto cancelled = e.cancel(id, Actor::user("ops"));
  ASSERT_TRUE(cancelled.isOk());
  EXPECT_EQ(cancelled->status, JobStatus::cancelled);
  ASSERT_TRUE(e.start().isOk());
  advance(Duration(5000));
  int64_t next = dispatch(request());
  ASSERT_TRUE(waitStatus(next, JobStatus::success));
  EXPECT_EQ(calls.load(), 1);
  EXPECT_EQ(get(id).status, JobStatus::cancelled);
  EXPECT_EQ(e.cancel(id, Actor::user("ops")).status().code(), ErrorCode::invalid_state);
}

TEST_F(EngineLifecycle, ManualRetryReallyRunsTheJobAgainWithItsRealPayload) {
  Engine& e = open();
  std::mutex mu;
  std::vector<std::string> payloads;
  e.registerJobType({"svc", "act",
                     [&](JobContext& ctx) {
                       std::lock_guard lock(mu);
                       payloads.push_back(ctx.payload());
                       return payloads.size() == 1 ? Outcome::reject("remote said no") : Outcome::ok();
                     },
                     maxAttempts(1)});
  DispatchRequest r = request();
  r.payload = R"({"user":"ann","password":"hunter2"})";
  int64_t id = dispatch(r);
  ASSERT_TRUE(e.start().isOk());
  ASSERT_TRUE(waitStatus(id, JobStatus::failed));
  EXPECT_FALSE(get(id).sealed_payload.empty()) << "a failed job keeps its sealed payload for a retry";
  ASSERT_TRUE(e.retry(id, Actor::user("ops")).isOk());
  ASSERT_TRUE(waitStatus(id, JobStatus::success, 1));
  {
    std::lock_guard lock(mu);
    ASSERT_EQ(payloads.size(), 2u);
    EXPECT_EQ(payloads[1], r.payload);
  }
  Job done = get(id);
  EXPECT_EQ(done.payload, R"({"password":"***","user":"ann"})");
  EXPECT_TRUE(done.sealed_payload.empty());
  EXPECT_EQ(eventTypes(id), (std::vector<std::string>{"attempt_failed", "retried"}));
  EXPECT_EQ(e.retry(id, Actor::user("ops")).status().code(), ErrorCode::invalid_state);
}

TEST_F(EngineLifecycle, ConflictStopsTheJobUntilAManagerAppliesItAnyway) {
  Engine& e = open();
  e.registerJobType({"svc", "act",
                     [](JobContext& ctx) {
                       if (!ctx.job().override_conflict) {
                         return Outcome::conflictWith("remote changed since dispatch", R"({"expected":"a","current":"b"})");
                       }
                       return Outcome::ok();
                     },
                     {}});
  int64_t id = dispatch(request());
  ASSERT_TRUE(e.start().isOk());
  ASSERT_TRUE(waitStatus(id, JobStatus::conflict));
  EXPECT_EQ(get(id).error, "remote changed since dispatch");
  EXPECT_EQ(get(id).result, R"({"current":"b","expected":"a"})");
  ASSERT_TRUE(e.retry(id, Actor::user("ops"), true).isOk());
  ASSERT_TRUE(waitStatus(id, JobStatus::success));
}

TEST_F(EngineLifecycle, SkippedRecordsWhyAndProgressIsStored) {
  Engine& e = open();
  e.registerJobType({"svc", "act",
                     [](JobContext& ctx) {
                       ctx.progress(R"({"pages":3})");
                       return Outcome::skip("already applied");
                     },
                     {}});
  int64_t id = dispatch(request());
  ASSERT_TRUE(e.start().isOk());
  ASSERT_TRUE(waitStatus(id, JobStatus::skipped));
  EXPECT_EQ(get(id).result, R"({"reason":"already applied"})");
  EXPECT_EQ(get(id).progress, R"({"pages":3})");
}

TEST_F(EngineLifecycle, InvalidDispatchesAreRefusedWithAClearMessage) {
  open();
  DispatchRequest bad = request();
  bad.payload = "{not json";
  EXPECT_EQ(engine_->dispatch(bad).status().message(), "payload is not valid JSON");
  bad.payload = "[1,2]";
  EXPECT_EQ(engine_->dispatch(bad).status().message(), "payload must be a JSON object");
  DispatchRequest noname = request("", "act");
  EXPECT_EQ(engine_->dispatch(noname).status().code(), ErrorCode::invalid_argument);
  DispatchRequest weird = request("svc", "drop table;");
  EXPECT_EQ(engine_->dispatch(weird).status().code(), ErrorCode::invalid_argument);
  std::vector<DispatchRequest> batch = {request(), bad};
  auto many = engine_->dispatchMany(batch);
  EXPECT_EQ(many.status().message(), "job 2: payload must be a JSON object");
  JobFilter all;
  EXPECT_TRUE(store_->listJobs(all)->jobs.empty()) << "an invalid batch inserts nothing";
}

}  // namespace
}  // namespace snapq::testing

namespace snapq::testing {
namespace {

TEST_F(EngineLifecycle, BulkActionsReportAnOutcomePerJob) {
  Engine& e = open();
  int64_t a = dispatch(request());
  int64_t b = dispatch(request());
  auto cancelled = e.bulk(BulkAction::cancel, {a, b, 404}, Actor::user("ops"));
  ASSERT_EQ(cancelled.size(), 3u);
  EXPECT_TRUE(cancelled[0].status.isOk());
  EXPECT_TRUE(cancelled[1].status.isOk());
  EXPECT_EQ(cancelled[2].status.code(), ErrorCode::not_found);
  auto retried = e.bulk(BulkAction::retry, {a}, Actor::user("ops"));
  EXPECT_EQ(retried[0].status.code(), ErrorCode::invalid_state) << "a cancelled job is not retried";
  auto removed = e.bulk(BulkAction::remove, {a, b}, Actor::user("ops"));
  EXPECT_TRUE(removed[0].status.isOk() && removed[1].status.isOk());
  EXPECT_EQ(store_->getJob(a).status().code(), ErrorCode::not_found);
}

}  // namespace
}  // namespace snapq::testing
