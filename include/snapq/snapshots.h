// The snapshot side of snapq for library users: open it on an Engine with a
// Config and a way to make connectors, then read snapshot rows and change
// remote objects through a Repository per resource. Reads never call the
// service; changes are mutation jobs (DESIGN.md "Mutation job").
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "snapq/config.h"
#include "snapq/connector.h"
#include "snapq/engine.h"
#include "snapq/snapshot.h"

namespace snapq {

class SyncService;

// Makes the connector of one service instance: the `rest` connector (from
// the program) or a C++ class of yours (examples/cpp).
using ConnectorFactory =
    std::function<Result<std::unique_ptr<Connector>>(const ServiceSpec& service, const InstanceSpec& instance)>;

// One resource of one service: its snapshot rows and its changes.
class Repository {
 public:
  // Rows with filters, search, sort and keyset pages (snapshot.h SnapshotQuery).
  Result<SnapshotPage> list(const SnapshotQuery& query = {}) const;
  Result<std::optional<SnapshotRow>> find(const std::string& key, const std::string& instance = "default") const;
  // Every row matching `query`, page by page; `each` returns false to stop.
  Status all(const std::function<bool(const SnapshotRow&)>& each, SnapshotQuery query = {}) const;
  // The row helpers: rows waiting for a mutation, synced, failed, in conflict.
  Result<SnapshotPage> pending(SnapshotQuery query = {}) const;
  Result<SnapshotPage> synced(SnapshotQuery query = {}) const;
  Result<SnapshotPage> failed(SnapshotQuery query = {}) const;
  Result<SnapshotPage> conflicts(SnapshotQuery query = {}) const;

  // Mutations: queued jobs; the row turns pending in the same transaction.
  // `expected_hash` (update, remove, action): refuse (failed_precondition)
  // unless the row still has that content hash; empty: the row's current one.
  Result<Dispatched> create(const nlohmann::json& data, const Actor& actor, const std::string& instance = "default");
  Result<Dispatched> update(const std::string& key, const nlohmann::json& data, const Actor& actor,
                            const std::string& expected_hash = {}, const std::string& instance = "default");
  Result<Dispatched> remove(const std::string& key, const Actor& actor, const std::string& expected_hash = {},
                            const std::string& instance = "default");
  Result<Dispatched> action(const std::string& name, const std::string& key, const nlohmann::json& data,
                            const Actor& actor, const std::string& instance = "default");
  // Queues a sync (deduplicated while one is queued).
  Result<Dispatched> syncNow(const Actor& actor, const std::string& instance = "default",
                             std::optional<std::string> scope = {}, bool force = false);
  // The finished_at of the latest successful sync job; nullopt: never synced.
  Result<std::optional<TimePoint>> lastSyncedAt(const std::string& instance = "default") const;

  const std::string& service() const { return service_; }
  const std::string& resource() const { return resource_; }

 private:
  friend class Snapshots;
  Repository(SyncService& sync, SnapshotTable table);
  SyncService* sync_;
  SnapshotTable table_;
  std::string service_, resource_;
};

class Snapshots {
 public:
  // Creates or alters the snapshot tables and registers the sync and mutation
  // job types on `engine` (call before engine.start()). `config` and `engine`
  // must outlive it.
  static Result<std::unique_ptr<Snapshots>> open(const Config& config, Engine& engine, ConnectorFactory factory);
  ~Snapshots();

  // not_found for an unknown service or resource.
  Result<Repository> repository(const std::string& service, const std::string& resource);

  SyncService& service() { return *sync_; }

 private:
  explicit Snapshots(std::unique_ptr<SyncService> sync);
  std::unique_ptr<SyncService> sync_;
};

}  // namespace snapq
