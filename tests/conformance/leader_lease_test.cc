// LeaderLease between two nodes (each on its own connection to the store),
// driven by one ManualClock: exactly one holds it, a holder that stops
// refreshing is replaced within a lease period, and no tick is claimed twice.
#include "queue/leader_lease.h"

#include <gmock/gmock.h>

#include <map>
#include <string>
#include <vector>

#include "conformance/store_fixture.h"

namespace snapq::testing {
namespace {

constexpr Duration kLease{15000};
constexpr Duration kTick{1000};

class LeaderLeaseNodes : public StoreTest {
 protected:
  std::shared_ptr<Store> node() {
    auto s = openStore(url_);
    EXPECT_TRUE(s.isOk()) << s.status().toString();
    return s.isOk() ? *s : nullptr;
  }
  ManualClock clock_{t0()};
};

TEST_P(LeaderLeaseNodes, OneHolderAtATimeAndATakeOverWithinALeasePeriod) {
  auto store_a = node();
  auto store_b = node();
  ASSERT_TRUE(store_a && store_b);
  LeaderLease a(*store_a, "scheduler", "node-a", clock_, kLease);
  LeaderLease b(*store_b, "scheduler", "node-b", clock_, kLease);
  std::map<int, std::string> claimed;  // tick -> who claimed it
  int doubles = 0;
  bool a_alive = true;
  auto claim = [&](int tick) {
    // A node claims a tick when it believes it leads. The dead node keeps
    // asking (a process cut off from the database would): it must not overlap.
    for (auto* lease : {&a, &b}) {
      if (!lease->held()) continue;
      if (claimed.count(tick)) ++doubles;
      claimed[tick] = lease->holder();
    }
  };

  int tick = 0;
  for (; tick < 40; ++tick, clock_.advance(kTick)) {
    a.refreshIfDue();
    b.refreshIfDue();
    claim(tick);
  }
  for (int t = 0; t < 40; ++t) ASSERT_EQ(claimed[t], "node-a") << "tick " << t;
  EXPECT_FALSE(b.held());

  // node-a stops refreshing (killed). Its last renewal was at most lease/3 ago.
  a_alive = false;
  TimePoint a_until = a.heldUntil();
  int died_at = tick;
  int taken_at = -1;
  for (; tick < 100; ++tick, clock_.advance(kTick)) {
    if (a_alive) a.refreshIfDue();
    b.refreshIfDue();
    claim(tick);
    if (taken_at < 0 && b.held()) taken_at = tick;
  }
  ASSERT_GE(taken_at, 0) << "node-b never took over";
  EXPECT_GE(t0() + kTick * taken_at, a_until) << "taken over before node-a's lease ran out";
  EXPECT_LE((taken_at - died_at) * kTick, kLease + kLease / 3) << "take-over slower than a lease period";
  EXPECT_EQ(doubles, 0);
  for (int t = taken_at; t < 100; ++t) EXPECT_EQ(claimed[t], "node-b") << "tick " << t;
  int unclaimed = 0;
  for (int t = died_at; t < taken_at; ++t) unclaimed += claimed.count(t) ? 0 : 1;
  std::cout << "node-a died at tick " << died_at << ", node-b took over at tick " << taken_at << " (" << unclaimed
            << " ticks unclaimed meanwhile, none claimed twice)\n";

  // node-a comes back: node-b keeps the lease; a graceful release hands it over at once.
  auto back = a.refresh();
  ASSERT_TRUE(back.isOk());
  EXPECT_FALSE(*back);
  EXPECT_FALSE(a.held());
  b.release();
  EXPECT_FALSE(b.held());
  back = a.refresh();
  ASSERT_TRUE(back.isOk());
  EXPECT_TRUE(*back);
  EXPECT_TRUE(a.held());
}

TEST_P(LeaderLeaseNodes, AnOwnThreadKeepsTheLeaseAndStopReleasesIt) {
  auto store_a = node();
  ASSERT_TRUE(store_a);
  SystemClock real;
  LeaderLease a(*store_a, "scheduler", "node-a", real, Duration(600));
  LeaderLease b(*store_, "scheduler", "node-b", real, Duration(600));
  a.start();
  ASSERT_TRUE(waitFor([&] { return a.held(); }, std::chrono::seconds(10)));
  // Well past several lease periods: still held, because the thread renews it.
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(1500);
  bool lost = false;
  while (std::chrono::steady_clock::now() < until) {
    auto won = b.refresh();
    ASSERT_TRUE(won.isOk());
    lost = lost || *won || !a.held();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_FALSE(lost) << "node-a's thread let the lease lapse";
  a.stop();
  EXPECT_FALSE(a.held());
  auto won = b.refresh();
  ASSERT_TRUE(won.isOk());
  EXPECT_TRUE(*won) << "stop() should release the lease";
}

// A lease whose renewals all failed runs out; the log says so before the
// node leads again, rather than "now leads" twice in a row.
TEST_P(LeaderLeaseNodes, ALeaseThatRanOutIsLoggedBeforeItIsTakenAgain) {
  struct Lines final : Logger {
    std::vector<std::string> all;
    void log(LogLevel, std::string_view message) override { all.emplace_back(message); }
  } lines;
  LeaderLease a(*store_, "scheduler", "node-a", clock_, kLease, &lines);
  ASSERT_TRUE(a.refresh().isOk());
  ASSERT_TRUE(a.held());
  clock_.advance(kLease + kTick);  // no renewal got through meanwhile
  EXPECT_FALSE(a.held());
  ASSERT_TRUE(a.refresh().isOk());
  EXPECT_TRUE(a.held());
  EXPECT_THAT(lines.all, ::testing::ElementsAre("this node now leads 'scheduler' (node-a)",
                                                "this node no longer leads 'scheduler' (its lease ran out)",
                                                "this node now leads 'scheduler' (node-a)"));
}

INSTANTIATE_TEST_SUITE_P(Drivers, LeaderLeaseNodes, allDrivers(), driverName);

}  // namespace
}  // namespace snapq::testing
