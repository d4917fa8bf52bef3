// The storage driver interface. Everything above it (queue, sync, HTTP) is
// written once; each driver (sqlite, postgres) keeps its SQL to itself and
// passes the same conformance suite (tests/conformance).
//
// Status changes follow the state machine in job.h: a driver applies a
// transition only while the job is still in a state the transition allows
// (and, for a worker's completion, still locked by that worker), so a late
// worker can never overwrite a cancel or a rescue.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "snapq/auth.h"
#include "snapq/job.h"
#include "snapq/snapshot.h"
#include "snapq/status.h"

namespace snapq {

// A job ready to insert: its payload already masked and its real payload sealed.
struct NewJob {
  std::string service;
  std::string instance = "default";
  std::string action;
  JobKind kind = JobKind::custom;
  std::string target_type;
  std::string target_id;
  std::string queue;
  int priority = 0;
  int max_attempts = 1;
  TriggerSource trigger_source = TriggerSource::manual;
  Actor actor;
  std::string payload;          // masked JSON text
  std::string sealed_payload;   // empty when the payload holds nothing sensitive
  std::string expected_hash;
  std::string unique_key;       // non-empty: a non-terminal job with this key is returned instead
  std::string idempotency_key;  // non-empty: any job with this key is returned instead
  std::optional<TimePoint> run_at;  // default: now
};

struct InsertedJob {
  int64_t id = 0;
  bool existing = false;  // deduplicated by unique_key or idempotency_key
};

// A driver's open write transaction, handed to caller-supplied writes so they
// commit (or roll back) together with the job rows. Drivers extend it.
class Txn {
 public:
  virtual ~Txn() = default;
};
using DispatchHook = std::function<Status(Txn&, const std::vector<InsertedJob>&)>;
using CompletionHook = std::function<Status(Txn&)>;
// The jobs a job's final state calls for (its webhook notifications), given
// the job as it is afterwards; inserted in the transaction that commits that
// state, so none is lost between the two. Called on the driver's writer.
using FollowUps = std::function<std::vector<NewJob>(const Job& after)>;
// Writes made in a rescue's transaction for each job it fails (its worker was
// lost on the last attempt), given the job as it is afterwards. Its failure
// rolls the rescue back.
using RescueHook = std::function<Status(Txn&, const Job&)>;

struct RescueRequest {
  TimePoint now{};
  int limit = 500;
  RescueHook on_failed;  // optional
  FollowUps follow_ups;  // optional: asked about each job rescued to failed
};

struct InsertJobsRequest {
  std::vector<NewJob> jobs;
  TimePoint now{};
  DispatchHook extra;  // optional; its failure rolls the whole insert back
  // Optional; runs on the store's write path once the jobs are written, before
  // any later write runs, and touches no data (the engine takes the dispatch's
  // place in the order of job changes here). It may run more than once, and for
  // an insert that is then rolled back. Unlike `extra`, it lets a driver commit
  // the insert as one statement.
  std::function<void()> on_written;
};

struct ClaimRequest {
  std::string worker_id;
  std::vector<std::string> queues;  // empty: every queue
  int limit = 1;
  TimePoint now{};
  Duration lease{30000};
  // Per service: at most this many jobs running at once (across all workers).
  std::map<std::string, int> service_limits;
};

struct EventNote {
  std::string type;
  std::string message;
};

// What a worker reports when an attempt ends.
struct JobCompletion {
  int64_t job_id = 0;
  std::string worker_id;
  // succeed, skip, conflict, fail, retry_later or release.
  Transition transition = Transition::succeed;
  std::string result;  // JSON text or empty
  std::string error;
  TimePoint started_at{};
  TimePoint finished_at{};
  TimePoint run_at{};  // retry_later / release: when it may run again
  std::optional<EventNote> event;
  CompletionHook extra;  // optional writes in the same transaction
  // Inserted in the same transaction when, and only when, the completion applies.
  std::vector<NewJob> follow_ups;
};

// For each completion: true when applied, false when the job was no longer
// running under this worker (rescued, released or deleted meanwhile).
using CompletionCallback = std::function<void(const Result<std::vector<bool>>&)>;

// Writes made in a manager operation's transaction, given the job as it is
// afterwards (for delete: as it was). Its failure rolls the operation back.
using ManagerHook = std::function<Status(Txn&, const Job&)>;

struct ManagerRequest {
  int64_t job_id = 0;
  Actor actor;
  TimePoint now{};
  bool override_conflict = false;  // retry only: apply a conflicting change anyway
  std::string address;             // where the request came from, for admin_actions
  ManagerHook extra;               // optional
};

struct PruneRequest {
  TimePoint success_before{};  // success and skipped jobs finished before this
  TimePoint failed_before{};   // failed, conflict and cancelled jobs finished before this
  int batch = 500;
};

// One process's row in the worker registry (table `workers`), written by its
// heartbeat: a first heartbeat registers it, later ones refresh it.
struct WorkerRecord {
  std::string id;    // the engine's worker id (host:pid:random)
  std::string host;
  int64_t pid = 0;
  TimePoint started_at{};
  TimePoint heartbeat_at{};
  int running_jobs = 0;              // jobs it holds: claimed and not yet completed
  std::vector<std::string> queues;   // empty: every queue
  std::string version;               // the snapq version it runs
};

// Workers whose last heartbeat is older than `heartbeat_before` are dead: their
// running jobs go back to queued (or failed when their attempts are used up)
// with a "rescued" event naming the worker, and their rows are removed.
struct DeadWorkerRequest {
  TimePoint heartbeat_before{};
  TimePoint now{};
  int limit = 100;       // workers per call
  RescueHook on_failed;  // optional
  FollowUps follow_ups;  // optional: asked about each job rescued to failed
};

struct DeadWorkerRescue {
  std::vector<std::string> workers;  // the removed workers
  std::vector<Job> jobs;             // their jobs as they are afterwards
};

// A named lease (table `leader_leases`): at most one holder at a time.
struct LeadershipRequest {
  std::string name;    // "maintenance", "scheduler"
  std::string holder;  // the candidate's worker id
  TimePoint now{};
  TimePoint lease_until{};  // > now
};

struct StoreOptions {
  // false: machine-crash durability (synchronous=FULL). true: may lose the last
  // commits on power loss, never on a process crash.
  bool relaxed_durability = false;
  int read_connections = 4;
  Duration busy_timeout{10000};
};

class Store {
 public:
  virtual ~Store() = default;
  virtual std::string driverName() const = 0;

  // Applies every pending numbered migration; safe to call on every start.
  virtual Status migrate() = 0;
  virtual Result<int> schemaVersion() = 0;
  virtual int latestSchemaVersion() const = 0;

  // Queue.
  virtual Result<std::vector<InsertedJob>> insertJobs(InsertJobsRequest request) = 0;
  virtual Result<std::vector<Job>> claimJobs(const ClaimRequest& request) = 0;
  virtual void completeJobs(std::vector<JobCompletion> completions, CompletionCallback done) = 0;
  Result<std::vector<bool>> completeJobsAndWait(std::vector<JobCompletion> completions);
  // Extends the leases of these jobs while they still run under this worker.
  virtual Status extendLeases(const std::string& worker_id, const std::vector<int64_t>& job_ids,
                              TimePoint lease_until) = 0;
  virtual Status setProgress(int64_t job_id, const std::string& worker_id, std::string progress) = 0;
  // Running jobs whose lease expired go back to queued (or failed when their
  // attempts are exhausted). Returns the jobs as they are afterwards.
  virtual Result<std::vector<Job>> rescueExpired(const RescueRequest& request) = 0;
  // Earliest run_at of a queued job, to know how long a worker may sleep.
  virtual Result<std::optional<TimePoint>> nextRunAt(const std::vector<std::string>& queues) = 0;

  // Audit log.
  virtual Result<Job> getJob(int64_t id) = 0;
  virtual Result<std::vector<JobEvent>> jobEvents(int64_t id) = 0;
  virtual Result<JobPage> listJobs(const JobFilter& filter) = 0;
  // Distinct by name (a name is one actor), sorted by name; each with the type
  // of its newest job. Read from the counters and indexes listJobs uses.
  virtual Result<std::vector<Actor>> listJobActors(const JobActorQuery& query) = 0;
  // Counts, durations and a time series over a window (HealthReport in job.h),
  // read in one consistent snapshot. invalid_argument when now < since, the
  // bucket is not positive or the window holds more than 10000 buckets.
  virtual Result<HealthReport> jobHealth(const HealthQuery& query) = 0;

  // Manager operations; each is recorded in admin_actions.
  virtual Result<Job> retryJob(const ManagerRequest& request) = 0;
  virtual Result<Job> cancelJob(const ManagerRequest& request) = 0;
  virtual Status deleteJob(const ManagerRequest& request) = 0;
  // Deletes one batch of expired jobs; returns how many were deleted (0: done).
  virtual Result<int64_t> pruneJobs(const PruneRequest& request) = 0;

  // The snapshot tables (snapshot.h), written through the same writer.
  virtual SnapshotStore& snapshots() = 0;
  // Users, API tokens and sessions (auth.h), written through the same writer.
  virtual AuthStore& auth() = 0;

  // Wake-ups. The work epoch moves after a commit that queued work (an insert,
  // a retry, a release or rescue back to queued): in this process on every
  // driver, and from every node on PostgreSQL (LISTEN/NOTIFY). Read the epoch,
  // look for work, then wait: waitForWork returns true as soon as the epoch
  // differs from `seen_epoch`, false after `timeout` (poll then anyway).
  virtual uint64_t workEpoch() = 0;
  virtual bool waitForWork(uint64_t seen_epoch, Duration timeout) = 0;
  // True when one commit's wake-up reaches every node (PostgreSQL): their
  // fetchers then race for the same jobs (queue/claim_pacer.h).
  virtual bool wakesEveryNode() const { return false; }

  // A cheap round trip; `unavailable` while the database cannot be reached.
  virtual Status ping() = 0;

  // Worker registry. heartbeatWorker inserts or refreshes the row (host, pid,
  // started_at and version are kept from the first call).
  virtual Status heartbeatWorker(const WorkerRecord& worker) = 0;
  // A graceful stop: the row goes, its jobs were already released.
  virtual Status removeWorker(const std::string& worker_id) = 0;
  virtual Result<std::vector<WorkerRecord>> listWorkers() = 0;
  virtual Result<DeadWorkerRescue> rescueDeadWorkers(const DeadWorkerRequest& request) = 0;

  // Leadership: true when `holder` now holds the lease `name` until
  // `lease_until` (it was free, expired, or already held by `holder`: renewed).
  // Atomic across processes and nodes.
  virtual Result<bool> tryLeadership(const LeadershipRequest& request) = 0;
  // Gives the lease up if `holder` holds it (others may take it at once).
  virtual Status releaseLeadership(const std::string& name, const std::string& holder) = 0;
};

// "sqlite:PATH" (also a bare path). Opens without migrating.
Result<std::shared_ptr<Store>> openStore(std::string_view url, const StoreOptions& options = {});

}  // namespace snapq
