// SQL pieces the SQLite snapshot files share: column lists, row reading and
// typed binding of field values.
#pragma once

#include <string>
#include <vector>

#include "store/snapshot_schema.h"
#include "store/sqlite/sqlite_db.h"

namespace snapq::sqlite {

// Status guards, written as OR chains like the job tables' (no IN-list
// temporary index per evaluation).
inline constexpr const char* kNotPendingSql =
    "(sync_status = 'synced' OR sync_status = 'failed' OR sync_status = 'conflict')";
inline constexpr const char* kPendingSql =
    "(sync_status = 'pending_create' OR sync_status = 'pending_update' OR sync_status = 'pending_delete')";

// snapshot_generations: one row per snapshot table that was ever written,
// its generation (snapshot.h). Created with the snapshot tables (ensureTable),
// not by a numbered migration, like the tables it counts for.
Status createGenerations(Db& db);
// Moves the table's generation inside the open write: a write that rolls back
// takes its move with it. The whole database is one writer's at a time, so
// the row's lock orders nothing.
Status bumpGeneration(Db& db, const SnapshotTable& table);

// The quoted table name.
std::string quotedTable(const SnapshotTable& table);

// "instance, scope, key, <fields>, doc, content_hash, sync_status, sync_error,
// pending_job_id, pending_data, last_synced_at, updated_at, created_at", in readRow's order.
std::string rowColumns(const std::vector<const FieldSpec*>& fields);
SnapshotRow readRow(const Stmt& stmt, const std::vector<const FieldSpec*>& fields);

// Binds a typed value (snap::fieldValue, a filter, a cursor) for a column of this kind.
void bindValue(Stmt& stmt, int index, snap::ValueKind kind, const nlohmann::json& value);
// A json field's value as stored: its JSON text, or NULL for null.
Result<nlohmann::json> storedJson(const nlohmann::json& value);

}  // namespace snapq::sqlite
