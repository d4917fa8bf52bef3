#include "core/filter_parse.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <optional>
#include <string>

#include "core/time_format.h"

namespace snapq {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Splits a comma list and maps each name with `parse`; `all` lists the
// accepted names for the error message.
template <typename E, typename Parse, size_t N>
Result<std::vector<E>> parseList(std::string_view text, std::string_view what, Parse parse,
                                 const std::array<E, N>& all) {
  std::vector<E> out;
  while (true) {
    const size_t comma = text.find(',');
    const std::string_view item = trim(text.substr(0, comma));
    if (!item.empty()) {
      std::optional<E> value = parse(item);
      if (!value) {
        std::string names;
        for (E e : all) names += (names.empty() ? "" : ", ") + std::string(toString(e));
        return Status::invalidArgument("unknown " + std::string(what) + " '" + std::string(item.substr(0, 50)) +
                                       "'; expected one of " + names);
      }
      if (std::find(out.begin(), out.end(), *value) == out.end()) out.push_back(*value);
    }
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

constexpr std::array<TriggerSource, 5> kAllTriggers = {
    TriggerSource::manual, TriggerSource::api, TriggerSource::scheduled, TriggerSource::retry, TriggerSource::event};

// Digits only, no sign or blanks, fitting an int64.
std::optional<int64_t> parseDecimal(std::string_view text) {
  if (text.empty() || text.size() > 19) return std::nullopt;
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.front() == '-') return std::nullopt;
  return value;
}

}  // namespace

Result<std::vector<JobStatus>> parseStatusList(std::string_view text) {
  return parseList(text, "status", parseJobStatus, kAllJobStatuses);
}

Result<std::vector<TriggerSource>> parseTriggerList(std::string_view text) {
  return parseList(text, "trigger", parseTriggerSource, kAllTriggers);
}

Result<TimePoint> parseTimeBound(std::string_view text, TimePoint now) {
  if (std::optional<TimePoint> t = parseIso(text)) return *t;
  if (std::optional<Duration> d = parseDuration(text)) {
    // Far beyond any retention; keeps now - d from overflowing.
    if (*d <= Duration(100LL * 365 * 24 * 3600 * 1000)) return now - *d;
  }
  return Status::invalidArgument(
      "invalid time '" + std::string(text.substr(0, 50)) +
      "'; expected ISO-8601 (2026-11-25T10:00:00Z) or a relative time like 1h, 24h, 7d, 30d");
}

Result<int64_t> parseCursor(std::string_view text) {
  std::optional<int64_t> value = parseDecimal(text);
  if (!value || *value < 1) {
    return Status::invalidArgument("invalid cursor '" + std::string(text.substr(0, 50)) +
                                   "'; use the next_cursor of the previous page");
  }
  return *value;
}

Result<int> parseLimit(std::string_view text) {
  std::optional<int64_t> value = parseDecimal(text);
  if (!value || *value < 1 || *value > kMaxJobLimit) {
    return Status::invalidArgument("limit must be a number between 1 and " + std::to_string(kMaxJobLimit) + ", not '" +
                                   std::string(text.substr(0, 50)) + "'");
  }
  return static_cast<int>(*value);
}

}  // namespace snapq
