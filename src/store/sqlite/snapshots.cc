// Snapshot tables on SQLite: creation and evolution, and the reads a sync and
// the mutation code need (row states, one row, counts). Sync writes:
// snapshot_sync.cc; listings: snapshot_query.cc; job row changes: snapshot_rows.cc.
#include "store/sqlite/snapshots.h"

#include <map>

#include "store/sqlite/job_rows.h"
#include "store/sqlite/snapshot_sql.h"

namespace snapq::sqlite {
namespace {

using snap::quoteIdent;

const char* columnType(FieldType type) {
  switch (type) {
    case FieldType::integer:
    case FieldType::boolean: return "INTEGER";
    case FieldType::number: return "REAL";
    case FieldType::string:
    case FieldType::json: return "TEXT";
  }
  return "TEXT";
}

std::string createSql(const SnapshotTable& table, const std::vector<const FieldSpec*>& fields) {
  std::string sql = "CREATE TABLE IF NOT EXISTS " + quotedTable(table) +
                    " (\n  instance TEXT NOT NULL,\n  scope TEXT NOT NULL,\n  key TEXT NOT NULL,\n";
  for (const FieldSpec* f : fields) sql += "  " + quoteIdent(f->name) + " " + columnType(f->type) + ",\n";
  sql +=
      "  doc TEXT NOT NULL,\n  content_hash TEXT NOT NULL,\n"
      "  sync_status TEXT NOT NULL CHECK (sync_status = 'synced' OR sync_status = 'pending_create' OR "
      "sync_status = 'pending_update' OR sync_status = 'pending_delete' OR sync_status = 'failed' OR "
      "sync_status = 'conflict'),\n"
      "  sync_error TEXT,\n  pending_job_id INTEGER,\n  pending_data TEXT,\n  last_synced_at TEXT,\n"
      "  updated_at TEXT NOT NULL,\n  created_at TEXT NOT NULL,\n  _remote_hash TEXT,\n"
      "  PRIMARY KEY (instance, scope, key)\n)";
  return sql;
}

Status ensureIn(Db& db, const SnapshotTable& table) {
  const auto fields = snap::storedFields(*table.resource);
  const std::string name = snap::tableName(table);
  const std::string quoted = quotedTable(table);
  if (Status s = db.exec(createSql(table, fields)); !s) return s;
  // A new column changes what every listing shows.
  if (Status s = createGenerations(db); !s) return s;
  if (Status s = bumpGeneration(db, table); !s) return s;

  auto info = db.prepare("SELECT name, upper(type) FROM pragma_table_info(?1)");
  if (!info) return info.status();
  (*info)->bind(1, name);
  std::map<std::string, std::string> existing;
  while (true) {
    auto row = (*info)->step();
    if (!row) return row.status();
    if (!*row) break;
    existing[(*info)->text(0)] = (*info)->text(1);
  }
  for (const FieldSpec* f : fields) {
    auto it = existing.find(f->name);
    if (it == existing.end()) {
      if (Status s =
              db.exec("ALTER TABLE " + quoted + " ADD COLUMN " + quoteIdent(f->name) + " " + columnType(f->type));
          !s)
        return s;
    } else if (it->second != columnType(f->type)) {
      return Status::invalidState("snapshot table " + name + ": column " + f->name + " is " + it->second +
                                  " but the field is now " + snap::typeName(f->type) +
                                  "; rename the field or drop the table so the next sync refills it");
    }
  }

  // Indexed fields: exact filters and keyset-ordered listings (the key order follows the sort).
  for (const FieldSpec* f : fields) {
    if (!snap::hasSortIndex(*table.resource, *f)) continue;
    if (Status s = db.exec("CREATE INDEX IF NOT EXISTS " + quoteIdent(snap::indexName(name, f->name)) + " ON " +
                           quoted + " (" + quoteIdent(f->name) + ", instance, scope, key)");
        !s)
      return s;
  }
  // The rows that need attention (pending, failed, conflict) are few: a partial index finds them.
  if (Status s = db.exec("CREATE INDEX IF NOT EXISTS " + quoteIdent(snap::indexName(name, "_status")) + " ON " +
                         quoted + " (sync_status) WHERE sync_status <> 'synced'");
      !s)
    return s;
  // A committed create whose key the service chose finds its pending row by job.
  return db.exec("CREATE INDEX IF NOT EXISTS " + quoteIdent(snap::indexName(name, "_pending_job")) + " ON " + quoted +
                 " (pending_job_id) WHERE pending_job_id IS NOT NULL");
}

}  // namespace

Status SqliteSnapshots::ensureTable(const SnapshotTable& table) {
  if (Status s = snap::checkTable(table); !s) return s;
  return writer_.runStatus([&table](Db& db) { return ensureIn(db, table); });
}

Result<std::map<std::string, RowState>> SqliteSnapshots::rowStates(const SnapshotTable& table,
                                                                   const std::string& instance,
                                                                   const std::string& scope) {
  if (Status s = snap::checkTable(table); !s) return s;
  using States = std::map<std::string, RowState>;
  return read<States>([&](Db& db) -> Result<States> {
    auto stmt = db.prepare("SELECT key, content_hash, sync_status FROM " + quotedTable(table) +
                           " WHERE instance = ?1 AND scope = ?2");
    if (!stmt) return stmt.status();
    (*stmt)->bind(1, instance).bind(2, scope);
    States states;
    while (true) {
      auto row = (*stmt)->step();
      if (!row) return row.status();
      if (!*row) break;
      states.emplace((*stmt)->text(0),
                     RowState{(*stmt)->text(1), parseRowStatus((*stmt)->text(2)).value_or(RowStatus::synced)});
    }
    return states;
  });
}

Result<std::optional<SnapshotRow>> SqliteSnapshots::findRow(const SnapshotTable& table, const std::string& instance,
                                                            const std::optional<std::string>& scope,
                                                            const std::string& key) {
  if (Status s = snap::checkTable(table); !s) return s;
  using Found = std::optional<SnapshotRow>;
  return read<Found>([&](Db& db) -> Result<Found> {
    const auto fields = snap::storedFields(*table.resource);
    std::string sql = "SELECT " + rowColumns(fields) + " FROM " + quotedTable(table) +
                      " WHERE instance = ?1 AND key = ?2" + (scope ? " AND scope = ?3" : "") +
                      " ORDER BY scope LIMIT 1";
    auto stmt = db.prepare(sql);
    if (!stmt) return stmt.status();
    (*stmt)->bind(1, instance).bind(2, key);
    if (scope) (*stmt)->bind(3, *scope);
    auto row = (*stmt)->step();
    if (!row) return row.status();
    Found found;
    if (*row) found = readRow(**stmt, fields);
    (*stmt)->reset();
    return found;
  });
}

Result<SnapshotCounts> SqliteSnapshots::countRows(const SnapshotTable& table) {
  if (Status s = snap::checkTable(table); !s) return s;
  return read<SnapshotCounts>([&](Db& db) -> Result<SnapshotCounts> {
    auto stmt = db.prepare("SELECT sync_status, count(*) FROM " + quotedTable(table) + " GROUP BY sync_status");
    if (!stmt) return stmt.status();
    SnapshotCounts counts;
    while (true) {
      auto row = (*stmt)->step();
      if (!row) return row.status();
      if (!*row) break;
      int64_t n = (*stmt)->int64(1);
      counts.total += n;
      if (auto s = parseRowStatus((*stmt)->text(0))) counts.by_status[*s] = n;
    }
    return counts;
  });
}

Result<int64_t> SqliteSnapshots::generation(const SnapshotTable& table) {
  if (Status s = snap::checkTable(table); !s) return s;
  return read<int64_t>([&](Db& db) -> Result<int64_t> {
    auto stmt = db.prepare("SELECT generation FROM snapshot_generations WHERE table_name = ?1");
    if (!stmt) return stmt.status();
    (*stmt)->bind(1, snap::tableName(table));
    auto row = (*stmt)->step();
    if (!row) return row.status();
    int64_t generation = *row ? (*stmt)->int64(0) : 0;
    (*stmt)->reset();
    return generation;
  });
}

}  // namespace snapq::sqlite
