#include "core/time_format.h"

#include <cstdint>
#include <limits>

namespace snapq {
namespace {

constexpr int64_t kMsPerDay = 86'400'000;

struct CivilDate {
  int64_t year;
  unsigned month;  // 1-12
  unsigned day;    // 1-31
};

// Howard Hinnant's days_from_civil / civil_from_days: exact for the whole
// proleptic Gregorian calendar and far cheaper than gmtime/timegm.
int64_t daysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

CivilDate civilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const int64_t y = static_cast<int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0);
  return {y, m, d};
}

bool isLeapYear(int64_t y) { return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0); }

unsigned daysInMonth(int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && isLeapYear(y) ? 29 : kDays[m - 1];
}

// Writes `value` as exactly `width` zero-padded digits, ending before `end`.
void putDigits(char* end, unsigned value, int width) {
  for (int i = 0; i < width; ++i) {
    *--end = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

bool isDigit(char c) { return c >= '0' && c <= '9'; }

// Reads exactly `width` digits at `pos`, advancing it; false if any is missing.
bool readDigits(std::string_view s, size_t& pos, int width, unsigned& out) {
  if (s.size() - pos < static_cast<size_t>(width)) return false;
  unsigned value = 0;
  for (int i = 0; i < width; ++i) {
    const char c = s[pos + static_cast<size_t>(i)];
    if (!isDigit(c)) return false;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  pos += static_cast<size_t>(width);
  out = value;
  return true;
}

bool expect(std::string_view s, size_t& pos, char c) {
  if (pos >= s.size() || s[pos] != c) return false;
  ++pos;
  return true;
}

}  // namespace

std::string formatIso(TimePoint t) {
  const int64_t ms = t.time_since_epoch().count();
  // Floor division so instants before 1970 land on the right day.
  int64_t days = ms / kMsPerDay;
  int64_t ms_of_day = ms % kMsPerDay;
  if (ms_of_day < 0) {
    ms_of_day += kMsPerDay;
    --days;
  }
  const CivilDate date = civilFromDays(days);

  std::string year;
  if (date.year >= 0 && date.year <= 9999) {
    char buf[4];
    putDigits(buf + 4, static_cast<unsigned>(date.year), 4);
    year.assign(buf, 4);
  } else {
    // Outside ISO's four-digit range; still unambiguous, just not fixed width.
    year = std::to_string(date.year);
  }

  const auto day_ms = static_cast<unsigned>(ms_of_day);
  char buf[20];  // "-MM-DDTHH:MM:SS.mmmZ"
  buf[0] = '-';
  putDigits(buf + 3, date.month, 2);
  buf[3] = '-';
  putDigits(buf + 6, date.day, 2);
  buf[6] = 'T';
  putDigits(buf + 9, day_ms / 3'600'000, 2);
  buf[9] = ':';
  putDigits(buf + 12, day_ms / 60'000 % 60, 2);
  buf[12] = ':';
  putDigits(buf + 15, day_ms / 1000 % 60, 2);
  buf[15] = '.';
  putDigits(buf + 19, day_ms % 1000, 3);
  buf[19] = 'Z';
  year.append(buf, sizeof buf);
  return year;
}

std::optional<TimePoint> parseIso(std::string_view s) {
  size_t pos = 0;
  unsigned year = 0, month = 0, day = 0;
  if (!readDigits(s, pos, 4, year) || !expect(s, pos, '-') || !readDigits(s, pos, 2, month) ||
      !expect(s, pos, '-') || !readDigits(s, pos, 2, day)) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return std::nullopt;
  const int64_t days = daysFromCivil(year, month, day);
  if (pos == s.size()) return TimePoint(Duration(days * kMsPerDay));

  unsigned hour = 0, minute = 0, second = 0;
  if (!expect(s, pos, 'T') || !readDigits(s, pos, 2, hour) || !expect(s, pos, ':') ||
      !readDigits(s, pos, 2, minute) || !expect(s, pos, ':') || !readDigits(s, pos, 2, second)) {
    return std::nullopt;
  }
  // Leap seconds (":60") are rejected: sys_time cannot represent them.
  if (hour > 23 || minute > 59 || second > 59) return std::nullopt;

  unsigned millis = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < s.size() && isDigit(s[pos])) {
      if (digits < 3) millis = millis * 10 + static_cast<unsigned>(s[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits < 1 || digits > 9) return std::nullopt;
    for (int i = digits; i < 3; ++i) millis *= 10;
  }

  int64_t offset_minutes = 0;
  if (pos >= s.size()) return std::nullopt;  // a time of day needs an explicit zone
  const char zone = s[pos++];
  if (zone == '+' || zone == '-') {
    unsigned off_h = 0, off_m = 0;
    if (!readDigits(s, pos, 2, off_h) || !expect(s, pos, ':') || !readDigits(s, pos, 2, off_m) ||
        off_h > 23 || off_m > 59) {
      return std::nullopt;
    }
    offset_minutes = static_cast<int64_t>(off_h) * 60 + off_m;
    if (zone == '-') offset_minutes = -offset_minutes;
  } else if (zone != 'Z') {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;

  const int64_t local_ms = days * kMsPerDay + static_cast<int64_t>(hour) * 3'600'000 +
                           static_cast<int64_t>(minute) * 60'000 +
                           static_cast<int64_t>(second) * 1000 + millis;
  // "+02:00" means local time is ahead of UTC, so UTC = local - offset.
  return TimePoint(Duration(local_ms - offset_minutes * 60'000));
}

std::optional<Duration> parseDuration(std::string_view s) {
  size_t pos = 0;
  int64_t value = 0;
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  while (pos < s.size() && isDigit(s[pos])) {
    const int digit = s[pos] - '0';
    if (value > (kMax - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
    ++pos;
  }
  if (pos == 0 || value == 0) return std::nullopt;

  const std::string_view unit = s.substr(pos);
  int64_t unit_ms = 0;
  if (unit == "ms") {
    unit_ms = 1;
  } else if (unit == "s") {
    unit_ms = 1000;
  } else if (unit == "m") {
    unit_ms = 60'000;
  } else if (unit == "h") {
    unit_ms = 3'600'000;
  } else if (unit == "d") {
    unit_ms = kMsPerDay;
  } else {
    return std::nullopt;
  }
  if (value > kMax / unit_ms) return std::nullopt;
  return Duration(value * unit_ms);
}

}  // namespace snapq
