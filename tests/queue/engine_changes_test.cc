// Every change the engine commits reaches onJobChanged listeners in order:
// the live events stream of the API is built on it.
#include <mutex>

#include "queue/engine_fixture.h"

namespace snapq::testing {
namespace {

using EngineChanges = EngineTest;

TEST_F(EngineChanges, ListenersSeeDispatchClaimOutcomeAndManagerOperationsInOrder) {
  Engine& e = open();
  std::mutex mu;
  std::vector<JobChange> seen;
  e.onJobChanged([&](const JobChange& c) {
    std::lock_guard lock(mu);
    seen.push_back(c);
  });
  auto kindsOf = [&](int64_t id) {
    std::lock_guard lock(mu);
    std::vector<std::pair<JobChange::Kind, JobStatus>> out;
    for (const JobChange& c : seen) {
      if (c.job.id == id) out.emplace_back(c.kind, c.job.status);
    }
    return out;
  };
  using K = JobChange::Kind;
  e.registerJobType({"svc", "act", [](JobContext&) { return Outcome::ok(); }, RetryPolicy{.max_attempts = 1, .backoff = {}}});
  int64_t ran = dispatch(request());
  ASSERT_TRUE(e.start().isOk());
  ASSERT_TRUE(waitStatus(ran, JobStatus::success, 1));
  ASSERT_TRUE(waitFor([&] { return kindsOf(ran).size() == 3; }, std::chrono::seconds(10)));
  EXPECT_EQ(kindsOf(ran), (std::vector<std::pair<K, JobStatus>>{
                              {K::dispatched, JobStatus::queued}, {K::claimed, JobStatus::running},
                              {K::attempted, JobStatus::success}}));
  {
    std::lock_guard lock(mu);
    EXPECT_EQ(seen.front().job.service, "svc");
    EXPECT_EQ(seen.front().job.action, "act");
  }

  e.stop();
  int64_t waiting = dispatch(request());
  ASSERT_TRUE(e.cancel(waiting, Actor::user("olga")).isOk());
  ASSERT_TRUE(e.remove(waiting, Actor::user("olga")).isOk());
  ASSERT_TRUE(waitFor([&] { return kindsOf(waiting).size() == 3; }, std::chrono::seconds(10)));
  EXPECT_EQ(kindsOf(waiting), (std::vector<std::pair<K, JobStatus>>{{K::dispatched, JobStatus::queued},
                                                                    {K::managed, JobStatus::cancelled},
                                                                    {K::deleted, JobStatus::cancelled}}));
}

}  // namespace
}  // namespace snapq::testing
