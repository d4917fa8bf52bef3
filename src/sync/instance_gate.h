// The request budget and health of one service instance, shared by every job
// that talks to it: at most `concurrency` requests in flight, a token bucket
// for the configured rate that also obeys the service's 429 Retry-After, and a
// circuit breaker that makes jobs wait while the instance keeps failing.
// GatedConnector puts a job's connector calls through the gate.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <stop_token>

#include "queue/circuit_breaker.h"
#include "queue/rate_limiter.h"
#include "snapq/config.h"
#include "snapq/connector.h"

namespace snapq {

class InstanceGate {
 public:
  InstanceGate(const Policy& policy, Clock& clock);

  // Waits for a slot and a token. Returns a RemoteError (rate_limited, with
  // the time to wait) instead when the circuit is open or the wait would be
  // longer than `max_wait`: the job is then released and tries again later
  // without losing an attempt.
  std::optional<RemoteError> enter(bool priority, std::stop_token stop);
  // After the request: its result feeds the breaker and the 429 pause.
  void leave(const RemoteError* error);

  CircuitBreaker::State circuit() const { return breaker_.state(); }
  int64_t requests() const { return requests_.load(); }
  // Requests the rate limit held up or put off: a wait for the token bucket
  // (which a 429's Retry-After pauses) or the sliding window, a refusal
  // because that wait would exceed max_wait, and every 429 answer itself.
  int64_t rateLimitWaits() const { return rate_waits_.load(); }

  static constexpr Duration max_wait{2000};

 private:
  // When a request may go out so that no window of `window_` holds more than
  // `window_cap_` of them (the provider counts in sliding seconds; a token
  // bucket alone lets burst + rate requests into one). Reserves that time.
  std::optional<TimePoint> reserveInWindow(TimePoint now);
  // The request reserved for `reserved` goes out only at `actual` (its thread
  // woke late, as it does on a busy machine): the window counts from then on.
  void sendingLate(TimePoint reserved, TimePoint actual);
  void release();  // frees the request slot

  Clock& clock_;
  const int concurrency_;
  TokenBucket bucket_;
  CircuitBreaker breaker_;
  std::mutex mu_;
  std::condition_variable_any slots_cv_;
  int in_flight_ = 0;
  size_t window_cap_ = 0;  // 0: no rate limit
  Duration window_{1000};
  std::deque<TimePoint> sent_;  // the last window_cap_ send times, ascending
  std::atomic<int64_t> requests_{0};
  std::atomic<int64_t> rate_waits_{0};
};

// One job's view of a connector through its instance's gate.
class GatedConnector final : public Connector {
 public:
  GatedConnector(Connector& inner, InstanceGate& gate, bool priority, std::stop_token stop)
      : inner_(inner), gate_(gate), priority_(priority), stop_(std::move(stop)) {}

  RemoteResult<Page> list(const std::string& resource, const Scope& scope, const std::string& cursor) override;
  RemoteResult<std::optional<nlohmann::json>> get(const ObjectRef& object) override;
  RemoteResult<nlohmann::json> create(const ObjectRef& object) override;
  RemoteResult<nlohmann::json> update(const ObjectRef& object) override;
  RemoteResult<Done> remove(const ObjectRef& object) override;
  RemoteResult<nlohmann::json> action(const std::string& name, const ObjectRef& object) override;

  int requests() const { return requests_; }

 private:
  template <typename T, typename Call>
  RemoteResult<T> through(Call call);

  Connector& inner_;
  InstanceGate& gate_;
  bool priority_;
  std::stop_token stop_;
  int requests_ = 0;
};

}  // namespace snapq
