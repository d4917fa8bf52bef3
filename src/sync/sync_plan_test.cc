#include "sync/sync_plan.h"

#include <gtest/gtest.h>

namespace snapq {
namespace {

TEST(SyncPlan, EveryRowStateHasItsRuleForASeenObject) {
  EXPECT_EQ(decideSeen(std::nullopt, "h1"), RowDecision::insert);
  EXPECT_EQ(decideSeen(RowState{"h1", RowStatus::synced}, "h1"), RowDecision::unchanged);
  EXPECT_EQ(decideSeen(RowState{"h1", RowStatus::synced}, "h2"), RowDecision::update);
  for (RowStatus pending : {RowStatus::pending_create, RowStatus::pending_update, RowStatus::pending_delete}) {
    EXPECT_EQ(decideSeen(RowState{"h1", pending}, "h2"), RowDecision::keep_pending) << toString(pending);
    EXPECT_EQ(decideSeen(RowState{"h1", pending}, "h1"), RowDecision::keep_pending) << toString(pending);
  }
  for (RowStatus marked : {RowStatus::failed, RowStatus::conflict}) {
    EXPECT_EQ(decideSeen(RowState{"h1", marked}, "h2"), RowDecision::update) << "the snapshot stays true";
    EXPECT_EQ(decideSeen(RowState{"h1", marked}, "h1"), RowDecision::unchanged);
  }
}

TEST(SyncPlan, UnseenRowsAreDeletedUnlessAMutationOwnsThem) {
  EXPECT_TRUE(deleteUnseen(RowStatus::synced));
  EXPECT_TRUE(deleteUnseen(RowStatus::failed));
  EXPECT_TRUE(deleteUnseen(RowStatus::conflict));
  EXPECT_FALSE(deleteUnseen(RowStatus::pending_create));
  EXPECT_FALSE(deleteUnseen(RowStatus::pending_update));
  EXPECT_FALSE(deleteUnseen(RowStatus::pending_delete));
}

TEST(SyncPlan, TheMassDeletionGuardRefusesMoreThanItsShareUnlessForced) {
  DeletionGuard guard;  // 50 %
  EXPECT_TRUE(guard.allows(0, 0));
  EXPECT_TRUE(guard.allows(50, 100));
  EXPECT_FALSE(guard.allows(51, 100));
  EXPECT_FALSE(guard.allows(3, 3)) << "an empty listing must not wipe the snapshot";
  EXPECT_EQ(guard.refusal(3, 3),
            "mass-deletion guard: refusing to delete 3 of 3 snapshot rows (more than 50%): the remote listing may be incomplete; "
            "sync again with force to accept it");
  guard.force = true;
  EXPECT_TRUE(guard.allows(3, 3));
}

TEST(SyncPlan, RowStatusNamesRoundTrip) {
  for (const char* name : {"synced", "pending_create", "pending_update", "pending_delete", "failed", "conflict"}) {
    auto parsed = parseRowStatus(name);
    ASSERT_TRUE(parsed) << name;
    EXPECT_STREQ(toString(*parsed), name);
  }
  EXPECT_FALSE(parseRowStatus("pending"));
}

}  // namespace
}  // namespace snapq
