// The queue engine: dispatch jobs, run them on a pool of workers, and manage
// them (retry, cancel, delete, prune). One Engine per process and store.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "snapq/clock.h"
#include "snapq/handler.h"
#include "snapq/job.h"
#include "snapq/log.h"
#include "snapq/status.h"
#include "snapq/store.h"

namespace snapq {

// What a caller asks for; masking and sealing happen inside dispatch.
struct DispatchRequest {
  std::string service;
  std::string instance = "default";
  std::string action;
  JobKind kind = JobKind::custom;
  std::string target_type;
  std::string target_id;
  std::string payload = "{}";  // real JSON text (object)
  std::string queue;           // default: the service name
  std::optional<int> priority; // lower runs first; default from the trigger source
  std::optional<int> max_attempts;  // default: the job type's retry policy
  TriggerSource trigger_source = TriggerSource::manual;
  Actor actor;
  std::string expected_hash;
  // At most one non-terminal job per (service, instance, action, target); a
  // second dispatch returns the existing one.
  bool unique = false;
  std::string idempotency_key;
  std::optional<TimePoint> run_at;
};

struct Dispatched {
  int64_t id = 0;
  bool existing = false;
};

// A job that reached a final state (success, skipped, failed, conflict) or was
// released, seen by subscribers after the state was committed.
using JobListener = std::function<void(const Job&)>;

// A committed change of a job made by this engine (this process): the job as
// it is afterwards (for `deleted`: as it was).
struct JobChange {
  enum class Kind { dispatched, claimed, attempted, rescued, managed, deleted };
  Kind kind = Kind::dispatched;
  Job job;
};
using JobChangeListener = std::function<void(const JobChange&)>;

struct RetentionPolicy {
  Duration success{14LL * 24 * 3600 * 1000};  // success and skipped
  Duration failed{90LL * 24 * 3600 * 1000};   // failed, conflict and cancelled
};

struct EngineOptions {
  int workers = 4;
  std::vector<std::string> queues;  // empty: every queue
  // Jobs claimed ahead of free workers, so one commit claims many jobs.
  // 0 (default): adaptive, about 100 ms of work at the handlers' recent speed,
  // between one per worker and `max_prefetch`: fast jobs are claimed in large
  // batches, slow ones (a remote API call) a few at a time, so one process
  // never hoards slow jobs that another could run. > 0: this many, fixed.
  int prefetch = 0;
  int max_prefetch = 1024;
  Duration lease{30000};
  Duration heartbeat{10000};
  Duration poll{1000};             // fallback wake-up when nothing signals new work
  Duration rescue_interval{5000};
  // A worker whose registry heartbeat (every `heartbeat`) is older than this
  // is dead: the maintenance leader rescues its running jobs at once instead
  // of waiting for their leases. 0: three heartbeats. Use the same
  // `heartbeat` on every node.
  Duration worker_timeout{0};
  // The lease on leading "maintenance" (pruning, dead-worker rescue), renewed
  // every third of it; another node takes over within this after the leader dies.
  Duration leader_lease{15000};
  Duration prune_interval{60 * 60 * 1000};
  Duration grace{10000};           // graceful stop: time for running jobs to finish
  std::map<std::string, int> service_concurrency;
  std::vector<std::string> mask_patterns;  // empty: the defaults of DESIGN.md
  RetentionPolicy retention;
  RetryPolicy default_retry;       // for jobs whose type is not registered
  std::string worker_id;           // default: host:pid:random
};

struct Env {
  std::shared_ptr<Clock> clock = std::make_shared<SystemClock>();
  std::shared_ptr<Random> random = std::make_shared<DefaultRandom>();
  std::shared_ptr<Logger> logger = std::make_shared<StderrLogger>();
};

enum class BulkAction { retry, cancel, remove };
struct BulkOutcome {
  int64_t id = 0;
  Status status;
};

class Sealer;

class Engine {
 public:
  // The key that seals real payloads: a SNAPQ_SECRET_KEY-style secret, else
  // `key_file` (created on first use). With neither, the engine can manage
  // jobs (retry, cancel, delete, prune) but not dispatch secrets or run jobs.
  struct Keys {
    std::optional<std::string> secret_key;
    std::string key_file;
  };
  static Result<std::unique_ptr<Engine>> open(std::shared_ptr<Store> store, Keys keys,
                                              EngineOptions options = {}, Env env = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  void registerJobType(JobType type);

  Result<Dispatched> dispatch(DispatchRequest request);
  // All or nothing, in one transaction, together with `extra` writes.
  Result<std::vector<Dispatched>> dispatchMany(std::vector<DispatchRequest> requests,
                                               DispatchHook extra = {});

  // Workers, rescuer and pruner. stop() is graceful: no new claims, running
  // jobs get `grace` to finish, the rest go back to queued uncharged.
  Status start();
  void stop();
  // Wake idle workers now (e.g. after a dispatch from another process).
  void wake();

  // For /readyz: the store answered its last ping and its schema is current
  // (checked at start() and then about every second while started).
  bool ready() const;
  // This engine currently leads "maintenance" (pruning, dead-worker rescue).
  bool leadsMaintenance() const;

  // Called after a job's final state is committed (from a worker thread).
  void onJobFinished(JobListener listener);
  // Called after every change this engine commits (dispatch, claim, each
  // attempt's outcome, rescue, manager operations), in commit order, from a
  // thread of its own; a slow listener delays only other listeners.
  void onJobChanged(JobChangeListener listener);

  // Writes made in the same transaction as every manager operation (retry,
  // cancel, delete), given the job as it is afterwards (for a delete: as it
  // was): the sync layer keeps a mutation's snapshot row in step. Set before
  // start(); one hook per engine.
  using ManageHook = std::function<Status(Txn&, BulkAction, const Job&)>;
  void onManage(ManageHook hook);
  // Writes made in the same transaction as a rescue that fails a job (its
  // worker was lost during the last attempt), given the failed job: the sync
  // layer fails a mutation's snapshot row. Set before start(); one hook per engine.
  void onRescueFailed(RescueHook hook);

  // Jobs to dispatch in the same transaction as a job's final state (success,
  // skipped, failed, conflict; a rescue to failed included), given the job as
  // it is afterwards: notifications that must not be lost between the two.
  // Called on worker and maintenance threads (keep it quick, no store calls).
  // Set before start(); one hook per engine.
  using FollowUpHook = std::function<std::vector<DispatchRequest>(const Job& after)>;
  void onFinalState(FollowUpHook hook);

  // Manager operations (no need to start workers). `address` says where the
  // request came from, for admin_actions (an IP address, "cli").
  Result<Job> retry(int64_t id, const Actor& actor, bool override_conflict = false, const std::string& address = {});
  Result<Job> cancel(int64_t id, const Actor& actor, const std::string& address = {});
  Status remove(int64_t id, const Actor& actor, const std::string& address = {});
  // The same operation on many jobs; one outcome per id, in order.
  std::vector<BulkOutcome> bulk(BulkAction action, const std::vector<int64_t>& ids, const Actor& actor,
                                const std::string& address = {});
  // Deletes every job past retention, batch by batch; returns the count.
  Result<int64_t> prune();

  Store& store() { return *store_; }
  Clock& clock() { return *env_.clock; }
  const EngineOptions& options() const { return options_; }

  class Impl;

 private:
  Engine(std::shared_ptr<Store> store, EngineOptions options, Env env);
  ManagerRequest managerRequest(int64_t id, const Actor& actor, BulkAction action, bool override_conflict,
                                const std::string& address) const;
  std::shared_ptr<Store> store_;
  ManageHook manage_hook_;
  EngineOptions options_;
  Env env_;
  std::unique_ptr<Impl> impl_;
};

// Default priority of a trigger source: people first, the scheduler last.
int defaultPriority(TriggerSource trigger);

}  // namespace snapq
