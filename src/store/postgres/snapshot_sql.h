// SQL pieces the PostgreSQL snapshot files share: column lists, row reading,
// typed parameters, and rows sent as one text[] per column for unnest().
#pragma once

#include <string>
#include <vector>

#include "store/postgres/pg_conn.h"
#include "store/snapshot_schema.h"

namespace snapq::pg {

inline constexpr const char* kNotPendingSql = "sync_status IN ('synced', 'failed', 'conflict')";
inline constexpr const char* kPendingSql = "sync_status IN ('pending_create', 'pending_update', 'pending_delete')";

std::string quotedTable(const SnapshotTable& table);

// The searched columns (snap::searchColumns) joined by U+001F: the expression
// of the table's trigram index (pg_trgm). `q` without that character matches
// it exactly when it matches one of the columns.
std::string searchText(const ResourceSpec& resource);
// The column's SQL type; text columns sort bytewise (COLLATE "C"), as SQLite's do.
const char* columnType(FieldType type);
// information_schema.columns.data_type of that type.
const char* dataTypeName(FieldType type);

// "instance, scope, key, <fields>, doc, ..., created_at" in readRow's order,
// qualified by `alias` when not empty; json values and times rendered as text / epoch ms.
std::string rowColumns(const std::vector<const FieldSpec*>& fields, const std::string& alias = {});
SnapshotRow readRow(const Rows& rows, int r, const std::vector<const FieldSpec*>& fields);

// Appends a typed value as the next parameter; returns its placeholder ("$4",
// "$5::float8").
std::string addParam(Params& params, snap::ValueKind kind, const nlohmann::json& value);

// Rows as parameters for unnest: key, content_hash, doc, then one text[] per
// stored field (NULL elements for null values), appended to `params`.
Status appendRows(Params& params, const std::vector<SnapshotRow>& rows, const std::vector<const FieldSpec*>& fields);
// "unnest($n::text[], ...) AS u(key, hash, doc, c0, c1, ...)" for parameters from $first.
std::string unnestRows(size_t field_count, int first);
// ", u.c0::bigint, u.c1, ..." : each field column of `u` cast to its type.
std::string castFields(const std::vector<const FieldSpec*>& fields);

}  // namespace snapq::pg
