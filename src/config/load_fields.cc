// fields: and key: of a resource.
#include <algorithm>

#include "config/loader.h"

namespace snapq::config {
namespace {

const std::vector<std::string> kFieldTypes = {"string", "integer", "number", "boolean", "json"};

}  // namespace

std::optional<FieldSpec> readField(const NamedValue& entry) {
  if (!checkName(entry, "field", "it becomes a column of the snapshot table")) return std::nullopt;
  const auto& reserved = reservedFieldNames();
  if (std::find(reserved.begin(), reserved.end(), entry.name) != reserved.end()) {
    const std::string& path = entry.value.path();
    entry.value.ctx().problem(entry.at, path.substr(0, path.size() - entry.name.size() - 1),
                              "'" + entry.name + "' is reserved for snapq's own snapshot columns (" +
                                  listWords(reserved, ", ") +
                                  "); name the field differently and set its path: " + entry.name);
    return std::nullopt;
  }
  FieldSpec field;
  field.name = entry.name;
  field.path.text = entry.name;
  field.path.steps = {{entry.name, -1}};
  const Value& v = entry.value;
  auto setType = [&](const Value& t) {
    auto name = t.oneOf(kFieldTypes);
    if (name)
      field.type =
          static_cast<FieldType>(std::find(kFieldTypes.begin(), kFieldTypes.end(), *name) - kFieldTypes.begin());
    return name.has_value();
  };
  if (v.isScalar()) {
    if (!setType(v)) return std::nullopt;
    return field;
  }
  MapReader m(v, {"type", "path", "indexed", "searchable", "hashed", "write_only", "required_on_create"});
  if (!m.ok()) return std::nullopt;
  bool good = true;
  if (auto t = m.get("type")) good = setType(*t) && good;
  if (auto p = m.get("path")) {
    std::string error;
    auto text = p->text();
    auto path = text ? JsonPath::parse(*text, &error) : std::nullopt;
    if (path && path->isRoot()) {
      p->problem("must name a member of the remote object, not the whole object");
      good = false;
    } else if (path) {
      field.path = std::move(*path);
    } else {
      if (text) p->problem(p->quoted() + " is not a JSON path: " + error);
      good = false;
    }
  }
  auto flag = [&](const char* key, bool& out) {
    if (auto b = m.get(key)) {
      auto value = b->boolean();
      if (value) out = *value;
      good = good && value.has_value();
    }
  };
  flag("indexed", field.indexed);
  flag("searchable", field.searchable);
  flag("hashed", field.hashed);
  flag("write_only", field.write_only);
  flag("required_on_create", field.required_on_create);
  if (!good) return std::nullopt;

  if (field.write_only) {
    for (const char* key : {"indexed", "searchable", "hashed"}) {
      auto b = m.get(key);
      if (b && b->boolean().value_or(false)) {
        b->problem(std::string("a write_only field is never stored or read back, so it cannot be ") + key);
        good = false;
      }
    }
    field.hashed = false;
  }
  if (field.searchable && field.type != FieldType::string) {
    m.problemAt("searchable", "only string fields can be searchable");
    good = false;
  }
  if (field.indexed && field.type == FieldType::json) {
    m.problemAt("indexed", "json fields cannot be indexed");
    good = false;
  }
  if (!good) return std::nullopt;
  return field;
}

std::vector<std::string> readKey(const MapReader& resource, const std::vector<FieldSpec>& fields,
                                 const std::vector<std::string>& written) {
  auto v = resource.get("key");
  if (!v) {
    resource.missing("key", "needs a key: the field (or list of fields) that identifies an object");
    return {};
  }
  if (!v->isScalar() && !v->isSequence()) {
    v->problem("must be a field name or a list of field names");
    return {};
  }
  auto names = v->textList();
  if (!names) return {};
  if (names->empty()) v->problem("names no field");
  std::vector<std::string> declared;
  declared.reserve(fields.size());
  for (const FieldSpec& f : fields) declared.push_back(f.name);
  bool good = true;
  for (const std::string& name : *names) {
    auto found = std::find_if(fields.begin(), fields.end(), [&](const FieldSpec& f) { return f.name == name; });
    const FieldSpec* f = found == fields.end() ? nullptr : &*found;
    const bool was_written = std::find(written.begin(), written.end(), name) != written.end();
    std::string problem;
    if (std::count(names->begin(), names->end(), name) > 1) {
      problem = "names " + name + " twice";
    } else if (f == nullptr && (was_written || !resource.has("fields"))) {
      good = false;  // its definition's problem, or the missing fields, was reported already
      continue;
    } else if (f == nullptr) {
      problem = "'" + name + "' is not a declared field" +
                (declared.empty() ? std::string(" (declare it under fields)")
                                  : " (fields: " + listWords(declared, ", ") + ")");
      if (auto guess = closest(name, declared)) problem += "; did you mean " + *guess + "?";
    } else if (f->write_only) {
      problem = "key field " + name + " is write_only, so it would never be read back";
    } else if (f->type != FieldType::string && f->type != FieldType::integer) {
      problem = "key field " + name + " has type " + fieldTypeName(f->type) + "; key fields must be string or integer";
    }
    if (!problem.empty()) {
      v->problem(problem);
      good = false;
    }
  }
  if (!good) return {};
  return std::move(*names);
}

}  // namespace snapq::config
