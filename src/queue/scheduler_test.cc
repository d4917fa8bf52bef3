#include "queue/scheduler.h"

#include <gtest/gtest.h>

#include "core/time_format.h"

namespace snapq {
namespace {

TimePoint at(const char* iso) { return *parseIso(iso); }

struct Fired {
  std::vector<std::string> ticks;
  ScheduleEntry entry(const std::string& name, const char* cron) {
    return {name, *CronSchedule::parse(cron), [this](TimePoint tick) {
              ticks.push_back(formatIso(tick));
              return Status::ok();
            }};
  }
};

TEST(Scheduler, FiresEachTickOnceAndAnOverdueScheduleOnlyForItsLatestTick) {
  ManualClock clock(at("2026-11-26T10:07:30.000Z"));
  StderrLogger logger(LogLevel::error);
  Fired fired;
  Scheduler scheduler({fired.entry("sim/accounts/default", "*/5 * * * *")}, clock, logger);

  EXPECT_EQ(scheduler.tick(), 1) << "overdue at start-up: the 10:05 tick runs once";
  EXPECT_EQ(scheduler.tick(), 0) << "the same tick never fires twice";
  clock.advance(std::chrono::minutes(2));
  EXPECT_EQ(scheduler.tick(), 0) << "10:09:30: nothing new is due";
  clock.advance(std::chrono::minutes(1));
  EXPECT_EQ(scheduler.tick(), 1) << "10:10 is due";
  clock.set(at("2026-11-26T11:01:00.000Z"));
  EXPECT_EQ(scheduler.tick(), 1) << "ten missed ticks fire once, for 11:00";
  EXPECT_EQ(fired.ticks, (std::vector<std::string>{"2026-11-26T10:05:00.000Z", "2026-11-26T10:10:00.000Z",
                                                   "2026-11-26T11:00:00.000Z"}));
  EXPECT_EQ(scheduler.nextRun("sim/accounts/default"), at("2026-11-26T11:05:00.000Z"));
  EXPECT_FALSE(scheduler.nextRun("nope").has_value());
}

TEST(Scheduler, SkippingTheOverdueTicksFiresOnlyTheTicksAfterStartUp) {
  ManualClock clock(at("2026-11-26T10:07:30.000Z"));
  StderrLogger logger(LogLevel::error);
  Fired fired;
  Scheduler scheduler({fired.entry("every-5", "*/5 * * * *"), fired.entry("hourly", "0 * * * *")}, clock, logger);
  scheduler.skipOverdue();
  EXPECT_EQ(scheduler.tick(), 0) << "10:05 and 10:00 passed before start-up: the caller did that work";
  clock.advance(std::chrono::minutes(3));
  EXPECT_EQ(scheduler.tick(), 1) << "10:10 is due as usual";
  EXPECT_EQ(fired.ticks, (std::vector<std::string>{"2026-11-26T10:10:00.000Z"}));
}

TEST(Scheduler, AFailedFireIsTriedAgainOnTheNextTick) {
  ManualClock clock(at("2026-11-26T10:00:10.000Z"));
  StderrLogger logger(LogLevel::error);
  int calls = 0;
  bool store_up = false;
  ScheduleEntry entry{"e", *CronSchedule::parse("0 * * * *"), [&](TimePoint) {
                        ++calls;
                        return store_up ? Status::ok() : Status::unavailable("store down");
                      }};
  Scheduler scheduler({entry}, clock, logger);
  EXPECT_EQ(scheduler.tick(), 0);
  store_up = true;
  EXPECT_EQ(scheduler.tick(), 1);
  EXPECT_EQ(scheduler.tick(), 0);
  EXPECT_EQ(calls, 2);
}

TEST(Scheduler, EntriesAreIndependent) {
  ManualClock clock(at("2026-11-26T10:30:00.000Z"));
  StderrLogger logger(LogLevel::error);
  Fired a, b;
  Scheduler scheduler({a.entry("a", "* * * * *"), b.entry("b", "0 0 * * *")}, clock, logger);
  EXPECT_EQ(scheduler.tick(), 2);
  clock.advance(std::chrono::minutes(1));
  EXPECT_EQ(scheduler.tick(), 1);
  EXPECT_EQ(a.ticks.size(), 2u);
  EXPECT_EQ(b.ticks, (std::vector<std::string>{"2026-11-26T00:00:00.000Z"}));
}

}  // namespace
}  // namespace snapq
