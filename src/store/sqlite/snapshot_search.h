// The trigram index of a SQLite snapshot table's searched columns (`q` of
// listRows: key and the searchable string fields), so a search reads the rows
// that hold q's rarest trigrams instead of every row the other filters leave.
//
//   <table>_search      FTS5, trigram tokenizer, detail=none: one entry per row,
//                       its searched columns joined by U+001F
//   <table>_search_ids  (id INTEGER PRIMARY KEY, instance, scope, key): the
//                       entry's rowid for each row. Not the table's own rowid,
//                       which VACUUM may renumber in a table without an
//                       INTEGER PRIMARY KEY.
//
// Triggers keep both in step with every write of the table in its own
// transaction (sync batches, mutations, manager operations, anything else),
// and only when a searched column changed. They carry a hash of the searched
// columns in their names: when the config makes another field searchable,
// ensureSearch drops the old ones and rebuilds the index from the rows. The
// index only narrows: LIKE on the table stays the definition of a match.
#pragma once

#include <optional>
#include <string>

#include "snapq/snapshot.h"
#include "store/sqlite/sqlite_db.h"

namespace snapq::sqlite {

// Creates (or rebuilds for a changed set of searched columns) the index and its triggers.
Status ensureSearch(Db& db, const SnapshotTable& table);

// The FTS5 query that narrows a search for q: q's rarest trigrams (at most
// three) joined by AND. None when the index would not narrow much: q shorter
// than three code points, or even its rarest trigram is in `cap` rows or more.
Result<std::optional<std::string>> searchMatch(Db& db, const SnapshotTable& table, const std::string& q,
                                               int cap = 2048);

// "(instance, scope, key) IN (...)": the rows whose entry matches the FTS5
// query bound to the placeholder `param` (a superset of the rows containing q).
std::string searchedRows(const SnapshotTable& table, const std::string& param);

}  // namespace snapq::sqlite
