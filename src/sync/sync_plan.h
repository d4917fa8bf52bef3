// The decisions of a sync (pull), as pure functions: what happens to each
// snapshot row given the remote listing. The sync engine applies them in
// bulk; keeping them here makes every row state's rule testable on its own.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "snapq/snapshot.h"

namespace snapq {


enum class RowDecision {
  insert,        // new remotely: add the row
  update,        // content changed remotely: rewrite it (last_synced_at = now)
  unchanged,     // same hash: touch nothing
  keep_pending,  // a local mutation is in flight: leave the row, record the remote state for its conflict check
};
const char* toString(RowDecision d);

// For an object seen in the listing. A failed or conflicting row takes the
// remote content (the snapshot stays true) and keeps its status and error
// until a person retries or dismisses the change.
RowDecision decideSeen(const std::optional<RowState>& stored, std::string_view remote_hash);

// For a stored row the completed listing did not contain: delete it, unless a
// local mutation still owns it (a pending create is not remote yet; a pending
// update or delete finds out through its own conflict check).
bool deleteUnseen(RowStatus status);

// The mass-deletion guard: an API that suddenly lists nothing must not wipe
// the snapshot. Refuses when more than `max_share` of the rows would go.
struct DeletionGuard {
  double max_share = 0.5;
  bool force = false;
  bool allows(long long to_delete, long long total_rows) const;
  std::string refusal(long long to_delete, long long total_rows) const;
};

}  // namespace snapq
