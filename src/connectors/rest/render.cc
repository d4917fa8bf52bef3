#include "connectors/rest/render.h"

#include <charconv>
#include <cstdlib>

#include "net/http_message.h"

namespace snapq::rest {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

const json* memberOf(const json& object, std::string_view name) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(name);
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

// Places `value` at `path` in `root`, creating objects and arrays on the
// way; false when a step meets a value of the other kind.
bool setAt(json& root, const JsonPath& path, const json& value) {
  json* current = &root;
  for (const JsonPath::Step& step : path.steps) {
    if (step.index >= 0) {
      if (current->is_null()) *current = json::array();
      if (!current->is_array()) return false;
      while (current->size() <= static_cast<size_t>(step.index)) current->push_back(nullptr);
      current = &(*current)[static_cast<size_t>(step.index)];
    } else {
      if (current->is_null()) *current = json::object();
      if (!current->is_object()) return false;
      current = &(*current)[step.member];
    }
  }
  *current = value;
  return true;
}

Status renderNode(const ordered_json& in, const Variables& vars, ordered_json& out, bool& present) {
  present = true;
  if (in.is_object()) {
    out = ordered_json::object();
    for (const auto& [name, member] : in.items()) {
      ordered_json rendered;
      bool member_present = false;
      if (Status s = renderNode(member, vars, rendered, member_present); !s) return s;
      if (member_present) out[name] = std::move(rendered);
    }
    return Status::ok();
  }
  if (in.is_array()) {
    out = ordered_json::array();
    for (const ordered_json& element : in) {
      ordered_json rendered;
      bool element_present = false;
      if (Status s = renderNode(element, vars, rendered, element_present); !s) return s;
      out.push_back(element_present ? std::move(rendered) : ordered_json(nullptr));
    }
    return Status::ok();
  }
  if (!in.is_string()) {
    out = in;
    return Status::ok();
  }
  std::string error;
  const std::optional<Template> t = Template::parse(in.get<std::string>(), &error);
  if (!t) return Status::invalidArgument("body template " + in.dump() + ": " + error);
  if (const std::optional<std::string> sole = t->soleVariable()) {
    if (*sole == kPayloadVariable) {
      out = ordered_json(vars.payload());
    } else if (std::optional<json> value = vars.value(*sole)) {
      out = ordered_json(*value);
    } else {
      present = false;
    }
    return Status::ok();
  }
  Result<std::string> text = renderText(*t, vars);
  if (!text) return text.status();
  out = std::move(text).value();
  return Status::ok();
}

}  // namespace

Variables::Variables(const ResourceSpec& resource, const Scope& scope) : resource_(resource), scope_(scope) {}

Variables::Variables(const ResourceSpec& resource, const ObjectRef& object)
    : resource_(resource), scope_(object.scope), object_(&object) {}

json Variables::typedFromText(std::string_view name, const std::string& text) const {
  const FieldSpec* field = resource_.field(name);
  if (field == nullptr) return text;
  switch (field->type) {
    case FieldType::integer: {
      int64_t n = 0;
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
      if (ec == std::errc() && end == text.data() + text.size() && !text.empty()) return n;
      return text;
    }
    case FieldType::number: {
      char* end = nullptr;
      const double d = std::strtod(text.c_str(), &end);
      if (!text.empty() && end == text.c_str() + text.size()) return d;
      return text;
    }
    case FieldType::boolean:
      if (text == "true" || text == "false") return text == "true";
      return text;
    case FieldType::string:
    case FieldType::json: return text;
  }
  return text;
}

std::optional<json> Variables::value(std::string_view name) const {
  if (auto it = scope_.find(std::string(name)); it != scope_.end()) return typedFromText(name, it->second);
  if (object_ == nullptr) return std::nullopt;
  if (name == kKeyVariable) {
    if (object_->key.empty()) return std::nullopt;
    return json(object_->key);
  }
  if (const json* v = memberOf(object_->values, name)) return *v;
  if (const json* v = memberOf(object_->payload, name)) return *v;
  if (!object_->key.empty() && resource_.isKeyField(name)) {
    if (auto parts = splitKey(object_->key, resource_.key.size())) {
      for (size_t i = 0; i < resource_.key.size(); ++i) {
        if (resource_.key[i] == name) return typedFromText(name, (*parts)[i]);
      }
    }
  }
  return std::nullopt;
}

json Variables::payload() const {
  if (object_ == nullptr) return json::object();
  return payloadAtPaths(object_->payload, resource_);
}

std::optional<std::string> textOf(const json& value) {
  if (value.is_null()) return std::nullopt;
  if (value.is_string()) return value.get<std::string>();
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<std::string> renderText(const Template& t, const Variables& vars, bool segments) {
  std::string out;
  for (const Template::Part& part : t.parts) {
    if (!part.variable) {
      out += part.text;
      continue;
    }
    if (part.text == kPayloadVariable) {
      return Status::invalidArgument("{$payload} can only stand alone as a whole body value");
    }
    const std::optional<json> value = vars.value(part.text);
    const std::optional<std::string> text = value ? textOf(*value) : std::nullopt;
    if (!text) return Status::invalidArgument("{" + part.text + "} has no value for this object");
    if (segments && text->empty()) return Status::invalidArgument("{" + part.text + "} is empty");
    out += segments ? net::percentEncode(*text) : *text;
  }
  return out;
}

Result<std::string> renderQuery(const std::vector<QueryParam>& query, const Variables& vars) {
  std::string out;
  for (const QueryParam& param : query) {
    if (const std::optional<std::string> sole = param.value.soleVariable()) {
      const std::optional<json> value = vars.value(*sole);
      if (!value || !textOf(*value)) continue;
    }
    Result<std::string> text = renderText(param.value, vars);
    if (!text) return text.status();
    if (!out.empty()) out += '&';
    out += net::percentEncode(param.name) + "=" + net::percentEncode(*text);
  }
  return out;
}

Result<ordered_json> renderBody(std::string_view body_template, const Variables& vars) {
  const ordered_json in = ordered_json::parse(body_template, nullptr, false);
  if (in.is_discarded()) return Status::invalidArgument("the body template is not JSON");
  ordered_json out;
  bool present = false;
  if (Status s = renderNode(in, vars, out, present); !s) return s;
  if (!present) return ordered_json::object();  // a body that is one variable without a value
  return out;
}

std::string formEncode(const ordered_json& body) {
  std::string out;
  if (!body.is_object()) return out;
  for (const auto& [name, value] : body.items()) {
    const std::string text = value.is_null() ? "" : textOf(json(value)).value_or("");
    if (!out.empty()) out += '&';
    out += net::percentEncode(name) + "=" + net::percentEncode(text);
  }
  return out;
}

json payloadAtPaths(const json& payload, const ResourceSpec& resource) {
  if (!payload.is_object()) return payload;
  json out = json::object();
  for (const auto& [name, value] : payload.items()) {
    const FieldSpec* field = resource.field(name);
    if (field != nullptr && !field->path.isRoot() && setAt(out, field->path, value)) continue;
    out[name] = value;
  }
  return out;
}

std::optional<std::string> keyFromValues(const ResourceSpec& resource, const ObjectRef& object) {
  if (resource.key.empty()) return std::nullopt;
  std::vector<std::string> parts;
  for (const std::string& name : resource.key) {
    const json* v = memberOf(object.values, name);
    if (v == nullptr) v = memberOf(object.payload, name);
    if (v == nullptr || !(v->is_string() || v->is_number_integer())) return std::nullopt;
    parts.push_back(*textOf(*v));
  }
  return joinKey(parts);
}

std::vector<std::string> writeOnlyValues(const ResourceSpec& resource, const json& payload) {
  std::vector<std::string> out;
  for (const FieldSpec& field : resource.fields) {
    if (!field.write_only) continue;
    if (const json* v = memberOf(payload, field.name); v != nullptr && v->is_string()) {
      out.push_back(v->get<std::string>());
    }
  }
  return out;
}

}  // namespace snapq::rest
