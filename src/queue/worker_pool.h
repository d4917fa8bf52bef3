// Claims due jobs in batches and runs them on a fixed set of worker threads.
// One fetcher thread claims (so one commit claims many jobs); executors run
// handlers; finished attempts queue up and are written as one batch while the
// previous batch commits (the "completer"), so completions share commits too.
// A watcher thread turns the store's work epoch (Store::waitForWork) into
// wake-ups of the fetcher; `poll` stays the fallback. When the store is
// unreachable, claims and completion batches are retried with a capped
// exponential backoff (100 ms .. 5 s) instead of failing in a tight loop.
#pragma once

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <stop_token>
#include <thread>
#include <vector>

#include "queue/claim_pacer.h"
#include "queue/executor.h"
#include "queue/store_health.h"
#include "snapq/engine.h"

namespace snapq {

class WorkerPool {
 public:
  // Called (off the worker threads) with the jobs of a committed batch of
  // attempts, as they read after the commit.
  // Jobs this pool claimed (running) or whose attempts it recorded, after the commit.
  using Committed = std::function<void(JobChange::Kind kind, std::vector<Job>& jobs)>;

  WorkerPool(Store& store, const EngineOptions& options, Clock& clock, const Executor& executor,
             std::string worker_id, Committed committed, StoreHealth& health, Logger& logger);
  ~WorkerPool();

  void start();
  // Graceful: stop claiming, release what was not started, give running jobs
  // `grace` to finish, then ask them to stop and release them uncharged.
  void stop(Duration grace);
  void wake();
  // Asks handlers past their deadline to stop (called by the maintenance loop).
  void enforceTimeouts(TimePoint now);
  // Jobs this pool holds a lease on: claimed and not yet completed in the store.
  std::vector<int64_t> heldJobIds();
  // Hands completions that failed to reach the store to it again once their
  // backoff has passed (called by the maintenance loop).
  void retryCompletions();
  const std::string& workerId() const { return worker_id_; }

 private:
  struct Running {
    std::stop_source stop;
    TimePoint deadline;
  };

  void fetchLoop();
  void watchLoop();
  void executeLoop();
  void complete(Attempt attempt);
  void flushCompletions(std::unique_lock<std::mutex>& lock);
  void flushIfDue(std::unique_lock<std::mutex>& lock);
  std::vector<JobCompletion> takeUnstarted();
  JobCompletion releaseOf(int64_t job_id, TimePoint now, TimePoint run_at, std::optional<EventNote> event) const;

  Store& store_;
  const EngineOptions& options_;
  Clock& clock_;
  const Executor& executor_;
  std::string worker_id_;
  Committed committed_;
  StoreHealth& health_;
  Logger& logger_;
  std::chrono::steady_clock::time_point last_claim_error_{};
  ClaimPacer pacer_;  // fetcher thread only; on where Store::wakesEveryNode()
  Backoff claim_backoff_;          // fetcher thread only
  Backoff completion_backoff_;     // under mu_
  std::chrono::steady_clock::time_point retry_completions_at_{};  // under mu_
  int workers_;
  // How many jobs to buffer ahead of the workers (see EngineOptions::prefetch).
  int prefetch() const;
  // Recent handler duration (moving average) for the adaptive prefetch; starts
  // pessimistic (100 ms) so a first claim never hoards slow jobs.
  double avg_run_us_ = 100000;

  std::mutex mu_;
  std::condition_variable fetch_cv_;  // the fetcher waits for room or a wake-up
  std::condition_variable work_cv_;   // executors wait for claimed jobs
  std::condition_variable idle_cv_;   // stop() waits for executors and completions
  std::deque<Job> ready_;
  std::map<int64_t, Running> running_;
  std::set<int64_t> held_;
  std::vector<Attempt> finished_;     // attempts waiting for the next completion batch
  bool flushing_ = false;             // a batch is with the store
  bool claim_due_ = false;            // the fetcher waits for its paced claim: completions wait for it
  bool woken_ = false;
  bool stopping_ = false;
  bool started_ = false;

  std::thread fetcher_;
  std::thread watcher_;
  std::vector<std::thread> executors_;
};

}  // namespace snapq
