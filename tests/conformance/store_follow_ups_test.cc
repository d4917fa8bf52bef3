// Follow-up jobs (webhook notifications) are inserted in the transaction of
// the final state that calls for them, on every driver: with an applied
// completion, a rescue to failed (expired lease or dead worker), never with a
// completion that no longer applies or a rescue back to the queue.
#include "store_fixture.h"

namespace snapq::testing {
namespace {

class StoreFollowUps : public StoreTest {
 protected:
  NewJob notice(const Job& about) {
    NewJob n = job("webhook", "failed");
    n.target_type = "job";
    n.target_id = std::to_string(about.id);
    return n;
  }
  // Follow-ups asked for, by the job they were asked about.
  FollowUps recordingFollowUps(std::vector<int64_t>& asked) {
    return [this, &asked](const Job& after) {
      asked.push_back(after.id);
      return std::vector<NewJob>{notice(after)};
    };
  }
  std::vector<Job> notices() {
    JobFilter f;
    f.services = {"webhook"};
    auto page = store_->listJobs(f);
    EXPECT_TRUE(page.isOk()) << page.status().toString();
    return page.isOk() ? page->jobs : std::vector<Job>{};
  }
  JobCompletion completion(int64_t id, Transition t, const std::string& worker = "w1") {
    JobCompletion c;
    c.job_id = id;
    c.worker_id = worker;
    c.transition = t;
    c.started_at = t0();
    c.finished_at = t0() + Duration(25);
    c.error = "boom";
    return c;
  }
};

TEST_P(StoreFollowUps, AnAppliedCompletionInsertsItsFollowUpsAndALateOneDoesNot) {
  int64_t a = insert(job());
  int64_t b = insert(job());
  int64_t c = insert(job());
  ASSERT_EQ(claim(3).size(), 3u);
  // One batch: two completions with follow-ups, one of them from a worker that no longer holds its job.
  JobCompletion fail = completion(a, Transition::fail);
  fail.follow_ups = {notice(get(a))};
  JobCompletion late = completion(b, Transition::fail, "w-gone");
  late.follow_ups = {notice(get(b))};
  JobCompletion plain = completion(c, Transition::succeed);
  auto applied = store_->completeJobsAndWait({fail, late, plain});
  ASSERT_TRUE(applied.isOk()) << applied.status().toString();
  EXPECT_EQ(*applied, (std::vector<bool>{true, false, true}));
  auto jobs = notices();
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].target_id, std::to_string(a));
  EXPECT_EQ(jobs[0].status, JobStatus::queued);
  EXPECT_EQ(jobs[0].created_at, t0() + Duration(25)) << "created when the job finished";
  EXPECT_EQ(claim(5, t0() + Duration(25), "w2").size(), 1u) << "the follow-up is ready to run";
}

TEST_P(StoreFollowUps, AnExpiredLeaseRescuedToFailedInsertsFollowUpsAndARequeueDoesNot) {
  NewJob last = job();
  last.max_attempts = 1;
  int64_t exhausted = insert(last);
  int64_t again = insert(job());
  ASSERT_EQ(claim(2).size(), 2u);
  std::vector<int64_t> asked;
  auto rescued = store_->rescueExpired({t0() + Duration(31000), 10, {}, recordingFollowUps(asked)});
  ASSERT_TRUE(rescued.isOk()) << rescued.status().toString();
  ASSERT_EQ(rescued->size(), 2u);
  EXPECT_EQ(asked, std::vector<int64_t>{exhausted}) << "only a final state calls for follow-ups";
  auto jobs = notices();
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].target_id, std::to_string(exhausted));
  EXPECT_EQ(get(again).status, JobStatus::queued);
}

TEST_P(StoreFollowUps, ADeadWorkersJobRescuedToFailedInsertsFollowUps) {
  NewJob last = job();
  last.max_attempts = 1;
  int64_t exhausted = insert(last);
  ASSERT_EQ(claim(1, t0(), "dead").size(), 1u);
  WorkerRecord w;
  w.id = "dead";
  w.host = "h";
  w.pid = 1;
  w.started_at = t0();
  w.heartbeat_at = t0();
  ASSERT_TRUE(store_->heartbeatWorker(w).isOk());
  std::vector<int64_t> asked;
  TimePoint now = t0() + Duration(25000);
  DeadWorkerRequest request{now - Duration(15000), now, 100, {}, recordingFollowUps(asked)};
  auto rescue = store_->rescueDeadWorkers(request);
  ASSERT_TRUE(rescue.isOk()) << rescue.status().toString();
  ASSERT_EQ(rescue->jobs.size(), 1u);
  EXPECT_EQ(get(exhausted).status, JobStatus::failed);
  EXPECT_EQ(asked, std::vector<int64_t>{exhausted});
  auto jobs = notices();
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].target_id, std::to_string(exhausted));
}

INSTANTIATE_TEST_SUITE_P(Drivers, StoreFollowUps, allDrivers(), driverName);

}  // namespace
}  // namespace snapq::testing
