// One mutation job (push) of one object (DESIGN.md "Mutation job"): the
// conflict check against the remote object, "already applied" detection (what
// makes a re-run after a crash safe), the write, the read-back, and the
// snapshot row committed in the same transaction as the job's new state.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "snapq/connector.h"
#include "snapq/handler.h"
#include "snapq/snapshot.h"
#include "sync/row_builder.h"

namespace snapq {

struct MutationTarget {
  SnapshotTable table;
  const WriteSpec* write = nullptr;
  std::string instance = "default";
  Scope scope;
  std::string scope_key;
  std::string key;  // empty for a create whose key the service chooses
  nlohmann::json data = nlohmann::json::object();  // the real payload's data
};

class MutationRunner {
 public:
  MutationRunner(SnapshotStore& snapshots, Connector& connector, const RowBuilder& rows)
      : snapshots_(snapshots), connector_(connector), rows_(rows) {}

  Outcome run(const MutationTarget& target, const Job& job);

 private:
  Outcome applied(const MutationTarget& target, const ObjectRef& ref);
  Outcome finishWithRemote(const MutationTarget& target, const nlohmann::json& remote,
                           bool skipped);
  bool alreadyApplied(const MutationTarget& target, const nlohmann::json& remote_fields) const;
  Outcome withRowHooks(Outcome outcome, const MutationTarget& target, const std::string& key) const;

  SnapshotStore& snapshots_;
  Connector& connector_;
  const RowBuilder& rows_;
};

}  // namespace snapq
