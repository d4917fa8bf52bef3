#include "store/postgres/snapshot_sql.h"

#include <cstdlib>

namespace snapq::pg {

std::string quotedTable(const SnapshotTable& table) { return snap::quoteIdent(snap::tableName(table)); }

std::string searchText(const ResourceSpec& resource) {
  std::string out;
  for (const std::string& column : snap::searchColumns(resource)) {
    if (!out.empty()) out += " || E'\\x1f' || ";
    out += column == "key" ? "key" : "coalesce(" + snap::quoteIdent(column) + ", '')";
  }
  return "(" + out + ")";
}

const char* columnType(FieldType type) {
  switch (type) {
    case FieldType::string: return "text COLLATE \"C\"";
    case FieldType::integer: return "bigint";
    case FieldType::number: return "double precision";
    case FieldType::boolean: return "boolean";
    case FieldType::json: return "jsonb";
  }
  return "text";
}

const char* dataTypeName(FieldType type) {
  switch (type) {
    case FieldType::string: return "text";
    case FieldType::integer: return "bigint";
    case FieldType::number: return "double precision";
    case FieldType::boolean: return "boolean";
    case FieldType::json: return "jsonb";
  }
  return "text";
}

std::string rowColumns(const std::vector<const FieldSpec*>& fields, const std::string& alias) {
  const std::string a = alias.empty() ? "" : alias + ".";
  std::string out = a + "instance, " + a + "scope, " + a + "key";
  for (const FieldSpec* f : fields) {
    out += ", " + a + snap::quoteIdent(f->name) + (f->type == FieldType::json ? "::text" : "");
  }
  return out + ", " + a + "doc::text, " + a + "content_hash, " + a + "sync_status, " + a + "sync_error, " + a +
         "pending_job_id, " + a + "pending_data, " + epochMs(a + "last_synced_at") + ", " + epochMs(a + "updated_at") +
         ", " + epochMs(a + "created_at");
}

namespace {

nlohmann::json readField(const Rows& rows, int r, int col, FieldType type) {
  if (rows.isNull(r, col)) return nullptr;
  switch (type) {
    case FieldType::string: return rows.text(r, col);
    case FieldType::integer: return rows.int64(r, col);
    case FieldType::number: return std::strtod(rows.text(r, col).c_str(), nullptr);
    case FieldType::boolean: return rows.boolean(r, col);
    case FieldType::json: {
      nlohmann::json v = nlohmann::json::parse(rows.text(r, col), nullptr, false);
      return v.is_discarded() ? nlohmann::json(nullptr) : v;
    }
  }
  return nullptr;
}

// A typed field value as the text PostgreSQL parses back into its column type.
Result<std::string> valueText(FieldType type, const nlohmann::json& v) {
  switch (type) {
    case FieldType::string: return v.get<std::string>();
    case FieldType::integer: return std::to_string(v.get<int64_t>());
    case FieldType::number:
    case FieldType::json: return snap::dumpJson(v);  // a double in JSON is exact and float8_in reads it
    case FieldType::boolean: return std::string(v.get<bool>() ? "true" : "false");
  }
  return std::string();
}

}  // namespace

SnapshotRow readRow(const Rows& rows, int r, const std::vector<const FieldSpec*>& fields) {
  SnapshotRow row;
  row.instance = rows.text(r, 0);
  row.scope = rows.text(r, 1);
  row.key = rows.text(r, 2);
  int col = 3;
  for (const FieldSpec* f : fields) row.fields[f->name] = readField(rows, r, col++, f->type);
  row.doc = rows.text(r, col++);
  row.content_hash = rows.text(r, col++);
  row.sync_status = parseRowStatus(rows.text(r, col++)).value_or(RowStatus::synced);
  row.sync_error = rows.text(r, col++);
  row.pending_job_id = rows.isNull(r, col) ? 0 : rows.int64(r, col);
  ++col;
  row.pending_data = rows.text(r, col++);
  row.last_synced_at = rows.optTime(r, col++);
  row.updated_at = rows.time(r, col++);
  row.created_at = rows.time(r, col++);
  return row;
}

std::string addParam(Params& params, snap::ValueKind kind, const nlohmann::json& value) {
  std::string cast;
  switch (kind) {
    case snap::ValueKind::text:
    case snap::ValueKind::json: params.text(value.get<std::string>()); break;
    case snap::ValueKind::integer: params.int64(value.get<int64_t>()); break;
    case snap::ValueKind::real:
      params.text(value.dump());
      cast = "::float8";
      break;
    case snap::ValueKind::boolean: params.boolean(value.get<bool>()); break;
    case snap::ValueKind::time: params.time(TimePoint(Duration(value.get<int64_t>()))); break;
  }
  return "$" + std::to_string(params.size()) + cast;
}

Status appendRows(Params& params, const std::vector<SnapshotRow>& rows, const std::vector<const FieldSpec*>& fields) {
  std::vector<std::string> keys, hashes, docs;
  std::vector<std::vector<std::string>> values(fields.size());
  std::vector<std::vector<bool>> present(fields.size());
  for (const SnapshotRow& row : rows) {
    keys.push_back(row.key);
    hashes.push_back(row.content_hash);
    docs.push_back(row.doc.empty() ? "{}" : row.doc);
    for (size_t i = 0; i < fields.size(); ++i) {
      auto v = snap::fieldValue(*fields[i], row.fields, row.key);
      if (!v) return v.status();
      if (v->is_null()) {
        values[i].emplace_back();
        present[i].push_back(false);
        continue;
      }
      auto text = valueText(fields[i]->type, *v);
      if (!text) return text.status();
      values[i].push_back(std::move(*text));
      present[i].push_back(true);
    }
  }
  params.textArray(keys).textArray(hashes).textArray(docs);
  for (size_t i = 0; i < fields.size(); ++i) params.textArray(values[i], present[i]);
  return Status::ok();
}

std::string unnestRows(size_t field_count, int first) {
  std::string args;
  std::string names = "key, hash, doc";
  for (size_t i = 0; i < field_count + 3; ++i) {
    args += (i ? ", $" : "$") + std::to_string(first + static_cast<int>(i)) + "::text[]";
    if (i >= 3) names += ", c" + std::to_string(i - 3);
  }
  return "unnest(" + args + ") AS u(" + names + ")";
}

std::string castFields(const std::vector<const FieldSpec*>& fields) {
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) {
    out += ", u.c" + std::to_string(i);
    switch (fields[i]->type) {
      case FieldType::string: break;
      case FieldType::integer: out += "::bigint"; break;
      case FieldType::number: out += "::float8"; break;
      case FieldType::boolean: out += "::boolean"; break;
      case FieldType::json: out += "::jsonb"; break;
    }
  }
  return out;
}

}  // namespace snapq::pg
