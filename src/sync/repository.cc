// The public face of the snapshot side (snapq/snapshots.h) over SyncService.
#include "snapq/snapshots.h"

#include "sync/sync_service.h"

namespace snapq {

Snapshots::Snapshots(std::unique_ptr<SyncService> sync) : sync_(std::move(sync)) {}
Snapshots::~Snapshots() = default;

Result<std::unique_ptr<Snapshots>> Snapshots::open(const Config& config, Engine& engine, ConnectorFactory factory) {
  auto sync = SyncService::open(config, engine, std::move(factory));
  if (!sync) return sync.status();
  return std::unique_ptr<Snapshots>(new Snapshots(std::move(*sync)));
}

Result<Repository> Snapshots::repository(const std::string& service, const std::string& resource) {
  auto table = sync_->table(service, resource);
  if (!table) return table.status();
  return Repository(*sync_, *table);
}

Repository::Repository(SyncService& sync, SnapshotTable table)
    : sync_(&sync), table_(std::move(table)), service_(table_.service), resource_(table_.resource->name) {}

Result<SnapshotPage> Repository::list(const SnapshotQuery& query) const {
  return sync_->snapshots().listRows(table_, query);
}

Result<std::optional<SnapshotRow>> Repository::find(const std::string& key, const std::string& instance) const {
  return sync_->snapshots().findRow(table_, instance, std::nullopt, key);
}

Status Repository::all(const std::function<bool(const SnapshotRow&)>& each, SnapshotQuery query) const {
  query.limit = 1000;
  while (true) {
    auto page = list(query);
    if (!page) return page.status();
    for (const SnapshotRow& row : page->rows) {
      if (!each(row)) return Status::ok();
    }
    if (page->next_cursor.empty()) return Status::ok();
    query.cursor = page->next_cursor;
  }
}

Result<SnapshotPage> Repository::pending(SnapshotQuery query) const {
  query.pending_only = true;
  return list(query);
}
Result<SnapshotPage> Repository::synced(SnapshotQuery query) const {
  query.status = RowStatus::synced;
  return list(query);
}
Result<SnapshotPage> Repository::failed(SnapshotQuery query) const {
  query.status = RowStatus::failed;
  return list(query);
}
Result<SnapshotPage> Repository::conflicts(SnapshotQuery query) const {
  query.status = RowStatus::conflict;
  return list(query);
}

namespace {
MutationRequest mutation(const Repository& repo, std::string action, std::string key, nlohmann::json data,
                         const Actor& actor, std::string if_match, std::string instance) {
  MutationRequest r;
  r.service = repo.service();
  r.resource = repo.resource();
  r.action = std::move(action);
  r.key = std::move(key);
  r.data = std::move(data);
  r.actor = actor;
  r.if_match = std::move(if_match);
  r.instance = std::move(instance);
  r.trigger_source = TriggerSource::api;
  return r;
}
}  // namespace

Result<Dispatched> Repository::create(const nlohmann::json& data, const Actor& actor, const std::string& instance) {
  return sync_->dispatchMutation(mutation(*this, "create", "", data, actor, "", instance));
}
Result<Dispatched> Repository::update(const std::string& key, const nlohmann::json& data, const Actor& actor,
                                      const std::string& expected_hash, const std::string& instance) {
  return sync_->dispatchMutation(mutation(*this, "update", key, data, actor, expected_hash, instance));
}
Result<Dispatched> Repository::remove(const std::string& key, const Actor& actor, const std::string& expected_hash,
                                      const std::string& instance) {
  return sync_->dispatchMutation(mutation(*this, "delete", key, nlohmann::json::object(), actor, expected_hash,
                                          instance));
}
Result<Dispatched> Repository::action(const std::string& name, const std::string& key, const nlohmann::json& data,
                                      const Actor& actor, const std::string& instance) {
  return sync_->dispatchMutation(mutation(*this, name, key, data, actor, "", instance));
}

Result<Dispatched> Repository::syncNow(const Actor& actor, const std::string& instance,
                                       std::optional<std::string> scope, bool force) {
  SyncRequest r;
  r.service = service_;
  r.resource = resource_;
  r.instance = instance;
  r.scope = std::move(scope);
  r.force = force;
  r.actor = actor;
  r.trigger_source = TriggerSource::api;
  return sync_->dispatchSync(r);
}

Result<std::optional<TimePoint>> Repository::lastSyncedAt(const std::string& instance) const {
  return sync_->lastSyncedAt(service_, resource_, instance);
}

}  // namespace snapq
