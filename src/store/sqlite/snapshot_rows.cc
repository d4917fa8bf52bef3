// Row changes made together with a job, inside its transaction on the writer
// thread: the pending state of a dispatch, and what a mutation's outcome or a
// manager's cancel / delete does to the row. Every change is guarded in SQL
// by the row's status and the job that owns it.
#include "store/sqlite/job_rows.h"
#include "store/sqlite/snapshot_sql.h"
#include "store/sqlite/snapshots.h"
#include "store/sqlite/sqlite_store.h"

namespace snapq::sqlite {
namespace {

constexpr const char* kRowWhere = " WHERE instance = ?1 AND scope = ?2 AND key = ?3";

// The job's connection, the table's generation moved: every caller changes the table (or may).
Result<Db*> txnDb(Txn& txn, const SnapshotTable& table) {
  if (Status s = snap::checkTable(table); !s) return s;
  auto* t = dynamic_cast<SqliteTxn*>(&txn);
  if (t == nullptr) return Status::invalidArgument("a snapshot row change needs a transaction of the sqlite store");
  if (Status s = bumpGeneration(t->db(), table); !s) return s;
  return &t->db();
}

Result<Stmt*> rowStatement(Db& db, const std::string& sql, const RowChange& row) {
  auto stmt = db.prepare(sql);
  if (!stmt) return stmt.status();
  (*stmt)->bind(1, row.instance).bind(2, row.scope).bind(3, row.key);
  return stmt;
}

std::string describe(const SnapshotTable& table, const RowChange& row) {
  return "row '" + row.key + "' of " + snap::tableName(table) + (row.scope.empty() ? "" : " in scope " + row.scope) +
         (row.instance == "default" ? "" : " of instance " + row.instance);
}

// Why markPending changed nothing: no row, or a row another job owns.
Status explainPending(Db& db, const SnapshotTable& table, const RowChange& row) {
  auto stmt = rowStatement(db, "SELECT sync_status, pending_job_id FROM " + quotedTable(table) + kRowWhere, row);
  if (!stmt) return stmt.status();
  auto found = (*stmt)->step();
  if (!found) return found.status();
  if (!*found) return Status::notFound(describe(table, row) + " does not exist");
  std::string status = (*stmt)->text(0);
  int64_t owner = (*stmt)->int64(1);
  (*stmt)->reset();
  return Status::invalidState(describe(table, row) + " is " + status + " for job " + std::to_string(owner));
}

// Removes the pending_create row of `job_id` at `row`, if there is one.
Status dropPendingCreate(Db& db, const SnapshotTable& table, const RowChange& row, int64_t job_id) {
  auto stmt = rowStatement(
      db,
      "DELETE FROM " + quotedTable(table) + kRowWhere + " AND pending_job_id = ?4 AND sync_status = 'pending_create'",
      row);
  if (!stmt) return stmt.status();
  (*stmt)->bind(4, job_id);
  return (*stmt)->run();
}

}  // namespace

Status SqliteSnapshots::markPending(Txn& txn, const SnapshotTable& table, const RowChange& row, RowStatus status,
                                    int64_t job_id, const std::string& pending_data, TimePoint now) {
  auto db = txnDb(txn, table);
  if (!db) return db.status();
  const std::string quoted = quotedTable(table);
  if (status == RowStatus::pending_create) {
    if (row.key.empty()) return Status::invalidArgument("a pending create needs the new row's key");
    auto stmt = rowStatement(
        **db,
        "INSERT INTO " + quoted +
            " (instance, scope, key, doc, content_hash, sync_status, pending_job_id, pending_data, updated_at, "
            "created_at) VALUES (?1, ?2, ?3, '{}', '', 'pending_create', ?4, ?5, ?6, ?6) "
            "ON CONFLICT (instance, scope, key) DO UPDATE SET pending_data = excluded.pending_data, "
            "updated_at = excluded.updated_at WHERE sync_status = 'pending_create' AND pending_job_id = ?4",
        row);
    if (!stmt) return stmt.status();
    (*stmt)->bind(4, job_id).bindTextOrNull(5, pending_data).bind(6, iso(now));
    if (Status s = (*stmt)->run(); !s) return s;
    if ((*db)->changes() == 0) return Status::alreadyExists(describe(table, row) + " already exists");
    return Status::ok();
  }
  if (!isPending(status)) {
    return Status::invalidArgument(std::string("markPending takes a pending status, not ") + toString(status));
  }
  auto stmt = rowStatement(**db,
                           "UPDATE " + quoted +
                               " SET sync_status = ?4, sync_error = NULL, pending_job_id = ?5, pending_data = ?6, "
                               "updated_at = ?7" +
                               kRowWhere + " AND (" + kNotPendingSql + " OR pending_job_id = ?5)",
                           row);
  if (!stmt) return stmt.status();
  (*stmt)->bind(4, toString(status)).bind(5, job_id).bindTextOrNull(6, pending_data).bind(7, iso(now));
  if (Status s = (*stmt)->run(); !s) return s;
  if ((*db)->changes() == 0) return explainPending(**db, table, row);
  return Status::ok();
}

Status SqliteSnapshots::commitRow(Txn& txn, const SnapshotTable& table, const SnapshotRow& row, int64_t job_id,
                                  TimePoint now) {
  auto db = txnDb(txn, table);
  if (!db) return db.status();
  const auto fields = snap::storedFields(*table.resource);
  const std::string quoted = quotedTable(table);
  std::string columns;
  std::string values;
  std::string updates;
  for (size_t i = 0; i < fields.size(); ++i) {
    const std::string q = snap::quoteIdent(fields[i]->name);
    columns += ", " + q;
    values += ", ?" + std::to_string(i + 8);
    updates.append(q).append(" = excluded.").append(q).append(", ");
  }
  // A row that another job's mutation owns keeps its pending state; like a
  // sync, this only records the remote state for that job's conflict check.
  auto stmt = (*db)->prepare(
      "INSERT INTO " + quoted + " (instance, scope, key" + columns +
      ", doc, content_hash, sync_status, last_synced_at, updated_at, created_at) VALUES (?1, ?2, ?3" + values +
      ", ?4, ?5, 'synced', ?6, ?6, ?6) ON CONFLICT (instance, scope, key) DO UPDATE SET " + updates +
      "doc = excluded.doc, content_hash = excluded.content_hash, sync_status = 'synced', sync_error = NULL, "
      "pending_job_id = NULL, pending_data = NULL, last_synced_at = excluded.last_synced_at, "
      "updated_at = excluded.updated_at, _remote_hash = NULL WHERE " +
      kNotPendingSql + " OR pending_job_id = ?7");
  if (!stmt) return stmt.status();
  Stmt& s = **stmt;
  s.bind(1, row.instance)
      .bind(2, row.scope)
      .bind(3, row.key)
      .bind(4, row.doc.empty() ? "{}" : row.doc)
      .bind(5, row.content_hash)
      .bind(6, iso(now))
      .bind(7, job_id);
  for (size_t i = 0; i < fields.size(); ++i) {
    auto v = snap::fieldValue(*fields[i], row.fields, row.key);
    if (!v) return v.status();
    if (fields[i]->type == FieldType::json) v = storedJson(*v);
    if (!v) return v.status();
    bindValue(s, static_cast<int>(i + 8), snap::kindOf(fields[i]->type), *v);
  }
  if (Status st = s.run(); !st) return st;
  RowChange at{row.instance, row.scope, row.key};
  if ((*db)->changes() == 0) {
    auto mark = rowStatement(**db, "UPDATE " + quoted + " SET _remote_hash = ?4" + kRowWhere, at);
    if (!mark) return mark.status();
    (*mark)->bind(4, row.content_hash);
    if (Status st = (*mark)->run(); !st) return st;
  }
  // The pending create of this job under a key the service did not keep.
  auto stale = rowStatement(**db,
                            "DELETE FROM " + quoted +
                                " WHERE pending_job_id = ?4 AND sync_status = 'pending_create' AND "
                                "NOT (instance = ?1 AND scope = ?2 AND key = ?3)",
                            at);
  if (!stale) return stale.status();
  (*stale)->bind(4, job_id);
  return (*stale)->run();
}

Status SqliteSnapshots::removeRow(Txn& txn, const SnapshotTable& table, const RowChange& row) {
  auto db = txnDb(txn, table);
  if (!db) return db.status();
  auto stmt = rowStatement(**db, "DELETE FROM " + quotedTable(table) + kRowWhere, row);
  if (!stmt) return stmt.status();
  return (*stmt)->run();
}

Status SqliteSnapshots::failRow(Txn& txn, const SnapshotTable& table, const RowChange& row, int64_t job_id,
                                RowStatus status, const std::string& error, TimePoint now) {
  if (status != RowStatus::failed && status != RowStatus::conflict) {
    return Status::invalidArgument(std::string("failRow takes failed or conflict, not ") + toString(status));
  }
  auto db = txnDb(txn, table);
  if (!db) return db.status();
  if (Status s = dropPendingCreate(**db, table, row, job_id); !s) return s;
  // The job stays the row's owner: its failure shows which change did not happen.
  auto stmt = rowStatement(**db,
                           "UPDATE " + quotedTable(table) + " SET sync_status = ?5, sync_error = ?6, updated_at = ?7" +
                               kRowWhere + " AND pending_job_id = ?4",
                           row);
  if (!stmt) return stmt.status();
  (*stmt)->bind(4, job_id).bind(5, toString(status)).bindTextOrNull(6, error).bind(7, iso(now));
  return (*stmt)->run();
}

Status SqliteSnapshots::releaseRow(Txn& txn, const SnapshotTable& table, const RowChange& row, int64_t job_id,
                                   TimePoint now) {
  auto db = txnDb(txn, table);
  if (!db) return db.status();
  if (Status s = dropPendingCreate(**db, table, row, job_id); !s) return s;
  auto stmt = rowStatement(**db,
                           "UPDATE " + quotedTable(table) +
                               " SET sync_status = 'synced', sync_error = NULL, pending_job_id = NULL, "
                               "pending_data = NULL, _remote_hash = NULL, updated_at = ?5" +
                               kRowWhere + " AND pending_job_id = ?4",
                           row);
  if (!stmt) return stmt.status();
  (*stmt)->bind(4, job_id).bind(5, iso(now));
  return (*stmt)->run();
}

Status SqliteSnapshots::touchTable(Txn& txn, const SnapshotTable& table) { return txnDb(txn, table).status(); }

}  // namespace snapq::sqlite
