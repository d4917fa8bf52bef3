// Parsing of snapshot listing options as users type them, shared by
// `snapq snapshot list --status failed,conflict --sort -quota_mb` and
// `GET /api/v1/services/sim/accounts?sync_status=failed,conflict&sort=-quota_mb`,
// so both accept and refuse the same text with the same messages. What
// depends on a field's type (is "abc" an integer? can a json field sort?) is
// checked once, where the store plans the query (store/snapshot_plan.h).
#pragma once

#include <string_view>
#include <vector>

#include "snapq/snapshot.h"
#include "snapq/status.h"

namespace snapq {

// "synced,failed" -> {synced, failed}; "pending" stands for the three pending
// statuses. Blanks around names and empty items are ignored, duplicates
// dropped; "" is an empty list (no filter). An unknown name is an
// invalid_argument naming the accepted ones.
Result<std::vector<RowStatus>> parseRowStatusList(std::string_view text);

// "quota_mb" (ascending) or "-quota_mb" (descending) into query.sort and
// query.descending; "" keeps the default (key). A lone "-" is invalid_argument.
Status parseRowSort(std::string_view text, SnapshotQuery& query);

}  // namespace snapq
