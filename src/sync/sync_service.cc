#include "sync/sync_service.h"

#include <set>

#include "core/time_format.h"
#include "sync/mutation_runner.h"
#include "sync/sync_runner.h"

namespace snapq {
namespace {

using json = nlohmann::json;

// Syncs of big resources take a while; mutations are a few requests.
constexpr Duration kSyncTimeout = std::chrono::hours(1);

json payloadOf(const JobContext& ctx) {
  json p = json::parse(ctx.payload(), nullptr, false);
  return p.is_object() ? p : json::object();
}

std::string scopeOf(const json& payload) {
  auto it = payload.find("scope");
  return it != payload.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

SyncService::SyncService(const Config& config, Engine& engine)
    : config_(config),
      engine_(engine),
      masker_(config.mask_patterns.empty() ? Masker() : Masker(config.mask_patterns)) {}

Result<std::unique_ptr<SyncService>> SyncService::open(const Config& config, Engine& engine,
                                                       ConnectorFactory factory) {
  std::unique_ptr<SyncService> service(new SyncService(config, engine));
  if (Status s = service->build(factory); !s) return s;
  service->registerJobTypes();
  SyncService* self = service.get();
  engine.onManage([self](Txn& txn, BulkAction action, const Job& job) { return self->onManage(txn, action, job); });
  engine.onRescueFailed([self](Txn& txn, const Job& job) { return self->onRescueFailed(txn, job); });
  return service;
}

Status SyncService::build(ConnectorFactory& factory) {
  for (const ServiceSpec& service : config_.services) {
    for (const ResourceSpec& resource : service.resources) {
      SnapshotTable table{service.name, &resource};
      if (Status s = snapshots().ensureTable(table); !s) {
        return Status(s.code(), "snapshot table " + table.name() + ": " + s.message());
      }
      rows_[service.name + "/" + resource.name] = std::make_unique<RowBuilder>(resource);
    }
    for (const InstanceSpec& spec : service.instances) {
      auto connector = factory(service, spec);
      if (!connector) {
        return Status(connector.status().code(),
                      "service " + service.name + " instance " + spec.name + ": " + connector.status().message());
      }
      Instance& inst = instances_[service.name + "/" + spec.name];
      inst.service = &service;
      inst.spec = &spec;
      inst.connector = std::move(*connector);
      inst.gate = std::make_unique<InstanceGate>(spec.policy, engine_.clock());
    }
  }
  return Status::ok();
}

void SyncService::registerJobTypes() {
  for (const ServiceSpec& service : config_.services) {
    std::set<std::string> actions = {"sync"};
    for (const ResourceSpec& r : service.resources) {
      if (r.create) actions.insert("create");
      if (r.update) actions.insert("update");
      if (r.remove) actions.insert("delete");
      for (const WriteSpec& a : r.actions) actions.insert(a.name);
    }
    for (const std::string& action : actions) {
      JobType type;
      type.service = service.name;
      type.action = action;
      // Check, write and read back, each within the request timeout.
      auto timeoutOf = [&](const Policy& p) {
        return action == "sync" ? kSyncTimeout : 3 * p.timeout + std::chrono::seconds(10);
      };
      type.retry = service.policy.retry;
      type.timeout = timeoutOf(service.policy);
      for (const InstanceSpec& inst : service.instances) {
        type.instances[inst.name] = InstanceOverride{inst.policy.retry, timeoutOf(inst.policy)};
      }
      if (action == "sync") {
        type.handler = [this](JobContext& ctx) { return runSync(ctx.job(), ctx); };
      } else {
        type.handler = [this](JobContext& ctx) { return runMutation(ctx.job(), ctx); };
      }
      engine_.registerJobType(std::move(type));
    }
  }
}

SyncService::Instance* SyncService::instance(const std::string& service, const std::string& name) {
  auto it = instances_.find(service + "/" + name);
  return it == instances_.end() ? nullptr : &it->second;
}

const InstanceGate* SyncService::gate(const std::string& service, const std::string& instance) const {
  auto it = instances_.find(service + "/" + instance);
  return it == instances_.end() ? nullptr : it->second.gate.get();
}

const RowBuilder& SyncService::rows(const std::string& service, const std::string& resource) const {
  return *rows_.at(service + "/" + resource);
}

Result<SnapshotTable> SyncService::table(const std::string& service, const std::string& resource) const {
  const ServiceSpec* s = config_.service(service);
  if (s == nullptr) return Status::notFound("unknown service '" + service + "'");
  const ResourceSpec* r = s->resource(resource);
  if (r == nullptr) return Status::notFound("service " + service + " has no resource '" + resource + "'");
  return SnapshotTable{service, r};
}

Result<std::optional<TimePoint>> SyncService::lastSyncedAt(const std::string& service, const std::string& resource,
                                                           const std::optional<std::string>& instance) {
  JobFilter filter;
  filter.services = {service};
  if (instance) filter.instances = {*instance};
  filter.actions = {"sync"};
  filter.target_type = resource;
  filter.statuses = {JobStatus::success};
  filter.limit = 1;
  filter.with_counts = false;
  auto page = engine_.store().listJobs(filter);
  if (!page) return page.status();
  if (page->jobs.empty()) return std::optional<TimePoint>();
  return page->jobs.front().finished_at;
}

Result<Scope> SyncService::scopeVars(const ServiceSpec& service, const ResourceSpec& resource,
                                     const std::string& scope_key) const {
  std::vector<std::string> vars = service.scopeVariables(resource);
  Scope scope;
  if (vars.empty()) {
    if (!scope_key.empty()) return Status::invalidArgument(resource.name + " is not a scoped resource");
    return scope;
  }
  auto parts = splitKey(scope_key, vars.size());
  if (!parts || scope_key.empty()) {
    return Status::invalidArgument("scope '" + scope_key + "' of " + resource.name + " needs " +
                                   std::to_string(vars.size()) + " part(s) joined by '/'");
  }
  for (size_t i = 0; i < vars.size(); ++i) scope[vars[i]] = (*parts)[i];
  return scope;
}

Outcome SyncService::runSync(const Job& job, JobContext& ctx) {
  const ServiceSpec* service = config_.service(job.service);
  const ResourceSpec* resource = service ? service->resource(job.target_type) : nullptr;
  if (resource == nullptr) return Outcome::reject("unknown resource " + job.service + "/" + job.target_type);
  json payload = payloadOf(ctx);
  bool force = payload.value("force", false);
  if (resource->scope && !payload.contains("scope")) return fanOutSync(job, *service, *resource, force);
  Instance* inst = instance(job.service, job.instance);
  if (inst == nullptr) return Outcome::reject("unknown instance " + job.service + "/" + job.instance);
  SyncTarget target;
  target.table = SnapshotTable{service->name, resource};
  target.instance = job.instance;
  target.scope_key = scopeOf(payload);
  target.force = force;
  auto scope = scopeVars(*service, *resource, target.scope_key);
  if (!scope) return Outcome::reject(scope.status().message());
  target.scope = std::move(*scope);
  GatedConnector connector(*inst->connector, *inst->gate, job.trigger_source != TriggerSource::scheduled,
                           ctx.stopToken());
  SyncRunner runner(snapshots(), connector, rows(service->name, resource->name), engine_.clock());
  return runner.run(target, ctx);
}

// A sync of a scoped resource without a scope: one sync job per parent row,
// which then run in parallel within the service's concurrency.
Outcome SyncService::fanOutSync(const Job& job, const ServiceSpec& service, const ResourceSpec& resource, bool force) {
  const ResourceSpec* parent = service.resource(resource.scope->parent);
  SnapshotTable parent_table{service.name, parent};
  SnapshotQuery query;
  query.instance = job.instance;
  query.limit = 1000;
  std::vector<std::string> scopes;
  size_t parent_parts = service.scopeVariables(*parent).size();
  while (true) {
    auto page = snapshots().listRows(parent_table, query);
    if (!page) return Outcome::retry("reading " + parent->name + ": " + page.status().message());
    for (const SnapshotRow& row : page->rows) {
      std::string value = row.key;
      if (!resource.scope->parent_field.empty()) {
        const json& v = row.fields.value(resource.scope->parent_field, json(nullptr));
        if (v.is_null()) continue;
        value = v.is_string() ? v.get<std::string>() : v.dump();
      }
      std::vector<std::string> parts = {value};
      if (parent_parts > 0) {
        auto up = splitKey(row.scope, parent_parts);
        if (!up) continue;
        parts.insert(parts.end(), up->begin(), up->end());
      }
      scopes.push_back(joinKey(parts));
    }
    if (page->next_cursor.empty()) break;
    query.cursor = page->next_cursor;
  }
  std::vector<DispatchRequest> children;
  for (const std::string& scope : scopes) {
    DispatchRequest r;
    r.service = service.name;
    r.instance = job.instance;
    r.action = "sync";
    r.kind = JobKind::sync;
    r.target_type = resource.name;
    r.target_id = scope;
    r.payload = json{{"scope", scope}, {"force", force}}.dump();
    r.trigger_source = job.trigger_source;
    r.priority = job.priority;
    r.actor = job.actor;
    r.unique = true;
    children.push_back(std::move(r));
  }
  int64_t dispatched = 0;
  if (!children.empty()) {
    auto done = engine_.dispatchMany(std::move(children));
    if (!done) return Outcome::retry("dispatching the scope syncs: " + done.status().message());
    for (const Dispatched& d : *done) dispatched += d.existing ? 0 : 1;
  }
  return Outcome::ok(json{{"scopes", scopes.size()}, {"dispatched", dispatched}}.dump());
}

Outcome SyncService::runMutation(const Job& job, JobContext& ctx) {
  const ServiceSpec* service = config_.service(job.service);
  const ResourceSpec* resource = service ? service->resource(job.target_type) : nullptr;
  if (resource == nullptr) return Outcome::reject("unknown resource " + job.service + "/" + job.target_type);
  const WriteSpec* write = resource->write(job.action);
  if (write == nullptr) return Outcome::reject(resource->name + " has no action '" + job.action + "'");
  Instance* inst = instance(job.service, job.instance);
  if (inst == nullptr) return Outcome::reject("unknown instance " + job.service + "/" + job.instance);
  json payload = payloadOf(ctx);
  MutationTarget target;
  target.table = SnapshotTable{service->name, resource};
  target.write = write;
  target.instance = job.instance;
  target.scope_key = scopeOf(payload);
  target.key = job.target_id;
  if (auto it = payload.find("data"); it != payload.end() && it->is_object()) target.data = *it;
  auto scope = scopeVars(*service, *resource, target.scope_key);
  if (!scope) return Outcome::reject(scope.status().message());
  target.scope = std::move(*scope);
  GatedConnector connector(*inst->connector, *inst->gate, true, ctx.stopToken());
  MutationRunner runner(snapshots(), connector, rows(service->name, resource->name));
  Outcome outcome = runner.run(target, job);
  if (!outcome.result.empty()) {
    json r = json::parse(outcome.result, nullptr, false);
    if (r.is_object()) {
      r["requests"] = connector.requests();
      outcome.result = r.dump();
    }
  }
  return outcome;
}

Result<std::vector<ScheduleEntry>> SyncService::schedules() {
  std::vector<ScheduleEntry> out;
  for (const ServiceSpec& service : config_.services) {
    for (const ResourceSpec& resource : service.resources) {
      if (resource.schedule.empty()) continue;
      auto cron = CronSchedule::parse(resource.schedule);
      for (const InstanceSpec& inst : service.instances) {
        std::string name = service.name + "/" + resource.name + "/" + inst.name;
        if (!cron) return Status::invalidArgument("schedule of " + name + ": " + cron.status().message());
        SyncRequest request;
        request.service = service.name;
        request.resource = resource.name;
        request.instance = inst.name;
        request.trigger_source = TriggerSource::scheduled;
        out.push_back({name, *cron, [this, request, name](TimePoint tick) {
                         SyncRequest r = request;
                         r.idempotency_key = "schedule:" + name + "@" + formatIso(tick);
                         return dispatchSync(r).status();
                       }});
      }
    }
  }
  return out;
}

}  // namespace snapq
