#include "sync/row_json.h"

#include "core/time_format.h"

namespace snapq {

nlohmann::json rowToJson(const SnapshotRow& row, bool with_doc) {
  using json = nlohmann::json;
  json out = {{"instance", row.instance}};
  if (!row.scope.empty()) out["scope"] = row.scope;
  out["key"] = row.key;
  for (const auto& [name, value] : row.fields.items()) out[name] = value;
  out["sync_status"] = toString(row.sync_status);
  out["sync_error"] = row.sync_error.empty() ? json(nullptr) : json(row.sync_error);
  out["last_synced_at"] = row.last_synced_at ? json(formatIso(*row.last_synced_at)) : json(nullptr);
  out["updated_at"] = formatIso(row.updated_at);
  out["content_hash"] = row.content_hash;
  if (row.pending_job_id != 0) {
    json data = json::parse(row.pending_data, nullptr, false);
    out["pending"] = {{"job_id", row.pending_job_id}, {"data", data.is_discarded() ? json(nullptr) : data}};
  }
  if (with_doc) {
    json doc = json::parse(row.doc, nullptr, false);
    out["doc"] = doc.is_discarded() ? json(row.doc) : doc;
  }
  return out;
}

}  // namespace snapq
