#include "auth/login_limiter.h"

namespace snapq::auth {

void LoginLimiter::prune(std::deque<TimePoint>& failures, TimePoint now) const {
  while (!failures.empty() && failures.front() + window_ <= now) failures.pop_front();
}

Duration LoginLimiter::wait(const std::string& key, TimePoint now) {
  std::lock_guard lock(mu_);
  auto it = failures_.find(key);
  if (it == failures_.end()) return Duration(0);
  prune(it->second, now);
  if (static_cast<int>(it->second.size()) < max_failures_) return Duration(0);
  // The oldest failure that still counts must leave the window.
  return it->second[it->second.size() - static_cast<size_t>(max_failures_)] + window_ - now;
}

void LoginLimiter::recordFailure(const std::string& key, TimePoint now) {
  std::lock_guard lock(mu_);
  if (failures_.size() >= kMaxKeys) {
    for (auto it = failures_.begin(); it != failures_.end();) {
      prune(it->second, now);
      it = it->second.empty() ? failures_.erase(it) : std::next(it);
    }
  }
  auto& failures = failures_[key];
  prune(failures, now);
  failures.push_back(now);
  // Only the last max_failures matter for the wait.
  while (static_cast<int>(failures.size()) > max_failures_) failures.pop_front();
}

void LoginLimiter::clear(const std::string& key) {
  std::lock_guard lock(mu_);
  failures_.erase(key);
}

}  // namespace snapq::auth
