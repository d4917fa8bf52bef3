// The JSON view of a snapshot row, shared by the CLI and the HTTP API
// (API.md "Services and snapshots").
#pragma once

#include <nlohmann/json.hpp>

#include "snapq/snapshot.h"

namespace snapq {

// {"instance","scope"?,"key", <fields>, "sync_status","sync_error","last_synced_at",
//  "updated_at","content_hash", "pending"?: {"job_id","data"}}; with_doc adds "doc".
nlohmann::json rowToJson(const SnapshotRow& row, bool with_doc = false);

}  // namespace snapq
