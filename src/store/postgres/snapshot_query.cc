// listRows on PostgreSQL: filters, text search and keyset pagination over a
// snapshot table. NULL sort values come first in ascending order and last in
// descending order, as on SQLite, so a page boundary on a NULL is resumed exactly.
#include "store/job_list_plan.h"
#include "store/postgres/snapshot_sql.h"
#include "store/postgres/snapshots.h"
#include "store/snapshot_plan.h"

namespace snapq::pg {
namespace {

using snap::quoteIdent;

std::string identity(const char* op, Params& p, const snap::Cursor& c) {
  return std::string("(instance, scope, key) ") + op + " (" + addParam(p, snap::ValueKind::text, c.instance) + ", " +
         addParam(p, snap::ValueKind::text, c.scope) + ", " + addParam(p, snap::ValueKind::text, c.key) + ")";
}

// Rows strictly after the cursor in (sort value, instance, scope, key) order.
std::string keyset(const snap::QueryPlan& plan, Params& p) {
  const snap::Cursor& c = *plan.after;
  const std::string col = quoteIdent(plan.sort.column);
  const char* op = plan.descending ? "<" : ">";
  if (c.value.is_null()) {
    // NULLs are the first rows ascending (then every non-NULL follows), the last descending.
    if (plan.descending) return "(" + col + " IS NULL AND " + identity(op, p, c) + ")";
    return "((" + col + " IS NULL AND " + identity(op, p, c) + ") OR " + col + " IS NOT NULL)";
  }
  std::string v = addParam(p, plan.sort.kind, c.value);
  std::string sql = "(" + col + " " + op + " " + v + " OR (" + col + " = " + v + " AND " + identity(op, p, c) + ")";
  if (plan.descending) sql += " OR " + col + " IS NULL";
  return sql + ")";
}

}  // namespace

Result<SnapshotPage> PgSnapshots::listRows(const SnapshotTable& table, const SnapshotQuery& query) {
  auto planned = snap::planQuery(table, query);
  if (!planned) return planned.status();
  const snap::QueryPlan& plan = *planned;
  const auto fields = snap::storedFields(*table.resource);

  Params p;
  std::vector<std::string> where;
  for (const snap::Filter& f : plan.filters)
    where.push_back(quoteIdent(f.column) + " = " + addParam(p, f.kind, f.value));
  if (query.status) where.push_back("sync_status = " + addParam(p, snap::ValueKind::text, toString(*query.status)));
  if (query.pending_only) where.emplace_back(kPendingSql);
  if (!query.statuses.empty()) {
    std::string any;
    for (RowStatus s : query.statuses) {
      any += (any.empty() ? "" : ", ") + addParam(p, snap::ValueKind::text, toString(s));
    }
    where.push_back("sync_status IN (" + any + ")");
  }
  if (plan.like && query.q.find('\x1f') == std::string::npos && joblist::pgTrgmUsable(query.q)) {
    // Through the trigram index when pg_trgm can draw trigrams from q (else it
    // would match every entry); ILIKE under "C" folds ASCII letters only, like SQLite's LIKE.
    where.push_back(searchText(*table.resource) + " ILIKE " + addParam(p, snap::ValueKind::text, *plan.like) +
                    " ESCAPE '\\'");
  } else if (plan.like) {
    std::string pattern = addParam(p, snap::ValueKind::text, *plan.like);
    std::string any;
    for (const std::string& column : plan.search_columns) {
      any += (any.empty() ? "" : " OR ") + quoteIdent(column) + " ILIKE " + pattern + " ESCAPE '\\'";
    }
    where.push_back("(" + any + ")");
  }
  if (plan.after) where.push_back(keyset(plan, p));

  const char* dir = plan.descending ? " DESC" : " ASC";
  std::string sql = "SELECT " + rowColumns(fields) + " FROM " + quotedTable(table);
  for (size_t i = 0; i < where.size(); ++i) sql += (i == 0 ? " WHERE " : " AND ") + where[i];
  // The limit is a parameter too: one statement text per query shape keeps the
  // connections' prepared-statement caches small.
  sql += " ORDER BY " + quoteIdent(plan.sort.column) + dir + (plan.descending ? " NULLS LAST" : " NULLS FIRST") +
         ", instance" + dir + ", scope" + dir + ", key" + dir + " LIMIT " +
         addParam(p, snap::ValueKind::integer, plan.limit + 1);

  return read<SnapshotPage>([&](Conn& conn) -> Result<SnapshotPage> {
    auto rows = conn.query(sql, p);
    if (!rows) return rows.status();
    SnapshotPage page;
    for (int r = 0; r < rows->size() && r < plan.limit; ++r) page.rows.push_back(readRow(*rows, r, fields));
    if (rows->size() > plan.limit) page.next_cursor = snap::encodeCursor(plan, page.rows.back());
    return page;
  });
}

}  // namespace snapq::pg
