// GET /metrics: the Prometheus text exposition (docs/API.md "/metrics").
// Counters of what this process did: the jobs it finished, from the engine's
// change stream, and the external requests its connectors sent (the process
// registry). Gauges read at each scrape: queue depth and the oldest due job,
// last successful syncs, snapshot rows, circuits, rate-limit waits, workers.
#include <algorithm>
#include <set>

#include "core/metrics.h"
#include "http/routes.h"
#include "sync/sync_service.h"

namespace snapq::http {

namespace {

constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";

// Seconds, from a sub-second handler to a slow sync.
const std::vector<double> kDurationBounds = {.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300};

// Fed by the engine's listener. The engine keeps its listeners for its whole
// life (they cannot be removed), so the listener holds this weakly and the
// route's handler, i.e. the ApiServer, owns it.
struct JobMetrics {
  metrics::Registry registry;
  metrics::Counter& finished = registry.counter(
      "snapq_jobs_finished_total",
      "Jobs this process brought to a final state: an attempt's outcome, a rescue whose attempts were used up, or a "
      "manager's cancel.",
      {"service", "action", "status"});
  metrics::Histogram& duration = registry.histogram(
      "snapq_job_duration_seconds",
      "Run time (finished_at - started_at) of the attempt that finished a job, for jobs this process ran to a final "
      "state.",
      {"service", "action"}, kDurationBounds);

  void observe(const JobChange& change) {
    const Job& job = change.job;
    const bool final_attempt = change.kind == JobChange::Kind::attempted && isTerminal(job.status);
    const bool final_rescue = change.kind == JobChange::Kind::rescued && isTerminal(job.status);
    const bool cancel = change.kind == JobChange::Kind::managed && job.status == JobStatus::cancelled;
    if (!final_attempt && !final_rescue && !cancel) return;
    finished.add({job.service, job.action, toString(job.status)});
    // A rescued job's time ran out on a lost worker; a cancelled one never ran.
    if (!final_attempt) return;
    std::optional<double> seconds;
    if (job.started_at && job.finished_at) {
      seconds = std::chrono::duration<double>(*job.finished_at - *job.started_at).count();
    } else if (job.duration_ms) {
      seconds = static_cast<double>(*job.duration_ms) / 1000.0;
    }
    if (seconds) duration.observe({job.service, job.action}, std::max(0.0, *seconds));
  }
};

double secondsSinceEpoch(TimePoint t) { return std::chrono::duration<double>(t.time_since_epoch()).count(); }

int circuitValue(CircuitBreaker::State state) {
  switch (state) {
    case CircuitBreaker::State::closed: return 0;
    case CircuitBreaker::State::half_open: return 1;
    case CircuitBreaker::State::open: return 2;
  }
  return 0;
}

Reply storeFailed(ApiContext& ctx, const Status& status) {
  ctx.logger.log(LogLevel::warn, "GET /metrics: the store failed: " + status.toString());
  return Reply::error(503, "unavailable", "the store cannot be read now; the server log has the details");
}

void processMetrics(metrics::Exposition& out, size_t workers) {
  out.declare("snapq_up", "1 while this snapq process serves its API.", metrics::Type::gauge);
  out.sample("snapq_up", "", {}, 1);
#ifdef SNAPQ_VERSION
  out.declare("snapq_build_info", "The snapq version this process runs (always 1).", metrics::Type::gauge);
  out.sample("snapq_build_info", "", {{"version", SNAPQ_VERSION}}, 1);
#endif
  out.declare("snapq_workers", "Worker processes in the registry of the store (every node's, live or not yet removed).",
              metrics::Type::gauge);
  out.sample("snapq_workers", "", {}, static_cast<double>(workers));
}

// Queue depth, oldest due job and last sync per service: one health read over
// a window of zero length (no counting over the audit log).
void queueMetrics(metrics::Exposition& out, ApiContext& ctx, const HealthReport& health, TimePoint now) {
  std::map<std::string, const ServiceHealth*> services;  // configured ones too, with nothing pending
  if (ctx.config) {
    for (const ServiceSpec& s : ctx.config->services) services[s.name] = nullptr;
  }
  for (const ServiceHealth& s : health.services) services[s.service] = &s;

  out.declare("snapq_queue_pending", "Jobs queued or running, of every age.", metrics::Type::gauge);
  out.declare("snapq_queue_oldest_age_seconds",
              "How long the oldest due queued job has waited for a worker (0 when none waits).", metrics::Type::gauge);
  for (const auto& [name, s] : services) {
    out.sample("snapq_queue_pending", "", {{"service", name}}, s ? static_cast<double>(s->pending) : 0);
  }
  for (const auto& [name, s] : services) {
    double age = 0;
    if (s && s->oldest_queued_at)
      age = std::max(0.0, std::chrono::duration<double>(now - *s->oldest_queued_at).count());
    out.sample("snapq_queue_oldest_age_seconds", "", {{"service", name}}, age);
  }
  out.declare("snapq_last_sync_timestamp_seconds",
              "Unix time the latest successful sync job of the service finished (absent: never synced).",
              metrics::Type::gauge);
  for (const auto& [name, at] : health.last_syncs) {
    out.sample("snapq_last_sync_timestamp_seconds", "", {{"service", name}}, secondsSinceEpoch(at));
  }
}

// Rows per snapshot table, circuits and rate-limit waits per instance.
Status serviceMetrics(metrics::Exposition& out, ApiContext& ctx) {
  out.declare("snapq_snapshot_rows", "Rows in the snapshot table of a resource (every instance and scope).",
              metrics::Type::gauge);
  out.declare("snapq_circuit_state", "Circuit breaker of a service instance: 0 closed, 1 half_open, 2 open.",
              metrics::Type::gauge);
  out.declare("snapq_rate_limit_waits_total",
              "Requests to a service instance that its rate limit held up or put off: waits for the token bucket or "
              "the sliding window, refusals when that wait was too long, and 429 answers.",
              metrics::Type::counter);
  if (ctx.sync == nullptr) return Status::ok();
  std::vector<const ServiceSpec*> specs;
  for (const ServiceSpec& s : ctx.sync->config().services) specs.push_back(&s);
  std::sort(specs.begin(), specs.end(), [](const ServiceSpec* a, const ServiceSpec* b) { return a->name < b->name; });
  for (const ServiceSpec* s : specs) {
    std::set<std::string> resources;
    for (const ResourceSpec& r : s->resources) resources.insert(r.name);
    for (const std::string& resource : resources) {
      auto table = ctx.sync->table(s->name, resource);
      if (!table) continue;  // not a snapshot resource
      auto counts = ctx.sync->snapshots().countRows(*table);
      if (!counts) return counts.status();
      out.sample("snapq_snapshot_rows", "", {{"service", s->name}, {"resource", resource}},
                 static_cast<double>(counts->total));
    }
  }
  // Sorted by service, then instance: a family's samples keep the order they are added in.
  auto perInstance = [&](const std::string& family, auto value) {
    for (const ServiceSpec* s : specs) {
      std::set<std::string> instances;
      for (const InstanceSpec& i : s->instances) instances.insert(i.name);
      for (const std::string& instance : instances) {
        if (const InstanceGate* gate = ctx.sync->gate(s->name, instance)) {
          out.sample(family, "", {{"service", s->name}, {"instance", instance}}, value(*gate));
        }
      }
    }
  };
  perInstance("snapq_circuit_state",
              [](const InstanceGate& g) { return static_cast<double>(circuitValue(g.circuit())); });
  perInstance("snapq_rate_limit_waits_total",
              [](const InstanceGate& g) { return static_cast<double>(g.rateLimitWaits()); });
  return Status::ok();
}

Reply scrape(ApiContext& ctx, const JobMetrics& jobs, TimePoint now) {
  auto health = ctx.store.jobHealth({now, now, std::chrono::hours(1)});
  if (!health) return storeFailed(ctx, health.status());
  auto workers = ctx.store.listWorkers();
  if (!workers) return storeFailed(ctx, workers.status());
  metrics::Exposition out;
  processMetrics(out, workers->size());
  queueMetrics(out, ctx, *health, now);
  if (Status s = serviceMetrics(out, ctx); !s) return storeFailed(ctx, s);
  jobs.registry.collect(out);
  metrics::Registry::global().collect(out);
  return Reply::text(200, out.text(), kContentType);
}

}  // namespace

void addMetricsRoutes(Router& router, ApiContext& ctx, bool open) {
  auto jobs = std::make_shared<JobMetrics>();
  std::weak_ptr<JobMetrics> weak = jobs;
  ctx.engine.onJobChanged([weak](const JobChange& change) {
    if (std::shared_ptr<JobMetrics> state = weak.lock()) state->observe(change);
  });
  RouteHandler handler = [&ctx, jobs](ApiRequest& r) { return scrape(ctx, *jobs, r.now); };
  if (open) {
    router.add("GET", "/metrics", Access::open, std::move(handler));
  } else {
    router.add("GET", "/metrics", Permission::sync_job_view, std::move(handler));
  }
}

}  // namespace snapq::http
