// One sync job (pull) of one resource, instance and scope (DESIGN.md "Sync
// job"): page through the remote listing, compare with the stored rows in
// memory by content hash, write the differences in batched transactions, and
// only after a complete listing delete what the remote no longer has, within
// the mass-deletion guard.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "snapq/connector.h"
#include "snapq/handler.h"
#include "snapq/snapshot.h"
#include "sync/row_builder.h"

namespace snapq {

struct SyncTarget {
  SnapshotTable table;
  std::string instance = "default";
  Scope scope;             // template variables of the scope
  std::string scope_key;   // the rows' scope column
  bool force = false;      // lift the mass-deletion guard
  size_t batch_rows = 1000;
};

struct SyncStats {
  int64_t fetched = 0, created = 0, updated = 0, unchanged = 0, deleted = 0, kept_pending = 0, pages = 0;
  int64_t invalid = 0;  // remote objects without a key, left out
  std::string first_invalid;
  nlohmann::json toJson() const;
};

class SyncRunner {
 public:
  SyncRunner(SnapshotStore& snapshots, Connector& connector, const RowBuilder& rows, Clock& clock)
      : snapshots_(snapshots), connector_(connector), rows_(rows), clock_(clock) {}

  Outcome run(const SyncTarget& target, JobContext& ctx);

 private:
  Status flush(const SyncTarget& target, SyncBatch& batch, SyncStats& stats, TimePoint now);

  SnapshotStore& snapshots_;
  Connector& connector_;
  const RowBuilder& rows_;
  Clock& clock_;
};

}  // namespace snapq
