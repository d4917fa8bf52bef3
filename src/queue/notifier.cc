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

bool Notifier::hasListeners() const {
  std::lock_guard lock(mu_);
  return !listeners_.empty();
}

void Notifier::publish(Job job) {
  {
    std::lock_guard lock(mu_);
    if (listeners_.empty()) return;
    queue_.push_back(std::move(job));
  }
  cv_.notify_one();
}

void Notifier::loop() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;
    Job job = std::move(queue_.front());
    queue_.pop_front();
    std::vector<JobListener> listeners = listeners_;
    lock.unlock();
    for (const auto& listener : listeners) listener(job);
    lock.lock();
  }
}

}  // namespace snapq
