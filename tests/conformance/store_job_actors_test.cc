// listJobActors: the choices of the audit log's user filter. Jobs spread so
// every way of reading them is used (whole days and hours from the counters,
// the ends of the window from the jobs, open jobs through their indexes), and
// checked against the actors of the jobs listJobs itself returns.
#include <set>

#include "conformance/store_fixture.h"

namespace snapq::testing {
namespace {

class StoreJobActors : public StoreTest {
 protected:
  std::vector<std::string> names(const JobActorQuery& q) {
    auto actors = store_->listJobActors(q);
    EXPECT_TRUE(actors.isOk()) << actors.status().toString();
    std::vector<std::string> out;
    if (actors.isOk()) {
      for (const Actor& a : *actors) out.push_back(a.name);
    }
    return out;
  }
  // The names of the actors of every job listJobs finds in the same window, sorted.
  std::vector<std::string> listed(const JobActorQuery& q) {
    JobFilter f;
    f.services = q.services;
    f.since = q.since;
    f.until = q.until;
    f.limit = 1000;
    f.with_counts = false;
    auto page = store_->listJobs(f);
    EXPECT_TRUE(page.isOk()) << page.status().toString();
    std::set<std::string> out;
    if (page.isOk()) {
      for (const Job& j : page->jobs) out.insert(j.actor.name);
    }
    return {out.begin(), out.end()};
  }
  int64_t insertBy(const Actor& actor, TimePoint created, const std::string& service = "mail") {
    NewJob j = job(service);
    j.actor = actor;
    return insert(j, created);
  }
};

TEST_P(StoreJobActors, ListsEveryActorWithJobsInTheWindowSortedWithTheirTypes) {
  const Duration minute(60000), hour(3600000), day(86400000);
  const TimePoint since = t0() + 7 * minute;             // 2025-11-24T16:07Z, inside an hour
  const TimePoint until = t0() + 2 * day + 30 * minute;  // 2025-11-26T16:30Z
  // Finished ones, at each kind of place in the window and just outside it.
  insertBy(Actor::user("alice"), t0() + 10 * minute);            // the first, partial hour
  insertBy(Actor::token("alice/ci"), t0() + 3 * hour);           // whole hours before the first whole day
  insertBy(Actor::system(), t0() + day);                         // a whole day
  insertBy(Actor::user("eve"), t0() + 2 * day + 10 * minute);    // the last, partial hour
  insertBy(Actor::user("bob"), t0());                            // same hour as `since`, before it
  insertBy(Actor::user("frank"), t0() + 2 * day + 40 * minute);  // same hour as `until`, after it
  insertBy(Actor::user("gina"), t0() + 4 * hour, "dns");         // another service
  int64_t gone = insertBy(Actor::user("henry"), t0() + 5 * hour);
  const TimePoint later = t0() + 3 * day;
  for (const Job& j : claim(100, later)) ASSERT_TRUE(complete(j.id, Transition::succeed));
  ASSERT_TRUE(store_->deleteJob({gone, Actor::user("admin"), later, false, "", {}}).isOk());
  // Open ones: running, and queued (never claimed).
  insertBy(Actor::user("dave"), t0() + 5 * hour);
  ASSERT_EQ(claim(100, later).size(), 1u);
  insertBy(Actor::user("carol"), t0() + hour);

  JobActorQuery q;
  q.since = since;
  q.until = until;
  auto actors = store_->listJobActors(q);
  ASSERT_TRUE(actors.isOk()) << actors.status().toString();
  std::vector<Actor> expected = {Actor::user("alice"), Actor::token("alice/ci"), Actor::user("carol"),
                                 Actor::user("dave"),  Actor::user("eve"),       Actor::user("gina"),
                                 Actor::system()};
  EXPECT_EQ(*actors, expected) << "sorted by name; bob, frank (outside) and henry (deleted) left out";
  q.services = {"mail"};
  EXPECT_EQ(names(q), (std::vector<std::string>{"alice", "alice/ci", "carol", "dave", "eve", "system"}));

  struct Window {
    std::string name;
    std::optional<TimePoint> since, until;
  };
  const std::vector<Window> windows = {
      {"open", std::nullopt, std::nullopt},
      {"since only", since, std::nullopt},
      {"until only", std::nullopt, until},
      {"within one hour", t0() + 5 * minute, t0() + 50 * minute},
      {"whole hours", t0() + hour, t0() + 6 * hour},
      {"whole day", t0() + 8 * hour, t0() + 8 * hour + day},
      {"empty", since, since},
      {"backwards", until, since},
  };
  for (const Window& w : windows) {
    for (const std::vector<std::string>& services : {std::vector<std::string>{}, {"mail"}, {"dns", "mail"}}) {
      JobActorQuery wq;
      wq.services = services;
      wq.since = w.since;
      wq.until = w.until;
      EXPECT_EQ(names(wq), listed(wq)) << w.name << ", " << services.size() << " services";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Drivers, StoreJobActors, allDrivers(), driverName);

}  // namespace
}  // namespace snapq::testing
