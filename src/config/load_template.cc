// Templates, JSON paths and body templates in requests, each checked
// against the variables the request may use.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>

#include "config/loader.h"

namespace snapq::config {

using ordered_json = nlohmann::ordered_json;

bool Variables::contains(std::string_view name) const {
  return std::find(names.begin(), names.end(), name) != names.end();
}

namespace {

// Reports variables `vars` does not offer; `$payload` only where allowed.
bool checkVariables(const Value& at, const Template& t, const Variables& vars, bool payload_allowed) {
  bool good = true;
  for (const std::string& name : t.variables()) {
    if (name == kPayloadVariable) {
      if (!payload_allowed) {
        at.problem("{$payload} can only stand alone as a whole body value (\"{$payload}\")");
        good = false;
      }
      continue;
    }
    if (vars.contains(name)) continue;
    std::string message = "{" + name + "} is not known here; this request can use " + vars.description;
    if (auto guess = closest(name, vars.names)) message += " (did you mean {" + *guess + "}?)";
    at.problem(message);
    good = false;
  }
  return good;
}

}  // namespace

std::optional<Template> readTemplate(const Value& v, const Variables& vars) {
  auto text = v.templateText();
  if (!text) return std::nullopt;
  std::string error;
  auto t = Template::parse(*text, &error);
  if (!t) {
    v.problem(error);
    return std::nullopt;
  }
  // Keep the text as written in the file: it may hold ${ENV} references.
  t->text = v.raw();
  if (!checkVariables(v, *t, vars, false)) return std::nullopt;
  return t;
}

std::optional<JsonPath> readJsonPath(const Value& v) {
  auto text = v.text();
  if (!text) return std::nullopt;
  std::string error;
  auto path = JsonPath::parse(*text, &error);
  if (!path) v.problem(v.quoted() + " is not a JSON path: " + error);
  return path;
}

// A YAML body as a JSON template; string leaves are checked templates.
std::optional<nlohmann::ordered_json> readBodyValue(const Value& v, const Variables& vars, bool& good) {
  if (v.isNull()) return ordered_json(nullptr);
  if (v.isMap()) {
    ordered_json object = ordered_json::object();
    for (auto it = v.node().begin(); it != v.node().end(); ++it) {
      if (!it->first.IsScalar()) {
        v.ctx().problem(it->first, v.path(), "body member names must be plain text");
        good = false;
        continue;
      }
      const std::string name = it->first.Scalar();
      if (object.contains(name)) {
        v.ctx().problem(it->first, joinPath(v.path(), name), "appears more than once");
        good = false;
        continue;
      }
      if (auto member = readBodyValue(Value(v.ctx(), it->second, joinPath(v.path(), name)), vars, good)) {
        object[name] = std::move(*member);
      }
    }
    return object;
  }
  if (v.isSequence()) {
    ordered_json array = ordered_json::array();
    size_t i = 0;
    for (const YAML::Node& item : v.node()) {
      if (auto element = readBodyValue(Value(v.ctx(), item, v.path() + "[" + std::to_string(i++) + "]"), vars, good)) {
        array.push_back(std::move(*element));
      }
    }
    return array;
  }
  if (!v.isQuoted()) {
    // A plain scalar is typed as YAML would type it: true, 42, 1.5, or text.
    const std::string& raw = v.raw();
    if (raw == "true" || raw == "false") return ordered_json(raw == "true");
    int64_t n = 0;
    if (auto [p, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), n);
        ec == std::errc() && p == raw.data() + raw.size()) {
      return ordered_json(n);
    }
    double d = 0;
    if (auto [p, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), d);
        ec == std::errc() && p == raw.data() + raw.size() && std::isfinite(d)) {
      return ordered_json(d);
    }
  }
  auto text = v.templateText();
  if (!text) {
    good = false;
    return std::nullopt;
  }
  std::string error;
  auto t = Template::parse(*text, &error);
  if (!t) {
    v.problem(error);
    good = false;
    return std::nullopt;
  }
  const bool sole_payload = t->soleVariable() == std::string(kPayloadVariable);
  if (!checkVariables(v, *t, vars, sole_payload)) good = false;
  return ordered_json(*text);
}

}  // namespace snapq::config
