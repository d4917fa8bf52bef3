#include "sync/instance_gate.h"

#include <algorithm>
#include <cmath>
#include <thread>
#include <utility>

namespace snapq {

InstanceGate::InstanceGate(const Policy& policy, Clock& clock)
    : clock_(clock),
      concurrency_(std::max(1, policy.concurrency)),
      bucket_(policy.rate_limit, std::max(1, policy.burst), clock),
      breaker_({policy.circuit_breaker.failures, policy.circuit_breaker.cool_down}, clock) {
  if (policy.rate_limit > 0) {
    window_cap_ = static_cast<size_t>(std::max(1.0, std::floor(policy.rate_limit)));
    // Slightly more than cap/rate: arrival jitter must not squeeze cap+1 requests into the window.
    window_ = Duration(static_cast<int64_t>(std::ceil(1000.0 * static_cast<double>(window_cap_) / policy.rate_limit))) +
              Duration(15);
  }
}

std::optional<TimePoint> InstanceGate::reserveInWindow(TimePoint now) {
  std::lock_guard lock(mu_);
  TimePoint at = now;
  if (!sent_.empty()) at = std::max(at, sent_.back());
  if (sent_.size() >= window_cap_) at = std::max(at, sent_.front() + window_);
  if (at - now > max_wait) return std::nullopt;
  sent_.push_back(at);
  while (sent_.size() > window_cap_) sent_.pop_front();
  return at;
}

std::optional<RemoteError> InstanceGate::enter(bool priority, std::stop_token stop) {
  auto permit = breaker_.acquire();
  if (!permit) {
    RemoteError e{RemoteError::Kind::rate_limited, "circuit open: the instance kept failing; waiting for it",
                  permit.retry_at - clock_.now(), 0};
    return e;
  }
  {
    std::unique_lock lock(mu_);
    if (!slots_cv_.wait(lock, stop, [this] { return in_flight_ < concurrency_; })) {
      return RemoteError{RemoteError::Kind::retryable, "stopped while waiting for a request slot", {}, 0};
    }
    ++in_flight_;
  }
  // One count per request that the rate limit held up or put off, however many times it slept.
  bool waited = false;
  auto countWait = [&] {
    if (!std::exchange(waited, true)) rate_waits_.fetch_add(1);
  };
  while (true) {
    Duration wait = bucket_.reserve(priority);
    if (wait <= Duration::zero()) break;
    countWait();
    if (wait > max_wait) {
      release();
      return RemoteError{RemoteError::Kind::rate_limited, "request budget of the instance exhausted", wait, 0};
    }
    TimePoint until = clock_.now() + wait;
    // Sleep in small steps so a stop or a new 429 pause is noticed.
    while (clock_.now() < until && !stop.stop_requested()) {
      std::this_thread::sleep_for(std::min<Duration>(until - clock_.now(), Duration(50)));
    }
    if (stop.stop_requested()) {
      release();
      return RemoteError{RemoteError::Kind::retryable, "stopped while waiting for the rate limit", {}, 0};
    }
    if (bucket_.pausedUntil() <= clock_.now()) break;  // our send time still holds
  }
  if (window_cap_ > 0) {
    auto at = reserveInWindow(clock_.now());
    if (!at || *at > clock_.now()) countWait();
    if (!at) {
      release();
      return RemoteError{RemoteError::Kind::rate_limited, "request budget of the instance exhausted", max_wait, 0};
    }
    while (clock_.now() < *at && !stop.stop_requested()) {
      std::this_thread::sleep_for(std::min<Duration>(*at - clock_.now(), Duration(50)));
    }
    if (TimePoint now = clock_.now(); now > *at) sendingLate(*at, now);
  }
  return std::nullopt;
}

void InstanceGate::sendingLate(TimePoint reserved, TimePoint actual) {
  std::lock_guard lock(mu_);
  auto it = std::find(sent_.rbegin(), sent_.rend(), reserved);
  if (it == sent_.rend()) return;  // already out of the window
  *it = actual;
  std::sort(sent_.begin(), sent_.end());  // a few dozen entries at most
}

void InstanceGate::release() {
  {
    std::lock_guard lock(mu_);
    --in_flight_;
  }
  slots_cv_.notify_one();
}

void InstanceGate::leave(const RemoteError* error) {
  ++requests_;
  if (error == nullptr || error->kind == RemoteError::Kind::not_found || error->kind == RemoteError::Kind::rejected) {
    breaker_.onSuccess();  // the instance answered sensibly
  } else if (error->kind == RemoteError::Kind::rate_limited) {
    rate_waits_.fetch_add(1);  // the service said 429: this job is put off, and so is everyone's next request
    bucket_.pauseUntil(clock_.now() + error->retry_after);
  } else {
    breaker_.onFailure();
  }
  release();
}

template <typename T, typename Call>
RemoteResult<T> GatedConnector::through(Call call) {
  if (auto refused = gate_.enter(priority_, stop_)) return *refused;
  ++requests_;
  RemoteResult<T> result = call();
  gate_.leave(result.isOk() ? nullptr : &result.error());
  return result;
}

RemoteResult<Page> GatedConnector::list(const std::string& resource, const Scope& scope, const std::string& cursor) {
  return through<Page>([&] { return inner_.list(resource, scope, cursor); });
}
RemoteResult<std::optional<nlohmann::json>> GatedConnector::get(const ObjectRef& object) {
  return through<std::optional<nlohmann::json>>([&] { return inner_.get(object); });
}
RemoteResult<nlohmann::json> GatedConnector::create(const ObjectRef& object) {
  return through<nlohmann::json>([&] { return inner_.create(object); });
}
RemoteResult<nlohmann::json> GatedConnector::update(const ObjectRef& object) {
  return through<nlohmann::json>([&] { return inner_.update(object); });
}
RemoteResult<Done> GatedConnector::remove(const ObjectRef& object) {
  return through<Done>([&] { return inner_.remove(object); });
}
RemoteResult<nlohmann::json> GatedConnector::action(const std::string& name, const ObjectRef& object) {
  return through<nlohmann::json>([&] { return inner_.action(name, object); });
}

}  // namespace snapq
