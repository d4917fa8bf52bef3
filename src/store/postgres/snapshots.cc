// Snapshot tables on PostgreSQL: creation and evolution, and the reads a sync
// and the mutation code need (row states, one row, counts). Sync writes:
// snapshot_sync.cc; listings: snapshot_query.cc; job row changes: snapshot_rows.cc.
#include "store/postgres/snapshots.h"

#include <map>

#include "core/content_hash.h"
#include "store/postgres/snapshot_sql.h"

namespace snapq::pg {
namespace {

using snap::quoteIdent;

std::string createSql(const SnapshotTable& table, const std::vector<const FieldSpec*>& fields) {
  std::string sql = "CREATE TABLE IF NOT EXISTS " + quotedTable(table) +
                    " (\n  instance text COLLATE \"C\" NOT NULL,\n  scope text COLLATE \"C\" NOT NULL,\n"
                    "  key text COLLATE \"C\" NOT NULL,\n";
  for (const FieldSpec* f : fields) sql += "  " + quoteIdent(f->name) + " " + columnType(f->type) + ",\n";
  sql +=
      "  doc jsonb NOT NULL,\n  content_hash text NOT NULL,\n"
      "  sync_status text NOT NULL CHECK (sync_status IN ('synced', 'pending_create', 'pending_update', "
      "'pending_delete', 'failed', 'conflict')),\n"
      "  sync_error text,\n  pending_job_id bigint,\n  pending_data text,\n  last_synced_at timestamptz,\n"
      "  updated_at timestamptz NOT NULL,\n  created_at timestamptz NOT NULL,\n  _remote_hash text,\n"
      "  PRIMARY KEY (instance, scope, key)\n)";
  return sql;
}

Status ensureIn(Conn& conn, const SnapshotTable& table) {
  // Nodes starting at once queue here; each later one then finds the work done.
  if (Status s = conn.query("SELECT pg_advisory_xact_lock($1)", Params().int64(kSnapshotDdlLockKey)).status(); !s)
    return s;
  const auto fields = snap::storedFields(*table.resource);
  const std::string name = snap::tableName(table);
  const std::string quoted = quotedTable(table);
  if (Status s = conn.exec(createSql(table, fields)); !s) return s;
  // Each table's generation (snapshot.h), moved by the writer at the commit of
  // every change; a new column changes what every listing shows.
  if (Status s = conn.exec("CREATE TABLE IF NOT EXISTS snapshot_generations (table_name text COLLATE \"C\" "
                           "PRIMARY KEY, generation bigint NOT NULL)");
      !s)
    return s;
  conn.touchSnapshot(name);

  auto columns = conn.query(
      "SELECT column_name::text, data_type::text FROM information_schema.columns "
      "WHERE table_schema = current_schema() AND table_name = $1",
      Params().text(name));
  if (!columns) return columns.status();
  std::map<std::string, std::string> existing;
  for (int r = 0; r < columns->size(); ++r) existing[columns->text(r, 0)] = columns->text(r, 1);
  for (const FieldSpec* f : fields) {
    auto it = existing.find(f->name);
    if (it == existing.end()) {
      if (Status s = conn.exec("ALTER TABLE " + quoted + " ADD COLUMN IF NOT EXISTS " + quoteIdent(f->name) + " " +
                               columnType(f->type));
          !s)
        return s;
    } else if (it->second != dataTypeName(f->type)) {
      return Status::invalidState("snapshot table " + name + ": column " + f->name + " is " + it->second +
                                  " but the field is now " + snap::typeName(f->type) +
                                  "; rename the field or drop the table so the next sync refills it");
    }
  }

  // Indexed fields: exact filters and keyset-ordered listings (NULLs first, as listRows sorts).
  for (const FieldSpec* f : fields) {
    if (!snap::hasSortIndex(*table.resource, *f)) continue;
    if (Status s = conn.exec("CREATE INDEX IF NOT EXISTS " + quoteIdent(snap::indexName(name, f->name)) + " ON " +
                             quoted + " (" + quoteIdent(f->name) + " NULLS FIRST, instance, scope, key)");
        !s)
      return s;
  }
  // q through pg_trgm (the extension comes with migration 5): a GIN index over
  // the searched columns, named after them, so a config that changes which
  // fields are searchable gets an index of its own.
  const std::string search = searchText(*table.resource);
  if (Status s = conn.exec("CREATE INDEX IF NOT EXISTS " +
                           quoteIdent(snap::indexName(name, "_search_" + sha256Hex(search).substr(0, 8))) + " ON " +
                           quoted + " USING gin (" + search + " gin_trgm_ops)");
      !s)
    return s;
  // The rows that need attention (pending, failed, conflict) are few: a partial index finds them.
  if (Status s = conn.exec("CREATE INDEX IF NOT EXISTS " + quoteIdent(snap::indexName(name, "_status")) + " ON " +
                           quoted + " (sync_status) WHERE sync_status <> 'synced'");
      !s)
    return s;
  // A committed create whose key the service chose finds its pending row by job.
  return conn.exec("CREATE INDEX IF NOT EXISTS " + quoteIdent(snap::indexName(name, "_pending_job")) + " ON " + quoted +
                   " (pending_job_id) WHERE pending_job_id IS NOT NULL");
}

}  // namespace

Status PgSnapshots::ensureTable(const SnapshotTable& table) {
  if (Status s = snap::checkTable(table); !s) return s;
  return writer_.runStatus([&table](Conn& conn) { return ensureIn(conn, table); });
}

Result<std::map<std::string, RowState>> PgSnapshots::rowStates(const SnapshotTable& table, const std::string& instance,
                                                               const std::string& scope) {
  if (Status s = snap::checkTable(table); !s) return s;
  using States = std::map<std::string, RowState>;
  return read<States>([&](Conn& conn) -> Result<States> {
    auto rows = conn.query(
        "SELECT key, content_hash, sync_status FROM " + quotedTable(table) + " WHERE instance = $1 AND scope = $2",
        Params().text(instance).text(scope));
    if (!rows) return rows.status();
    States states;
    for (int r = 0; r < rows->size(); ++r) {
      states.emplace(rows->text(r, 0),
                     RowState{rows->text(r, 1), parseRowStatus(rows->text(r, 2)).value_or(RowStatus::synced)});
    }
    return states;
  });
}

Result<std::optional<SnapshotRow>> PgSnapshots::findRow(const SnapshotTable& table, const std::string& instance,
                                                        const std::optional<std::string>& scope,
                                                        const std::string& key) {
  if (Status s = snap::checkTable(table); !s) return s;
  using Found = std::optional<SnapshotRow>;
  return read<Found>([&](Conn& conn) -> Result<Found> {
    const auto fields = snap::storedFields(*table.resource);
    Params p;
    p.text(instance).text(key);
    if (scope) p.text(*scope);
    auto rows = conn.query("SELECT " + rowColumns(fields) + " FROM " + quotedTable(table) +
                               " WHERE instance = $1 AND key = $2" + (scope ? " AND scope = $3" : "") +
                               " ORDER BY scope LIMIT 1",
                           p);
    if (!rows) return rows.status();
    Found found;
    if (!rows->empty()) found = readRow(*rows, 0, fields);
    return found;
  });
}

Result<SnapshotCounts> PgSnapshots::countRows(const SnapshotTable& table) {
  if (Status s = snap::checkTable(table); !s) return s;
  return read<SnapshotCounts>([&](Conn& conn) -> Result<SnapshotCounts> {
    auto rows = conn.query("SELECT sync_status, count(*) FROM " + quotedTable(table) + " GROUP BY sync_status");
    if (!rows) return rows.status();
    SnapshotCounts counts;
    for (int r = 0; r < rows->size(); ++r) {
      int64_t n = rows->int64(r, 1);
      counts.total += n;
      if (auto s = parseRowStatus(rows->text(r, 0))) counts.by_status[*s] = n;
    }
    return counts;
  });
}

Result<int64_t> PgSnapshots::generation(const SnapshotTable& table) {
  if (Status s = snap::checkTable(table); !s) return s;
  return read<int64_t>([&](Conn& conn) -> Result<int64_t> {
    auto rows = conn.query("SELECT generation FROM snapshot_generations WHERE table_name = $1",
                           Params().text(snap::tableName(table)));
    if (!rows) return rows.status();
    return rows->empty() ? int64_t{0} : rows->int64(0, 0);
  });
}

}  // namespace snapq::pg
