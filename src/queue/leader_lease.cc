#include "queue/leader_lease.h"

#include <algorithm>

namespace snapq {

LeaderLease::LeaderLease(Store& store, std::string name, std::string holder, Clock& clock, Duration lease,
                         Logger* logger)
    : store_(store),
      name_(std::move(name)),
      holder_(std::move(holder)),
      clock_(clock),
      lease_(std::max(lease, Duration(3))),
      logger_(logger) {}

LeaderLease::~LeaderLease() { stop(); }

Result<bool> LeaderLease::refresh() {
  TimePoint now = clock_.now();
  bool was, ran_out;
  {
    std::lock_guard lock(mu_);
    attempted_ = true;
    last_attempt_ = now;
    // Won last time but not renewed in time (the store unreachable): the lease
    // is gone, and the log says so before it is taken again, here or elsewhere.
    ran_out = won_ && now >= until_;
    if (ran_out) won_ = false;
    was = won_;
  }
  if (ran_out && logger_) logger_->log(LogLevel::info, "this node no longer leads '" + name_ + "' (its lease ran out)");
  auto won = store_.tryLeadership({name_, holder_, now, now + lease_});
  {
    std::lock_guard lock(mu_);
    if (won) {
      won_ = *won;
      if (*won) until_ = now + lease_;
    }
  }
  bool is = held();
  if (logger_ && was != is) {
    logger_->log(LogLevel::info, is ? "this node now leads '" + name_ + "' (" + holder_ + ")"
                                    : "this node no longer leads '" + name_ + "'");
  }
  return won;
}

void LeaderLease::refreshIfDue() {
  {
    std::lock_guard lock(mu_);
    if (attempted_ && clock_.now() - last_attempt_ < lease_ / 3) return;
  }
  (void)refresh();
}

bool LeaderLease::held() const {
  std::lock_guard lock(mu_);
  return won_ && clock_.now() < until_;
}

TimePoint LeaderLease::heldUntil() const {
  std::lock_guard lock(mu_);
  return until_;
}

void LeaderLease::release() {
  bool was;
  {
    std::lock_guard lock(mu_);
    was = won_;
    won_ = false;
  }
  if (!was) return;
  Status s = store_.releaseLeadership(name_, holder_);
  if (logger_) {
    logger_->log(s ? LogLevel::info : LogLevel::warn,
                 s ? "released the lead of '" + name_ + "'"
                   : "releasing the lead of '" + name_ + "' failed (it runs out by itself): " + s.toString());
  }
}

void LeaderLease::start() {
  std::lock_guard lock(thread_mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { loop(); });
}

void LeaderLease::stop() {
  {
    std::lock_guard lock(thread_mu_);
    if (!thread_.joinable()) return;
    stopping_ = true;
  }
  thread_cv_.notify_all();
  thread_.join();
  release();
}

void LeaderLease::loop() {
  std::unique_lock lock(thread_mu_);
  while (!stopping_) {
    lock.unlock();
    refreshIfDue();
    lock.lock();
    // Paced in real time; what is due is judged by the injected clock.
    thread_cv_.wait_for(lock, std::clamp(lease_ / 30, Duration(10), Duration(250)), [this] { return stopping_; });
  }
}

}  // namespace snapq
