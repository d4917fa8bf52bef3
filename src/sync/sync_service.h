// The snapshot side of snapq for one config: a snapshot table per resource,
// a connector and a request gate per service instance, the sync and mutation
// job types registered on the engine, validated dispatch of syncs and
// mutations (the row turns pending in the job's transaction), and the cron
// entries of the resources' sync schedules. Reads go straight to the store.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/masking.h"
#include "snapq/config.h"
#include "snapq/connector.h"
#include "snapq/engine.h"
#include "snapq/snapshot.h"
#include "snapq/snapshots.h"
#include "queue/scheduler.h"
#include "sync/instance_gate.h"
#include "sync/row_builder.h"

namespace snapq {


struct SyncRequest {
  std::string service;
  std::string resource;
  std::string instance = "default";
  std::optional<std::string> scope;  // one scope of a scoped resource; unset: every scope
  bool force = false;                // lift the mass-deletion guard
  Actor actor;
  TriggerSource trigger_source = TriggerSource::manual;
  std::string idempotency_key;
};

struct MutationRequest {
  std::string service;
  std::string resource;
  std::string action;  // create, update, delete or a custom action
  std::string instance = "default";
  std::optional<std::string> scope;
  std::string key;  // empty only for a create
  nlohmann::json data = nlohmann::json::object();
  std::string if_match;  // expected content hash sent by the caller; empty: the snapshot's
  Actor actor;
  TriggerSource trigger_source = TriggerSource::manual;
  std::string idempotency_key;
};

// What is wrong with a mutation's data, field by field:
// {"email": "required to create accounts", "quota_mb": "expected integer, got string"}.
using FieldProblems = std::map<std::string, std::string>;

class SyncService {
 public:
  // Creates or alters the snapshot tables, builds the connectors and registers
  // the job types on `engine` (before engine.start()). `config` must outlive it.
  static Result<std::unique_ptr<SyncService>> open(const Config& config, Engine& engine, ConnectorFactory factory);

  // A request whose idempotency key a job already has returns that job
  // (existing) before anything else is checked: a client repeating a request
  // whose answer it lost gets the job even when the first one has already
  // changed the row (If-Match) or removed it.
  Result<Dispatched> dispatchSync(const SyncRequest& request);
  // Refuses data that fails validation with invalid_argument whose message
  // lists every problem ("data.email: ...; data.quota_mb: ..."); `problems`,
  // when given, receives them by field.
  Result<Dispatched> dispatchMutation(const MutationRequest& request, FieldProblems* problems = nullptr);
  // Every problem of a mutation's data against the resource's fields (unknown
  // field, wrong type, a key change, a field required on create); empty: it
  // is valid. not_found for an unknown service, resource, instance or action.
  Result<FieldProblems> validateMutation(const MutationRequest& request) const;

  // The finished_at of the latest successful sync job of a resource (of one
  // instance, or of any); nullopt: never synced.
  Result<std::optional<TimePoint>> lastSyncedAt(const std::string& service, const std::string& resource,
                                                const std::optional<std::string>& instance = {});

  // The table of a resource; not_found for an unknown service or resource.
  Result<SnapshotTable> table(const std::string& service, const std::string& resource) const;
  SnapshotStore& snapshots() { return engine_.store().snapshots(); }
  // The cron entries of the resources' sync schedules, one per instance, named
  // "service/resource/instance"; each fire dispatches a sync whose idempotency
  // key names the tick, so a tick fired on two nodes queues one sync.
  // invalid_argument for a schedule the cron parser refuses.
  Result<std::vector<ScheduleEntry>> schedules();
  const InstanceGate* gate(const std::string& service, const std::string& instance) const;
  const Config& config() const { return config_; }
  Engine& engine() { return engine_; }

 private:
  struct Instance {
    const ServiceSpec* service = nullptr;
    const InstanceSpec* spec = nullptr;
    std::unique_ptr<Connector> connector;
    std::unique_ptr<InstanceGate> gate;
  };
  // A mutation's data converted to the fields' types, and what is wrong with it.
  struct CheckedData {
    nlohmann::json data = nlohmann::json::object();
    FieldProblems problems;
  };

  SyncService(const Config& config, Engine& engine);
  Status build(ConnectorFactory& factory);
  Result<CheckedData> checkData(const MutationRequest& request) const;
  // The job dispatched earlier with this idempotency key, if any.
  Result<std::optional<Dispatched>> repeatOf(const std::string& idempotency_key);
  void registerJobTypes();
  Status onManage(Txn& txn, BulkAction action, const Job& job);
  // A mutation job failed by a rescue (its worker was lost on the last attempt).
  Status onRescueFailed(Txn& txn, const Job& job);

  Outcome runSync(const Job& job, JobContext& ctx);
  Outcome fanOutSync(const Job& job, const ServiceSpec& service, const ResourceSpec& resource, bool force);
  Outcome runMutation(const Job& job, JobContext& ctx);
  Instance* instance(const std::string& service, const std::string& name);
  const RowBuilder& rows(const std::string& service, const std::string& resource) const;
  Result<Scope> scopeVars(const ServiceSpec& service, const ResourceSpec& resource, const std::string& scope_key) const;

  const Config& config_;
  Engine& engine_;
  Masker masker_;
  std::map<std::string, Instance> instances_;                 // "service/instance"
  std::map<std::string, std::unique_ptr<RowBuilder>> rows_;   // "service/resource"
};

}  // namespace snapq
