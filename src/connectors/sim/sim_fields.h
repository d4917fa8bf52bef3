// How each simulated resource looks on the wire and which changes it accepts.
// One place for the field rules, used by create, update and drift alike.
#pragma once

#include <nlohmann/json.hpp>

#include "connectors/sim/sim_store.h"

namespace snapq::sim {

nlohmann::json toJson(const Account& a);
nlohmann::json toJson(const Zone& z);
nlohmann::json toJson(const Record& r);

// Applies the fields of `changes` (a JSON object) to `row`. Returns the
// problems per field ({"email": "must be an email address"}); empty when all
// were valid. On creation the required fields must be present. Read-only
// fields (id, updated_at, zone_id) are ignored, so a client may send back an
// object it read; fields the resource does not have are errors.
nlohmann::json applyFields(Account& row, const nlohmann::json& changes, bool creating);
nlohmann::json applyFields(Zone& row, const nlohmann::json& changes, bool creating);
nlohmann::json applyFields(Record& row, const nlohmann::json& changes, bool creating);

}  // namespace snapq::sim
