// System health (API.md "Health"): GET /api/v1/health?window=1h|24h|7d|30d
// Totals, one entry per service (every configured one, and any other with
// jobs), recent failures, the worker registry and a throughput series.
#include <algorithm>
#include <cmath>
#include <mutex>

#include "core/job_json.h"
#include "core/time_format.h"
#include "http/routes.h"
#include "sync/sync_service.h"

namespace snapq::http {

namespace {

using json = nlohmann::json;

struct Window {
  const char* name;
  Duration length;
  Duration bucket;
};

constexpr Window kWindows[] = {
    {"1h", std::chrono::hours(1), std::chrono::minutes(5)},
    {"24h", std::chrono::hours(24), std::chrono::hours(1)},
    {"7d", std::chrono::hours(24 * 7), std::chrono::hours(6)},
    {"30d", std::chrono::hours(24 * 30), std::chrono::hours(24)},
};

json timeOrNull(const std::optional<TimePoint>& t) { return t ? json(formatIso(*t)) : json(nullptr); }

json serviceJson(const ServiceHealth& s, TimePoint now) {
  const int64_t decided = s.success + s.failed + s.conflict;
  json rate = nullptr;
  if (decided > 0) rate = std::round(1000.0 * static_cast<double>(s.success) / static_cast<double>(decided)) / 10.0;
  json age = nullptr;
  if (s.oldest_queued_at) {
    age = std::max<int64_t>(0, std::chrono::duration_cast<std::chrono::seconds>(now - *s.oldest_queued_at).count());
  }
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

// The worst circuit of the service's instances: open, then half_open, then closed.
std::string circuitOf(ApiContext& ctx, const std::string& service) {
  if (ctx.sync == nullptr || ctx.config == nullptr) return "closed";
  const ServiceSpec* spec = ctx.config->service(service);
  if (spec == nullptr) return "closed";
  std::string worst = "closed";
  for (const InstanceSpec& instance : spec->instances) {
    const InstanceGate* gate = ctx.sync->gate(service, instance.name);
    std::string state = gate ? toString(gate->circuit()) : "closed";
    if (state == "open" || (state == "half_open" && worst == "closed")) worst = state;
  }
  return worst;
}

Reply health(ApiContext& ctx, ApiRequest& r) {
  if (auto bad = rejectUnknownParams(r, {"window"})) return *bad;
  const std::string wanted = r.http.query.get("window").value_or("24h");
  const Window* window = nullptr;
  for (const Window& w : kWindows) {
    if (wanted == w.name) window = &w;
  }
  if (window == nullptr) {
    return Reply::error(400, "bad_request", "window must be one of 1h, 24h, 7d, 30d", {{"parameter", "window"}});
  }
  const TimePoint now = r.now;
  auto report = ctx.store.jobHealth({now - window->length, now, window->bucket});
  if (!report) return Reply::fromStatus(report.status());

  json totals = serviceJson(report->totals, now);
  for (const char* per_service_only : {"success_rate", "p50_ms", "p95_ms", "last_sync_at", "oldest_queued_age_s"}) {
    totals.erase(per_service_only);
  }
  // Every configured service has its card, jobs or not; services that left the
  // config but still have jobs keep theirs.
  std::map<std::string, ServiceHealth> by_name;
  if (ctx.config) {
    for (const ServiceSpec& s : ctx.config->services) by_name[s.name].service = s.name;
  }
  for (const ServiceHealth& s : report->services) by_name[s.service] = s;
  json services = json::array();
  for (const auto& [name, s] : by_name) {
    json item = serviceJson(s, now);
    item["circuit"] = circuitOf(ctx, name);
    services.push_back(std::move(item));
  }

  JobFilter failures;
  failures.statuses = {JobStatus::failed, JobStatus::conflict};
  failures.since = now - window->length;
  failures.limit = 10;
  failures.with_counts = false;
  auto recent = ctx.store.listJobs(failures);
  if (!recent) return Reply::fromStatus(recent.status());
  json recent_failures = json::array();
  for (const Job& j : recent->jobs) recent_failures.push_back(jobToJson(j));

  auto workers = ctx.store.listWorkers();
  if (!workers) return Reply::fromStatus(workers.status());
  json worker_list = json::array();
  for (const WorkerRecord& w : *workers) {
    worker_list.push_back({{"id", w.id},
                           {"host", w.host},
                           {"pid", w.pid},
                           {"started_at", formatIso(w.started_at)},
                           {"last_seen_at", formatIso(w.heartbeat_at)},
                           {"running", w.running_jobs}});
  }

  json series = json::array();
  for (const HealthBucket& b : report->series) {
    series.push_back({{"t", formatIso(b.start)}, {"success", b.success}, {"failed", b.failed}});
  }
  return Reply::json(200, {{"window", window->name},
                           {"totals", std::move(totals)},
                           {"services", std::move(services)},
                           {"recent_failures", std::move(recent_failures)},
                           {"workers", std::move(worker_list)},
                           {"series", std::move(series)}});
}

}  // namespace

void addHealthRoutes(Router& router, ApiContext& ctx) {
  router.add("GET", "/api/v1/health", Permission::sync_job_view, [&ctx](ApiRequest& r) { return health(ctx, r); });
}

}  // namespace snapq::http
