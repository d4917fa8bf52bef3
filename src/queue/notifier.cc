#include "queue/notifier.h"

#include <algorithm>
#include <iterator>

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
    for (Job& j : jobs) queue_.push_back({0, {kind, std::move(j)}});
  }
  cv_.notify_one();
}

uint64_t Notifier::reserve() {
  std::lock_guard lock(mu_);
  if (changed_.empty()) return 0;
  queue_.push_back({++last_reservation_, {}});
  return last_reservation_;
}

void Notifier::fill(uint64_t reservation, JobChange::Kind kind, std::vector<Job> jobs) {
  if (reservation == 0) {
    publish(kind, std::move(jobs));
    return;
  }
  {
    std::lock_guard lock(mu_);
    auto at = std::find_if(queue_.begin(), queue_.end(), [&](const Entry& e) { return e.reservation == reservation; });
    if (at == queue_.end()) return;
    std::vector<Entry> entries;
    for (Job& j : jobs) entries.push_back({0, {kind, std::move(j)}});
    at = queue_.erase(at);
    queue_.insert(at, std::make_move_iterator(entries.begin()), std::make_move_iterator(entries.end()));
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
    cv_.wait(lock, [this] { return stopping_ || (!queue_.empty() && queue_.front().reservation == 0); });
    if (stopping_) {
      // A reservation left unfilled at the end holds nothing back any more.
      std::erase_if(queue_, [](const Entry& e) { return e.reservation != 0; });
    }
    if (queue_.empty()) return;
    std::vector<JobChange> changes;
    while (!queue_.empty() && queue_.front().reservation == 0) {
      changes.push_back(std::move(queue_.front().change));
      queue_.pop_front();
    }
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
