#include "queue/notifier.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <mutex>
#include <string>
#include <vector>

namespace snapq {
namespace {

Job job(int64_t id, JobStatus status) {
  Job j;
  j.id = id;
  j.status = status;
  return j;
}

// Records what listeners saw, as "kind:id".
struct Seen {
  std::mutex mu;
  std::vector<std::string> changes;
  std::promise<void> enough;
  size_t wanted = 0;

  void add(const JobChange& c) {
    std::lock_guard lock(mu);
    changes.push_back(std::to_string(static_cast<int>(c.kind)) + ":" + std::to_string(c.job.id));
    if (changes.size() == wanted) enough.set_value();
  }
  std::vector<std::string> waitFor(size_t n) {
    {
      std::lock_guard lock(mu);
      wanted = n;
      if (changes.size() >= n) return changes;
    }
    EXPECT_EQ(enough.get_future().wait_for(std::chrono::seconds(10)), std::future_status::ready);
    std::lock_guard lock(mu);
    return changes;
  }
  size_t count() {
    std::lock_guard lock(mu);
    return changes.size();
  }
};

std::string entry(JobChange::Kind kind, int64_t id) { return std::to_string(static_cast<int>(kind)) + ":" + std::to_string(id); }

TEST(Notifier, AChangePublishedAfterAReservationWaitsUntilItIsFilled) {
  Seen seen;
  Notifier notifier;
  notifier.subscribe([&](const JobChange& c) { seen.add(c); });

  uint64_t reservation = notifier.reserve();
  ASSERT_NE(reservation, 0u);
  // A worker claims the job the moment the dispatch commits, before the
  // dispatching thread fills its reservation.
  notifier.publish(JobChange::Kind::claimed, {job(7, JobStatus::running)});
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(seen.count(), 0u) << "the claim overtook the dispatch";

  notifier.fill(reservation, JobChange::Kind::dispatched, {job(7, JobStatus::queued)});
  EXPECT_EQ(seen.waitFor(2), (std::vector<std::string>{entry(JobChange::Kind::dispatched, 7),
                                                       entry(JobChange::Kind::claimed, 7)}));
}

TEST(Notifier, AReservationFilledWithNothingReleasesWhatWaitedBehindIt) {
  Seen seen;
  Notifier notifier;
  notifier.subscribe([&](const JobChange& c) { seen.add(c); });

  uint64_t failed_write = notifier.reserve();
  uint64_t second = notifier.reserve();
  notifier.publish(JobChange::Kind::attempted, {job(1, JobStatus::success)});
  notifier.fill(second, JobChange::Kind::dispatched, {job(2, JobStatus::queued), job(3, JobStatus::queued)});
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(seen.count(), 0u);

  notifier.fill(failed_write, JobChange::Kind::dispatched, {});
  EXPECT_EQ(seen.waitFor(3), (std::vector<std::string>{entry(JobChange::Kind::dispatched, 2),
                                                       entry(JobChange::Kind::dispatched, 3),
                                                       entry(JobChange::Kind::attempted, 1)}));
}

TEST(Notifier, NoReservationIsTakenWhenNoOneListensToEveryChange) {
  Notifier notifier;
  std::promise<int64_t> finished;
  notifier.subscribe(JobListener([&](const Job& j) { finished.set_value(j.id); }));
  EXPECT_EQ(notifier.reserve(), 0u);
  // Filling reservation 0 publishes at once.
  notifier.fill(0, JobChange::Kind::attempted, {job(4, JobStatus::success)});
  auto f = finished.get_future();
  ASSERT_EQ(f.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_EQ(f.get(), 4);
}

}  // namespace
}  // namespace snapq
