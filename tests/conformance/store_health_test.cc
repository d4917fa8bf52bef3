// The health view every driver must give alike: counts over a window, pending
// work of all time, duration percentiles, the latest sync, the oldest due job,
// and the time series.
#include "conformance/store_fixture.h"

namespace snapq::testing {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

class StoreHealth : public StoreTest {
 protected:
  // A job of `service` created at `created` that ran for `took` and ended with
  // `t` at `finished`. Each gets a queue of its own, so the claim takes exactly it.
  int64_t ran(const std::string& service, Transition t, TimePoint created, Duration took, TimePoint finished,
              const std::string& action = "act") {
    NewJob j = job(service, action);
    j.queue = "run-" + std::to_string(++runs_);
    int64_t id = insert(j, created);
    ClaimRequest r;
    r.worker_id = "w1";
    r.queues = {j.queue};
    r.now = created;
    auto claimed = store_->claimJobs(r);
    EXPECT_TRUE(claimed.isOk()) << claimed.status().toString();
    EXPECT_EQ(claimed.isOk() ? ids(*claimed) : std::vector<int64_t>{}, std::vector<int64_t>{id});
    JobCompletion c;
    c.job_id = id;
    c.worker_id = "w1";
    c.transition = t;
    c.started_at = finished - took;
    c.finished_at = finished;
    if (t == Transition::fail) c.error = "boom";
    auto done = store_->completeJobsAndWait({c});
    EXPECT_TRUE(done.isOk() && done->front()) << "job " << id << " did not complete";
    return id;
  }
  int64_t succeeded(const std::string& service, TimePoint finished, Duration took = Duration(10),
                    const std::string& action = "act") {
    return ran(service, Transition::succeed, finished - took, took, finished, action);
  }
  int64_t queued(const std::string& service, TimePoint created, std::optional<TimePoint> run_at = std::nullopt) {
    NewJob j = job(service);
    j.run_at = run_at;
    return insert(j, created);
  }
  HealthReport health(TimePoint since, TimePoint now, Duration bucket = hours(1)) {
    auto r = store_->jobHealth({since, now, bucket});
    EXPECT_TRUE(r.isOk()) << r.status().toString();
    return r.isOk() ? *r : HealthReport{};
  }
  static const ServiceHealth* find(const HealthReport& r, const std::string& service) {
    for (const ServiceHealth& s : r.services) {
      if (s.service == service) return &s;
    }
    return nullptr;
  }
  static std::vector<std::string> names(const HealthReport& r) {
    std::vector<std::string> out;
    for (const ServiceHealth& s : r.services) out.push_back(s.service);
    return out;
  }

  int runs_ = 0;
};

TEST_P(StoreHealth, AnEmptyStoreHasZeroTotalsNoPercentilesAndZeroBuckets) {
  HealthReport r = health(t0(), t0() + hours(1), minutes(15));
  EXPECT_TRUE(r.services.empty());
  EXPECT_TRUE(r.totals.service.empty());
  EXPECT_EQ(r.totals.total, 0);
  EXPECT_EQ(r.totals.pending, 0);
  EXPECT_FALSE(r.totals.p50_ms);
  EXPECT_FALSE(r.totals.p95_ms);
  EXPECT_FALSE(r.totals.last_sync_at);
  EXPECT_FALSE(r.totals.oldest_queued_at);
  ASSERT_EQ(r.series.size(), 4u);
  for (size_t i = 0; i < r.series.size(); ++i) {
    EXPECT_EQ(r.series[i].start, t0() + minutes(15) * static_cast<int>(i));
    EXPECT_EQ(r.series[i].success, 0);
    EXPECT_EQ(r.series[i].failed, 0);
  }
}

TEST_P(StoreHealth, CountsJobsCreatedInTheWindowByTheirStatus) {
  const TimePoint since = t0(), now = t0() + hours(1);
  succeeded("svc", since - minutes(5));  // created before the window
  ran("svc", Transition::fail, since - hours(2), Duration(5), since - hours(2) + Duration(5));
  ran("svc", Transition::succeed, since, Duration(5), since + Duration(5));  // created at `since`: in
  succeeded("svc", since + minutes(10));
  ran("svc", Transition::fail, since + minutes(1), Duration(5), since + minutes(2));
  ran("svc", Transition::conflict, since + minutes(3), Duration(5), since + minutes(4));
  ran("svc", Transition::conflict, since + minutes(5), Duration(5), since + minutes(6));
  ran("svc", Transition::skip, since + minutes(7), Duration(5), since + minutes(8));
  int64_t cancelled = queued("svc", since + minutes(9));
  ASSERT_TRUE(store_->cancelJob({cancelled, Actor::user("alice"), since + minutes(11), false, "", {}}).isOk());
  queued("svc", since + minutes(12));  // in the window and pending
  queued("svc", now);                  // the window ends before `now`: pending only

  HealthReport r = health(since, now);
  ASSERT_EQ(names(r), std::vector<std::string>{"svc"});
  const ServiceHealth& s = r.services[0];
  EXPECT_EQ(s.total, 8);
  EXPECT_EQ(s.success, 2);
  EXPECT_EQ(s.failed, 1);
  EXPECT_EQ(s.conflict, 2);
  EXPECT_EQ(s.skipped, 1);
  EXPECT_EQ(s.cancelled, 1);
  EXPECT_EQ(s.pending, 2);
  EXPECT_EQ(r.totals.total, 8);
  EXPECT_EQ(r.totals.success, 2);
  EXPECT_EQ(r.totals.conflict, 2);
  EXPECT_EQ(r.totals.cancelled, 1);
  EXPECT_EQ(r.totals.pending, 2);

  HealthReport earlier = health(since - hours(3), since);
  ASSERT_EQ(earlier.services.size(), 1u);
  EXPECT_EQ(earlier.services[0].total, 2);
  EXPECT_EQ(earlier.services[0].success, 1);
  EXPECT_EQ(earlier.services[0].failed, 1);
}

TEST_P(StoreHealth, PendingCountsQueuedAndRunningJobsOfAllTime) {
  const TimePoint since = t0(), now = t0() + hours(1);
  int64_t older = queued("old", since - hours(48));
  queued("old", since - hours(47));
  ClaimRequest c;
  c.worker_id = "w1";
  c.now = since - hours(47);
  c.limit = 1;
  auto claimed = store_->claimJobs(c);
  ASSERT_TRUE(claimed.isOk());
  ASSERT_EQ(ids(*claimed), std::vector<int64_t>{older}) << "the older job runs, the other stays queued";
  succeeded("quiet", since - hours(30));  // neither in the window nor pending: not listed

  HealthReport r = health(since, now);
  ASSERT_EQ(names(r), std::vector<std::string>{"old"});
  EXPECT_EQ(r.services[0].total, 0);
  EXPECT_EQ(r.services[0].pending, 2);
  EXPECT_EQ(r.totals.total, 0);
  EXPECT_EQ(r.totals.pending, 2);
}

TEST_P(StoreHealth, PercentilesAreNearestRanksOfTheDurationsThatFinishedInTheWindow) {
  const TimePoint since = t0(), now = t0() + hours(1);
  for (int i = 20; i >= 1; --i) {  // 10..200 ms, finished in an order unrelated to their size
    ran("a", i % 2 ? Transition::succeed : Transition::fail, since + minutes(i), Duration(10 * i),
        since + minutes(i) + Duration(10 * i));
  }
  succeeded("a", since - minutes(1), Duration(99999));  // finished before the window
  succeeded("a", now, Duration(99999));                 // finished at its end
  // Created before the window, finished in it: its duration counts and lists the service.
  ran("b", Transition::skip, since - hours(2), Duration(7), since + minutes(30));

  HealthReport r = health(since, now);
  ASSERT_EQ(names(r), (std::vector<std::string>{"a", "b"}));
  const ServiceHealth& a = r.services[0];
  ASSERT_TRUE(a.p50_ms && a.p95_ms);
  EXPECT_EQ(*a.p50_ms, 100);  // rank ceil(20 * 0.5) = 10
  EXPECT_EQ(*a.p95_ms, 190);  // rank ceil(20 * 0.95) = 19
  const ServiceHealth& b = r.services[1];
  EXPECT_EQ(b.total, 0);
  ASSERT_TRUE(b.p50_ms && b.p95_ms);
  EXPECT_EQ(*b.p50_ms, 7);
  EXPECT_EQ(*b.p95_ms, 7);
  // Over all 21: 7, 10, 20, ..., 200; ranks ceil(10.5) = 11 and ceil(19.95) = 20.
  ASSERT_TRUE(r.totals.p50_ms && r.totals.p95_ms);
  EXPECT_EQ(*r.totals.p50_ms, 100);
  EXPECT_EQ(*r.totals.p95_ms, 190);

  HealthReport later = health(now + hours(1), now + hours(2));
  EXPECT_TRUE(later.services.empty());
  EXPECT_FALSE(later.totals.p50_ms);
}

TEST_P(StoreHealth, AServiceWithPendingJobsOnlyHasNoPercentiles) {
  queued("svc", t0());
  HealthReport r = health(t0(), t0() + hours(1));
  ASSERT_EQ(r.services.size(), 1u);
  EXPECT_FALSE(r.services[0].p50_ms);
  EXPECT_FALSE(r.services[0].p95_ms);
}

TEST_P(StoreHealth, LastSyncIsTheLatestSuccessfulSyncOfAllTime) {
  const TimePoint since = t0(), now = t0() + hours(1);
  succeeded("svc", since - hours(72), Duration(10), "sync");  // the one
  succeeded("svc", since - hours(80), Duration(10), "sync");  // older
  ran("svc", Transition::fail, since - hours(10), Duration(10), since - hours(9), "sync");
  ran("svc", Transition::skip, since - hours(8), Duration(10), since - hours(7), "sync");
  succeeded("svc", since + minutes(5), Duration(10), "update");  // not a sync
  succeeded("other", since - hours(3), Duration(10), "sync");    // outside the window: not listed
  succeeded("never", since + minutes(6));

  HealthReport r = health(since, now);
  ASSERT_EQ(names(r), (std::vector<std::string>{"never", "svc"}));
  EXPECT_FALSE(r.services[0].last_sync_at);
  ASSERT_TRUE(r.services[1].last_sync_at);
  EXPECT_EQ(*r.services[1].last_sync_at, since - hours(72));
  ASSERT_TRUE(r.totals.last_sync_at) << "the totals take every service's";
  EXPECT_EQ(*r.totals.last_sync_at, since - hours(3));
}

TEST_P(StoreHealth, OldestQueuedIsTheDueJobThatHasWaitedLongest) {
  const TimePoint since = t0(), now = t0() + hours(1);
  queued("svc", since - hours(5), now + minutes(1));  // not due yet: not late
  queued("svc", since - hours(3));
  queued("svc", since - hours(1));
  queued("svc", since - hours(4), since - hours(2));  // due since its run_at
  queued("other", since - hours(6));
  queued("future", since, now + hours(1));

  HealthReport r = health(since, now);
  ASSERT_EQ(names(r), (std::vector<std::string>{"future", "other", "svc"}));
  EXPECT_FALSE(r.services[0].oldest_queued_at);
  EXPECT_EQ(r.services[0].pending, 1);
  ASSERT_TRUE(r.services[1].oldest_queued_at);
  EXPECT_EQ(*r.services[1].oldest_queued_at, since - hours(6));
  ASSERT_TRUE(r.services[2].oldest_queued_at);
  EXPECT_EQ(*r.services[2].oldest_queued_at, since - hours(3));
  EXPECT_EQ(r.services[2].pending, 4);
  ASSERT_TRUE(r.totals.oldest_queued_at);
  EXPECT_EQ(*r.totals.oldest_queued_at, since - hours(6));
  EXPECT_EQ(r.totals.pending, 6);
}

TEST_P(StoreHealth, SeriesPlacesJobsByFinishedAtWithFailedAndConflictTogether) {
  const TimePoint since = t0(), now = t0() + minutes(50);  // the last bucket is 5 minutes long
  // Created long before: the series goes by finished_at only.
  ran("svc", Transition::succeed, since - hours(5), Duration(1), since + minutes(1));
  ran("svc", Transition::succeed, since, Duration(1), since + minutes(15) - Duration(1));
  ran("svc", Transition::fail, since, Duration(1), since + minutes(15));  // on an edge: the later bucket
  ran("svc", Transition::conflict, since, Duration(1), since + minutes(29));
  ran("svc", Transition::skip, since, Duration(1), since + minutes(20));  // neither success nor failure
  ran("svc", Transition::succeed, since, Duration(1), since + minutes(47));
  ran("svc", Transition::succeed, since - hours(1), Duration(1), since - Duration(1));  // before the window
  ran("svc", Transition::fail, since, Duration(1), now);                                // at its end
  int64_t cancelled = queued("svc", since);
  ASSERT_TRUE(store_->cancelJob({cancelled, Actor::user("alice"), since + minutes(2), false, "", {}}).isOk());

  HealthReport r = health(since, now, minutes(15));
  ASSERT_EQ(r.series.size(), 4u);
  std::vector<std::array<int64_t, 2>> got;
  for (const HealthBucket& b : r.series) got.push_back({b.success, b.failed});
  EXPECT_EQ(got, (std::vector<std::array<int64_t, 2>>{{2, 0}, {0, 2}, {0, 0}, {1, 0}}));
  EXPECT_EQ(r.series[3].start, since + minutes(45));

  HealthReport one = health(since, since + Duration(1), hours(1));
  ASSERT_EQ(one.series.size(), 1u);
  EXPECT_EQ(one.series[0].start, since);
  EXPECT_EQ(health(since, since).series.size(), 0u) << "an empty window has no buckets";
}

TEST_P(StoreHealth, ServicesAreSortedByNameAndTheTotalsAddThemUp) {
  const TimePoint since = t0(), now = t0() + hours(1);
  succeeded("zeta", since + minutes(1));
  succeeded("alpha", since + minutes(2));
  ran("alpha", Transition::fail, since + minutes(3), Duration(5), since + minutes(4));
  ran("mid", Transition::conflict, since + minutes(5), Duration(5), since + minutes(6));
  queued("mid", since + minutes(7));

  HealthReport r = health(since, now);
  ASSERT_EQ(names(r), (std::vector<std::string>{"alpha", "mid", "zeta"}));
  EXPECT_EQ(r.services[0].total, 2);
  EXPECT_EQ(r.services[1].total, 2);
  EXPECT_EQ(r.services[2].total, 1);
  EXPECT_EQ(r.totals.total, 5);
  EXPECT_EQ(r.totals.success, 2);
  EXPECT_EQ(r.totals.failed, 1);
  EXPECT_EQ(r.totals.conflict, 1);
  EXPECT_EQ(r.totals.pending, 1);
}

TEST_P(StoreHealth, RefusesWindowsItCannotBucket) {
  EXPECT_EQ(store_->jobHealth({t0(), t0() - Duration(1), hours(1)}).status().code(), ErrorCode::invalid_argument);
  EXPECT_EQ(store_->jobHealth({t0(), t0() + hours(1), Duration(0)}).status().code(), ErrorCode::invalid_argument);
  EXPECT_EQ(store_->jobHealth({t0(), t0() + hours(24) * 30, std::chrono::seconds(1)}).status().code(),
            ErrorCode::invalid_argument);
  EXPECT_TRUE(store_->jobHealth({t0(), t0() + hours(24) * 30, hours(1)}).isOk()) << "30 days by the hour";
}

// What GET /metrics reads at every scrape: pending work and every service's
// last sync, without counting or ranking anything over a window.
TEST_P(StoreHealth, AZeroLengthWindowGivesPendingWorkAndEveryServicesLastSync) {
  const TimePoint now = t0() + hours(5);
  succeeded("idle", t0(), Duration(10), "sync");  // nothing pending: not listed, but its last sync is there
  succeeded("busy", t0() + hours(1), Duration(10), "sync");
  succeeded("busy", t0() + hours(2), Duration(10), "update");  // not a sync
  queued("busy", t0() + hours(3));
  queued("busy", t0() + hours(4), now + hours(1));  // not due yet

  HealthReport r = health(now, now);
  ASSERT_EQ(names(r), (std::vector<std::string>{"busy"}));
  EXPECT_EQ(r.services[0].pending, 2);
  EXPECT_EQ(r.services[0].total, 0) << "nothing is created in an empty window";
  ASSERT_TRUE(r.services[0].oldest_queued_at);
  EXPECT_EQ(*r.services[0].oldest_queued_at, t0() + hours(3));
  EXPECT_TRUE(r.series.empty());
  EXPECT_EQ(r.last_syncs, (std::map<std::string, TimePoint>{{"busy", t0() + hours(1)}, {"idle", t0()}}));
  ASSERT_TRUE(r.services[0].last_sync_at);
  EXPECT_EQ(*r.services[0].last_sync_at, t0() + hours(1));
}

INSTANTIATE_TEST_SUITE_P(Drivers, StoreHealth, allDrivers(), driverName);

}  // namespace
}  // namespace snapq::testing
