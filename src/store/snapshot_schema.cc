#include "store/snapshot_schema.h"

#include <cmath>
#include <limits>
#include <unordered_map>

#include "core/content_hash.h"

namespace snapq::snap {
namespace {

constexpr size_t kMaxIdentifier = 63;  // PostgreSQL's NAMEDATALEN - 1

bool isIdentifier(std::string_view name) {
  if (name.empty() || !(name[0] >= 'a' && name[0] <= 'z')) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

}  // namespace

ValueKind kindOf(FieldType type) {
  switch (type) {
    case FieldType::string: return ValueKind::text;
    case FieldType::integer: return ValueKind::integer;
    case FieldType::number: return ValueKind::real;
    case FieldType::boolean: return ValueKind::boolean;
    case FieldType::json: return ValueKind::json;
  }
  return ValueKind::text;
}

const char* typeName(FieldType type) {
  switch (type) {
    case FieldType::string: return "string";
    case FieldType::integer: return "integer";
    case FieldType::number: return "number";
    case FieldType::boolean: return "boolean";
    case FieldType::json: return "json";
  }
  return "?";
}

std::string tableName(const SnapshotTable& table) {
  return "snap_" + table.service + "_" + (table.resource ? table.resource->name : std::string());
}

Status checkTable(const SnapshotTable& table) {
  if (table.resource == nullptr) return Status::invalidArgument("snapshot table without a resource spec");
  if (!isIdentifier(table.service) || !isIdentifier(table.resource->name)) {
    return Status::invalidArgument("snapshot table names must be lower-case identifiers: service '" + table.service +
                                   "', resource '" + table.resource->name + "'");
  }
  if (tableName(table).size() > kMaxIdentifier) {
    return Status::invalidArgument("snapshot table name " + tableName(table) + " is longer than 63 characters");
  }
  for (const FieldSpec& f : table.resource->fields) {
    if (!isIdentifier(f.name)) {
      return Status::invalidArgument("field '" + f.name + "' of " + tableName(table) +
                                     " is not a lower-case identifier");
    }
  }
  return Status::ok();
}

std::vector<const FieldSpec*> storedFields(const ResourceSpec& resource) {
  std::vector<const FieldSpec*> out;
  for (const FieldSpec& f : resource.fields) {
    if (!f.write_only) out.push_back(&f);
  }
  return out;
}

const FieldSpec* integerKeyField(const ResourceSpec& resource) {
  if (resource.key.size() != 1) return nullptr;
  const FieldSpec* f = storedField(resource, resource.key.front());
  return f != nullptr && f->type == FieldType::integer ? f : nullptr;
}

bool hasSortIndex(const ResourceSpec& resource, const FieldSpec& field) {
  return field.indexed || integerKeyField(resource) == &field;
}

const FieldSpec* storedField(const ResourceSpec& resource, std::string_view name) {
  for (const FieldSpec& f : resource.fields) {
    if (f.name == name && !f.write_only) return &f;
  }
  return nullptr;
}

std::vector<std::string> searchColumns(const ResourceSpec& resource) {
  std::vector<std::string> out = {"key"};
  for (const FieldSpec* f : storedFields(resource)) {
    if (f->searchable && f->type == FieldType::string) out.push_back(f->name);
  }
  return out;
}

std::string quoteIdent(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string indexName(const std::string& table, const std::string& suffix) {
  std::string name = table + "_" + suffix;
  if (name.size() <= kMaxIdentifier) return name;
  return name.substr(0, kMaxIdentifier - 13) + "_" + sha256Hex(name).substr(0, 12);
}

Result<nlohmann::json> fieldValue(const FieldSpec& field, const nlohmann::json& fields, const std::string& key) {
  if (!fields.is_object()) return Status::invalidArgument("row " + key + ": fields must be a JSON object");
  auto it = fields.find(field.name);
  if (it == fields.end() || it->is_null()) return nlohmann::json(nullptr);
  const nlohmann::json& v = *it;
  auto bad = [&](const char* want) {
    return Status::invalidArgument("row " + key + ": field " + field.name + " must be " + want + ", not " +
                                   v.type_name());
  };
  switch (field.type) {
    case FieldType::string:
      if (!v.is_string()) return bad("a string");
      return v;
    case FieldType::integer:
      if (v.is_number_unsigned()) {
        if (v.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
          return bad("a 64-bit integer");
        }
        return nlohmann::json(static_cast<int64_t>(v.get<uint64_t>()));
      }
      if (v.is_number_integer()) return nlohmann::json(v.get<int64_t>());
      // 5.0 from a service that writes every number as a float is still 5.
      if (v.is_number_float()) {
        double d = v.get<double>();
        if (std::trunc(d) == d && std::fabs(d) < 9.2e18) return nlohmann::json(static_cast<int64_t>(d));
      }
      return bad("an integer");
    case FieldType::number:
      if (!v.is_number()) return bad("a number");
      return nlohmann::json(v.get<double>());
    case FieldType::boolean:
      if (!v.is_boolean()) return bad("a boolean");
      return v;
    case FieldType::json: return v;
  }
  return v;
}

void dedupeUpserts(std::vector<SnapshotRow>& rows) {
  std::unordered_map<std::string, size_t> last;
  for (size_t i = 0; i < rows.size(); ++i) last[rows[i].key] = i;
  if (last.size() == rows.size()) return;
  std::vector<SnapshotRow> kept;
  kept.reserve(last.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    if (last[rows[i].key] == i) kept.push_back(std::move(rows[i]));
  }
  rows = std::move(kept);
}

Result<std::string> dumpJson(const nlohmann::json& value) {
  try {
    return value.dump();
  } catch (const nlohmann::json::exception& e) {
    return Status::invalidArgument(std::string("a snapshot value cannot be written as JSON: ") + e.what());
  }
}

}  // namespace snapq::snap
