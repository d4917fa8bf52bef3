#include "store/sqlite/snapshot_search.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "core/content_hash.h"
#include "store/job_list_plan.h"
#include "store/snapshot_schema.h"

namespace snapq::sqlite {
namespace {

using snap::quoteIdent;

struct Names {
  std::string table, fts, ids, prefix;  // quoted, except prefix (the triggers' name start)
};

Names namesOf(const SnapshotTable& table) {
  const std::string name = snap::tableName(table);
  return {quoteIdent(name), quoteIdent(snap::indexName(name, "_search")),
          quoteIdent(snap::indexName(name, "_search_ids")), snap::indexName(name, "_search_")};
}

// The searched columns of a row joined by U+001F; `row` is "new.", "old." or "".
std::string searchText(const ResourceSpec& resource, const std::string& row) {
  std::string out;
  for (const std::string& column : snap::searchColumns(resource)) {
    if (!out.empty()) out += " || char(31) || ";
    out += column == "key" ? row + "key" : "coalesce(" + row + quoteIdent(column) + ", '')";
  }
  return "(" + out + ")";
}

std::string identityOf(const std::string& row) {
  return "instance = " + row + "instance AND scope = " + row + "scope AND key = " + row + "key";
}

Result<bool> exists(Db& db, const std::string& type, const std::string& name) {
  auto stmt = db.prepare("SELECT 1 FROM sqlite_master WHERE type = ?1 AND name = ?2");
  if (!stmt) return stmt.status();
  (*stmt)->bind(1, type).bind(2, name);
  auto row = (*stmt)->step();
  if (!row) return row.status();
  (*stmt)->reset();
  return *row;
}

// Drops what an earlier set of searched columns left: the index and its triggers.
Status dropSearch(Db& db, const SnapshotTable& table, const Names& n) {
  auto stmt = db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?1");
  if (!stmt) return stmt.status();
  (*stmt)->bind(1, snap::tableName(table));
  std::vector<std::string> triggers;
  while (true) {
    auto row = (*stmt)->step();
    if (!row) return row.status();
    if (!*row) break;
    std::string name = (*stmt)->text(0);
    if (name.starts_with(n.prefix)) triggers.push_back(std::move(name));
  }
  for (const std::string& t : triggers) {
    if (Status s = db.exec("DROP TRIGGER " + quoteIdent(t)); !s) return s;
  }
  if (Status s = db.exec("DROP TABLE IF EXISTS " + n.fts); !s) return s;
  return db.exec("DROP TABLE IF EXISTS " + n.ids);
}

}  // namespace

Status ensureSearch(Db& db, const SnapshotTable& table) {
  const Names n = namesOf(table);
  const ResourceSpec& resource = *table.resource;
  const std::string version = sha256Hex(searchText(resource, "")).substr(0, 8);
  const std::string trigger = n.prefix + version;
  auto present = exists(db, "trigger", trigger + "_ad");
  if (!present) return present.status();
  if (*present) return Status::ok();

  if (Status s = dropSearch(db, table, n); !s) return s;
  if (Status s = db.exec("CREATE TABLE " + n.ids +
                         " (id INTEGER PRIMARY KEY, instance TEXT NOT NULL, scope TEXT NOT NULL, key TEXT NOT NULL, "
                         "UNIQUE (instance, scope, key))");
      !s)
    return s;
  if (Status s = db.exec("CREATE VIRTUAL TABLE " + n.fts +
                         " USING fts5(text, tokenize = 'trigram', detail = 'none', columnsize = 0)");
      !s)
    return s;
  // The rows already there (a table from before the index, or a changed config).
  if (Status s =
          db.exec("INSERT INTO " + n.ids + " (instance, scope, key) SELECT instance, scope, key FROM " + n.table);
      !s)
    return s;
  if (Status s = db.exec("INSERT INTO " + n.fts + " (rowid, text) SELECT i.id, " + searchText(resource, "t.") +
                         " FROM " + n.table + " t JOIN " + n.ids +
                         " i ON i.instance = t.instance AND i.scope = t.scope AND i.key = t.key");
      !s)
    return s;

  std::string columns = "instance, scope, key";
  for (const std::string& c : snap::searchColumns(resource)) {
    if (c != "key") columns += ", " + quoteIdent(c);
  }
  const std::string entry_of = "(SELECT id FROM " + n.ids + " WHERE ";
  if (Status s = db.exec(
          "CREATE TRIGGER " + quoteIdent(trigger + "_ai") + " AFTER INSERT ON " + n.table + " BEGIN " + "INSERT INTO " +
          n.ids + " (instance, scope, key) VALUES (new.instance, new.scope, new.key); " + "INSERT INTO " + n.fts +
          " (rowid, text) VALUES (" + entry_of + identityOf("new.") + "), " + searchText(resource, "new.") + "); END");
      !s)
    return s;
  if (Status s = db.exec("CREATE TRIGGER " + quoteIdent(trigger + "_au") + " AFTER UPDATE OF " + columns + " ON " +
                         n.table + " WHEN " + searchText(resource, "old.") + " IS NOT " + searchText(resource, "new.") +
                         " OR old.instance IS NOT new.instance OR old.scope IS NOT new.scope BEGIN " + "UPDATE " +
                         n.ids + " SET instance = new.instance, scope = new.scope, key = new.key WHERE " +
                         identityOf("old.") + "; UPDATE " + n.fts + " SET text = " + searchText(resource, "new.") +
                         " WHERE rowid = " + entry_of + identityOf("new.") + "); END");
      !s)
    return s;
  return db.exec("CREATE TRIGGER " + quoteIdent(trigger + "_ad") + " AFTER DELETE ON " + n.table + " BEGIN " +
                 "DELETE FROM " + n.fts + " WHERE rowid = " + entry_of + identityOf("old.") + "); " + "DELETE FROM " +
                 n.ids + " WHERE " + identityOf("old.") + "; END");
}

Result<std::optional<std::string>> searchMatch(Db& db, const SnapshotTable& table, const std::string& q, int cap) {
  std::vector<std::string> all = joblist::trigrams(q, 8);
  if (all.empty()) return std::optional<std::string>();
  const Names n = namesOf(table);
  // An AND over a common trigram reads its whole entry list and narrows
  // little: count each (up to the cap) and keep the rarest.
  auto probe = db.prepare("SELECT count(*) FROM (SELECT 1 FROM " + n.fts + " WHERE " + n.fts + " MATCH ?1 LIMIT " +
                          std::to_string(cap) + ")");
  if (!probe) return probe.status();
  std::vector<std::pair<int64_t, std::string>> seen;
  for (const std::string& t : all) {
    std::string term = joblist::fts5Query(t);
    (*probe)->bind(1, term);
    auto row = (*probe)->step();
    if (!row) {
      (*probe)->reset();
      return row.status();
    }
    int64_t count = *row ? (*probe)->int64(0) : 0;
    (*probe)->reset();
    if (count == 0) return std::optional<std::string>(term);  // nothing holds it: nothing matches
    seen.emplace_back(count, std::move(term));
  }
  std::stable_sort(seen.begin(), seen.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  if (seen.front().first >= cap) return std::optional<std::string>();
  std::string match = seen.front().second;
  for (size_t i = 1; i < seen.size() && i < 3 && seen[i].first < cap; ++i) match += " AND " + seen[i].second;
  return std::optional<std::string>(std::move(match));
}

std::string searchedRows(const SnapshotTable& table, const std::string& param) {
  const Names n = namesOf(table);
  return "(instance, scope, key) IN (SELECT i.instance, i.scope, i.key FROM " + n.fts + " s JOIN " + n.ids +
         " i ON i.id = s.rowid WHERE s." + n.fts + " MATCH " + param + ")";
}

}  // namespace snapq::sqlite
