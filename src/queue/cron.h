// Sync schedules: classic 5-field cron expressions, evaluated in UTC at minute
// resolution. Pure calculation on injected time points, so the scheduler and
// its tests decide what "now" is.
#pragma once

#include <bitset>
#include <optional>
#include <string>
#include <string_view>

#include "snapq/clock.h"
#include "snapq/status.h"

namespace snapq {

// "minute hour day-of-month month day-of-week", as in crontab(5):
// - each field is `*` or a comma list of `N`, `A-B`, `*/S`, `A-B/S` and `A/S`
//   (from A to the field's maximum in steps of S);
// - months may be written jan..dec and days of the week sun..sat (any case);
//   day-of-week 0 and 7 are both Sunday;
// - macros @hourly, @daily (@midnight), @weekly (Sunday), @monthly, @yearly (@annually).
// Day rule of Vixie cron and cronie: when day-of-month and day-of-week are both
// restricted, a day matches if EITHER matches ("0 0 13 * fri" = every 13th and
// every Friday). A field that starts with `*` (also `*/2`) counts as unrestricted,
// and then both fields must match ("0 0 */2 * mon" = odd-numbered days that are Mondays).
// Expressions that can never fire (e.g. "0 0 30 feb *") are rejected by parse.
class CronSchedule {
 public:
  // Errors name the field: "minute field: 61 is out of range 0-59".
  static Result<CronSchedule> parse(std::string_view expression);

  const std::string& expression() const { return expression_; }

  // Whether the minute containing t is a fire time.
  bool matches(TimePoint t) const;

  // The first fire time strictly after `after` (whole minutes, UTC). nullopt
  // only when none exists within the search horizon (kHorizon) or before year 9999.
  std::optional<TimePoint> next(TimePoint after) const;

  // The latest fire time in (after, at_or_before], searching back at most kHorizon.
  std::optional<TimePoint> latest(TimePoint after, TimePoint at_or_before) const;

  // The longest gap between two fire times of a valid expression: with `*` in
  // day-of-month and one weekday, 1 February on a Thursday skips 2091-2103.
  static constexpr std::chrono::days kHorizon{13 * 366};

 private:
  bool dayMatches(std::chrono::sys_days day) const;

  std::string expression_;
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_of_month_;  // 1..31
  std::bitset<13> months_;         // 1..12
  std::bitset<7> days_of_week_;    // 0 = Sunday
  bool day_of_month_star_ = true;
  bool day_of_week_star_ = true;
};

// The fire time the scheduler owes since it last fired: the latest one in
// (last_fired, now], or nullopt. Only the latest is returned, so a schedule
// that was missed many times while snapq was down runs once at start-up, not
// once per missed tick.
std::optional<TimePoint> dueSince(const CronSchedule& schedule, TimePoint last_fired, TimePoint now);

}  // namespace snapq
