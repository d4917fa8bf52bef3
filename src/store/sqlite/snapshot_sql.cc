#include "store/sqlite/snapshot_sql.h"

#include "core/time_format.h"
#include "store/sqlite/job_rows.h"

namespace snapq::sqlite {

Status createGenerations(Db& db) {
  return db.exec(
      "CREATE TABLE IF NOT EXISTS snapshot_generations (table_name TEXT PRIMARY KEY, generation INTEGER NOT NULL)");
}

Status bumpGeneration(Db& db, const SnapshotTable& table) {
  auto stmt = db.prepare(
      "INSERT INTO snapshot_generations (table_name, generation) VALUES (?1, 1) "
      "ON CONFLICT (table_name) DO UPDATE SET generation = generation + 1");
  if (!stmt) return stmt.status();
  (*stmt)->bind(1, snap::tableName(table));
  return (*stmt)->run();
}

std::string quotedTable(const SnapshotTable& table) { return snap::quoteIdent(snap::tableName(table)); }

std::string rowColumns(const std::vector<const FieldSpec*>& fields) {
  std::string out = "instance, scope, key";
  for (const FieldSpec* f : fields) out += ", " + snap::quoteIdent(f->name);
  return out +
         ", doc, content_hash, sync_status, sync_error, pending_job_id, pending_data, last_synced_at, updated_at, "
         "created_at";
}

namespace {

nlohmann::json readField(const Stmt& stmt, int col, FieldType type) {
  if (stmt.isNull(col)) return nullptr;
  switch (type) {
    case FieldType::string: return stmt.text(col);
    case FieldType::integer: return stmt.int64(col);
    case FieldType::number: return stmt.real(col);
    case FieldType::boolean: return stmt.int64(col) != 0;
    case FieldType::json: {
      std::string text = stmt.text(col);
      nlohmann::json v = nlohmann::json::parse(text, nullptr, false);
      return v.is_discarded() ? nlohmann::json(text) : v;  // written by another program: keep the text
    }
  }
  return nullptr;
}

}  // namespace

SnapshotRow readRow(const Stmt& stmt, const std::vector<const FieldSpec*>& fields) {
  SnapshotRow row;
  row.instance = stmt.text(0);
  row.scope = stmt.text(1);
  row.key = stmt.text(2);
  int col = 3;
  for (const FieldSpec* f : fields) row.fields[f->name] = readField(stmt, col++, f->type);
  row.doc = stmt.text(col++);
  row.content_hash = stmt.text(col++);
  row.sync_status = parseRowStatus(stmt.text(col++)).value_or(RowStatus::synced);
  row.sync_error = stmt.text(col++);
  row.pending_job_id = stmt.int64(col++);
  row.pending_data = stmt.text(col++);
  if (!stmt.isNull(col)) row.last_synced_at = parseIso(stmt.text(col));
  ++col;
  row.updated_at = parseIso(stmt.text(col++)).value_or(TimePoint{});
  row.created_at = parseIso(stmt.text(col++)).value_or(TimePoint{});
  return row;
}

void bindValue(Stmt& stmt, int index, snap::ValueKind kind, const nlohmann::json& value) {
  if (value.is_null()) {
    stmt.bindNull(index);
    return;
  }
  switch (kind) {
    case snap::ValueKind::text:
    case snap::ValueKind::json: stmt.bind(index, value.get_ref<const std::string&>()); return;
    case snap::ValueKind::integer: stmt.bind(index, value.get<int64_t>()); return;
    case snap::ValueKind::real: stmt.bind(index, value.get<double>()); return;
    case snap::ValueKind::boolean: stmt.bind(index, value.get<bool>()); return;
    case snap::ValueKind::time: stmt.bind(index, iso(TimePoint(Duration(value.get<int64_t>())))); return;
  }
}

Result<nlohmann::json> storedJson(const nlohmann::json& value) {
  if (value.is_null()) return nlohmann::json(nullptr);
  auto text = snap::dumpJson(value);
  if (!text) return text.status();
  return nlohmann::json(std::move(*text));
}

}  // namespace snapq::sqlite
