#include "connectors/sim/sim_traffic.h"

namespace snapq::sim {

using nlohmann::json;

json toJson(const Chaos& c) {
  return {{"latency_ms", c.latency_ms},
          {"error_rate", c.error_rate},
          {"rate_limit", c.rate_limit},
          {"empty_lists", c.empty_lists},
          {"fail_next", c.fail_next}};
}

json applyChaos(Chaos& chaos, const json& body) {
  json errors = json::object();
  Chaos next = chaos;
  auto integer = [&](const std::string& key, const json& v, int64_t max, int64_t& out) {
    if (v.is_number_integer() && v.get<int64_t>() >= 0 && v.get<int64_t>() <= max)
      out = v.get<int64_t>();
    else
      errors[key] = "must be an integer from 0 to " + std::to_string(max);
  };
  for (const auto& [key, value] : body.items()) {
    if (key == "latency_ms") {
      integer(key, value, 60'000, next.latency_ms);
    } else if (key == "rate_limit") {
      integer(key, value, 1'000'000, next.rate_limit);
    } else if (key == "fail_next") {
      integer(key, value, 1'000'000, next.fail_next);
    } else if (key == "error_rate") {
      if (value.is_number() && value.get<double>() >= 0.0 && value.get<double>() <= 1.0)
        next.error_rate = value.get<double>();
      else
        errors[key] = "must be a number from 0 to 1";
    } else if (key == "empty_lists") {
      if (value.is_boolean())
        next.empty_lists = value.get<bool>();
      else
        errors[key] = "must be true or false";
    } else {
      errors[key] = "unknown setting";
    }
  }
  if (errors.empty()) chaos = next;
  return errors;
}

void Traffic::slide(std::deque<SteadyClock::time_point>& window, SteadyClock::time_point now) {
  while (!window.empty() && now - window.front() >= std::chrono::seconds(1)) window.pop_front();
}

Admission Traffic::admit(SteadyClock::time_point now) {
  std::lock_guard lock(mu_);
  slide(received_, now);
  received_.push_back(now);
  max_received_per_s_ = std::max<int64_t>(max_received_per_s_, static_cast<int64_t>(received_.size()));

  Admission a;
  a.latency = std::chrono::milliseconds(chaos_.latency_ms);
  a.empty_lists = chaos_.empty_lists;
  a.limit = chaos_.rate_limit;
  slide(accepted_, now);
  if (chaos_.rate_limit > 0 && static_cast<int64_t>(accepted_.size()) >= chaos_.rate_limit) {
    // The oldest admission leaves the window first; whole seconds, as
    // Retry-After requires, rounded up.
    const auto wait = accepted_.front() + std::chrono::seconds(1) - now;
    a.verdict = Admission::Verdict::rate_limited;
    a.retry_after_s =
        std::max<int64_t>(1, (std::chrono::duration_cast<std::chrono::milliseconds>(wait).count() + 999) / 1000);
    a.remaining = 0;
    return a;
  }
  accepted_.push_back(now);
  max_accepted_per_s_ = std::max<int64_t>(max_accepted_per_s_, static_cast<int64_t>(accepted_.size()));
  a.remaining = chaos_.rate_limit > 0 ? chaos_.rate_limit - static_cast<int64_t>(accepted_.size()) : 0;
  if (chaos_.fail_next > 0) {
    --chaos_.fail_next;
    a.verdict = Admission::Verdict::fail;
  } else if (chaos_.error_rate > 0.0) {
    // 53 random bits -> [0, 1): the same on every platform for one seed.
    const double u = static_cast<double>(random_() >> 11) * 0x1.0p-53;
    if (u < chaos_.error_rate) a.verdict = Admission::Verdict::fail;
  }
  return a;
}

void Traffic::answered(const std::string& method, int status) {
  std::lock_guard lock(mu_);
  ++total_;
  ++by_method_[method][std::to_string(status)];
  if (status == 429) ++rate_limited_;
  if (status == 503) ++failed_;
}

Chaos Traffic::chaos() const {
  std::lock_guard lock(mu_);
  return chaos_;
}

json Traffic::updateChaos(const json& body) {
  std::lock_guard lock(mu_);
  return applyChaos(chaos_, body);
}

json Traffic::stats() const {
  std::lock_guard lock(mu_);
  return {{"requests", {{"total", total_}, {"by_method", by_method_}}},
          {"rate_limited", rate_limited_},
          {"errors_injected", failed_},
          {"max_requests_per_second", max_received_per_s_},
          {"max_accepted_per_second", max_accepted_per_s_}};
}

void Traffic::resetStats() {
  std::lock_guard lock(mu_);
  total_ = rate_limited_ = failed_ = 0;
  max_received_per_s_ = max_accepted_per_s_ = 0;
  by_method_.clear();
  received_.clear();
  // accepted_ stays: it is the rate limiter's memory, not a statistic.
  max_accepted_per_s_ = static_cast<int64_t>(accepted_.size());
}

}  // namespace snapq::sim
