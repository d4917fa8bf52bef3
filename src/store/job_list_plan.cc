#include "store/job_list_plan.h"

#include <algorithm>

namespace snapq::joblist {
namespace {

constexpr int64_t kHourMs = 3'600'000;
constexpr int64_t kDayMs = 24 * kHourMs;

int64_t floorTo(int64_t ms, int64_t unit) {
  int64_t q = ms / unit;
  if (ms % unit != 0 && ms < 0) --q;
  return q * unit;
}
int64_t ceilTo(int64_t ms, int64_t unit) {
  int64_t f = floorTo(ms, unit);
  return f == ms ? f : f + unit;
}
int64_t msOf(TimePoint t) { return t.time_since_epoch().count(); }
TimePoint at(int64_t ms) { return TimePoint(Duration(ms)); }

bool startsCodePoint(unsigned char c) { return (c & 0xC0) != 0x80; }

// Code points of `text` as separate UTF-8 strings.
std::vector<std::string> split(std::string_view text) {
  std::vector<std::string> out;
  for (size_t i = 0; i < text.size();) {
    size_t j = i + 1;
    while (j < text.size() && !startsCodePoint(static_cast<unsigned char>(text[j]))) ++j;
    out.emplace_back(text.substr(i, j - i));
    i = j;
  }
  return out;
}

// A character pg_trgm keeps inside a word: an ASCII letter or digit, or any
// non-ASCII character (`c` is one code point).
bool pgTrgmWordChar(const std::string& c) {
  unsigned char first = static_cast<unsigned char>(c[0]);
  return first >= 0x80 || (first >= '0' && first <= '9') || (first >= 'a' && first <= 'z') ||
         (first >= 'A' && first <= 'Z');
}

}  // namespace

CountSpans countSpans(const std::optional<TimePoint>& since, const std::optional<TimePoint>& until) {
  CountSpans spans;
  if (since && until && *since >= *until) return spans;
  std::optional<int64_t> lo, hi, hour_lo, hour_hi;
  if (since) lo = msOf(*since), hour_lo = ceilTo(*lo, kHourMs);
  if (until) hi = msOf(*until), hour_hi = floorTo(*hi, kHourMs);
  if (lo && hi && *hour_lo >= *hour_hi) {  // no whole hour inside: all from the rows
    spans.rows.push_back({since, until});
    return spans;
  }
  if (lo && *lo < *hour_lo) spans.rows.push_back({since, at(*hour_lo)});
  if (hi && *hour_hi < *hi) spans.rows.push_back({at(*hour_hi), until});
  std::optional<int64_t> day_lo, day_hi;
  if (hour_lo) day_lo = ceilTo(*hour_lo, kDayMs);
  if (hour_hi) day_hi = floorTo(*hour_hi, kDayMs);
  auto opt = [](const std::optional<int64_t>& ms) { return ms ? std::optional<TimePoint>(at(*ms)) : std::nullopt; };
  if (day_lo && day_hi && *day_lo >= *day_hi) {  // no whole day inside
    spans.hours.push_back({opt(hour_lo), opt(hour_hi)});
    return spans;
  }
  spans.days.push_back({opt(day_lo), opt(day_hi)});
  if (hour_lo && *hour_lo < *day_lo) spans.hours.push_back({opt(hour_lo), opt(day_lo)});
  if (hour_hi && *day_hi < *hour_hi) spans.hours.push_back({opt(day_hi), opt(hour_hi)});
  return spans;
}

JobFilter edgeFilter(const JobFilter& filter, const TimeRange& range) {
  JobFilter edge;
  edge.services = filter.services;
  edge.actors = filter.actors;
  edge.since = range.from;
  edge.until = range.to;
  return edge;
}

bool countersServe(const JobFilter& f) {
  return f.instances.empty() && f.actions.empty() && f.triggers.empty() && f.target_type.empty() &&
         f.target_id.empty() && f.q.empty() && f.idempotency_key.empty();
}

bool countFromPage(const JobFilter& f, JobPage& page) {
  if (f.before_id || page.next_before_id || !f.statuses.empty()) return false;
  for (JobStatus s : kAllJobStatuses) page.status_counts[s] = 0;
  for (const Job& j : page.jobs) ++page.status_counts[j.status];
  page.status_counts_exact = true;
  return true;
}

size_t codePoints(std::string_view text) {
  return static_cast<size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return startsCodePoint(static_cast<unsigned char>(c)); }));
}

std::vector<std::string> trigrams(std::string_view q, size_t max) {
  std::vector<std::string> chars = split(q);
  std::vector<std::string> all;
  for (size_t i = 0; i + 3 <= chars.size(); ++i) {
    std::string t = chars[i] + chars[i + 1] + chars[i + 2];
    if (std::find(all.begin(), all.end(), t) == all.end()) all.push_back(std::move(t));
  }
  if (all.size() <= max || max == 0) return all;
  std::vector<std::string> spread;  // evenly spaced, first and last included
  for (size_t k = 0; k < max; ++k) spread.push_back(all[k * (all.size() - 1) / (max - 1)]);
  spread.erase(std::unique(spread.begin(), spread.end()), spread.end());
  return spread;
}

std::string fts5Query(std::string_view q) {
  std::string out;
  for (const std::string& t : trigrams(q)) {
    if (!out.empty()) out += " AND ";
    out += '"';
    for (char c : t) {
      if (c == '"') out += '"';  // FTS5 strings double their quotes
      out += c;
    }
    out += '"';
  }
  return out;
}

bool pgTrgmUsable(std::string_view q) {
  int run = 0;
  for (const std::string& c : split(q)) {
    run = pgTrgmWordChar(c) ? run + 1 : 0;
    if (run >= 3) return true;
  }
  return false;
}

std::string pgTrgmNarrowWord(std::string_view q) {
  std::string best, word;
  int best_score = -1, length = 0, digits = 0;
  auto endWord = [&] {
    if (digits > 0 && length >= 3 && digits * 2 + length > best_score) best_score = digits * 2 + length, best = word;
    word.clear();
    length = digits = 0;
  };
  for (const std::string& c : split(q)) {
    if (!pgTrgmWordChar(c)) {
      endWord();
      continue;
    }
    word += c;
    ++length;
    if (c[0] >= '0' && c[0] <= '9') ++digits;
  }
  endWord();
  return best == q ? std::string() : best;
}

}  // namespace snapq::joblist
