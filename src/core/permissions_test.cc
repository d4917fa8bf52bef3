#include "core/permissions.h"

#include <gtest/gtest.h>

namespace snapq {
namespace {

TEST(Permissions, RolesBundleWhatTheDesignSays) {
  PermissionSet viewer = rolePermissions(Role::viewer);
  EXPECT_EQ(formatPermissionList(viewer), "sync.job.view,snapshot.view");
  PermissionSet op = rolePermissions(Role::operator_);
  EXPECT_EQ(formatPermissionList(op), "sync.job.view,sync.job.manage,snapshot.view,snapshot.write");
  EXPECT_TRUE(op.containsAll(viewer));
  EXPECT_FALSE(op.has(Permission::admin));
  EXPECT_EQ(rolePermissions(Role::admin), PermissionSet::all());
}

TEST(Permissions, NamesRoundTrip) {
  for (Permission p : PermissionSet::all().list()) EXPECT_EQ(parsePermission(toString(p)), p);
  for (Role r : {Role::viewer, Role::operator_, Role::admin}) EXPECT_EQ(parseRole(toString(r)), r);
  EXPECT_EQ(parseRole("operator"), Role::operator_);
  EXPECT_FALSE(parseRole("root"));
  EXPECT_FALSE(parsePermission("Admin"));
}

TEST(Permissions, ParsesCommaListsAndNamesWhatIsWrong) {
  auto set = parsePermissionList(" snapshot.view , sync.job.view");
  ASSERT_TRUE(set.isOk());
  EXPECT_EQ(*set, (PermissionSet{Permission::snapshot_view, Permission::sync_job_view}));
  EXPECT_TRUE(parsePermissionList("")->empty());
  auto bad = parsePermissionList("snapshot.view,snapshot.delete");
  EXPECT_EQ(bad.status().code(), ErrorCode::invalid_argument);
  EXPECT_NE(bad.status().message().find("'snapshot.delete'"), std::string::npos);
  EXPECT_FALSE(parsePermissionList("snapshot.view,").isOk());
}

TEST(Permissions, ATokenNeverGrantsMoreThanItsUsersRole) {
  PermissionSet limit{Permission::snapshot_view, Permission::admin};
  EXPECT_EQ(effectivePermissions(Role::viewer, limit), PermissionSet{Permission::snapshot_view});
  EXPECT_EQ(effectivePermissions(Role::admin, limit), limit);
  EXPECT_EQ(effectivePermissions(Role::operator_, std::nullopt), rolePermissions(Role::operator_));
}

}  // namespace
}  // namespace snapq
