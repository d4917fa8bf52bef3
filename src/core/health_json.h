// System health as the HTTP API (GET /api/v1/health) and `snapq health --json`
// show it (docs/API.md, "Health"): one place, so both stay identical.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "snapq/store.h"

namespace snapq {

struct HealthWindow {
  std::string_view name;  // 1h, 24h, 7d, 30d
  Duration length;
  Duration bucket;  // the series' step
};

// The window named `name`; nullptr when it is none of 1h, 24h, 7d, 30d.
const HealthWindow* findHealthWindow(std::string_view name);

// success / (success + failed + conflict) in percent, to 0.1; none without such jobs.
std::optional<double> successRatePercent(const ServiceHealth& s);
// How long the oldest due job has waited at `now` (never negative); none without one.
std::optional<Duration> oldestDueAge(const ServiceHealth& s, TimePoint now);

// What the health view reads: the counts, the window's latest failures and
// conflicts (10), and the worker registry.
struct HealthData {
  HealthReport report;
  std::vector<Job> recent_failures;
  std::vector<WorkerRecord> workers;
};
Result<HealthData> readHealth(Store& store, const HealthWindow& window, TimePoint now);

// {"window","totals","services","recent_failures","workers","series"}.
// `configured`: services that get a card even without jobs; `circuit`: a
// service's circuit state (open, half_open, closed), held by the process that
// runs the service's jobs; without it the cards have no "circuit".
nlohmann::json healthToJson(const HealthWindow& window, TimePoint now, const HealthData& data,
                            const std::vector<std::string>& configured,
                            const std::function<std::string(const std::string&)>& circuit);

}  // namespace snapq
