// The planning of a listRows query, shared by both drivers: filters
// converted to the field's type, the sort, the text search pattern and the
// opaque keyset cursor. Each driver turns a plan into its own SQL.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/snapshot_schema.h"

namespace snapq::snap {

// "%text%" with the LIKE metacharacters % _ and \ escaped by '\'.
std::string likePattern(std::string_view text);

// One equality filter: a fixed text column (instance, scope, key) or a field.
struct Filter {
  std::string column;                // unquoted name
  const FieldSpec* field = nullptr;  // nullptr for instance, scope, key
  ValueKind kind = ValueKind::text;
  nlohmann::json value;  // typed: string, int64, double or bool
};

struct Sort {
  std::string name;    // as asked: a field name, "key", "last_synced_at", "updated_at"
  std::string column;  // unquoted
  ValueKind kind = ValueKind::text;
  bool nullable = true;
};

// Where the previous page ended: the sort value (null, or typed as the sort's
// kind; times as epoch milliseconds) and the row's identity.
struct Cursor {
  nlohmann::json value;
  std::string instance;
  std::string scope;
  std::string key;
};

struct QueryPlan {
  std::vector<Filter> filters;              // instance and scope of the query included
  std::vector<std::string> search_columns;  // key and the searchable string fields, unquoted
  std::optional<std::string> like;          // the q pattern (likePattern)
  Sort sort;
  bool descending = false;
  int limit = 50;
  std::optional<Cursor> after;
};

// Checks and converts a query: unknown or unstorable filter fields, a bad
// sort, a limit outside 1..1000 and a cursor that does not decode or does not
// belong to this sort are invalid_argument.
Result<QueryPlan> planQuery(const SnapshotTable& table, const SnapshotQuery& query);

// The cursor after `row` for this plan's sort: base64url of the JSON array
// [sort, descending, value, instance, scope, key].
std::string encodeCursor(const QueryPlan& plan, const SnapshotRow& row);

// Epoch milliseconds of a time point (the cursor's form of a time).
int64_t epochMs(TimePoint t);

}  // namespace snapq::snap
