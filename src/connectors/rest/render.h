// Rendering the rest connector's request templates (resource_spec.h,
// "Rendering"): paths with each variable one percent-encoded segment, query
// strings, and JSON bodies whose string leaves are templates.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "snapq/connector.h"
#include "snapq/resource_spec.h"
#include "snapq/status.h"

namespace snapq::rest {

// Where the variables of one request get their values, in this order: the
// scope (a scope variable named like a field wins, docs/CONFIG.md "Scope"),
// `key`, the intended object's field values, the payload, and finally the
// parts of the key string (so a get by key alone can fill "{id}").
class Variables {
 public:
  // A list request: scope variables only.
  Variables(const ResourceSpec& resource, const Scope& scope);
  // A get or a write of `object` (which must outlive this).
  Variables(const ResourceSpec& resource, const ObjectRef& object);

  // The value with its JSON type (a field's declared type for values taken
  // from text: the scope, the key); nullopt when there is none (null counts
  // as none, so a later source may still provide one).
  std::optional<nlohmann::json> value(std::string_view name) const;
  // The payload for "{$payload}": each field at its path.
  nlohmann::json payload() const;

 private:
  nlohmann::json typedFromText(std::string_view name, const std::string& text) const;

  const ResourceSpec& resource_;
  const Scope& scope_;
  const ObjectRef* object_ = nullptr;
};

// A value as template text: strings as they are, numbers in JSON notation,
// true/false, arrays and objects as compact JSON; nullopt for null.
std::optional<std::string> textOf(const nlohmann::json& value);

// The template as text; a variable without a value is invalid_argument
// naming it. `segments`: each variable percent-encoded as one path segment.
Result<std::string> renderText(const Template& t, const Variables& vars, bool segments = false);

// "a=1&b=x%20y" (no '?'), in order; a parameter that is one variable without
// a value is left out.
Result<std::string> renderQuery(const std::vector<QueryParam>& query, const Variables& vars);

// The body template (JSON text, RequestSpec::body) rendered: a leaf that is
// one variable takes its typed value; a member whose value is missing or null
// is left out and an array element becomes null (to send an explicit null,
// use "{$payload}", which is sent as given); "{$payload}" is the payload at
// field paths, and may stand for the whole body or for one member of it.
Result<nlohmann::ordered_json> renderBody(std::string_view body_template, const Variables& vars);

// application/x-www-form-urlencoded of a flat object; nested values are sent
// as compact JSON, null as an empty value.
std::string formEncode(const nlohmann::ordered_json& body);

// `payload` (field name -> value) with each declared field placed at its
// path ("user_id" with path "userId" becomes "userId"); undeclared members
// keep their names.
nlohmann::json payloadAtPaths(const nlohmann::json& payload, const ResourceSpec& resource);

// The key string from the key fields' values in `object` (values, then
// payload), or nullopt when one is missing (joinKey).
std::optional<std::string> keyFromValues(const ResourceSpec& resource, const ObjectRef& object);

// Values of write-only fields in the payload: they must not appear in
// messages even when a service echoes them back.
std::vector<std::string> writeOnlyValues(const ResourceSpec& resource, const nlohmann::json& payload);

}  // namespace snapq::rest
