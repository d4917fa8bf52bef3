// A sync's batched writes on PostgreSQL: one writer operation (one
// transaction, shared with whatever else the writer commits) per batch, its
// rows sent as arrays through unnest().
#include "store/postgres/snapshot_sql.h"
#include "store/postgres/snapshots.h"

namespace snapq::pg {
namespace {

using snap::quoteIdent;

// Inserts new rows and rewrites the non-pending ones in one statement; the
// rows it skipped are the pending ones (ON CONFLICT DO UPDATE locks them even
// where its WHERE is false, so they stay pending until the commit) and get
// the remote hash instead. A row version this statement inserted has
// xmax = 0; one it updated carries the updating transaction's id.
Status applyUpserts(Conn& conn, const SnapshotTable& table, const SyncBatch& batch, SyncBatchResult& result) {
  const auto fields = snap::storedFields(*table.resource);
  Params p;
  p.text(batch.instance).text(batch.scope).time(batch.now);
  if (Status s = appendRows(p, batch.upserts, fields); !s) return s;
  std::string columns;
  std::string updates;
  for (const FieldSpec* f : fields) {
    const std::string q = quoteIdent(f->name);
    columns += ", " + q;
    updates.append(q).append(" = excluded.").append(q).append(", ");
  }
  const std::string quoted = quotedTable(table);
  auto counts = conn.query(
      "WITH up AS (INSERT INTO " + quoted + " AS t (instance, scope, key" + columns +
          ", doc, content_hash, sync_status, last_synced_at, updated_at, created_at) SELECT $1, $2, u.key" +
          castFields(fields) + ", u.doc::jsonb, u.hash, 'synced', $3, $3, $3 FROM " + unnestRows(fields.size(), 4) +
          " ON CONFLICT (instance, scope, key) DO UPDATE SET " + updates +
          "doc = excluded.doc, content_hash = excluded.content_hash, last_synced_at = excluded.last_synced_at, "
          "updated_at = excluded.updated_at WHERE t." +
          kNotPendingSql +
          " RETURNING (t.xmax = 0) AS inserted) "
          "SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM up",
      p);
  if (!counts) return counts.status();
  const int64_t inserted = counts->int64(0, 0);
  const int64_t updated = counts->int64(0, 1);
  result.inserted += inserted;
  result.updated += updated;
  if (inserted + updated == static_cast<int64_t>(batch.upserts.size())) return Status::ok();

  std::vector<std::string> keys, hashes;
  for (const SnapshotRow& row : batch.upserts) {
    keys.push_back(row.key);
    hashes.push_back(row.content_hash);
  }
  Params mp;
  mp.text(batch.instance).text(batch.scope).textArray(keys).textArray(hashes);
  auto marked = conn.query("UPDATE " + quoted +
                               " AS t SET _remote_hash = u.hash FROM unnest($3::text[], $4::text[]) AS u(key, hash) "
                               "WHERE t.instance = $1 AND t.scope = $2 AND t.key = u.key AND t." +
                               kPendingSql,
                           mp);
  if (!marked) return marked.status();
  result.kept_pending += marked->affected();
  return Status::ok();
}

Status applyDeletes(Conn& conn, const SnapshotTable& table, const SyncBatch& batch, SyncBatchResult& result) {
  const std::string quoted = quotedTable(table);
  Params p;
  p.text(batch.instance).text(batch.scope).textArray(batch.deletes);
  const std::string where = " WHERE instance = $1 AND scope = $2 AND key = ANY($3)";
  auto deleted = conn.query("DELETE FROM " + quoted + where + " AND " + kNotPendingSql, p);
  if (!deleted) return deleted.status();
  result.deleted += deleted->affected();
  // What is left of those keys is owned by a mutation.
  auto left = conn.query("SELECT count(*) FROM " + quoted + where, p);
  if (!left) return left.status();
  result.kept_pending += left->int64(0, 0);
  return Status::ok();
}

}  // namespace

Result<SyncBatchResult> PgSnapshots::applySync(const SnapshotTable& table, SyncBatch batch) {
  if (Status s = snap::checkTable(table); !s) return s;
  snap::dedupeUpserts(batch.upserts);
  return writer_.run<SyncBatchResult>([&](Conn& conn) -> Result<SyncBatchResult> {
    SyncBatchResult result;
    conn.touchSnapshot(snap::tableName(table));
    if (!batch.upserts.empty()) {
      if (Status s = applyUpserts(conn, table, batch, result); !s) return s;
    }
    if (!batch.deletes.empty()) {
      if (Status s = applyDeletes(conn, table, batch, result); !s) return s;
    }
    return result;
  });
}

}  // namespace snapq::pg
