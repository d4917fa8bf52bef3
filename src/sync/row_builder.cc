#include "sync/row_builder.h"

#include <cmath>
#include <limits>

#include "config/json_path.h"
#include "core/content_hash.h"

namespace snapq {
namespace {

using json = nlohmann::json;

// Converts without losing information; nullopt when the value does not fit.
std::optional<json> convert(FieldType type, const json& v) {
  if (v.is_null()) return json(nullptr);
  switch (type) {
    case FieldType::string:
      if (v.is_string()) return v;
      if (v.is_number_integer() || v.is_number_unsigned()) return json(v.dump());
      return std::nullopt;
    case FieldType::integer:
      if (v.is_number_integer() || v.is_number_unsigned()) return v;
      if (v.is_number_float()) {
        double d = v.get<double>();
        if (std::isfinite(d) && std::floor(d) == d && std::fabs(d) < 9.0e15) return json(static_cast<int64_t>(d));
        return std::nullopt;
      }
      if (v.is_string()) {
        const std::string& s = v.get_ref<const std::string&>();
        if (s.empty() || s.size() > 18) return std::nullopt;
        size_t i = s[0] == '-' ? 1 : 0;
        if (i == s.size()) return std::nullopt;
        for (size_t j = i; j < s.size(); ++j) {
          if (s[j] < '0' || s[j] > '9') return std::nullopt;
        }
        return json(std::stoll(s));
      }
      return std::nullopt;
    case FieldType::number:
      if (v.is_number()) return v;
      return std::nullopt;
    case FieldType::boolean:
      if (v.is_boolean()) return v;
      return std::nullopt;
    case FieldType::json:
      return v;
  }
  return std::nullopt;
}

std::string keyPart(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

}  // namespace

RowBuilder::RowBuilder(const ResourceSpec& resource) : resource_(resource) {
  for (const FieldSpec& f : resource.fields) {
    if (f.write_only) continue;
    readable_.push_back(&f);
    if (f.hashed) hashed_.push_back(f.name);
  }
}

json RowBuilder::extractFields(const json& remote) const {
  json fields = json::object();
  for (const FieldSpec* f : readable_) {
    const json* at = findAt(remote, f->path);
    std::optional<json> value = at ? convert(f->type, *at) : json(nullptr);
    fields[f->name] = value ? std::move(*value) : json(nullptr);
  }
  return fields;
}

std::optional<std::string> RowBuilder::keyOf(const json& fields) const {
  std::vector<std::string> parts;
  for (const std::string& k : resource_.key) {
    auto it = fields.find(k);
    if (it == fields.end() || it->is_null()) return std::nullopt;
    parts.push_back(keyPart(*it));
  }
  return joinKey(parts);
}

std::string RowBuilder::hashOf(const json& fields) const { return contentHash(fields, hashed_); }

std::optional<json> RowBuilder::coerce(const FieldSpec& field, const json& value, std::string* error) const {
  auto converted = convert(field.type, value);
  if (!converted && error) *error = std::string("expected ") + fieldTypeName(field.type) + ", got " + value.type_name();
  return converted;
}

Result<SnapshotRow> RowBuilder::build(const json& remote, const std::string& instance, const std::string& scope) const {
  if (!remote.is_object()) return Status::invalidArgument(std::string("remote object is a JSON ") + remote.type_name());
  SnapshotRow row;
  row.instance = instance;
  row.scope = scope;
  row.fields = extractFields(remote);
  auto key = keyOf(row.fields);
  if (!key) {
    std::string names;
    for (const std::string& k : resource_.key) names += (names.empty() ? "" : ", ") + k;
    return Status::invalidArgument("remote object has no value for its key (" + names + ")");
  }
  row.key = std::move(*key);
  row.content_hash = hashOf(row.fields);
  // A service that echoes a write-only field (a password) must not get it stored.
  json doc = remote;
  for (const FieldSpec& f : resource_.fields) {
    if (f.write_only && f.path.steps.size() == 1 && f.path.steps[0].index < 0) doc.erase(f.path.steps[0].member);
  }
  row.doc = doc.dump();
  return row;
}

}  // namespace snapq
