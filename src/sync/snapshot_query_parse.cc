#include "sync/snapshot_query_parse.h"

#include <algorithm>
#include <array>
#include <string>

namespace snapq {
namespace {

constexpr std::array<RowStatus, 6> kAll = {RowStatus::synced,         RowStatus::pending_create,
                                           RowStatus::pending_update, RowStatus::pending_delete,
                                           RowStatus::failed,         RowStatus::conflict};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

void addOnce(std::vector<RowStatus>& out, RowStatus s) {
  if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
}

}  // namespace

Result<std::vector<RowStatus>> parseRowStatusList(std::string_view text) {
  std::vector<RowStatus> out;
  while (true) {
    const size_t comma = text.find(',');
    const std::string_view item = trim(text.substr(0, comma));
    if (item == "pending") {
      for (RowStatus s : kAll) {
        if (isPending(s)) addOnce(out, s);
      }
    } else if (!item.empty()) {
      std::optional<RowStatus> status = parseRowStatus(item);
      if (!status) {
        std::string names;
        for (RowStatus s : kAll) names += std::string(toString(s)) + ", ";
        return Status::invalidArgument("unknown sync status '" + std::string(item.substr(0, 50)) +
                                       "'; expected one of " + names + "pending");
      }
      addOnce(out, *status);
    }
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

Status parseRowSort(std::string_view text, SnapshotQuery& query) {
  text = trim(text);
  if (text.empty()) return Status::ok();
  const bool descending = text.front() == '-';
  if (descending) text.remove_prefix(1);
  if (text.empty()) return Status::invalidArgument("sort needs a field name after '-'");
  query.sort = std::string(text);
  query.descending = descending;
  return Status::ok();
}

}  // namespace snapq
