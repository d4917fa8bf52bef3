#include "queue/worker_pool.h"

#include <algorithm>
#include <functional>
#include <random>

namespace snapq {

WorkerPool::WorkerPool(Store& store, const EngineOptions& options, Clock& clock, const Executor& executor,
                       std::string worker_id, Committed committed, StoreHealth& health, Logger& logger)
    : store_(store),
      options_(options),
      clock_(clock),
      executor_(executor),
      worker_id_(std::move(worker_id)),
      committed_(std::move(committed)),
      health_(health),
      logger_(logger),
      pacer_(store.wakesEveryNode(), static_cast<unsigned>(std::hash<std::string>{}(worker_id_)) ^
                                         std::random_device{}()),
      workers_(std::max(1, options.workers)) {}

int WorkerPool::prefetch() const {
  if (options_.prefetch > 0) return options_.prefetch;
  constexpr double kWindowUs = 100'000;  // buffer what the workers finish in ~100 ms
  double jobs = workers_ * kWindowUs / std::max(avg_run_us_, 1.0);
  return static_cast<int>(std::clamp(jobs, static_cast<double>(workers_),
                                     static_cast<double>(std::max(workers_, options_.max_prefetch))));
}

WorkerPool::~WorkerPool() { stop(Duration(0)); }

void WorkerPool::start() {
  std::lock_guard lock(mu_);
  if (started_) return;
  started_ = true;
  stopping_ = false;
  fetcher_ = std::thread([this] { fetchLoop(); });
  watcher_ = std::thread([this] { watchLoop(); });
  for (int i = 0; i < workers_; ++i) executors_.emplace_back([this] { executeLoop(); });
}

void WorkerPool::wake() {
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  fetch_cv_.notify_one();
}

std::vector<int64_t> WorkerPool::heldJobIds() {
  std::lock_guard lock(mu_);
  return {held_.begin(), held_.end()};
}

// Bridges the store's work epoch to wake(). Waits in short slices so stop()
// never waits long for this thread; an idle slice costs one condition wait.
void WorkerPool::watchLoop() {
  constexpr Duration kSlice{50};
  uint64_t seen = store_.workEpoch();
  std::unique_lock lock(mu_);
  while (!stopping_) {
    lock.unlock();
    bool moved = store_.waitForWork(seen, kSlice);
    if (moved) seen = store_.workEpoch();
    lock.lock();
    if (moved) {
      woken_ = true;
      fetch_cv_.notify_one();
    }
  }
}

void WorkerPool::fetchLoop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    // Claim when the buffer runs below its low-water mark (half the prefetch),
    // as much as there is room for, so the next claim commits while workers
    // drain the buffer. Held jobs count running and completing ones too.
    fetch_cv_.wait(lock, [&] { return stopping_ || static_cast<int>(ready_.size()) <= prefetch() / 2; });
    if (stopping_) break;
    int room = workers_ + prefetch() - static_cast<int>(held_.size());
    if (room <= 0) {
      flushIfDue(lock);  // held slots free up only as their attempts are recorded
      fetch_cv_.wait_for(lock, options_.poll,
                         [&] { return stopping_ || workers_ + prefetch() > static_cast<int>(held_.size()); });
      continue;
    }
    if (auto at = pacer_.nextClaimAt(); at > std::chrono::steady_clock::now()) {
      // Attempts that finish meanwhile wait for this claim (see executeLoop).
      claim_due_ = true;
      bool stop = fetch_cv_.wait_until(lock, at, [&] { return stopping_; });
      claim_due_ = false;
      if (stop) break;
      continue;  // the room may have changed
    }
    woken_ = false;
    // Finished attempts go just before the claim: the store's writer commits
    // both in one transaction, one WAL flush instead of two.
    flushIfDue(lock);
    lock.unlock();
    ClaimRequest req;
    req.worker_id = worker_id_;
    req.queues = options_.queues;
    req.limit = room;
    req.now = clock_.now();
    req.lease = options_.lease;
    req.service_limits = options_.service_concurrency;
    auto claim_started = std::chrono::steady_clock::now();
    auto claimed = store_.claimJobs(req);
    health_.record(claimed.status());
    lock.lock();
    if (!claimed) {
      if (claimed.status().code() != ErrorCode::unavailable) {
        auto now = std::chrono::steady_clock::now();
        if (now - last_claim_error_ > std::chrono::seconds(10)) {  // one line per outage, not per attempt
          last_claim_error_ = now;
          logger_.log(LogLevel::warn, "claiming jobs failed (will keep trying): " + claimed.status().toString());
        }
      }
      // Unreachable (logged once by the health tracker) or failing: back off,
      // woken only by stop(), so a dead store is not hammered.
      fetch_cv_.wait_for(lock, claim_backoff_.next(), [&] { return stopping_; });
      continue;
    }
    claim_backoff_.reset();
    pacer_.claimed(claim_started, claimed->size(), room);
    if (!claimed->empty()) {
      if (committed_) committed_(JobChange::Kind::claimed, *claimed);
      for (Job& job : *claimed) {
        held_.insert(job.id);
        ready_.push_back(std::move(job));
      }
      work_cv_.notify_all();
      continue;
    }
    // Nothing due: sleep until woken (new work, a freed slot) or the next poll.
    fetch_cv_.wait_for(lock, options_.poll, [&] { return stopping_ || woken_; });
  }
}

void WorkerPool::executeLoop() {
  std::unique_lock lock(mu_);
  while (true) {
    work_cv_.wait(lock, [&] { return stopping_ || !ready_.empty(); });
    if (stopping_) return;  // unstarted jobs are released by stop()
    Job job = std::move(ready_.front());
    ready_.pop_front();
    TimePoint deadline = clock_.now() + executor_.timeoutFor(job);
    Running& run = running_[job.id];
    run.deadline = deadline;
    std::stop_token token = run.stop.get_token();
    if (static_cast<int>(ready_.size()) <= prefetch() / 2) fetch_cv_.notify_one();
    lock.unlock();

    auto began = std::chrono::steady_clock::now();
    Attempt attempt = executor_.run(job, worker_id_, token, deadline);
    double took_us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - began).count();

    lock.lock();
    avg_run_us_ = 0.9 * avg_run_us_ + 0.1 * took_us;
    running_.erase(job.id);
    finished_.push_back(std::move(attempt));
    // While a paced claim is due (at most ClaimPacer::kMaxGap away) the
    // attempt waits to be committed with it; otherwise it goes at once, or
    // with the next batch if one is with the store.
    if (!claim_due_) flushIfDue(lock);
  }
}

// Unless a batch is with the store already (its commit sends what finished
// meanwhile) or a failed batch's backoff still runs.
void WorkerPool::flushIfDue(std::unique_lock<std::mutex>& lock) {
  if (!flushing_ && !finished_.empty() && std::chrono::steady_clock::now() >= retry_completions_at_) {
    flushCompletions(lock);
  }
}

// Hands every finished attempt to the store as one batch. Called with mu_ held
// and no batch in flight; when the batch commits, whatever finished meanwhile
// goes next.
void WorkerPool::flushCompletions(std::unique_lock<std::mutex>& lock) {
  flushing_ = true;
  auto batch = std::make_shared<std::vector<Attempt>>(std::move(finished_));
  finished_.clear();
  std::vector<JobCompletion> completions;
  completions.reserve(batch->size());
  // Copies: a batch the store could not reach is handed to it again.
  for (const Attempt& a : *batch) completions.push_back(a.completion);
  lock.unlock();
  store_.completeJobs(std::move(completions), [this, batch](const Result<std::vector<bool>>& applied) {
    health_.record(applied.status());
    if (!applied && applied.status().code() == ErrorCode::unavailable) {
      std::unique_lock lock(mu_);
      if (!stopping_) {
        // Nothing of the batch was committed: keep the jobs (and their leases,
        // which heartbeats keep extending) and record them once the store is back.
        finished_.insert(finished_.begin(), std::make_move_iterator(batch->begin()),
                         std::make_move_iterator(batch->end()));
        retry_completions_at_ = std::chrono::steady_clock::now() + completion_backoff_.next();
        flushing_ = false;
        idle_cv_.notify_all();
        return;
      }
    }
    if (!applied) {
      logger_.log(LogLevel::error, "recording " + std::to_string(batch->size()) +
                                       " finished jobs failed; their leases will expire and they will run again: " +
                                       applied.status().toString());
    }
    if (applied) {
      for (size_t i = 0; i < batch->size() && i < applied->size(); ++i) {
        const Job& job = (*batch)[i].job;
        if (!(*applied)[i] || (job.status != JobStatus::failed && job.status != JobStatus::conflict)) continue;
        logger_.log(LogLevel::warn, "job " + std::to_string(job.id) + " " + toString(job.status) + ": " + job.error,
                    {{"job_id", job.id},
                     {"service", job.service},
                     {"instance", job.instance},
                     {"action", job.action},
                     {"status", toString(job.status)},
                     {"attempts", job.attempts},
                     {"worker", worker_id_}});
      }
    }
    if (applied && committed_) {
      std::vector<Job> jobs;
      jobs.reserve(batch->size());
      for (size_t i = 0; i < batch->size() && i < applied->size(); ++i) {
        if ((*applied)[i]) jobs.push_back(std::move((*batch)[i].job));
      }
      if (!jobs.empty()) committed_(JobChange::Kind::attempted, jobs);
    }
    std::unique_lock lock(mu_);
    if (applied) completion_backoff_.reset();
    // Applied or not, these leases are no longer ours to extend: a completion
    // the store refused belongs to whoever rescued the job.
    for (const Attempt& a : *batch) held_.erase(a.job.id);
    woken_ = true;  // slots and targets may be free now
    flushing_ = false;
    if (!finished_.empty() && !claim_due_) flushCompletions(lock);
    fetch_cv_.notify_one();
    idle_cv_.notify_all();
  });
  lock.lock();
}

void WorkerPool::retryCompletions() {
  std::unique_lock lock(mu_);
  if (flushing_ || finished_.empty() || std::chrono::steady_clock::now() < retry_completions_at_) return;
  flushCompletions(lock);
}

void WorkerPool::enforceTimeouts(TimePoint now) {
  std::lock_guard lock(mu_);
  for (auto& [id, run] : running_) {
    if (now >= run.deadline) run.stop.request_stop();
  }
}

// Gives a held job back to the queue without charging the attempt.
JobCompletion WorkerPool::releaseOf(int64_t job_id, TimePoint now, TimePoint run_at,
                                    std::optional<EventNote> event) const {
  JobCompletion c;
  c.job_id = job_id;
  c.worker_id = worker_id_;
  c.transition = Transition::release;
  c.started_at = now;
  c.finished_at = now;
  c.run_at = run_at;
  c.event = std::move(event);
  return c;
}

std::vector<JobCompletion> WorkerPool::takeUnstarted() {
  // Called with mu_ held; jobs claimed but never started go back uncharged.
  std::vector<JobCompletion> releases;
  TimePoint now = clock_.now();
  for (const Job& job : ready_) {
    releases.push_back(releaseOf(job.id, now, job.run_at, std::nullopt));
    held_.erase(job.id);
  }
  ready_.clear();
  return releases;
}

void WorkerPool::stop(Duration grace) {
  std::unique_lock lock(mu_);
  if (!started_) return;
  stopping_ = true;
  fetch_cv_.notify_all();
  work_cv_.notify_all();
  lock.unlock();
  fetcher_.join();  // no claim is in progress after this
  watcher_.join();
  lock.lock();
  std::vector<JobCompletion> releases = takeUnstarted();
  lock.unlock();
  // Never wait for the store while holding mu_: completion callbacks take it.
  if (!releases.empty()) (void)store_.completeJobsAndWait(std::move(releases));
  lock.lock();

  auto until = std::chrono::steady_clock::now() + grace;
  idle_cv_.wait_until(lock, until, [&] { return running_.empty(); });
  if (!running_.empty()) {
    // Past the grace period: release them uncharged; a late completion is refused by the store.
    releases.clear();
    TimePoint now = clock_.now();
    for (auto& [id, run] : running_) {
      run.stop.request_stop();
      releases.push_back(
          releaseOf(id, now, now, EventNote{"released", "worker stopped before the job finished"}));
    }
    lock.unlock();
    (void)store_.completeJobsAndWait(std::move(releases));
    lock.lock();
  }
  lock.unlock();
  for (auto& t : executors_) t.join();
  executors_.clear();
  lock.lock();
  // Completions still waiting for a retry go now, once; a failure is logged.
  if (!flushing_ && !finished_.empty()) flushCompletions(lock);
  idle_cv_.wait(lock, [&] { return !flushing_ && finished_.empty(); });
  held_.clear();
  started_ = false;
}

}  // namespace snapq
