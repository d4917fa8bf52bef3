#include "queue/cron.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "core/time_format.h"

namespace snapq {
namespace {

namespace chr = std::chrono;

TimePoint at(int y, unsigned mo, unsigned d, int h = 0, int mi = 0, int s = 0) {
  return TimePoint{chr::sys_days{chr::year{y} / chr::month{mo} / chr::day{d}} + chr::hours{h} + chr::minutes{mi} +
                   chr::seconds{s}};
}

CronSchedule cron(const char* expression) {
  Result<CronSchedule> parsed = CronSchedule::parse(expression);
  EXPECT_TRUE(parsed.isOk()) << expression << ": " << parsed.status().toString();
  return parsed.isOk() ? std::move(parsed).value() : CronSchedule::parse("* * * * *").value();
}

// "2026-01-05T09:30:00.000Z", or "none", so failures read as dates.
std::string nextAfter(const char* expression, TimePoint after) {
  const std::optional<TimePoint> next = cron(expression).next(after);
  return next ? formatIso(*next) : "none";
}

std::string errorOf(const char* expression) {
  Result<CronSchedule> parsed = CronSchedule::parse(expression);
  return parsed.isOk() ? "(parsed)" : parsed.status().message();
}

TEST(Cron, EveryMinuteIsStrictlyAfter) {
  EXPECT_EQ(nextAfter("* * * * *", at(2026, 1, 1, 10, 7)), "2026-01-01T10:08:00.000Z");
  EXPECT_EQ(nextAfter("* * * * *", at(2026, 1, 1, 10, 7, 59)), "2026-01-01T10:08:00.000Z");
  EXPECT_EQ(nextAfter("* * * * *", at(2026, 1, 1, 10, 7) - Duration(1)), "2026-01-01T10:07:00.000Z");
}

TEST(Cron, Steps) {
  EXPECT_EQ(nextAfter("*/15 * * * *", at(2026, 1, 1, 10, 7)), "2026-01-01T10:15:00.000Z");
  EXPECT_EQ(nextAfter("*/15 * * * *", at(2026, 1, 1, 10, 15)), "2026-01-01T10:30:00.000Z");
  EXPECT_EQ(nextAfter("*/15 * * * *", at(2026, 1, 1, 10, 45)), "2026-01-01T11:00:00.000Z");
  EXPECT_EQ(nextAfter("0 8-18/4 * * *", at(2026, 1, 1, 12, 0)), "2026-01-01T16:00:00.000Z");
  EXPECT_EQ(nextAfter("0 8-18/4 * * *", at(2026, 1, 1, 16, 0)), "2026-01-02T08:00:00.000Z");
  EXPECT_EQ(nextAfter("5/20 * * * *", at(2026, 1, 1, 10, 25)), "2026-01-01T10:45:00.000Z");
  EXPECT_EQ(nextAfter("5/20 * * * *", at(2026, 1, 1, 10, 45)), "2026-01-01T11:05:00.000Z");
}

TEST(Cron, ListsAndRanges) {
  EXPECT_EQ(nextAfter("0,30 9-10 * * *", at(2026, 1, 1, 9, 30)), "2026-01-01T10:00:00.000Z");
  EXPECT_EQ(nextAfter("0,30 9-10 * * *", at(2026, 1, 1, 10, 30)), "2026-01-02T09:00:00.000Z");
  EXPECT_EQ(nextAfter("10,5-6,40 * * * *", at(2026, 1, 1, 0, 6)), "2026-01-01T00:10:00.000Z");
}

TEST(Cron, DayMonthAndYearRollovers) {
  EXPECT_EQ(nextAfter("30 2 * * *", at(2026, 1, 31, 3, 0)), "2026-02-01T02:30:00.000Z");
  EXPECT_EQ(nextAfter("59 23 31 12 *", at(2025, 12, 31, 23, 59)), "2026-12-31T23:59:00.000Z");
  EXPECT_EQ(nextAfter("0 0 1 1 *", at(2025, 6, 1)), "2026-01-01T00:00:00.000Z");
  EXPECT_EQ(nextAfter("* * * * *", at(2025, 12, 31, 23, 59)), "2026-01-01T00:00:00.000Z");
  EXPECT_EQ(nextAfter("0 0 31 * *", at(2026, 1, 31)), "2026-03-31T00:00:00.000Z");  // no 31 Feb
  EXPECT_EQ(nextAfter("0 0 31 * *", at(2026, 3, 31)), "2026-05-31T00:00:00.000Z");  // no 31 Apr
}

TEST(Cron, LeapYears) {
  EXPECT_EQ(nextAfter("0 0 29 2 *", at(2025, 3, 1)), "2028-02-29T00:00:00.000Z");
  EXPECT_EQ(nextAfter("0 0 29 2 *", at(2024, 2, 28, 12)), "2024-02-29T00:00:00.000Z");
  EXPECT_EQ(nextAfter("0 0 * 2 *", at(2024, 2, 28, 12)), "2024-02-29T00:00:00.000Z");
  EXPECT_EQ(nextAfter("0 0 * 2 *", at(2026, 2, 28, 12)), "2027-02-01T00:00:00.000Z");
  // 2100 is no leap year, so the next 29 February after 2096 is in 2104.
  EXPECT_EQ(nextAfter("0 0 29 2 *", at(2096, 3, 1)), "2104-02-29T00:00:00.000Z");
}

// The longest gap a valid expression can have: 1 February on a Thursday
// (`*/30` keeps only day 1 in February) does not recur from 2091 to 2103.
TEST(Cron, RareButRealDatesAreFoundAcrossTheLongestGap) {
  EXPECT_EQ(nextAfter("0 0 */30 feb thu", at(2091, 2, 1)), "2103-02-01T00:00:00.000Z");
}

TEST(Cron, NamesAreCaseInsensitive) {
  EXPECT_EQ(nextAfter("30 9 * * mon-fri", at(2026, 1, 2, 10)), "2026-01-05T09:30:00.000Z");  // Fri -> Mon
  EXPECT_EQ(nextAfter("30 9 * * MON-Fri", at(2026, 1, 2, 9)), "2026-01-02T09:30:00.000Z");
  EXPECT_EQ(nextAfter("0 0 1 jan,JUL *", at(2026, 1, 1)), "2026-07-01T00:00:00.000Z");
  EXPECT_EQ(nextAfter("0 0 1 jun-aug/2 *", at(2026, 6, 1)), "2026-08-01T00:00:00.000Z");
}

TEST(Cron, SundayIsZeroAndSeven) {
  const TimePoint thursday = at(2026, 1, 1);
  EXPECT_EQ(nextAfter("0 0 * * 0", thursday), "2026-01-04T00:00:00.000Z");
  EXPECT_EQ(nextAfter("0 0 * * 7", thursday), "2026-01-04T00:00:00.000Z");
  EXPECT_EQ(nextAfter("0 0 * * sun", thursday), "2026-01-04T00:00:00.000Z");
  EXPECT_EQ(nextAfter("0 0 * * 6-7", at(2026, 1, 3, 1)), "2026-01-04T00:00:00.000Z");
  EXPECT_EQ(nextAfter("0 0 * * 5-7", at(2026, 1, 4, 1)), "2026-01-09T00:00:00.000Z");
}

TEST(Cron, DayOfMonthOrDayOfWeekWhenBothAreRestricted) {
  // Every 13th and every Friday.
  const char* expr = "0 12 13 * fri";
  EXPECT_EQ(nextAfter(expr, at(2026, 1, 1)), "2026-01-02T12:00:00.000Z");       // Friday 2nd
  EXPECT_EQ(nextAfter(expr, at(2026, 1, 9, 12)), "2026-01-13T12:00:00.000Z");   // Tuesday 13th
  EXPECT_EQ(nextAfter(expr, at(2026, 1, 13, 12)), "2026-01-16T12:00:00.000Z");  // Friday 16th
  // Only day-of-week restricted: every Monday, whatever the date.
  EXPECT_EQ(nextAfter("0 0 * * mon", at(2026, 1, 1)), "2026-01-05T00:00:00.000Z");
  // Only day-of-month restricted.
  EXPECT_EQ(nextAfter("0 0 13 * *", at(2026, 1, 1)), "2026-01-13T00:00:00.000Z");
}

TEST(Cron, StarWithStepInADayFieldMeansBothMustMatch) {
  // Vixie cron and cronie: a day field starting with `*` is "unrestricted".
  EXPECT_EQ(nextAfter("0 0 */2 * mon", at(2026, 1, 1)), "2026-01-05T00:00:00.000Z");
  EXPECT_EQ(nextAfter("0 0 */2 * mon", at(2026, 1, 5)), "2026-01-19T00:00:00.000Z");  // the 12th is even
}

TEST(Cron, Macros) {
  EXPECT_EQ(nextAfter("@hourly", at(2026, 1, 1, 10)), "2026-01-01T11:00:00.000Z");
  EXPECT_EQ(nextAfter("@daily", at(2026, 1, 1, 10)), "2026-01-02T00:00:00.000Z");
  EXPECT_EQ(nextAfter("@midnight", at(2026, 1, 1, 10)), "2026-01-02T00:00:00.000Z");
  EXPECT_EQ(nextAfter("@weekly", at(2026, 1, 1, 10)), "2026-01-04T00:00:00.000Z");
  EXPECT_EQ(nextAfter("@monthly", at(2026, 1, 1, 10)), "2026-02-01T00:00:00.000Z");
  EXPECT_EQ(nextAfter("@yearly", at(2026, 1, 1, 10)), "2027-01-01T00:00:00.000Z");
  EXPECT_EQ(nextAfter("@ANNUALLY", at(2026, 1, 1, 10)), "2027-01-01T00:00:00.000Z");
}

TEST(Cron, ExpressionIsKeptNormalised) {
  EXPECT_EQ(cron("  */5   *  * * *  ").expression(), "*/5 * * * *");
  EXPECT_EQ(cron("@daily").expression(), "@daily");
}

TEST(Cron, ErrorsNameTheField) {
  EXPECT_EQ(errorOf("61 * * * *"), "minute field: 61 is out of range 0-59");
  EXPECT_EQ(errorOf("* 24 * * *"), "hour field: 24 is out of range 0-23");
  EXPECT_EQ(errorOf("* * 0 * *"), "day-of-month field: 0 is out of range 1-31");
  EXPECT_EQ(errorOf("* * 32 * *"), "day-of-month field: 32 is out of range 1-31");
  EXPECT_EQ(errorOf("* * * 13 *"), "month field: 13 is out of range 1-12");
  EXPECT_EQ(errorOf("* * * * 8"), "day-of-week field: 8 is out of range 0-7");
  EXPECT_EQ(errorOf("99999999999 * * * *"), "minute field: 99999999999 is out of range 0-59");
  EXPECT_EQ(errorOf("x * * * *"), "minute field: 'x' is not a number");
  EXPECT_EQ(errorOf("* * * foo *"), "month field: 'foo' is not a number or a month name (jan-dec)");
  EXPECT_EQ(errorOf("* * * * funday"), "day-of-week field: 'funday' is not a number or a day name (sun-sat)");
  EXPECT_EQ(errorOf("* * * * mon-"), "day-of-week field: a value is missing");
  EXPECT_EQ(errorOf("-5 * * * *"), "minute field: a value is missing");
  EXPECT_EQ(errorOf("1,,2 * * * *"), "minute field: empty item in a comma list");
  EXPECT_EQ(errorOf("5-1 * * * *"), "minute field: range '5-1' runs backwards");
  EXPECT_EQ(errorOf("*/0 * * * *"), "minute field: step '0' must be a number from 1 to 59");
  EXPECT_EQ(errorOf("*/90 * * * *"), "minute field: step '90' must be a number from 1 to 59");
  EXPECT_EQ(errorOf("* */ * * *"), "hour field: step '' must be a number from 1 to 23");
  EXPECT_EQ(errorOf("jan * * * *"), "minute field: 'jan' is not a number");
}

TEST(Cron, ErrorsForTheWholeExpression) {
  EXPECT_EQ(errorOf(""), "expected 5 fields (minute hour day-of-month month day-of-week), got 0");
  EXPECT_EQ(errorOf("* * * *"), "expected 5 fields (minute hour day-of-month month day-of-week), got 4");
  EXPECT_EQ(errorOf("* * * * * *"), "expected 5 fields (minute hour day-of-month month day-of-week), got 6");
  EXPECT_EQ(errorOf("@reboot"),
            "unknown schedule '@reboot': use @hourly, @daily, @weekly, @monthly, @yearly or 5 cron fields");
  EXPECT_EQ(errorOf("@daily *"), "'@daily' must stand alone");
  const std::string never =
      "day-of-month field: no selected day exists in the selected months (such as "
      "30 February), so the schedule would never fire";
  EXPECT_EQ(errorOf("0 0 30 2 *"), never);
  EXPECT_EQ(errorOf("0 0 31 apr,jun,sep,nov *"), never);
  // With a restricted day-of-week the 30th is only one of the choices: valid.
  EXPECT_EQ(nextAfter("0 0 30 2 mon", at(2026, 1, 1)), "2026-02-02T00:00:00.000Z");
}

TEST(Cron, NextGivesUpAtTheEndOfTheCalendar) {
  EXPECT_FALSE(cron("* * * * *").next(at(9999, 12, 31, 0, 0)).has_value());
  EXPECT_FALSE(cron("0 0 29 2 *").next(at(9997, 1, 1)).has_value());
}

// next() and latest() agree with a plain minute-by-minute scan using matches().
TEST(Cron, AgreesWithAMinuteByMinuteScan) {
  const std::vector<const char*> expressions = {
      "* * * * *",     "*/7 * * * *",    "13 */5 * * *",     "0 0 * * *",       "15 10 1,15 * *",
      "0 12 13 * fri", "0 0 */2 * mon",  "30 9 * * mon-fri", "0 0 31 * *",      "45 23 * * 0",
      "0 6-9/3 * * 7", "*/20 1 2-5 * *", "0 0 1 * *",        "59 23 28-31 * *", "5/25 3 * * sat"};
  std::mt19937_64 gen(1234);
  const int64_t start_ms = at(2023, 1, 1).time_since_epoch().count();
  const int64_t span_ms = (at(2029, 1, 1) - at(2023, 1, 1)).count();
  for (const char* expr : expressions) {
    const CronSchedule schedule = cron(expr);
    for (int round = 0; round < 6; ++round) {
      const TimePoint from{Duration(start_ms + static_cast<int64_t>(gen() % static_cast<uint64_t>(span_ms)))};
      std::optional<TimePoint> scanned_next;
      TimePoint t = chr::floor<chr::minutes>(from) + chr::minutes{1};
      for (int i = 0; i < 64 * 24 * 60 && !scanned_next; ++i, t += chr::minutes{1}) {
        if (schedule.matches(t)) scanned_next = t;
      }
      ASSERT_TRUE(scanned_next.has_value()) << expr;
      EXPECT_EQ(formatIso(*schedule.next(from)), formatIso(*scanned_next)) << expr << " after " << formatIso(from);

      std::optional<TimePoint> scanned_latest;
      t = chr::floor<chr::minutes>(from);
      for (int i = 0; i < 64 * 24 * 60 && !scanned_latest; ++i, t -= chr::minutes{1}) {
        if (schedule.matches(t)) scanned_latest = t;
      }
      ASSERT_TRUE(scanned_latest.has_value()) << expr;
      const std::optional<TimePoint> latest = schedule.latest(TimePoint::min(), from);
      ASSERT_TRUE(latest.has_value()) << expr;
      EXPECT_EQ(formatIso(*latest), formatIso(*scanned_latest)) << expr << " at or before " << formatIso(from);
    }
  }
}

TEST(CronDueSince, ReturnsOnlyTheLatestMissedFireTime) {
  const CronSchedule hourly = cron("0 * * * *");
  // Down from 10:00 to 13:30: three ticks missed, one run owed, for 13:00.
  EXPECT_EQ(dueSince(hourly, at(2026, 1, 1, 10), at(2026, 1, 1, 13, 30)), at(2026, 1, 1, 13));
  // After firing for 13:00 nothing more is owed until 14:00, which is included when now is exactly 14:00.
  EXPECT_EQ(dueSince(hourly, at(2026, 1, 1, 13), at(2026, 1, 1, 13, 59, 59)), std::nullopt);
  EXPECT_EQ(dueSince(hourly, at(2026, 1, 1, 13), at(2026, 1, 1, 14)), at(2026, 1, 1, 14));
  // last_fired is exclusive even when it is not a whole minute.
  EXPECT_EQ(dueSince(hourly, at(2026, 1, 1, 14) + Duration(500), at(2026, 1, 1, 14, 0, 50)), std::nullopt);
  EXPECT_EQ(dueSince(hourly, at(2026, 1, 1, 13, 59, 59), at(2026, 1, 1, 14, 0, 1)), at(2026, 1, 1, 14));
}

TEST(CronDueSince, FindsTheLatestAfterALongOutage) {
  EXPECT_EQ(dueSince(cron("*/5 * * * *"), at(2016, 1, 1), at(2026, 3, 1, 8, 33)), at(2026, 3, 1, 8, 30));
  EXPECT_EQ(dueSince(cron("@yearly"), at(2024, 1, 1), at(2026, 3, 1)), at(2026, 1, 1));
  EXPECT_EQ(dueSince(cron("@yearly"), TimePoint::min(), at(2026, 3, 1)), at(2026, 1, 1));
  EXPECT_EQ(dueSince(cron("0 0 29 2 *"), at(2020, 3, 1), at(2026, 3, 1)), at(2024, 2, 29));
  EXPECT_EQ(dueSince(cron("@yearly"), at(2026, 1, 1), at(2026, 12, 31, 23, 59)), std::nullopt);
}

TEST(CronDueSince, NothingWhenNowIsNotAfterLastFired) {
  EXPECT_EQ(dueSince(cron("* * * * *"), at(2026, 1, 1, 10), at(2026, 1, 1, 10)), std::nullopt);
  EXPECT_EQ(dueSince(cron("* * * * *"), at(2026, 1, 1, 10), at(2026, 1, 1, 9)), std::nullopt);
}

}  // namespace
}  // namespace snapq
