// Snapshot tables: the local copy of each resource of each service, one table
// `snap_<service>_<resource>` per resource (DESIGN.md "Storage"). This is the
// driver-level interface; each Store driver implements it with its own SQL,
// and the sync engine, the mutation executor and the repository are written
// once above it. Apps may read the tables directly: their columns are
//   instance, scope, key          -- primary key
//   <declared fields>             -- typed columns (write-only fields excluded)
//   doc                           -- the full remote object, JSON text
//   content_hash                  -- core/content_hash.h over the hashed fields
//   sync_status, sync_error       -- RowStatus; why it failed / conflicted
//   pending_job_id, pending_data  -- the mutation that owns a pending row and
//                                    its intended values (masked JSON)
//   last_synced_at, updated_at, created_at
//   _remote_hash                  -- the remote hash a sync saw while a
//                                    mutation was pending
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "snapq/clock.h"
#include "snapq/resource_spec.h"
#include "snapq/status.h"

namespace snapq {

class Txn;

// A snapshot row's sync_status (DESIGN.md "Row sync statuses").
enum class RowStatus { synced, pending_create, pending_update, pending_delete, failed, conflict };
const char* toString(RowStatus s);
std::optional<RowStatus> parseRowStatus(std::string_view s);
bool isPending(RowStatus s);

// Which table: the service's name and the resource's spec (which must outlive
// the call). Fields marked write_only have no column.
struct SnapshotTable {
  std::string service;
  const ResourceSpec* resource = nullptr;
  std::string name() const { return snapshotTableName(service, resource->name); }
};

struct SnapshotRow {
  std::string instance = "default";
  std::string scope;  // the scope value (joinKey of the scope variables, nearest first); "" unscoped
  std::string key;
  // Declared, non-write-only field -> value with the field's JSON type (null
  // when absent). A json field holds any JSON value.
  nlohmann::json fields = nlohmann::json::object();
  std::string doc;  // the remote object as JSON text
  std::string content_hash;
  RowStatus sync_status = RowStatus::synced;
  std::string sync_error;
  int64_t pending_job_id = 0;  // 0: none
  std::string pending_data;    // JSON text; empty: none
  std::optional<TimePoint> last_synced_at;
  TimePoint updated_at{};
  TimePoint created_at{};
};

// What a sync needs to know about a stored row to decide (sync_plan.h).
struct RowState {
  std::string content_hash;
  RowStatus status = RowStatus::synced;
};

// One batch of a sync's writes for one (instance, scope), applied in one
// transaction. The driver re-checks every row's status inside the
// transaction: a row that became pending since the sync read it is not
// overwritten (its remote hash is recorded instead) and not deleted.
struct SyncBatch {
  std::string instance = "default";
  std::string scope;
  TimePoint now{};
  // Rows as the remote has them (sync_status ignored). A new key is inserted
  // synced; an existing synced row is rewritten with last_synced_at = now; a
  // failed or conflict row takes the content but keeps its status and error;
  // a pending row only gets _remote_hash.
  std::vector<SnapshotRow> upserts;
  // Keys the completed listing did not contain: deleted unless pending.
  std::vector<std::string> deletes;
};

struct SyncBatchResult {
  int64_t inserted = 0;
  int64_t updated = 0;
  int64_t deleted = 0;
  int64_t kept_pending = 0;  // upserts and deletes left alone because a mutation owns the row
};

struct SnapshotQuery {
  std::optional<std::string> instance;
  std::optional<std::string> scope;
  // Exact matches on declared fields, the value as text ("42", "true",
  // "alice@example.test"); converted to the field's type by the driver.
  std::map<std::string, std::string> equals;
  std::optional<RowStatus> status;
  bool pending_only = false;        // any of the three pending statuses
  std::vector<RowStatus> statuses;  // any of these; empty: no such filter
  // Case-insensitive substring over the searchable fields (and the key).
  std::string q;
  // A declared field or "key", "last_synced_at", "updated_at"; ties broken by
  // (instance, scope, key). Default: key.
  std::string sort = "key";
  bool descending = false;
  int limit = 50;      // 1..1000
  std::string cursor;  // from a previous page's next_cursor; opaque
};

struct SnapshotPage {
  std::vector<SnapshotRow> rows;
  std::string next_cursor;  // empty on the last page
};

struct SnapshotCounts {
  int64_t total = 0;
  std::map<RowStatus, int64_t> by_status;  // only statuses present
};

// A change of one row made together with a job, inside the job's transaction
// (dispatch or completion).
struct RowChange {
  std::string instance = "default";
  std::string scope;
  std::string key;
};

class SnapshotStore {
 public:
  virtual ~SnapshotStore() = default;

  // Creates the table, adds columns and indexes for fields the config added
  // (existing rows keep their data; a new column is null until the next sync
  // fills it). Columns of removed fields are left in place. Idempotent.
  virtual Status ensureTable(const SnapshotTable& table) = 0;

  // Sync.
  // Every row of (instance, scope): key -> state, for comparing a listing in memory.
  virtual Result<std::map<std::string, RowState>> rowStates(const SnapshotTable& table, const std::string& instance,
                                                            const std::string& scope) = 0;
  virtual Result<SyncBatchResult> applySync(const SnapshotTable& table, SyncBatch batch) = 0;

  // Reads.
  virtual Result<SnapshotPage> listRows(const SnapshotTable& table, const SnapshotQuery& query) = 0;
  // With no scope given, the row with this key in any scope (the first by scope).
  virtual Result<std::optional<SnapshotRow>> findRow(const SnapshotTable& table, const std::string& instance,
                                                     const std::optional<std::string>& scope,
                                                     const std::string& key) = 0;
  virtual Result<SnapshotCounts> countRows(const SnapshotTable& table) = 0;
  // A number that moves forward with every committed change of the table made
  // through this interface by any process sharing the database (sync batches,
  // row changes with a job, ensureTable, touchTable), in the same transaction
  // as the change: when a caller reads the same number before two listings, no
  // such change committed in between. Read it before the rows it vouches for.
  // 0 for a table never written.
  virtual Result<int64_t> generation(const SnapshotTable& table) = 0;

  // Mutations, inside a job's transaction (the Txn handed to a DispatchHook or
  // a CompletionHook).
  // Dispatch of an update/delete/action: the existing row becomes `status`
  // (pending_update / pending_delete) owned by job_id. not_found when there is
  // no such row; invalid_state when it is pending for another job (a failed or
  // conflict row may take a new mutation; the same job may mark it again, as a
  // manager's retry does).
  // A create with a known key inserts a pending_create row (already_exists when
  // the key is taken).
  virtual Status markPending(Txn& txn, const SnapshotTable& table, const RowChange& row, RowStatus status,
                             int64_t job_id, const std::string& pending_data, TimePoint now) = 0;
  // A mutation succeeded: the row as the remote has it now, synced, pending
  // fields cleared (inserted when new; `row.key` may differ from the pending
  // create's when the service chose it: then the pending row of `job_id` goes).
  virtual Status commitRow(Txn& txn, const SnapshotTable& table, const SnapshotRow& row, int64_t job_id,
                           TimePoint now) = 0;
  // A delete succeeded (or the object was already gone).
  virtual Status removeRow(Txn& txn, const SnapshotTable& table, const RowChange& row) = 0;
  // The mutation of job_id ended failed or conflict: the row keeps its content
  // and gets this status and error. A pending_create row of a failed create
  // goes away. Rows no longer owned by job_id are left alone.
  virtual Status failRow(Txn& txn, const SnapshotTable& table, const RowChange& row, int64_t job_id,
                         RowStatus status, const std::string& error, TimePoint now) = 0;
  // The job of a pending row was cancelled or deleted: the row returns to
  // synced (a pending_create row goes away). Rows not owned by job_id: no-op.
  virtual Status releaseRow(Txn& txn, const SnapshotTable& table, const RowChange& row, int64_t job_id,
                            TimePoint now) = 0;
  // Moves the table's generation without changing a row, for what shows
  // beside the rows: a sync's success moves the resource's last_synced_at.
  virtual Status touchTable(Txn& txn, const SnapshotTable& table) = 0;
};

}  // namespace snapq
