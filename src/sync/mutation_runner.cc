#include "sync/mutation_runner.h"

#include "core/content_hash.h"
#include "sync/remote_outcome.h"

namespace snapq {
namespace {

using json = nlohmann::json;

bool isCreate(const WriteSpec& w) { return w.name == "create"; }
bool isDelete(const WriteSpec& w) { return w.name == "delete"; }

std::string shortHash(const std::string& h) { return h.size() > 12 ? h.substr(0, 12) : h; }

}  // namespace

bool MutationRunner::alreadyApplied(const MutationTarget& target, const json& remote_fields) const {
  if (!target.data.is_object() || target.data.empty()) return false;
  for (const auto& [name, value] : target.data.items()) {
    const FieldSpec* field = target.table.resource->field(name);
    if (field == nullptr) continue;
    if (field->write_only) return false;  // cannot be read back, so cannot be confirmed
    std::string error;
    auto intended = rows_.coerce(*field, value, &error);
    auto it = remote_fields.find(name);
    if (!intended || it == remote_fields.end()) return false;
    if (canonicalJson(*intended) != canonicalJson(*it)) return false;
  }
  return true;
}

// Keeps the snapshot row in step with how the attempt ends, in the job's own
// transaction: success/skipped rows were handled by the caller's hook; a final
// failure or a conflict marks the row; a retry leaves it pending.
Outcome MutationRunner::withRowHooks(Outcome outcome, const MutationTarget& target, const std::string& key) const {
  if (outcome.on_commit) return outcome;
  SnapshotStore* snapshots = &snapshots_;
  SnapshotTable table = target.table;
  RowChange change{target.instance, target.scope_key, key};
  outcome.on_commit = [snapshots, table, change](Txn& txn, const Job& after) -> Status {
    if (after.status == JobStatus::failed || after.status == JobStatus::conflict) {
      RowStatus status = after.status == JobStatus::failed ? RowStatus::failed : RowStatus::conflict;
      return snapshots->failRow(txn, table, change, after.id, status, after.error,
                                after.finished_at.value_or(TimePoint{}));
    }
    return Status::ok();
  };
  return outcome;
}

Outcome MutationRunner::finishWithRemote(const MutationTarget& target, const json& remote,
                                         bool skipped) {
  auto row = rows_.build(remote, target.instance, target.scope_key);
  if (!row) {
    return Outcome::reject("the service's answer is not a " + target.table.resource->name +
                           " object: " + row.status().message());
  }
  json result = {{"key", row->key}, {"content_hash", row->content_hash}};
  Outcome outcome = skipped ? Outcome::skip("already applied: the remote object already has these values", result.dump())
                            : Outcome::ok(result.dump());
  SnapshotStore* snapshots = &snapshots_;
  SnapshotTable table = target.table;
  SnapshotRow committed = std::move(*row);
  outcome.on_commit = [snapshots, table, committed](Txn& txn, const Job& after) -> Status {
    if (after.status != JobStatus::success && after.status != JobStatus::skipped) return Status::ok();
    return snapshots->commitRow(txn, table, committed, after.id, after.finished_at.value_or(TimePoint{}));
  };
  return outcome;
}

Outcome MutationRunner::run(const MutationTarget& target, const Job& job) {
  const WriteSpec& write = *target.write;
  const ResourceSpec& resource = *target.table.resource;
  ObjectRef ref{resource.name, target.scope, target.key, json::object(), target.data};
  std::optional<SnapshotRow> current;
  if (!isCreate(write)) {
    auto found = snapshots_.findRow(target.table, target.instance, target.scope_key, target.key);
    if (!found) return Outcome::retry("reading the snapshot row: " + found.status().message());
    if (!*found) return Outcome::reject("no " + resource.name + " with key '" + target.key + "' in the snapshot");
    current = std::move(**found);
    ref.values = current->fields;
  }
  // The object as it should be afterwards: the row overlaid with the payload.
  for (const auto& [name, value] : target.data.items()) {
    const FieldSpec* field = resource.field(name);
    if (field != nullptr && !field->write_only) ref.values[name] = value;
  }
  if (isCreate(write) && ref.key.empty()) {
    if (auto key = rows_.keyOf(ref.values)) ref.key = *key;
  }
  bool check = write.conflict == ConflictStrategy::conflict && !job.override_conflict;
  if (check && !(isCreate(write) && ref.key.empty())) {
    ObjectRef probe = ref;
    if (current) probe.values = current->fields;
    auto remote = connector_.get(probe);
    if (!remote) return withRowHooks(outcomeOf(remote.error(), "reading the remote object"), target, ref.key);
    if (!*remote) {
      if (isDelete(write)) {
        Outcome gone = Outcome::skip("already applied: the object no longer exists remotely");
        SnapshotStore* snapshots = &snapshots_;
        SnapshotTable table = target.table;
        RowChange change{target.instance, target.scope_key, ref.key};
        gone.on_commit = [snapshots, table, change](Txn& txn, const Job& after) -> Status {
          if (after.status != JobStatus::skipped) return Status::ok();
          return snapshots->removeRow(txn, table, change);
        };
        return gone;
      }
      if (!isCreate(write)) {
        json result = {{"expected_hash", job.expected_hash}, {"current", nullptr}};
        return withRowHooks(Outcome::conflictWith("the object was deleted remotely since the change was requested",
                                                  result.dump()),
                            target, ref.key);
      }
    } else {
      json remote_fields = rows_.extractFields(**remote);
      std::string remote_hash = rows_.hashOf(remote_fields);
      if (!isDelete(write) && alreadyApplied(target, remote_fields)) return finishWithRemote(target, **remote, true);
      bool changed = isCreate(write) ? true : (!job.expected_hash.empty() && remote_hash != job.expected_hash);
      if (changed) {
        json result = {{"expected_hash", job.expected_hash}, {"current_hash", remote_hash},
                       {"current", remote_fields},           {"intended", ref.values}};
        std::string why = isCreate(write) ? "an object with key '" + ref.key + "' already exists remotely"
                                          : "the remote object changed since the change was requested (expected " +
                                                shortHash(job.expected_hash) + ", found " + shortHash(remote_hash) + ")";
        return withRowHooks(Outcome::conflictWith(why, result.dump()), target, ref.key);
      }
    }
  }
  return applied(target, ref);
}

Outcome MutationRunner::applied(const MutationTarget& target, const ObjectRef& ref) {
  const WriteSpec& write = *target.write;
  if (isDelete(write)) {
    auto done = connector_.remove(ref);
    if (!done) return withRowHooks(outcomeOf(done.error(), "deleting the remote object"), target, ref.key);
    Outcome ok = Outcome::ok(json{{"key", ref.key}, {"deleted", true}}.dump());
    SnapshotStore* snapshots = &snapshots_;
    SnapshotTable table = target.table;
    RowChange change{target.instance, target.scope_key, ref.key};
    ok.on_commit = [snapshots, table, change](Txn& txn, const Job& after) -> Status {
      if (after.status != JobStatus::success) return Status::ok();
      return snapshots->removeRow(txn, table, change);
    };
    return ok;
  }
  RemoteResult<json> answer = write.name == "create"   ? connector_.create(ref)
                              : write.name == "update" ? connector_.update(ref)
                                                       : connector_.action(write.name, ref);
  if (!answer) return withRowHooks(outcomeOf(answer.error(), write.name + " on the service"), target, ref.key);
  json remote = std::move(*answer);
  if (!remote.is_object() || !rows_.keyOf(rows_.extractFields(remote))) {
    // The answer does not carry the object (an action's bare 204): read it back.
    auto back = connector_.get(ref);
    if (!back) return withRowHooks(outcomeOf(back.error(), "reading the object back"), target, ref.key);
    if (!*back) return withRowHooks(Outcome::retry("the object was not found when read back"), target, ref.key);
    remote = std::move(**back);
  }
  return finishWithRemote(target, remote, false);
}

}  // namespace snapq
