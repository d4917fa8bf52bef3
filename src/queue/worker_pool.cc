#include "queue/worker_pool.h"

#include <algorithm>

namespace snapq {

WorkerPool::WorkerPool(Store& store, const EngineOptions& options, Clock& clock, const Executor& executor,
                       std::string worker_id, Committed committed)
    : store_(store),
      options_(options),
      clock_(clock),
      executor_(executor),
      worker_id_(std::move(worker_id)),
      committed_(std::move(committed)),
      capacity_(std::max(1, options.workers) + (options.prefetch > 0 ? options.prefetch : 16 * std::max(1, options.workers))) {}

WorkerPool::~WorkerPool() { stop(Duration(0)); }

void WorkerPool::start() {
  std::lock_guard lock(mu_);
  if (started_) return;
  started_ = true;
  stopping_ = false;
  fetcher_ = std::thread([this] { fetchLoop(); });
  for (int i = 0; i < std::max(1, options_.workers); ++i) executors_.emplace_back([this] { executeLoop(); });
}

void WorkerPool::wake() {
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  fetch_cv_.notify_one();
}

void WorkerPool::fetchLoop() {
  const int workers = std::max(1, options_.workers);
  std::unique_lock lock(mu_);
  while (!stopping_) {
    // Claim when the buffer runs low, as much as there is room for.
    fetch_cv_.wait(lock, [&] { return stopping_ || static_cast<int>(ready_.size()) < workers; });
    if (stopping_) break;
    int room = capacity_ - static_cast<int>(ready_.size() + running_.size());
    if (room <= 0) {
      fetch_cv_.wait_for(lock, options_.poll);
      continue;
    }
    woken_ = false;
    lock.unlock();
    ClaimRequest req;
    req.worker_id = worker_id_;
    req.queues = options_.queues;
    req.limit = room;
    req.now = clock_.now();
    req.lease = options_.lease;
    req.service_limits = options_.service_concurrency;
    auto claimed = store_.claimJobs(req);
    lock.lock();
    if (claimed && !claimed->empty()) {
      for (Job& job : *claimed) ready_.push_back(std::move(job));
      work_cv_.notify_all();
      continue;
    }
    // Nothing due (or the store failed): sleep until woken or the next poll.
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
    auto [it, inserted] = running_.try_emplace(job.id);
    it->second.deadline = deadline;
    std::stop_token token = it->second.stop.get_token();
    if (static_cast<int>(ready_.size()) < std::max(1, options_.workers)) fetch_cv_.notify_one();
    lock.unlock();

    Attempt attempt = executor_.run(job, worker_id_, token, deadline);

    lock.lock();
    running_.erase(job.id);
    ++in_flight_completions_;
    lock.unlock();
    submit(attempt);
    lock.lock();
    fetch_cv_.notify_one();
  }
}

void WorkerPool::submit(const Attempt& attempt) {
  auto shared = std::make_shared<Attempt>(attempt);
  store_.completeJobs({attempt.completion}, [this, shared](const Result<std::vector<bool>>& applied) {
    bool ok = applied && !applied->empty() && applied->front();
    if (ok && committed_) committed_(*shared);
    {
      std::lock_guard lock(mu_);
      --in_flight_completions_;
      woken_ = true;  // the job's target may be free for its next job now
    }
    fetch_cv_.notify_one();
    idle_cv_.notify_all();
  });
}

void WorkerPool::enforceTimeouts(TimePoint now) {
  std::lock_guard lock(mu_);
  for (auto& [id, run] : running_) {
    if (now >= run.deadline) run.stop.request_stop();
  }
}

std::vector<JobCompletion> WorkerPool::takeUnstarted() {
  // Called with mu_ held; jobs claimed but never started go back uncharged.
  std::vector<JobCompletion> releases;
  TimePoint now = clock_.now();
  for (const Job& job : ready_) {
    JobCompletion c;
    c.job_id = job.id;
    c.worker_id = worker_id_;
    c.transition = Transition::release;
    c.started_at = now;
    c.finished_at = now;
    c.run_at = job.run_at;
    releases.push_back(std::move(c));
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
  lock.lock();
  std::vector<JobCompletion> unstarted = takeUnstarted();
  lock.unlock();
  // Never wait for the store while holding mu_: completion callbacks take it.
  if (!unstarted.empty()) (void)store_.completeJobsAndWait(std::move(unstarted));
  lock.lock();

  auto until = std::chrono::steady_clock::now() + grace;
  idle_cv_.wait_until(lock, until, [&] { return running_.empty(); });
  if (!running_.empty()) {
    // Past the grace period: release them uncharged; a late completion is refused by the store.
    std::vector<JobCompletion> releases;
    TimePoint now = clock_.now();
    for (auto& [id, run] : running_) {
      run.stop.request_stop();
      JobCompletion c;
      c.job_id = id;
      c.worker_id = worker_id_;
      c.transition = Transition::release;
      c.started_at = now;
      c.finished_at = now;
      c.run_at = now;
      c.event = EventNote{"released", "worker stopped before the job finished"};
      releases.push_back(std::move(c));
    }
    lock.unlock();
    (void)store_.completeJobsAndWait(std::move(releases));
    lock.lock();
  }
  lock.unlock();
  for (auto& t : executors_) t.join();
  executors_.clear();
  lock.lock();
  idle_cv_.wait(lock, [&] { return in_flight_completions_ == 0; });
  started_ = false;
}

}  // namespace snapq
