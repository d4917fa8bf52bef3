// The engine's housekeeping loop: lease heartbeats, handler timeouts, rescue
// of jobs whose worker was lost, and retention pruning.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "queue/worker_pool.h"
#include "snapq/engine.h"

namespace snapq {

class Maintenance {
 public:
  using Rescued = std::function<void(const std::vector<Job>&)>;
  using Prune = std::function<void()>;

  Maintenance(Store& store, const EngineOptions& options, Clock& clock, WorkerPool& pool, Rescued rescued,
              Prune prune, Logger& logger);
  ~Maintenance();
  void start();
  void stop();
  // One round of every task that is due; public so tests can drive it.
  void tick();

 private:
  void loop();

  Store& store_;
  const EngineOptions& options_;
  Clock& clock_;
  WorkerPool& pool_;
  Rescued rescued_;
  Prune prune_;
  Logger& logger_;
  TimePoint last_heartbeat_{};
  TimePoint last_rescue_{};
  TimePoint last_prune_{};

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace snapq
