// The job: one row that is both a queue entry and its audit record.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "snapq/clock.h"

namespace snapq {

enum class JobStatus { queued, running, success, failed, conflict, skipped, cancelled };
inline constexpr std::array<JobStatus, 7> kAllJobStatuses = {
    JobStatus::queued,   JobStatus::running, JobStatus::success,  JobStatus::failed,
    JobStatus::conflict, JobStatus::skipped, JobStatus::cancelled};

enum class JobKind { sync, mutation, custom };
enum class TriggerSource { manual, api, scheduled, retry, event };
enum class ActorType { user, token, system };

const char* toString(JobStatus s);
const char* toString(JobKind k);
const char* toString(TriggerSource t);
const char* toString(ActorType a);
std::optional<JobStatus> parseJobStatus(std::string_view s);
std::optional<JobKind> parseJobKind(std::string_view s);
std::optional<TriggerSource> parseTriggerSource(std::string_view s);
std::optional<ActorType> parseActorType(std::string_view s);

// A terminal job never runs again unless a manager retries it.
bool isTerminal(JobStatus s);

// The one job lifecycle state machine. Every status change in the store goes
// through a transition named here, and only from the states it allows.
enum class Transition {
  claim,        // queued -> running
  succeed,      // running -> success
  skip,         // running -> skipped (nothing to do, e.g. already applied)
  conflict,     // running -> conflict
  fail,         // running -> failed (attempts exhausted or not retryable)
  retry_later,  // running -> queued (a failed attempt that may be retried; run_at in the future)
  release,      // running -> queued (graceful stop or rate limit; attempt not charged)
  rescue,       // running -> queued | failed (lease expired: worker lost)
  cancel,       // queued -> cancelled (by a manager)
  manual_retry, // failed | conflict -> queued (by a manager; attempts reset)
};
const char* toString(Transition t);
bool transitionAllowed(Transition t, JobStatus from);
// Where the transition leads; rescue leads to queued (failed when attempts are exhausted).
JobStatus transitionTarget(Transition t);

struct Actor {
  ActorType type = ActorType::system;
  std::string name = "system";
  static Actor system() { return {}; }
  static Actor user(std::string n) { return {ActorType::user, std::move(n)}; }
  static Actor token(std::string n) { return {ActorType::token, std::move(n)}; }
  bool operator==(const Actor&) const = default;
};

struct Job {
  int64_t id = 0;
  std::string service;
  std::string instance = "default";
  std::string action;
  JobKind kind = JobKind::custom;
  std::string target_type;
  std::string target_id;
  JobStatus status = JobStatus::queued;
  int attempts = 0;
  int max_attempts = 1;
  int priority = 0;
  std::string queue;
  TriggerSource trigger_source = TriggerSource::manual;
  Actor actor;
  std::string payload;         // masked JSON text (what the audit shows)
  std::string result;          // JSON text, empty when none
  std::string error;
  std::string progress;        // JSON text reported while running, empty when none
  std::string expected_hash;
  bool override_conflict = false;  // a manager chose "apply anyway" (last write wins)
  TimePoint created_at{};
  TimePoint run_at{};
  std::optional<TimePoint> started_at;
  std::optional<TimePoint> finished_at;
  std::optional<int64_t> duration_ms;
  std::string locked_by;
  std::optional<TimePoint> lease_until;
  // The real payload, sealed; empty once the job can no longer run or when the
  // payload holds nothing sensitive (then `payload` is the real payload).
  std::string sealed_payload;
};

struct JobEvent {
  int64_t id = 0;
  int64_t job_id = 0;
  TimePoint at{};
  std::string type;  // attempt_failed, rescued, released, retried, cancelled, ...
  std::string message;
  Actor actor;
};

// Newest-first listing of the audit log with the filters of the HTTP API.
struct JobFilter {
  std::vector<std::string> services;
  std::vector<std::string> instances;
  std::vector<std::string> actions;
  std::vector<JobStatus> statuses;
  std::vector<std::string> actors;  // actor names; "system" matches system jobs
  std::vector<TriggerSource> triggers;
  std::string target_type;
  std::string target_id;
  std::string q;                // substring of target id, action or error
  std::string idempotency_key;  // the one job dispatched with this key
  std::optional<TimePoint> since;
  std::optional<TimePoint> until;
  int limit = 25;
  std::optional<int64_t> before_id;  // keyset cursor: only jobs with a smaller id
  // false: only the jobs; JobPage::status_counts stays empty. For lookups that
  // never show counts (a last sync, an idempotency key), which then cost one query.
  bool with_counts = true;
};

// The actors that have jobs created in [since, until) (either side open) of
// these services (all when empty): the choices of the audit log's user filter.
// The other job filters do not narrow it, so the choices stay put while a
// view is narrowed down.
struct JobActorQuery {
  std::vector<std::string> services;
  std::optional<TimePoint> since;
  std::optional<TimePoint> until;
};

struct JobPage {
  std::vector<Job> jobs;
  std::optional<int64_t> next_before_id;
  // Counts per status under every filter except the status filter.
  std::map<JobStatus, int64_t> status_counts;
  // False when the finished counts (success, failed, conflict, skipped,
  // cancelled) are lower bounds: a filter on q, instance, action, trigger,
  // target or idempotency key that matches more than 200 finished jobs is
  // counted over 200 of them (SQLite: the newest). queued and running are
  // always exact.
  bool status_counts_exact = true;
};

// The health view (Store::jobHealth): a window [since, now) of the audit log.
struct HealthQuery {
  TimePoint since{};         // window start, inclusive
  TimePoint now{};           // window end, exclusive; also "now" for what is due
  Duration bucket{3600000};  // width of one series bucket; buckets start at `since`
};

struct ServiceHealth {
  std::string service;  // empty in HealthReport::totals
  // Jobs created in the window, by their status now.
  int64_t total = 0, success = 0, failed = 0, conflict = 0, skipped = 0, cancelled = 0;
  int64_t pending = 0;  // queued + running, all time (not bound to the window)
  // Nearest-rank percentiles (PostgreSQL's percentile_disc) of duration_ms
  // (finished_at - started_at of the last attempt) over the jobs that finished in
  // the window; nullopt when none did. Cancelled jobs never ran: no duration.
  std::optional<int64_t> p50_ms, p95_ms;
  // finished_at of the latest successful job with action "sync", all time.
  std::optional<TimePoint> last_sync_at;
  // run_at of the oldest queued job that is due (run_at <= now): how long work has
  // waited for a worker. A job waiting out a retry backoff or a future run_at is
  // not late, so it is not counted; for a job that never retried run_at is its
  // created_at. nullopt when nothing due is waiting.
  std::optional<TimePoint> oldest_queued_at;
};

// Jobs that finished inside [start, start + bucket) (the last bucket ends at `now`).
struct HealthBucket {
  TimePoint start{};
  int64_t success = 0;
  int64_t failed = 0;  // failed + conflict
};

struct HealthReport {
  ServiceHealth totals;  // over every service
  // Sorted by name: every service with a job created in the window, a job that
  // ran and finished in the window, or a pending job.
  std::vector<ServiceHealth> services;
  std::vector<HealthBucket> series;  // every bucket from since to now, in order, zeros included
  // Every service's latest successful sync (ServiceHealth::last_sync_at), all
  // time, listed in `services` or not: a window of zero length (since == now)
  // is a cheap way to read these with the pending counts.
  std::map<std::string, TimePoint> last_syncs;
};

}  // namespace snapq
