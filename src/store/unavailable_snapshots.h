// TEMPORARY (replaced by the drivers' snapshot code): answers every call with
// "not available" so the tree builds while snapshot tables are written.
#pragma once

#include "snapq/snapshot.h"

namespace snapq {

class UnavailableSnapshots final : public SnapshotStore {
 public:
  Status ensureTable(const SnapshotTable&) override { return no(); }
  Result<std::map<std::string, RowState>> rowStates(const SnapshotTable&, const std::string&,
                                                    const std::string&) override { return no(); }
  Result<SyncBatchResult> applySync(const SnapshotTable&, SyncBatch) override { return no(); }
  Result<SnapshotPage> listRows(const SnapshotTable&, const SnapshotQuery&) override { return no(); }
  Result<std::optional<SnapshotRow>> findRow(const SnapshotTable&, const std::string&,
                                             const std::optional<std::string>&, const std::string&) override {
    return no();
  }
  Result<SnapshotCounts> countRows(const SnapshotTable&) override { return no(); }
  Status markPending(Txn&, const SnapshotTable&, const RowChange&, RowStatus, int64_t, const std::string&,
                     TimePoint) override { return no(); }
  Status commitRow(Txn&, const SnapshotTable&, const SnapshotRow&, int64_t, TimePoint) override { return no(); }
  Status removeRow(Txn&, const SnapshotTable&, const RowChange&) override { return no(); }
  Status failRow(Txn&, const SnapshotTable&, const RowChange&, int64_t, RowStatus, const std::string&,
                 TimePoint) override { return no(); }
  Status releaseRow(Txn&, const SnapshotTable&, const RowChange&, int64_t, TimePoint) override { return no(); }

 private:
  static Status no() { return Status::unavailable("snapshot tables are not available in this build yet"); }
};

}  // namespace snapq
