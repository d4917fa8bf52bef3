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

void Notifier::subscribe(JobListener listener) {
  std::lock_guard lock(mu_);
  listeners_.push_back(std::move(listener));
}

void Notifier::publish(std::vector<Job> jobs) {
  if (jobs.empty()) return;
  {
    std::lock_guard lock(mu_);
    if (listeners_.empty()) return;
    for (Job& j : jobs) queue_.push_back(std::move(j));
  }
  cv_.notify_one();
}

void Notifier::loop() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;
    std::deque<Job> jobs;
    jobs.swap(queue_);
    std::vector<JobListener> listeners = listeners_;
    lock.unlock();
    for (const Job& job : jobs) {
      for (const auto& listener : listeners) listener(job);
    }
    lock.lock();
  }
}

}  // namespace snapq
