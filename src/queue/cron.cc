#include "queue/cron.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <vector>

namespace snapq {
namespace {

namespace chr = std::chrono;
using Minutes = chr::sys_time<chr::minutes>;
using Bits = std::bitset<64>;

constexpr std::array<std::string_view, 12> kMonthNames = {"jan", "feb", "mar", "apr", "may", "jun",
                                                          "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr std::array<std::string_view, 7> kDayNames = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

struct FieldSpec {
  std::string_view name;
  int min;
  int max;
  // What `*` and `A/S` reach: day-of-week stops at 6, since 7 repeats Sunday.
  int star_max;
  const std::string_view* names = nullptr;  // names[i] stands for min + i
  size_t name_count = 0;
  std::string_view name_hint = {};
};

const std::array<FieldSpec, 5> kFields = {{
    {"minute", 0, 59, 59},
    {"hour", 0, 23, 23},
    {"day-of-month", 1, 31, 31},
    {"month", 1, 12, 12, kMonthNames.data(), kMonthNames.size(), "a month name (jan-dec)"},
    {"day-of-week", 0, 7, 6, kDayNames.data(), kDayNames.size(), "a day name (sun-sat)"},
}};

struct Macro {
  std::string_view name;
  std::string_view fields;
};
constexpr std::array<Macro, 7> kMacros = {{{"@hourly", "0 * * * *"},
                                           {"@daily", "0 0 * * *"},
                                           {"@midnight", "0 0 * * *"},
                                           {"@weekly", "0 0 * * 0"},
                                           {"@monthly", "0 0 1 * *"},
                                           {"@yearly", "0 0 1 1 *"},
                                           {"@annually", "0 0 1 1 *"}}};

// The earliest and latest instants the calendar arithmetic below is asked to handle.
const Minutes kEarliest = chr::sys_days{chr::year{1} / 1 / 1};
const Minutes kLatest = chr::sys_days{chr::year{9999} / 12 / 31};

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

bool allDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

Result<int> parseValue(std::string_view token, const FieldSpec& spec) {
  if (token.empty()) return Status::invalidArgument("a value is missing");
  if (allDigits(token)) {
    int value = 0;
    const auto [ptr, ec] = std::from_chars(token.data(), token.data() + token.size(), value);
    if (ec != std::errc{} || value < spec.min || value > spec.max) {
      return Status::invalidArgument(std::string(token) + " is out of range " + std::to_string(spec.min) + "-" +
                                     std::to_string(spec.max));
    }
    return value;
  }
  for (size_t i = 0; i < spec.name_count; ++i) {
    if (equalsIgnoreCase(token, spec.names[i])) return spec.min + static_cast<int>(i);
  }
  if (spec.name_count > 0) {
    return Status::invalidArgument(quoted(token) + " is not a number or " + std::string(spec.name_hint));
  }
  return Status::invalidArgument(quoted(token) + " is not a number");
}

// One list item: `*`, `N`, `A-B`, each optionally followed by `/S`.
Status parseItem(std::string_view item, const FieldSpec& spec, Bits& bits) {
  if (item.empty()) return Status::invalidArgument("empty item in a comma list");
  std::string_view range = item;
  int step = 1;
  bool has_step = false;
  if (const size_t slash = item.find('/'); slash != std::string_view::npos) {
    range = item.substr(0, slash);
    const std::string_view step_text = item.substr(slash + 1);
    const int widest = spec.max - spec.min;
    const auto [ptr, ec] = std::from_chars(step_text.data(), step_text.data() + step_text.size(), step);
    if (!allDigits(step_text) || ec != std::errc{} || step < 1 || step > widest) {
      return Status::invalidArgument("step " + quoted(step_text) + " must be a number from 1 to " +
                                     std::to_string(widest));
    }
    has_step = true;
  }
  int lo = 0;
  int hi = 0;
  if (range == "*") {
    lo = spec.min;
    hi = spec.star_max;
  } else if (const size_t dash = range.find('-'); dash != std::string_view::npos) {
    const Result<int> first = parseValue(range.substr(0, dash), spec);
    if (!first) return first.status();
    const Result<int> last = parseValue(range.substr(dash + 1), spec);
    if (!last) return last.status();
    lo = *first;
    hi = *last;
    if (lo > hi) return Status::invalidArgument("range " + quoted(range) + " runs backwards");
  } else {
    const Result<int> value = parseValue(range, spec);
    if (!value) return value.status();
    lo = *value;
    hi = has_step ? spec.star_max : lo;
  }
  for (int v = lo; v <= hi; v += step) bits.set(static_cast<size_t>(v));
  return Status::ok();
}

Status parseField(std::string_view text, const FieldSpec& spec, Bits& bits) {
  size_t start = 0;
  while (true) {
    const size_t comma = text.find(',', start);
    Status status = parseItem(text.substr(start, comma - start), spec, bits);
    if (!status) return Status::invalidArgument(std::string(spec.name) + " field: " + status.message());
    if (comma == std::string_view::npos) return Status::ok();
    start = comma + 1;
  }
}

std::vector<std::string_view> splitWhitespace(std::string_view text) {
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    const size_t start = i;
    while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    if (i > start) parts.push_back(text.substr(start, i - start));
  }
  return parts;
}

template <size_t N>
void copyBits(const Bits& from, std::bitset<N>& to) {
  for (size_t i = 0; i < N; ++i) to[i] = from[i];
}

int daysInMonth(unsigned month) {
  static constexpr std::array<int, 13> kDays = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return kDays[month];  // February counted with its leap day: 29 Feb is a real (rare) fire date
}

// Index of the first set bit at or after `from`, or -1.
template <size_t N>
int nextSet(const std::bitset<N>& bits, int from) {
  for (int i = std::max(from, 0); i < static_cast<int>(N); ++i) {
    if (bits[static_cast<size_t>(i)]) return i;
  }
  return -1;
}

// Index of the last set bit at or before `from`, or -1.
template <size_t N>
int previousSet(const std::bitset<N>& bits, int from) {
  for (int i = std::min(from, static_cast<int>(N) - 1); i >= 0; --i) {
    if (bits[static_cast<size_t>(i)]) return i;
  }
  return -1;
}

chr::sys_days firstOfMonth(const chr::year_month_day& ymd) { return chr::sys_days{ymd.year() / ymd.month() / 1}; }

}  // namespace

Result<CronSchedule> CronSchedule::parse(std::string_view expression) {
  const std::vector<std::string_view> words = splitWhitespace(expression);
  std::vector<std::string_view> fields = words;
  if (!words.empty() && words[0].front() == '@') {
    if (words.size() != 1) return Status::invalidArgument(quoted(words[0]) + " must stand alone");
    const auto macro = std::find_if(kMacros.begin(), kMacros.end(),
                                    [&](const Macro& m) { return equalsIgnoreCase(m.name, words[0]); });
    if (macro == kMacros.end()) {
      return Status::invalidArgument("unknown schedule " + quoted(words[0]) +
                                     ": use @hourly, @daily, @weekly, @monthly, @yearly or 5 cron fields");
    }
    fields = splitWhitespace(macro->fields);
  }
  if (fields.size() != kFields.size()) {
    return Status::invalidArgument("expected 5 fields (minute hour day-of-month month day-of-week), got " +
                                   std::to_string(fields.size()));
  }
  std::array<Bits, 5> bits;
  for (size_t i = 0; i < kFields.size(); ++i) {
    Status status = parseField(fields[i], kFields[i], bits[i]);
    if (!status) return status;
  }
  if (bits[4][7]) bits[4].set(0);  // 7 is Sunday too

  CronSchedule schedule;
  for (size_t i = 0; i < words.size(); ++i) schedule.expression_ += (i > 0 ? " " : "") + std::string(words[i]);
  copyBits(bits[0], schedule.minutes_);
  copyBits(bits[1], schedule.hours_);
  copyBits(bits[2], schedule.days_of_month_);
  copyBits(bits[3], schedule.months_);
  copyBits(bits[4], schedule.days_of_week_);
  schedule.day_of_month_star_ = fields[2].front() == '*';
  schedule.day_of_week_star_ = fields[4].front() == '*';

  // Only day-of-month alone can ask for dates that never exist: with `*` in it
  // day 1 is always included, and a restricted day-of-week matches every week.
  if (!schedule.day_of_month_star_ && schedule.day_of_week_star_) {
    bool exists = false;
    for (unsigned m = 1; m <= 12 && !exists; ++m) {
      exists = schedule.months_[m] && nextSet(schedule.days_of_month_, 1) <= daysInMonth(m);
    }
    if (!exists) {
      return Status::invalidArgument(
          "day-of-month field: no selected day exists in the selected months (such as "
          "30 February), so the schedule would never fire");
    }
  }
  return schedule;
}

bool CronSchedule::dayMatches(chr::sys_days day) const {
  const chr::year_month_day ymd{day};
  const bool dom = days_of_month_[static_cast<unsigned>(ymd.day())];
  const bool dow = days_of_week_[chr::weekday{day}.c_encoding()];
  if (day_of_month_star_ || day_of_week_star_) return dom && dow;
  return dom || dow;
}

bool CronSchedule::matches(TimePoint t) const {
  const Minutes m = chr::floor<chr::minutes>(t);
  if (m < kEarliest || m > kLatest) return false;
  const chr::sys_days day = chr::floor<chr::days>(m);
  const chr::hh_mm_ss<chr::minutes> tod{m - day};
  return months_[static_cast<unsigned>(chr::year_month_day{day}.month())] && dayMatches(day) &&
         hours_[static_cast<size_t>(tod.hours().count())] && minutes_[static_cast<size_t>(tod.minutes().count())];
}

std::optional<TimePoint> CronSchedule::next(TimePoint after) const {
  if (after < kEarliest || after >= kLatest) return std::nullopt;
  Minutes t = chr::floor<chr::minutes>(after) + chr::minutes{1};
  const Minutes limit = std::min(t + kHorizon, kLatest);
  while (t <= limit) {
    const chr::sys_days day = chr::floor<chr::days>(t);
    const chr::year_month_day ymd{day};
    if (!months_[static_cast<unsigned>(ymd.month())]) {
      t = chr::sys_days{chr::year_month_day{firstOfMonth(ymd)} + chr::months{1}};
      continue;
    }
    if (!dayMatches(day)) {
      t = day + chr::days{1};
      continue;
    }
    const chr::hh_mm_ss<chr::minutes> tod{t - day};
    const int hour = nextSet(hours_, static_cast<int>(tod.hours().count()));
    if (hour < 0) {
      t = day + chr::days{1};
      continue;
    }
    const int from_minute = hour == tod.hours().count() ? static_cast<int>(tod.minutes().count()) : 0;
    const int minute = nextSet(minutes_, from_minute);
    if (minute < 0) {
      t = day + chr::hours{hour + 1};
      continue;
    }
    return TimePoint{day + chr::hours{hour} + chr::minutes{minute}};
  }
  return std::nullopt;
}

std::optional<TimePoint> CronSchedule::latest(TimePoint after, TimePoint at_or_before) const {
  if (at_or_before < kEarliest || at_or_before > kLatest + chr::days{1}) return std::nullopt;
  Minutes t = chr::floor<chr::minutes>(at_or_before);
  // Fire times are whole minutes, so "> after" is "> after rounded down".
  const Minutes bound = std::max(chr::floor<chr::minutes>(std::max(after, TimePoint{kEarliest})), t - kHorizon);
  while (t > bound) {
    const chr::sys_days day = chr::floor<chr::days>(t);
    const chr::year_month_day ymd{day};
    if (!months_[static_cast<unsigned>(ymd.month())]) {
      t = firstOfMonth(ymd) - chr::minutes{1};
      continue;
    }
    if (!dayMatches(day)) {
      t = day - chr::minutes{1};
      continue;
    }
    const chr::hh_mm_ss<chr::minutes> tod{t - day};
    const int hour = previousSet(hours_, static_cast<int>(tod.hours().count()));
    if (hour < 0) {
      t = day - chr::minutes{1};
      continue;
    }
    const int from_minute = hour == tod.hours().count() ? static_cast<int>(tod.minutes().count()) : 59;
    const int minute = previousSet(minutes_, from_minute);
    if (minute < 0) {
      t = day + chr::hours{hour} - chr::minutes{1};
      continue;
    }
    const Minutes found = day + chr::hours{hour} + chr::minutes{minute};
    if (found <= bound) return std::nullopt;
    return TimePoint{found};
  }
  return std::nullopt;
}

std::optional<TimePoint> dueSince(const CronSchedule& schedule, TimePoint last_fired, TimePoint now) {
  return schedule.latest(last_fired, now);
}

}  // namespace snapq
