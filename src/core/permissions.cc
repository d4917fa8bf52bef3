// The permissions and the roles that bundle them (DESIGN.md "Security").
#include "core/permissions.h"

#include <array>

namespace snapq {
namespace {

constexpr std::array<std::pair<Permission, const char*>, 5> kPermissionNames{{
    {Permission::sync_job_view, "sync.job.view"},
    {Permission::sync_job_manage, "sync.job.manage"},
    {Permission::snapshot_view, "snapshot.view"},
    {Permission::snapshot_write, "snapshot.write"},
    {Permission::admin, "admin"},
}};

constexpr std::array<std::pair<Role, const char*>, 3> kRoleNames{{
    {Role::viewer, "viewer"},
    {Role::operator_, "operator"},
    {Role::admin, "admin"},
}};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

const char* toString(Permission p) {
  for (const auto& [perm, name] : kPermissionNames) {
    if (perm == p) return name;
  }
  return "unknown";
}

std::optional<Permission> parsePermission(std::string_view name) {
  for (const auto& [perm, text] : kPermissionNames) {
    if (name == text) return perm;
  }
  return std::nullopt;
}

PermissionSet PermissionSet::all() {
  PermissionSet set;
  for (const auto& entry : kPermissionNames) set.add(entry.first);
  return set;
}

std::vector<Permission> PermissionSet::list() const {
  std::vector<Permission> out;
  for (const auto& entry : kPermissionNames) {
    if (has(entry.first)) out.push_back(entry.first);
  }
  return out;
}

const char* toString(Role r) {
  for (const auto& [role, name] : kRoleNames) {
    if (role == r) return name;
  }
  return "unknown";
}

std::optional<Role> parseRole(std::string_view name) {
  for (const auto& [role, text] : kRoleNames) {
    if (name == text) return role;
  }
  return std::nullopt;
}

PermissionSet rolePermissions(Role r) {
  PermissionSet viewer{Permission::sync_job_view, Permission::snapshot_view};
  switch (r) {
    case Role::viewer: return viewer;
    case Role::operator_:
      return PermissionSet{Permission::sync_job_view, Permission::snapshot_view, Permission::sync_job_manage,
                           Permission::snapshot_write};
    case Role::admin: return PermissionSet::all();
  }
  return {};
}

Result<PermissionSet> parsePermissionList(std::string_view text) {
  PermissionSet set;
  if (trim(text).empty()) return set;
  while (true) {
    size_t comma = text.find(',');
    std::string_view name = trim(text.substr(0, comma));
    auto p = parsePermission(name);
    if (!p) {
      std::string known;
      for (const auto& entry : kPermissionNames) known += std::string(known.empty() ? "" : ", ") + entry.second;
      return Status::invalidArgument(name.empty() ? "empty permission name in list"
                                                  : "unknown permission '" + std::string(name.substr(0, 50)) +
                                                        "'; known: " + known);
    }
    set.add(*p);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return set;
}

std::string formatPermissionList(PermissionSet set) {
  std::string out;
  for (Permission p : set.list()) {
    if (!out.empty()) out += ',';
    out += toString(p);
  }
  return out;
}

PermissionSet effectivePermissions(Role role, const std::optional<PermissionSet>& limit) {
  PermissionSet granted = rolePermissions(role);
  return limit ? granted.intersect(*limit) : granted;
}

}  // namespace snapq
