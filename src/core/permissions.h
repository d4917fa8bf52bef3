// Permission lists as text: the comma lists stored with API tokens and typed
// on the command line. The permissions and roles themselves are in snapq/auth.h
// (and permissions.cc, the one place that says which role grants what).
#pragma once

#include <string>
#include <string_view>

#include "snapq/auth.h"
#include "snapq/status.h"

namespace snapq {

// "sync.job.view,snapshot.view" (spaces around names allowed); an unknown or
// empty name is invalid_argument naming it. An empty text is an empty set.
Result<PermissionSet> parsePermissionList(std::string_view text);
// Comma list in declaration order; "" for an empty set.
std::string formatPermissionList(PermissionSet set);

// What a request authenticated as `role` through a token limited to `limit`
// (nullopt: not limited) may do: never more than the role grants.
PermissionSet effectivePermissions(Role role, const std::optional<PermissionSet>& limit);

}  // namespace snapq
