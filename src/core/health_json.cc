#include "core/health_json.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "core/job_json.h"
#include "core/time_format.h"

namespace snapq {
namespace {

using json = nlohmann::json;

constexpr HealthWindow kWindows[] = {
    {"1h", std::chrono::hours(1), std::chrono::minutes(5)},
    {"24h", std::chrono::hours(24), std::chrono::hours(1)},
    {"7d", std::chrono::hours(24 * 7), std::chrono::hours(6)},
    {"30d", std::chrono::hours(24 * 30), std::chrono::hours(24)},
};

json timeOrNull(const std::optional<TimePoint>& t) { return t ? json(formatIso(*t)) : json(nullptr); }

json serviceJson(const ServiceHealth& s, TimePoint now) {
  std::optional<double> rate_percent = successRatePercent(s);
  json rate = rate_percent ? json(*rate_percent) : json(nullptr);
  std::optional<Duration> waited = oldestDueAge(s, now);
  json age = waited ? json(std::chrono::duration_cast<std::chrono::seconds>(*waited).count()) : json(nullptr);
  json out = {{"total", s.total},
              {"success", s.success},
              {"failed", s.failed},
              {"conflict", s.conflict},
              {"skipped", s.skipped},
              {"cancelled", s.cancelled},
              {"pending", s.pending},
              {"success_rate", rate},
              {"p50_ms", s.p50_ms ? json(*s.p50_ms) : json(nullptr)},
              {"p95_ms", s.p95_ms ? json(*s.p95_ms) : json(nullptr)},
              {"last_sync_at", timeOrNull(s.last_sync_at)},
              {"oldest_queued_age_s", age}};
  if (!s.service.empty()) out["service"] = s.service;
  return out;
}

}  // namespace

std::optional<double> successRatePercent(const ServiceHealth& s) {
  const int64_t decided = s.success + s.failed + s.conflict;
  if (decided == 0) return std::nullopt;
  return std::round(1000.0 * static_cast<double>(s.success) / static_cast<double>(decided)) / 10.0;
}

std::optional<Duration> oldestDueAge(const ServiceHealth& s, TimePoint now) {
  if (!s.oldest_queued_at) return std::nullopt;
  return std::max(Duration(0), std::chrono::duration_cast<Duration>(now - *s.oldest_queued_at));
}

const HealthWindow* findHealthWindow(std::string_view name) {
  for (const HealthWindow& w : kWindows) {
    if (w.name == name) return &w;
  }
  return nullptr;
}

Result<HealthData> readHealth(Store& store, const HealthWindow& window, TimePoint now) {
  HealthData data;
  auto report = store.jobHealth({now - window.length, now, window.bucket});
  if (!report) return report.status();
  data.report = std::move(*report);
  JobFilter failures;
  failures.statuses = {JobStatus::failed, JobStatus::conflict};
  failures.since = now - window.length;
  failures.limit = 10;
  failures.with_counts = false;
  auto recent = store.listJobs(failures);
  if (!recent) return recent.status();
  data.recent_failures = std::move(recent->jobs);
  auto workers = store.listWorkers();
  if (!workers) return workers.status();
  data.workers = std::move(*workers);
  return data;
}

json healthToJson(const HealthWindow& window, TimePoint now, const HealthData& data,
                  const std::vector<std::string>& configured,
                  const std::function<std::string(const std::string&)>& circuit) {
  json totals = serviceJson(data.report.totals, now);
  for (const char* per_service_only : {"success_rate", "p50_ms", "p95_ms", "last_sync_at", "oldest_queued_age_s"}) {
    totals.erase(per_service_only);
  }
  // Every configured service has its card, jobs or not; services that left the
  // config but still have jobs keep theirs.
  std::map<std::string, ServiceHealth> by_name;
  for (const std::string& name : configured) by_name[name].service = name;
  for (const ServiceHealth& s : data.report.services) by_name[s.service] = s;
  json services = json::array();
  for (const auto& [name, s] : by_name) {
    json item = serviceJson(s, now);
    if (circuit) item["circuit"] = circuit(name);
    services.push_back(std::move(item));
  }
  json recent_failures = json::array();
  for (const Job& j : data.recent_failures) recent_failures.push_back(jobToJson(j));
  json workers = json::array();
  for (const WorkerRecord& w : data.workers) {
    workers.push_back({{"id", w.id},
                       {"host", w.host},
                       {"pid", w.pid},
                       {"started_at", formatIso(w.started_at)},
                       {"last_seen_at", formatIso(w.heartbeat_at)},
                       {"running", w.running_jobs}});
  }
  json series = json::array();
  for (const HealthBucket& b : data.report.series) {
    series.push_back({{"t", formatIso(b.start)}, {"success", b.success}, {"failed", b.failed}});
  }
  return {{"window", std::string(window.name)}, {"totals", std::move(totals)},
          {"services", std::move(services)},    {"recent_failures", std::move(recent_failures)},
          {"workers", std::move(workers)},      {"series", std::move(series)}};
}

}  // namespace snapq
