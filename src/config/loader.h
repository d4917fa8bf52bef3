// The loader's parts, one file each: top level (loader.cc), services and
// instances (load_service.cc), policies and auth (load_policy.cc), resources
// (load_resource.cc, load_fields.cc), requests (load_request.cc,
// load_template.cc, load_pagination.cc). Each reads its YAML into
// the model and reports problems to the Context; a part that cannot be read
// is left at its default so the rest can still be checked.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "config/yaml_reader.h"
#include "snapq/config.h"

namespace snapq::config {

// ---- load_policy.cc

// `base` with the keys `node` sets; burst stays 0 ("automatic") unless set.
Policy readPolicy(const Value& node, Policy base);
// `retry:` (attempts, backoff or base/factor/cap/jitter) over `retry`.
void readRetry(const Value& node, RetryPolicy& retry);
// Fills an automatic burst from the rate limit.
void finalizePolicy(Policy& policy);
std::optional<AuthSpec> readAuth(const Value& node);
std::vector<HeaderSpec> readHeaders(const Value& node);

// ---- load_service.cc

inline constexpr std::string_view kTableNameReason = "it becomes part of the SQL table name snap_<service>_<resource>";
// Reports, and returns false, when entry.name is not [a-z][a-z0-9_]* (at
// most 63 characters); the message names `what` and ends with `why`.
bool checkName(const NamedValue& entry, std::string_view what, std::string_view why);

std::optional<ServiceSpec> readService(const NamedValue& entry);

// ---- load_fields.cc

std::optional<FieldSpec> readField(const NamedValue& entry);
// The resource's key: declared fields of `fields`. `written` names every
// entry under fields, also those that had a problem (not reported again).
// Empty after a problem.
std::vector<std::string> readKey(const MapReader& resource, const std::vector<FieldSpec>& fields,
                                 const std::vector<std::string>& written);

// ---- load_resource.cc

// The service's resources, fully checked (fields, key, scope, requests).
std::vector<ResourceSpec> readResources(const Value& node, const ServiceSpec& service);

// ---- requests

// Which template variables a request may use, and how to say so.
struct Variables {
  std::vector<std::string> names;
  std::string description;  // "key, the fields (id, name) and the scope variable zone_id"
  bool contains(std::string_view name) const;
};

// ---- load_template.cc

// A template whose variables are all in `vars`.
std::optional<Template> readTemplate(const Value& v, const Variables& vars);
std::optional<JsonPath> readJsonPath(const Value& v);
// A YAML body as a JSON template: plain scalars typed as YAML types them,
// every string leaf a template checked against `vars` ("{$payload}" only as
// a whole leaf). Clears `good` on a problem.
std::optional<nlohmann::ordered_json> readBodyValue(const Value& v, const Variables& vars, bool& good);

// ---- load_pagination.cc

// `request` is the list request, whose query the pagination must not repeat.
std::optional<Pagination> readPagination(const Value& node, const RequestSpec& request);

// ---- load_request.cc

std::optional<ListSpec> readList(const Value& node, const Variables& vars);
std::optional<GetSpec> readGet(const Value& node, const Variables& vars);
// create / update / delete (`name`) or a custom action; `rest` says whether
// a request is required (and allowed).
std::optional<WriteSpec> readWrite(const Value& node, const std::string& name, const Variables& vars, bool rest);

}  // namespace snapq::config
