#include <array>

#include "snapq/snapshot.h"

namespace snapq {

namespace {
constexpr std::array<RowStatus, 6> kRowStatuses = {RowStatus::synced,         RowStatus::pending_create,
                                                   RowStatus::pending_update, RowStatus::pending_delete,
                                                   RowStatus::failed,         RowStatus::conflict};
}

const char* toString(RowStatus s) {
  switch (s) {
    case RowStatus::synced: return "synced";
    case RowStatus::pending_create: return "pending_create";
    case RowStatus::pending_update: return "pending_update";
    case RowStatus::pending_delete: return "pending_delete";
    case RowStatus::failed: return "failed";
    case RowStatus::conflict: return "conflict";
  }
  return "?";
}

std::optional<RowStatus> parseRowStatus(std::string_view s) {
  for (RowStatus r : kRowStatuses) {
    if (s == toString(r)) return r;
  }
  return std::nullopt;
}

bool isPending(RowStatus s) {
  return s == RowStatus::pending_create || s == RowStatus::pending_update || s == RowStatus::pending_delete;
}

}  // namespace snapq
