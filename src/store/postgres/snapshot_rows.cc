// Row changes made together with a job, inside its transaction on the writer
// thread: the pending state of a dispatch, and what a mutation's outcome or a
// manager's cancel / delete does to the row. Every change is guarded in SQL
// by the row's status and the job that owns it.
#include "store/postgres/postgres_store.h"
#include "store/postgres/snapshot_sql.h"
#include "store/postgres/snapshots.h"

namespace snapq::pg {
namespace {

constexpr const char* kRowWhere = " WHERE instance = $1 AND scope = $2 AND key = $3";

// The job's connection, the table's generation to move at the commit: every caller changes the table (or may).
Result<Conn*> txnConn(Txn& txn, const SnapshotTable& table) {
  if (Status s = snap::checkTable(table); !s) return s;
  auto* t = dynamic_cast<PgTxn*>(&txn);
  if (t == nullptr) return Status::invalidArgument("a snapshot row change needs a transaction of the postgres store");
  t->conn().touchSnapshot(snap::tableName(table));
  return &t->conn();
}

// $1..$3: the row's identity.
Params rowParams(const RowChange& row) {
  Params p;
  p.text(row.instance).text(row.scope).text(row.key);
  return p;
}

std::string describe(const SnapshotTable& table, const RowChange& row) {
  return "row '" + row.key + "' of " + snap::tableName(table) + (row.scope.empty() ? "" : " in scope " + row.scope) +
         (row.instance == "default" ? "" : " of instance " + row.instance);
}

// Why markPending changed nothing: no row, or a row another job owns.
Status explainPending(Conn& conn, const SnapshotTable& table, const RowChange& row) {
  auto rows = conn.query("SELECT sync_status, pending_job_id FROM " + quotedTable(table) + kRowWhere, rowParams(row));
  if (!rows) return rows.status();
  if (rows->empty()) return Status::notFound(describe(table, row) + " does not exist");
  return Status::invalidState(describe(table, row) + " is " + rows->text(0, 0) + " for job " + rows->text(0, 1));
}

// Removes the pending_create row of `job_id` at `row`, if there is one.
Status dropPendingCreate(Conn& conn, const SnapshotTable& table, const RowChange& row, int64_t job_id) {
  return conn
      .query("DELETE FROM " + quotedTable(table) + kRowWhere +
                 " AND pending_job_id = $4 AND sync_status = 'pending_create'",
             rowParams(row).int64(job_id))
      .status();
}

}  // namespace

Status PgSnapshots::markPending(Txn& txn, const SnapshotTable& table, const RowChange& row, RowStatus status,
                                int64_t job_id, const std::string& pending_data, TimePoint now) {
  auto conn = txnConn(txn, table);
  if (!conn) return conn.status();
  const std::string quoted = quotedTable(table);
  if (status == RowStatus::pending_create) {
    if (row.key.empty()) return Status::invalidArgument("a pending create needs the new row's key");
    auto inserted = (*conn)->query(
        "INSERT INTO " + quoted +
            " AS t (instance, scope, key, doc, content_hash, sync_status, pending_job_id, pending_data, updated_at, "
            "created_at) VALUES ($1, $2, $3, '{}', '', 'pending_create', $4, $5, $6, $6) "
            "ON CONFLICT (instance, scope, key) DO UPDATE SET pending_data = excluded.pending_data, "
            "updated_at = excluded.updated_at WHERE t.sync_status = 'pending_create' AND t.pending_job_id = $4",
        rowParams(row).int64(job_id).textOrNull(pending_data).time(now));
    if (!inserted) return inserted.status();
    if (inserted->affected() == 0) return Status::alreadyExists(describe(table, row) + " already exists");
    return Status::ok();
  }
  if (!isPending(status)) {
    return Status::invalidArgument(std::string("markPending takes a pending status, not ") + toString(status));
  }
  auto updated = (*conn)->query("UPDATE " + quoted +
                                    " SET sync_status = $4, sync_error = NULL, pending_job_id = $5, pending_data = $6, "
                                    "updated_at = $7" +
                                    kRowWhere + " AND (" + kNotPendingSql + " OR pending_job_id = $5)",
                                rowParams(row).text(toString(status)).int64(job_id).textOrNull(pending_data).time(now));
  if (!updated) return updated.status();
  if (updated->affected() == 0) return explainPending(**conn, table, row);
  return Status::ok();
}

Status PgSnapshots::commitRow(Txn& txn, const SnapshotTable& table, const SnapshotRow& row, int64_t job_id,
                              TimePoint now) {
  auto conn = txnConn(txn, table);
  if (!conn) return conn.status();
  const auto fields = snap::storedFields(*table.resource);
  const std::string quoted = quotedTable(table);
  Params p;
  p.text(row.instance).text(row.scope).time(now).int64(job_id);
  if (Status s = appendRows(p, {row}, fields); !s) return s;
  std::string columns;
  std::string updates;
  for (const FieldSpec* f : fields) {
    const std::string q = snap::quoteIdent(f->name);
    columns += ", " + q;
    updates.append(q).append(" = excluded.").append(q).append(", ");
  }
  // A row that another job's mutation owns keeps its pending state; like a
  // sync, this only records the remote state for that job's conflict check.
  auto upserted = (*conn)->query(
      "INSERT INTO " + quoted + " AS t (instance, scope, key" + columns +
          ", doc, content_hash, sync_status, last_synced_at, updated_at, created_at) SELECT $1, $2, u.key" +
          castFields(fields) + ", u.doc::jsonb, u.hash, 'synced', $3, $3, $3 FROM " + unnestRows(fields.size(), 5) +
          " ON CONFLICT (instance, scope, key) DO UPDATE SET " + updates +
          "doc = excluded.doc, content_hash = excluded.content_hash, sync_status = 'synced', sync_error = NULL, "
          "pending_job_id = NULL, pending_data = NULL, last_synced_at = excluded.last_synced_at, "
          "updated_at = excluded.updated_at, _remote_hash = NULL WHERE t." +
          kNotPendingSql + " OR t.pending_job_id = $4",
      p);
  if (!upserted) return upserted.status();
  RowChange at{row.instance, row.scope, row.key};
  if (upserted->affected() == 0) {
    auto marked =
        (*conn)->query("UPDATE " + quoted + " SET _remote_hash = $4" + kRowWhere, rowParams(at).text(row.content_hash));
    if (!marked) return marked.status();
  }
  // The pending create of this job under a key the service did not keep.
  return (*conn)
      ->query("DELETE FROM " + quoted +
                  " WHERE pending_job_id = $4 AND sync_status = 'pending_create' AND "
                  "NOT (instance = $1 AND scope = $2 AND key = $3)",
              rowParams(at).int64(job_id))
      .status();
}

Status PgSnapshots::removeRow(Txn& txn, const SnapshotTable& table, const RowChange& row) {
  auto conn = txnConn(txn, table);
  if (!conn) return conn.status();
  return (*conn)->query("DELETE FROM " + quotedTable(table) + kRowWhere, rowParams(row)).status();
}

Status PgSnapshots::failRow(Txn& txn, const SnapshotTable& table, const RowChange& row, int64_t job_id,
                            RowStatus status, const std::string& error, TimePoint now) {
  if (status != RowStatus::failed && status != RowStatus::conflict) {
    return Status::invalidArgument(std::string("failRow takes failed or conflict, not ") + toString(status));
  }
  auto conn = txnConn(txn, table);
  if (!conn) return conn.status();
  if (Status s = dropPendingCreate(**conn, table, row, job_id); !s) return s;
  // The job stays the row's owner: its failure shows which change did not happen.
  return (*conn)
      ->query("UPDATE " + quotedTable(table) + " SET sync_status = $5, sync_error = $6, updated_at = $7" + kRowWhere +
                  " AND pending_job_id = $4",
              rowParams(row).int64(job_id).text(toString(status)).textOrNull(error).time(now))
      .status();
}

Status PgSnapshots::releaseRow(Txn& txn, const SnapshotTable& table, const RowChange& row, int64_t job_id,
                               TimePoint now) {
  auto conn = txnConn(txn, table);
  if (!conn) return conn.status();
  if (Status s = dropPendingCreate(**conn, table, row, job_id); !s) return s;
  return (*conn)
      ->query("UPDATE " + quotedTable(table) +
                  " SET sync_status = 'synced', sync_error = NULL, pending_job_id = NULL, pending_data = NULL, "
                  "_remote_hash = NULL, updated_at = $5" +
                  kRowWhere + " AND pending_job_id = $4",
              rowParams(row).int64(job_id).time(now))
      .status();
}

Status PgSnapshots::touchTable(Txn& txn, const SnapshotTable& table) { return txnConn(txn, table).status(); }

}  // namespace snapq::pg
