// The planning of a listJobs call shared by both drivers: which way the
// status counts are taken, the time spans they are summed over, and the
// search text turned into index terms. Each driver turns these into its SQL.
//
// Counting: the jobs that finished (success, failed, conflict, skipped,
// cancelled) are counted from sync_job_counts, rows the database keeps up to
// date in the same transaction as each job's status (triggers, migration 5),
// per (day or hour of created_at, service, actor_name). Open jobs (queued,
// running) are counted from the jobs themselves through their partial indexes.
// A filter the counters do not carry (q, instance, action, trigger, target,
// idempotency key) counts the newest kCountScanLimit matching jobs instead;
// when more match, the finished counts are lower bounds and the page says so.
// listJobActors (the user filter's choices) reads the same places: the actor
// names of the counter rows over whole days and hours, of the jobs at the ends
// of the window, and of the open jobs.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "snapq/job.h"

namespace snapq::joblist {

inline constexpr std::array<JobStatus, 5> kFinishedStatuses = {
    JobStatus::success, JobStatus::failed, JobStatus::conflict, JobStatus::skipped, JobStatus::cancelled};

// How many matching finished jobs a count reads when the counters cannot
// answer; with more, the finished counts are lower bounds. Each one costs a row
// lookup and the filter's check (about 1.5 us on SQLite): 200 keep a wide search
// under half a millisecond of counting (bench/README.md, jobs page with q).
inline constexpr int kCountScanLimit = 200;

// [from, to); an empty side is unbounded.
struct TimeRange {
  std::optional<TimePoint> from;
  std::optional<TimePoint> to;
};

// How the finished jobs created in [since, until) are counted: whole days from
// the day rows, whole hours from the hour rows, and what is left at either end
// (less than an hour each) from the jobs themselves. Bucket ranges are ranges
// of bucket start times.
struct CountSpans {
  std::vector<TimeRange> days;
  std::vector<TimeRange> hours;
  std::vector<TimeRange> rows;
};
CountSpans countSpans(const std::optional<TimePoint>& since, const std::optional<TimePoint>& until);

// The filter that counts one of CountSpans::rows from the jobs themselves: the
// filter's services and actors (all the counters carry) over that range.
JobFilter edgeFilter(const JobFilter& filter, const TimeRange& range);

// True when sync_job_counts can answer the filter's finished counts: it uses no
// filter other than services, actors, since, until and statuses (which counts ignore).
bool countersServe(const JobFilter& filter);

// When the page holds every job the filter matches (first page, no next one,
// no status filter), its jobs are the counts: no count query is needed. Fills
// status_counts and returns true in that case.
bool countFromPage(const JobFilter& filter, JobPage& page);

// Unicode code points of UTF-8 text (bytes that start no code point are skipped).
size_t codePoints(std::string_view text);

// The distinct 3-code-point windows of q, at most `max` of them spread over q
// (fewer terms find a superset; the caller rechecks with LIKE). Empty when q is
// shorter than 3 code points.
std::vector<std::string> trigrams(std::string_view q, size_t max = 24);

// An FTS5 query over a trigram index that matches every row containing q (and
// possibly more): each trigram as a quoted string, joined by AND. Empty when q
// is shorter than 3 code points.
std::string fts5Query(std::string_view q);

// True when pg_trgm can draw trigrams from a LIKE pattern of q: it reads runs of
// word characters only, so q needs three in a row (ASCII letters and digits, or
// any non-ASCII character) or the index would match every row.
bool pgTrgmUsable(std::string_view q);

// The word of q (a run of letters and digits, as pg_trgm splits words) that
// is likely rare: one with digits (an id, a number), the most digits, then the
// longest; at least three characters. Empty when q is that word itself or has
// none. Every match of q contains it, so an index condition on it alone finds
// every match of q while reading the posting lists of fewer, rarer trigrams.
// Plain words are not narrowed: a common one (`timed` of `timed out`) made the
// planner expect a handful of rows and sort ~11,000 (88 ms instead of 1.5).
std::string pgTrgmNarrowWord(std::string_view q);

}  // namespace snapq::joblist
