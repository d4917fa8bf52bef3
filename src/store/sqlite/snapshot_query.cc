// listRows on SQLite: filters, text search and keyset pagination over a
// snapshot table. NULL sort values come first in ascending order and last in
// descending order (SQLite's own NULL order, which the PostgreSQL driver
// spells out), so a page boundary on a NULL is resumed exactly.
#include "store/snapshot_plan.h"
#include "store/sqlite/snapshot_sql.h"
#include "store/sqlite/snapshots.h"

namespace snapq::sqlite {
namespace {

using snap::quoteIdent;

// Parameters in the order their placeholders were written.
struct Args {
  struct Arg {
    snap::ValueKind kind;
    nlohmann::json value;
  };
  std::vector<Arg> args;

  std::string add(snap::ValueKind kind, nlohmann::json value) {
    args.push_back({kind, std::move(value)});
    return "?" + std::to_string(args.size());
  }
  void bindAll(Stmt& stmt) const {
    for (size_t i = 0; i < args.size(); ++i) bindValue(stmt, static_cast<int>(i + 1), args[i].kind, args[i].value);
  }
};

std::string identity(const char* op, Args& args, const snap::Cursor& c) {
  return std::string("(instance, scope, key) ") + op + " (" + args.add(snap::ValueKind::text, c.instance) + ", " +
         args.add(snap::ValueKind::text, c.scope) + ", " + args.add(snap::ValueKind::text, c.key) + ")";
}

// Rows strictly after the cursor in (sort value, instance, scope, key) order.
std::string keyset(const snap::QueryPlan& plan, Args& args) {
  const snap::Cursor& c = *plan.after;
  const std::string col = quoteIdent(plan.sort.column);
  const char* op = plan.descending ? "<" : ">";
  if (c.value.is_null()) {
    // NULLs are the first rows ascending (then every non-NULL follows), the last descending.
    if (plan.descending) return "(" + col + " IS NULL AND " + identity(op, args, c) + ")";
    return "((" + col + " IS NULL AND " + identity(op, args, c) + ") OR " + col + " IS NOT NULL)";
  }
  std::string v = args.add(plan.sort.kind, c.value);
  std::string sql = "(" + col + " " + op + " " + v + " OR (" + col + " = " + v + " AND " + identity(op, args, c) + ")";
  if (plan.descending) sql += " OR " + col + " IS NULL";
  return sql + ")";
}

}  // namespace

Result<SnapshotPage> SqliteSnapshots::listRows(const SnapshotTable& table, const SnapshotQuery& query) {
  auto planned = snap::planQuery(table, query);
  if (!planned) return planned.status();
  const snap::QueryPlan& plan = *planned;
  const auto fields = snap::storedFields(*table.resource);

  Args args;
  std::vector<std::string> where;
  for (const snap::Filter& f : plan.filters) {
    where.push_back(quoteIdent(f.column) + " = " + args.add(f.kind, f.value));
  }
  if (query.status) where.push_back("sync_status = " + args.add(snap::ValueKind::text, toString(*query.status)));
  if (query.pending_only) where.emplace_back(kPendingSql);
  if (!query.statuses.empty()) {
    std::string any;
    for (RowStatus s : query.statuses) any += (any.empty() ? "" : ", ") + args.add(snap::ValueKind::text, toString(s));
    where.push_back("sync_status IN (" + any + ")");
  }
  if (plan.like) {
    // No substring index on SQLite (bench/README.md, "Snapshot search on SQLite"):
    // the filters and the LIMIT bound the scan, the page cache serves repeats.
    std::string p = args.add(snap::ValueKind::text, *plan.like);
    std::string any;
    for (const std::string& column : plan.search_columns) {
      any += (any.empty() ? "" : " OR ") + quoteIdent(column) + " LIKE " + p + " ESCAPE '\\'";
    }
    where.push_back("(" + any + ")");
  }
  if (plan.after) where.push_back(keyset(plan, args));

  const char* dir = plan.descending ? " DESC" : " ASC";
  std::string sql = "SELECT " + rowColumns(fields) + " FROM " + quotedTable(table);
  for (size_t i = 0; i < where.size(); ++i) sql += (i == 0 ? " WHERE " : " AND ") + where[i];
  // The limit is a parameter too: one statement text per query shape keeps the
  // connections' prepared-statement caches small.
  sql += " ORDER BY " + quoteIdent(plan.sort.column) + dir + (plan.descending ? " NULLS LAST" : " NULLS FIRST") +
         ", instance" + dir + ", scope" + dir + ", key" + dir + " LIMIT " +
         args.add(snap::ValueKind::integer, plan.limit + 1);

  return read<SnapshotPage>([&](Db& db) -> Result<SnapshotPage> {
    auto stmt = db.prepare(sql);
    if (!stmt) return stmt.status();
    args.bindAll(**stmt);
    SnapshotPage page;
    while (true) {
      auto row = (*stmt)->step();
      if (!row) return row.status();
      if (!*row) break;
      page.rows.push_back(readRow(**stmt, fields));
    }
    if (static_cast<int>(page.rows.size()) > plan.limit) {
      page.rows.pop_back();
      page.next_cursor = snap::encodeCursor(plan, page.rows.back());
    }
    return page;
  });
}

}  // namespace snapq::sqlite
