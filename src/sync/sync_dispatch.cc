// Dispatching syncs and mutations: validation of what the caller asked for,
// and the snapshot row turning pending in the same transaction as the job.
#include "sync/sync_service.h"

namespace snapq {
namespace {

using json = nlohmann::json;

RowStatus pendingStatusFor(const std::string& action) {
  if (action == "create") return RowStatus::pending_create;
  if (action == "delete") return RowStatus::pending_delete;
  return RowStatus::pending_update;
}

}  // namespace

Result<std::optional<Dispatched>> SyncService::repeatOf(const std::string& idempotency_key) {
  if (idempotency_key.empty()) return std::optional<Dispatched>();
  JobFilter filter;
  filter.idempotency_key = idempotency_key;
  filter.limit = 1;
  filter.with_counts = false;
  auto page = engine_.store().listJobs(filter);
  if (!page) return page.status();
  if (page->jobs.empty()) return std::optional<Dispatched>();
  return std::optional<Dispatched>(Dispatched{page->jobs.front().id, true});
}

Result<Dispatched> SyncService::dispatchSync(const SyncRequest& request) {
  auto repeat = repeatOf(request.idempotency_key);
  if (!repeat) return repeat.status();
  if (*repeat) return **repeat;
  auto table = this->table(request.service, request.resource);
  if (!table) return table.status();
  const ServiceSpec& service = *config_.service(request.service);
  if (service.instance(request.instance) == nullptr) {
    return Status::notFound("service " + request.service + " has no instance '" + request.instance + "'");
  }
  json payload = {{"force", request.force}};
  if (request.scope) {
    if (auto scope = scopeVars(service, *table->resource, *request.scope); !scope) return scope.status();
    payload["scope"] = *request.scope;
  }
  DispatchRequest r;
  r.service = request.service;
  r.instance = request.instance;
  r.action = "sync";
  r.kind = JobKind::sync;
  r.target_type = request.resource;
  r.target_id = request.scope.value_or("");
  r.payload = payload.dump();
  r.trigger_source = request.trigger_source;
  r.actor = request.actor;
  r.unique = true;
  r.idempotency_key = request.idempotency_key;
  return engine_.dispatch(std::move(r));
}

// Every member must be a declared field of the right type (a custom action
// also takes parameters of its own); keys cannot change; a create needs its
// required fields. All problems are collected, not only the first.
Result<SyncService::CheckedData> SyncService::checkData(const MutationRequest& request) const {
  auto table = this->table(request.service, request.resource);
  if (!table) return table.status();
  const ServiceSpec& service = *config_.service(request.service);
  const ResourceSpec& resource = *table->resource;
  if (service.instance(request.instance) == nullptr) {
    return Status::notFound("service " + request.service + " has no instance '" + request.instance + "'");
  }
  if (resource.write(request.action) == nullptr) {
    return Status::notFound(resource.name + " has no action '" + request.action + "'");
  }
  if (!request.data.is_object()) return Status::invalidArgument("data must be a JSON object");
  const RowBuilder& builder = rows(request.service, request.resource);
  const bool create = request.action == "create";
  const bool custom_action = !create && request.action != "update" && request.action != "delete";
  CheckedData out;
  for (const auto& [name, value] : request.data.items()) {
    const FieldSpec* field = resource.field(name);
    if (field == nullptr && custom_action) {
      out.data[name] = value;  // a parameter of the action ("amount"), passed on as it is
      continue;
    }
    if (field == nullptr) {
      out.problems[name] = resource.name + " has no field '" + name + "'";
      continue;
    }
    if (!create && resource.isKeyField(name)) {
      out.problems[name] = "the key of an existing object cannot change";
      continue;
    }
    std::string error;
    auto coerced = builder.coerce(*field, value, &error);
    if (!coerced) {
      out.problems[name] = error;
      continue;
    }
    out.data[name] = std::move(*coerced);
  }
  if (create) {
    for (const FieldSpec& f : resource.fields) {
      if (f.required_on_create && !out.problems.contains(f.name) &&
          (!out.data.contains(f.name) || out.data[f.name].is_null())) {
        out.problems[f.name] = "required to create " + resource.name;
      }
    }
  }
  return out;
}

Result<FieldProblems> SyncService::validateMutation(const MutationRequest& request) const {
  auto checked = checkData(request);
  if (!checked) return checked.status();
  return std::move(checked->problems);
}

Result<Dispatched> SyncService::dispatchMutation(const MutationRequest& request, FieldProblems* problems) {
  auto repeat = repeatOf(request.idempotency_key);
  if (!repeat) return repeat.status();
  if (*repeat) return **repeat;
  auto checked = checkData(request);
  if (!checked) return checked.status();
  if (!checked->problems.empty()) {
    std::string message;
    for (const auto& [field, why] : checked->problems) {
      message += (message.empty() ? "data." : "; data.") + field + ": " + why;
    }
    if (problems) *problems = std::move(checked->problems);
    return Status::invalidArgument(message);
  }
  json data = std::move(checked->data);
  auto table = this->table(request.service, request.resource);
  if (!table) return table.status();
  const ServiceSpec& service = *config_.service(request.service);
  const ResourceSpec& resource = *table->resource;
  const RowBuilder& builder = rows(request.service, request.resource);
  const bool create = request.action == "create";
  std::string key = request.key;
  std::string scope_key = request.scope.value_or("");
  std::string expected_hash;
  if (create) {
    if (auto known = builder.keyOf(data)) key = *known;
    if (resource.scope && !request.scope) {
      return Status::invalidArgument(resource.name + " is scoped: say in which " + resource.scope->parent);
    }
  } else {
    if (key.empty()) return Status::invalidArgument("the key of the " + resource.name + " object is missing");
    auto row = snapshots().findRow(*table, request.instance, request.scope, key);
    if (!row) return row.status();
    if (!*row) return Status::notFound("no " + resource.name + " with key '" + key + "' in the snapshot");
    scope_key = (*row)->scope;
    expected_hash = (*row)->content_hash;
    if (!request.if_match.empty() && request.if_match != expected_hash) {
      return Status::failedPrecondition("If-Match does not match: the " + resource.name +
                                        " changed since you read it (it is now " + expected_hash + ")");
    }
  }
  if (auto scope = scopeVars(service, resource, scope_key); !scope) return scope.status();

  DispatchRequest r;
  r.service = request.service;
  r.instance = request.instance;
  r.action = request.action;
  r.kind = JobKind::mutation;
  r.target_type = request.resource;
  r.target_id = key;
  r.payload = json{{"data", data}, {"scope", scope_key}}.dump();
  r.trigger_source = request.trigger_source;
  r.actor = request.actor;
  r.expected_hash = expected_hash;
  r.idempotency_key = request.idempotency_key;

  bool marks_row = !key.empty();
  SnapshotTable t = *table;
  RowChange change{request.instance, scope_key, key};
  RowStatus pending = pendingStatusFor(request.action);
  std::string pending_data = masker_.mask(data).dump();
  TimePoint now = engine_.clock().now();
  SnapshotStore* snapshots = &this->snapshots();
  DispatchHook hook;
  if (marks_row) {
    hook = [=](Txn& txn, const std::vector<InsertedJob>& jobs) -> Status {
      if (jobs.empty() || jobs[0].existing) return Status::ok();
      return snapshots->markPending(txn, t, change, pending, jobs[0].id, pending_data, now);
    };
  }
  std::vector<DispatchRequest> one;
  one.push_back(std::move(r));
  auto done = engine_.dispatchMany(std::move(one), std::move(hook));
  if (!done) return done.status();
  return done->front();
}

namespace {

// The snapshot row a mutation job owns, and its payload.
struct JobRow {
  SnapshotTable table;
  RowChange change;
  json payload;
};

// nullopt: not a mutation of a resource still in the config (nothing to keep in step).
std::optional<JobRow> jobRow(const SyncService& sync, const Job& job) {
  if (job.kind != JobKind::mutation || job.target_id.empty()) return std::nullopt;
  auto table = sync.table(job.service, job.target_type);
  if (!table) return std::nullopt;
  json payload = json::parse(job.payload, nullptr, false);
  std::string scope_key = payload.is_object() ? payload.value("scope", std::string()) : std::string();
  return JobRow{*table, RowChange{job.instance, scope_key, job.target_id}, std::move(payload)};
}

}  // namespace

// Manager operations on a mutation job keep its row in step: a retry makes it
// pending again, a cancel or delete gives it back.
Status SyncService::onManage(Txn& txn, BulkAction action, const Job& job) {
  auto row = jobRow(*this, job);
  if (!row) return Status::ok();
  TimePoint now = engine_.clock().now();
  switch (action) {
    case BulkAction::retry: {
      const json& payload = row->payload;
      std::string data = payload.is_object() && payload.contains("data") ? payload["data"].dump() : "{}";
      return snapshots().markPending(txn, row->table, row->change, pendingStatusFor(job.action), job.id, data, now);
    }
    case BulkAction::cancel:
    case BulkAction::remove:
      return snapshots().releaseRow(txn, row->table, row->change, job.id, now);
  }
  return Status::ok();
}

// A rescue that fails a mutation job (its worker died during the last
// attempt) fails its row too, or the row would stay pending for good.
Status SyncService::onRescueFailed(Txn& txn, const Job& job) {
  auto row = jobRow(*this, job);
  if (!row) return Status::ok();
  return snapshots().failRow(txn, row->table, row->change, job.id, RowStatus::failed, job.error, engine_.clock().now());
}

}  // namespace snapq
