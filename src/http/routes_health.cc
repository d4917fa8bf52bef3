// System health (API.md "Health"): GET /api/v1/health?window=1h|24h|7d|30d
// Totals, one entry per service (every configured one, and any other with
// jobs), recent failures, the worker registry and a throughput series.
#include "core/health_json.h"
#include "http/routes.h"
#include "sync/sync_service.h"

namespace snapq::http {

namespace {

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
  const HealthWindow* window = findHealthWindow(r.http.query.get("window").value_or("24h"));
  if (window == nullptr) {
    return Reply::error(400, "bad_request", "window must be one of 1h, 24h, 7d, 30d", {{"parameter", "window"}});
  }
  auto data = readHealth(ctx.store, *window, r.now);
  if (!data) return Reply::fromStatus(data.status());
  std::vector<std::string> configured;
  if (ctx.config) {
    for (const ServiceSpec& s : ctx.config->services) configured.push_back(s.name);
  }
  return Reply::json(200, healthToJson(*window, r.now, *data, configured,
                                       [&ctx](const std::string& service) { return circuitOf(ctx, service); }));
}

}  // namespace

void addHealthRoutes(Router& router, ApiContext& ctx) {
  router.add("GET", "/api/v1/health", Permission::sync_job_view, [&ctx](ApiRequest& r) { return health(ctx, r); });
}

}  // namespace snapq::http
