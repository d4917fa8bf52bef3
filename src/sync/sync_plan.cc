#include "sync/sync_plan.h"

#include <cstdio>

namespace snapq {

const char* toString(RowDecision d) {
  switch (d) {
    case RowDecision::insert: return "insert";
    case RowDecision::update: return "update";
    case RowDecision::unchanged: return "unchanged";
    case RowDecision::keep_pending: return "keep_pending";
  }
  return "?";
}

RowDecision decideSeen(const std::optional<RowState>& stored, std::string_view remote_hash) {
  if (!stored) return RowDecision::insert;
  if (isPending(stored->status)) return RowDecision::keep_pending;
  return stored->content_hash == remote_hash ? RowDecision::unchanged : RowDecision::update;
}

bool deleteUnseen(RowStatus status) { return !isPending(status); }

bool DeletionGuard::allows(long long to_delete, long long total_rows) const {
  if (force || to_delete <= 0) return true;
  return static_cast<double>(to_delete) <= max_share * static_cast<double>(total_rows);
}

std::string DeletionGuard::refusal(long long to_delete, long long total_rows) const {
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "mass-deletion guard: refusing to delete %lld of %lld snapshot rows (more than %.0f%%): the remote listing may be "
                "incomplete; sync again with force to accept it",
                to_delete, total_rows, max_share * 100);
  return buf;
}

}  // namespace snapq
