#include "queue/notifier.h"

namespace snapq {

Notifier::Notifier() : thread_([this] { loop(); }) {}

Notifier::~Notifier() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void Notifier::subscribe(JobListener finished) {
  std::lock_guard lock(mu_);
  finished_.push_back(std::move(finished));
}

void Notifier::subscribe(JobChangeListener changed) {
  std::lock_guard lock(mu_);
  changed_.push_back(std::move(changed));
}

void Notifier::publish(JobChange::Kind kind, std::vector<Job> jobs) {
  if (jobs.empty()) return;
  {
    std::lock_guard lock(mu_);
    if (finished_.empty() && changed_.empty()) return;
    for (Job& j : jobs) queue_.push_back({kind, std::move(j)});
  }
  cv_.notify_one();
}

bool Notifier::wantsChanges() const {
  std::lock_guard lock(mu_);
  return !changed_.empty();
}

void Notifier::publishDeleted(Job job) {
  std::vector<Job> one;
  one.push_back(std::move(job));
  publish(JobChange::Kind::deleted, std::move(one));
}

void Notifier::loop() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;
    std::deque<JobChange> changes;
    changes.swap(queue_);
    std::vector<JobListener> finished = finished_;
    std::vector<JobChangeListener> changed = changed_;
    lock.unlock();
    for (const JobChange& change : changes) {
      for (const auto& listener : changed) listener(change);
      const bool by_worker = change.kind == JobChange::Kind::attempted || change.kind == JobChange::Kind::rescued;
      if (by_worker && isTerminal(change.job.status)) {
        for (const auto& listener : finished) listener(change.job);
      }
    }
    lock.lock();
  }
}

}  // namespace snapq
