// The SQLite driver's snapshot tables (snapshot.h). Writes of its own (table
// creation, sync batches) go through the store's writer, so they share group
// commit with job writes; the row changes made with a job run inside the
// job's transaction on the writer thread; reads use the read connections.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>

#include "snapq/snapshot.h"
#include "store/sqlite/sqlite_db.h"
#include "store/sqlite/writer.h"

namespace snapq::sqlite {

class SqliteSnapshots final : public SnapshotStore {
 public:
  // Lends a read connection to `fn` for the duration of the call.
  using WithReader = std::function<Status(const std::function<Status(Db&)>& fn)>;

  SqliteSnapshots(Writer& writer, WithReader with_reader) : writer_(writer), with_reader_(std::move(with_reader)) {}

  Status ensureTable(const SnapshotTable& table) override;
  Result<std::map<std::string, RowState>> rowStates(const SnapshotTable& table, const std::string& instance,
                                                    const std::string& scope) override;
  Result<SyncBatchResult> applySync(const SnapshotTable& table, SyncBatch batch) override;

  Result<SnapshotPage> listRows(const SnapshotTable& table, const SnapshotQuery& query) override;
  Result<std::optional<SnapshotRow>> findRow(const SnapshotTable& table, const std::string& instance,
                                             const std::optional<std::string>& scope, const std::string& key) override;
  Result<SnapshotCounts> countRows(const SnapshotTable& table) override;
  Result<int64_t> generation(const SnapshotTable& table) override;

  Status markPending(Txn& txn, const SnapshotTable& table, const RowChange& row, RowStatus status, int64_t job_id,
                     const std::string& pending_data, TimePoint now) override;
  Status commitRow(Txn& txn, const SnapshotTable& table, const SnapshotRow& row, int64_t job_id,
                   TimePoint now) override;
  Status removeRow(Txn& txn, const SnapshotTable& table, const RowChange& row) override;
  Status failRow(Txn& txn, const SnapshotTable& table, const RowChange& row, int64_t job_id, RowStatus status,
                 const std::string& error, TimePoint now) override;
  Status releaseRow(Txn& txn, const SnapshotTable& table, const RowChange& row, int64_t job_id, TimePoint now) override;
  Status touchTable(Txn& txn, const SnapshotTable& table) override;

 private:
  template <typename T>
  Result<T> read(const std::function<Result<T>(Db&)>& fn) {
    std::optional<Result<T>> out;
    Status s = with_reader_([&](Db& db) {
      out.emplace(fn(db));
      return out->status();
    });
    if (!s) return s;
    return std::move(*out);
  }

  Writer& writer_;
  WithReader with_reader_;
};

}  // namespace snapq::sqlite
