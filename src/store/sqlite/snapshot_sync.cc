// A sync's batched writes on SQLite: one writer operation (one transaction,
// shared with whatever else the writer commits) per batch.
#include <map>

#include "store/sqlite/job_rows.h"
#include "store/sqlite/snapshot_sql.h"
#include "store/sqlite/snapshots.h"

namespace snapq::sqlite {
namespace {

using snap::quoteIdent;

// A batch row's stored field values, checked and converted (json fields to
// their text) on the caller's thread, in storedFields() order.
Result<std::vector<nlohmann::json>> storedValues(const SnapshotRow& row, const std::vector<const FieldSpec*>& fields) {
  std::vector<nlohmann::json> values;
  values.reserve(fields.size());
  for (const FieldSpec* f : fields) {
    auto v = snap::fieldValue(*f, row.fields, row.key);
    if (v && f->type == FieldType::json) v = storedJson(*v);
    if (!v) return v.status();
    values.push_back(std::move(*v));
  }
  return values;
}

// A sync batch as the writer binds it, checked and encoded on the caller's thread.
struct EncodedBatch {
  std::vector<std::vector<nlohmann::json>> values;  // per upsert, per stored field
  std::string upsert_keys;                          // JSON arrays of keys, for json_each()
  std::string delete_keys;
};

Result<EncodedBatch> encode(const SyncBatch& batch, const std::vector<const FieldSpec*>& fields) {
  EncodedBatch out;
  out.values.reserve(batch.upserts.size());
  std::vector<std::string> keys;
  keys.reserve(batch.upserts.size());
  for (const SnapshotRow& row : batch.upserts) {
    auto v = storedValues(row, fields);
    if (!v) return v.status();
    out.values.push_back(std::move(*v));
    keys.push_back(row.key);
  }
  auto upsert_keys = snap::dumpJson(keys);
  if (!upsert_keys) return upsert_keys.status();
  auto delete_keys = snap::dumpJson(batch.deletes);
  if (!delete_keys) return delete_keys.status();
  out.upsert_keys = std::move(*upsert_keys);
  out.delete_keys = std::move(*delete_keys);
  return out;
}

// Parameters of both statements: ?1 instance, ?2 scope, ?3 key, ?4 doc, ?5
// content_hash, ?6 now, then the fields from ?7.
std::string updateSql(const std::string& quoted, const std::vector<const FieldSpec*>& fields) {
  std::string sets;
  for (size_t i = 0; i < fields.size(); ++i)
    sets += quoteIdent(fields[i]->name) + " = ?" + std::to_string(i + 7) + ", ";
  return "UPDATE " + quoted + " SET " + sets +
         "doc = ?4, content_hash = ?5, last_synced_at = ?6, updated_at = ?6 "
         "WHERE instance = ?1 AND scope = ?2 AND key = ?3 AND " +
         kNotPendingSql;
}

std::string insertSql(const std::string& quoted, const std::vector<const FieldSpec*>& fields) {
  std::string columns;
  std::string values;
  for (size_t i = 0; i < fields.size(); ++i) {
    columns += ", " + quoteIdent(fields[i]->name);
    values += ", ?" + std::to_string(i + 7);
  }
  return "INSERT INTO " + quoted + " (instance, scope, key" + columns +
         ", doc, content_hash, sync_status, last_synced_at, updated_at, created_at) VALUES (?1, ?2, ?3" + values +
         ", ?4, ?5, 'synced', ?6, ?6, ?6)";
}

// What each key of the batch is now: absent (not in the map), pending (true)
// or not (false). The writer's transaction holds SQLite's write lock (BEGIN
// IMMEDIATE), so no other connection or process changes it before the commit.
Result<std::map<std::string, bool>> storedKeys(Db& db, const std::string& quoted, const SyncBatch& batch,
                                               const std::string& keys_json) {
  auto stmt = db.prepare("SELECT key, " + std::string(kPendingSql) + " FROM " + quoted +
                         " WHERE instance = ?1 AND scope = ?2 AND key IN (SELECT value FROM json_each(?3))");
  if (!stmt) return stmt.status();
  (*stmt)->bind(1, batch.instance).bind(2, batch.scope).bind(3, keys_json);
  std::map<std::string, bool> stored;
  while (true) {
    auto row = (*stmt)->step();
    if (!row) return row.status();
    if (!*row) break;
    stored.emplace((*stmt)->text(0), (*stmt)->int64(1) != 0);
  }
  return stored;
}

// Row by row with cached statements: in-process SQLite runs a bound statement
// faster than it parses the same rows back out of one JSON parameter. The
// keys are looked up in one query first, so each row takes one statement and
// counts exactly: new rows are inserted, stored ones rewritten, pending ones
// only get the remote hash.
Status applyUpserts(Db& db, const SnapshotTable& table, const SyncBatch& batch, const EncodedBatch& encoded,
                    SyncBatchResult& result) {
  const auto fields = snap::storedFields(*table.resource);
  const std::string quoted = quotedTable(table);
  auto stored = storedKeys(db, quoted, batch, encoded.upsert_keys);
  if (!stored) return stored.status();
  auto update = db.prepare(updateSql(quoted, fields));
  if (!update) return update.status();
  auto insert = db.prepare(insertSql(quoted, fields));
  if (!insert) return insert.status();
  auto mark = db.prepare("UPDATE " + quoted + " SET _remote_hash = ?5 WHERE instance = ?1 AND scope = ?2 AND key = ?3");
  if (!mark) return mark.status();
  const std::string now = iso(batch.now);
  for (size_t r = 0; r < batch.upserts.size(); ++r) {
    const SnapshotRow& row = batch.upserts[r];
    auto it = stored->find(row.key);
    Stmt& s = it == stored->end() ? **insert : it->second ? **mark : **update;
    (it == stored->end() ? result.inserted : it->second ? result.kept_pending : result.updated) += 1;
    s.reset();
    s.bind(1, batch.instance)
        .bind(2, batch.scope)
        .bind(3, row.key)
        .bind(4, row.doc.empty() ? "{}" : row.doc)
        .bind(5, row.content_hash)
        .bind(6, now);
    if (&s != *mark) {
      for (size_t i = 0; i < fields.size(); ++i) {
        bindValue(s, static_cast<int>(i + 7), snap::kindOf(fields[i]->type), encoded.values[r][i]);
      }
    }
    if (Status st = s.run(); !st) return st;
  }
  return Status::ok();
}

Status applyDeletes(Db& db, const SnapshotTable& table, const SyncBatch& batch, const std::string& keys,
                    SyncBatchResult& result) {
  const std::string quoted = quotedTable(table);
  const std::string where = " WHERE instance = ?1 AND scope = ?2 AND key IN (SELECT value FROM json_each(?3))";
  auto del = db.prepare("DELETE FROM " + quoted + where + " AND " + kNotPendingSql);
  if (!del) return del.status();
  (*del)->bind(1, batch.instance).bind(2, batch.scope).bind(3, keys);
  if (Status s = (*del)->run(); !s) return s;
  result.deleted += db.changes();
  // What is left of those keys is owned by a mutation.
  auto left = db.prepare("SELECT count(*) FROM " + quoted + where);
  if (!left) return left.status();
  (*left)->bind(1, batch.instance).bind(2, batch.scope).bind(3, keys);
  auto row = (*left)->step();
  if (!row) return row.status();
  result.kept_pending += (*left)->int64(0);
  (*left)->reset();
  return Status::ok();
}

}  // namespace

Result<SyncBatchResult> SqliteSnapshots::applySync(const SnapshotTable& table, SyncBatch batch) {
  if (Status s = snap::checkTable(table); !s) return s;
  snap::dedupeUpserts(batch.upserts);
  auto encoded = encode(batch, snap::storedFields(*table.resource));
  if (!encoded) return encoded.status();
  return writer_.run<SyncBatchResult>([&](Db& db) -> Result<SyncBatchResult> {
    SyncBatchResult result;
    if (Status s = bumpGeneration(db, table); !s) return s;
    if (!batch.upserts.empty()) {
      if (Status s = applyUpserts(db, table, batch, *encoded, result); !s) return s;
    }
    if (!batch.deletes.empty()) {
      if (Status s = applyDeletes(db, table, batch, encoded->delete_keys, result); !s) return s;
    }
    return result;
  });
}

}  // namespace snapq::sqlite
