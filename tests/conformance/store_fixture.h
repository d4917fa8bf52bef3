// The driver conformance fixture: every test runs against each Store driver.
#pragma once

#include "test_support.h"

namespace snapq::testing {

inline TimePoint t0() { return TimePoint(Duration(1'764'000'000'000)); }  // 2025-11-24T16:00:00Z

// Every driver, always: a postgres test fails with the reason when
// SNAPQ_TEST_POSTGRES_URL is not set rather than passing unseen.
inline auto allDrivers() { return ::testing::Values(std::string("sqlite"), std::string("postgres")); }
inline std::string driverName(const ::testing::TestParamInfo<std::string>& info) { return info.param; }

class StoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { store_ = openTestStore(GetParam(), dir_, &url_); }

  NewJob job(std::string service = "svc", std::string action = "act") {
    NewJob j;
    j.service = std::move(service);
    j.action = std::move(action);
    j.queue = j.service;
    j.max_attempts = 3;
    j.payload = R"({"n":1})";
    return j;
  }
  // A job of the target ("record", `id`): one at a time per target.
  NewJob recordJob(std::string id) {
    NewJob j = job();
    j.target_type = "record";
    j.target_id = std::move(id);
    return j;
  }
  int64_t insert(NewJob j, TimePoint now = t0()) {
    InsertJobsRequest r;
    r.now = now;
    r.jobs.push_back(std::move(j));
    auto ids = store_->insertJobs(std::move(r));
    EXPECT_TRUE(ids.isOk()) << ids.status().toString();
    return ids->front().id;
  }
  std::vector<Job> claim(int limit, TimePoint now = t0(), std::string worker = "w1",
                         std::map<std::string, int> limits = {}) {
    ClaimRequest r;
    r.worker_id = std::move(worker);
    r.limit = limit;
    r.now = now;
    r.lease = Duration(30000);
    r.service_limits = std::move(limits);
    auto jobs = store_->claimJobs(r);
    EXPECT_TRUE(jobs.isOk()) << jobs.status().toString();
    return jobs.isOk() ? *jobs : std::vector<Job>{};
  }
  bool complete(int64_t id, Transition t, std::string worker = "w1", TimePoint run_at = t0()) {
    JobCompletion c;
    c.job_id = id;
    c.worker_id = std::move(worker);
    c.transition = t;
    c.started_at = t0();
    c.finished_at = t0() + Duration(25);
    c.run_at = run_at;
    if (t == Transition::retry_later || t == Transition::fail) c.error = "attempt 1 failed: boom";
    auto r = store_->completeJobsAndWait({c});
    EXPECT_TRUE(r.isOk()) << r.status().toString();
    return r.isOk() && r->front();
  }
  Job get(int64_t id) {
    auto j = store_->getJob(id);
    EXPECT_TRUE(j.isOk()) << j.status().toString();
    return j.isOk() ? *j : Job{};
  }
  static std::vector<int64_t> ids(const std::vector<Job>& jobs) {
    std::vector<int64_t> out;
    for (const Job& j : jobs) out.push_back(j.id);
    return out;
  }

  TempDir dir_;
  std::string url_;  // the store's database, for rawQuery / rawExec
  std::shared_ptr<Store> store_;
};

}  // namespace snapq::testing
