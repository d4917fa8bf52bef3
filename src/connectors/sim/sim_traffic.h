// How the simulated service treats traffic: its chaos settings (latency,
// injected 503s, rate limit, empty listings), and the statistics a test
// reads back to check a client's behaviour. Thread-safe.
//
// Windows are sliding: "per second" means any interval of one second, not
// calendar seconds, so a client cannot pass by bunching requests around a
// second boundary.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

namespace snapq::sim {

struct Chaos {
  int64_t latency_ms = 0;
  double error_rate = 0.0;  // share of admitted API requests answered 503
  int64_t rate_limit = 0;   // admitted API requests per second; 0: unlimited
  bool empty_lists = false;
  int64_t fail_next = 0;  // the next N admitted API requests are answered 503
};

nlohmann::json toJson(const Chaos& chaos);
// Applies the keys present in `body` (any subset of Chaos's fields). Returns
// errors per field; nothing is applied when there is one.
nlohmann::json applyChaos(Chaos& chaos, const nlohmann::json& body);

struct Admission {
  enum class Verdict { serve, rate_limited, fail } verdict = Verdict::serve;
  int64_t retry_after_s = 0;  // for rate_limited
  int64_t limit = 0;          // the rate limit in force (0: none)
  int64_t remaining = 0;      // admissions left in the current window
  std::chrono::milliseconds latency{0};
  bool empty_lists = false;
};

class Traffic {
 public:
  using SteadyClock = std::chrono::steady_clock;

  Traffic(Chaos initial, uint64_t seed) : chaos_(initial), random_(seed) {}

  // Every authenticated API request, on arrival: counts it and decides
  // whether it is served, refused by the rate limit, or failed (503).
  Admission admit(SteadyClock::time_point now = SteadyClock::now());
  // Every API request once its answer is decided (status by method).
  void answered(const std::string& method, int status);

  Chaos chaos() const;
  // Returns the errors of applyChaos(); empty when applied.
  nlohmann::json updateChaos(const nlohmann::json& body);

  // requests by method and status, totals, 429s and 503s sent, and the most
  // requests seen in any one second: received (everything that arrived) and
  // accepted (past the rate limit).
  nlohmann::json stats() const;
  void resetStats();

 private:
  // Drops arrivals older than one second before `now` from `window`.
  static void slide(std::deque<SteadyClock::time_point>& window, SteadyClock::time_point now);

  mutable std::mutex mu_;
  Chaos chaos_;
  std::mt19937_64 random_;
  std::deque<SteadyClock::time_point> received_, accepted_;
  int64_t max_received_per_s_ = 0, max_accepted_per_s_ = 0;
  int64_t total_ = 0, rate_limited_ = 0, failed_ = 0;
  std::map<std::string, std::map<std::string, int64_t>> by_method_;
};

}  // namespace snapq::sim
