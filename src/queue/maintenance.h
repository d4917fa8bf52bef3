// The engine's housekeeping loop: store health, the worker registry
// heartbeat, lease heartbeats, handler timeouts, rescue of jobs whose worker
// was lost, and retention pruning. The pruner and the rescue of dead workers
// run only on the node that leads "maintenance" (a LeaderLease refreshed here).
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "queue/leader_lease.h"
#include "queue/store_health.h"
#include "queue/worker_pool.h"
#include "snapq/engine.h"

namespace snapq {

class Maintenance {
 public:
  using Rescued = std::function<void(const std::vector<Job>&)>;
  using Prune = std::function<void()>;

  // `follow_ups` (may be empty): the jobs a rescue to failed calls for.
  Maintenance(Store& store, const EngineOptions& options, Clock& clock, WorkerPool& pool, StoreHealth& health,
              Rescued rescued, Prune prune, Logger& logger, FollowUps follow_ups = {});
  ~Maintenance();
  void start();
  // Stops the loop and gives up the maintenance lead; the worker stays
  // registered until unregister() (after the pool released its jobs).
  void stop();
  void unregister();
  // One round of every task that is due; public so tests can drive it.
  void tick();
  // Pings the store and checks its schema version (what Engine::ready() reports).
  void checkStore();
  bool leads() const { return lease_.held(); }
  // Writes in the transaction of a rescue that fails a job; set before start().
  void onRescueFailed(RescueHook hook) { rescue_failed_ = std::move(hook); }

 private:
  void loop();
  void heartbeatWorker(TimePoint now);
  void rescue(TimePoint now);
  void logRescued(const std::vector<Job>& jobs, const std::string& why);

  Store& store_;
  const EngineOptions& options_;
  Clock& clock_;
  WorkerPool& pool_;
  StoreHealth& health_;
  Rescued rescued_;
  Prune prune_;
  Logger& logger_;
  FollowUps follow_ups_;
  RescueHook rescue_failed_;
  LeaderLease lease_;
  TimePoint started_at_{};
  TimePoint last_heartbeat_{};
  TimePoint last_worker_heartbeat_{};
  TimePoint last_registered_{};  // our row's last successful heartbeat
  bool registered_ = false;
  TimePoint last_rescue_{};
  TimePoint last_prune_{};
  std::chrono::steady_clock::time_point last_check_{};

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace snapq
