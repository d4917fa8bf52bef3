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

Result<Dispatched> SyncService::dispatchSync(const SyncRequest& request) {
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

Result<Dispatched> SyncService::dispatchMutation(const MutationRequest& request) {
  auto table = this->table(request.service, request.resource);
  if (!table) return table.status();
  const ServiceSpec& service = *config_.service(request.service);
  const ResourceSpec& resource = *table->resource;
  if (service.instance(request.instance) == nullptr) {
    return Status::notFound("service " + request.service + " has no instance '" + request.instance + "'");
  }
  const WriteSpec* write = resource.write(request.action);
  if (write == nullptr) return Status::notFound(resource.name + " has no action '" + request.action + "'");
  if (!request.data.is_object()) return Status::invalidArgument("data must be a JSON object");
  const RowBuilder& builder = rows(request.service, request.resource);
  bool create = request.action == "create";
  bool custom_action = !create && request.action != "update" && request.action != "delete";

  // Every member must be a declared field of the right type; keys cannot change.
  json data = json::object();
  for (const auto& [name, value] : request.data.items()) {
    const FieldSpec* field = resource.field(name);
    if (field == nullptr && custom_action) {
      data[name] = value;  // a parameter of the action ("amount"), passed on as it is
      continue;
    }
    if (field == nullptr) return Status::invalidArgument("data." + name + ": " + resource.name + " has no field '" + name + "'");
    if (!create && resource.isKeyField(name)) {
      return Status::invalidArgument("data." + name + ": the key of an existing object cannot change");
    }
    std::string error;
    auto coerced = builder.coerce(*field, value, &error);
    if (!coerced) return Status::invalidArgument("data." + name + ": " + error);
    data[name] = std::move(*coerced);
  }
  std::string key = request.key;
  std::string scope_key = request.scope.value_or("");
  std::string expected_hash;
  if (create) {
    for (const FieldSpec& f : resource.fields) {
      if (f.required_on_create && (!data.contains(f.name) || data[f.name].is_null())) {
        return Status::invalidArgument("data." + f.name + ": required to create " + resource.name);
      }
    }
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

// Manager operations on a mutation job keep its row in step: a retry makes it
// pending again, a cancel or delete gives it back.
Status SyncService::onManage(Txn& txn, BulkAction action, const Job& job) {
  if (job.kind != JobKind::mutation || job.target_id.empty()) return Status::ok();
  auto table = this->table(job.service, job.target_type);
  if (!table) return Status::ok();  // the resource left the config; nothing to keep in step
  json payload = json::parse(job.payload, nullptr, false);
  std::string scope_key = payload.is_object() ? payload.value("scope", std::string()) : std::string();
  RowChange change{job.instance, scope_key, job.target_id};
  TimePoint now = engine_.clock().now();
  switch (action) {
    case BulkAction::retry: {
      std::string data = payload.is_object() && payload.contains("data") ? payload["data"].dump() : "{}";
      return snapshots().markPending(txn, *table, change, pendingStatusFor(job.action), job.id, data, now);
    }
    case BulkAction::cancel:
    case BulkAction::remove:
      return snapshots().releaseRow(txn, *table, change, job.id, now);
  }
  return Status::ok();
}

}  // namespace snapq
