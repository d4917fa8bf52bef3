// Evaluating a JsonPath (resource_spec.h) against a parsed document; for the
// rest connector and the sync engine, which extract items, fields, cursors
// and page counts from remote responses.
#pragma once

#include <nlohmann/json.hpp>

#include "snapq/resource_spec.h"

namespace snapq {

// The value at `path` in `doc`, or nullptr when a member or index is missing
// or a step meets the wrong kind of value. The root path gives `doc`.
const nlohmann::json* findAt(const nlohmann::json& doc, const JsonPath& path);

}  // namespace snapq
