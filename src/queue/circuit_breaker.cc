#include "queue/circuit_breaker.h"

namespace snapq {

CircuitBreaker::CircuitBreaker(Options options, Clock& clock) : options_(options), clock_(clock) {}

void CircuitBreaker::open(TimePoint now) {
  state_ = State::open;
  open_until_ = now + options_.cool_down;
  trial_in_flight_ = false;
}

CircuitBreaker::Permit CircuitBreaker::acquire() {
  std::lock_guard lock(mu_);
  const TimePoint now = clock_.now();
  if (state_ == State::closed) return {true, now};
  if (state_ == State::open) {
    if (now < open_until_) return {false, open_until_};
    state_ = State::half_open;
    trial_in_flight_ = false;
  }
  if (trial_in_flight_ && now < trial_deadline_) return {false, trial_deadline_};
  trial_in_flight_ = true;
  trial_deadline_ = now + options_.cool_down;
  return {true, now};
}

void CircuitBreaker::onSuccess() {
  std::lock_guard lock(mu_);
  if (state_ == State::open) return;  // a request from before the breaker opened
  state_ = State::closed;
  failures_ = 0;
  trial_in_flight_ = false;
}

void CircuitBreaker::onFailure() {
  std::lock_guard lock(mu_);
  switch (state_) {
    case State::open: return;  // a request from before the breaker opened
    case State::half_open:
      ++failures_;
      open(clock_.now());
      return;
    case State::closed:
      ++failures_;
      if (options_.failure_threshold > 0 && failures_ >= options_.failure_threshold) open(clock_.now());
      return;
  }
}

CircuitBreaker::State CircuitBreaker::state() const {
  std::lock_guard lock(mu_);
  if (state_ == State::open && clock_.now() >= open_until_) return State::half_open;
  return state_;
}

TimePoint CircuitBreaker::openUntil() const {
  std::lock_guard lock(mu_);
  if (state_ == State::open) return open_until_;
  if (state_ == State::half_open && trial_in_flight_) return trial_deadline_;
  return TimePoint{};
}

int CircuitBreaker::consecutiveFailures() const {
  std::lock_guard lock(mu_);
  return failures_;
}

const char* toString(CircuitBreaker::State state) {
  switch (state) {
    case CircuitBreaker::State::closed: return "closed";
    case CircuitBreaker::State::open: return "open";
    case CircuitBreaker::State::half_open: return "half_open";
  }
  return "unknown";
}

}  // namespace snapq
