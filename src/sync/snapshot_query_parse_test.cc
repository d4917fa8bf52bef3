#include "sync/snapshot_query_parse.h"

#include <gtest/gtest.h>

namespace snapq {
namespace {

using Statuses = std::vector<RowStatus>;

TEST(ParseRowStatusList, NamesCommaListsAndThePendingShorthand) {
  EXPECT_EQ(*parseRowStatusList(""), Statuses{});
  EXPECT_EQ(*parseRowStatusList(" , "), Statuses{});
  EXPECT_EQ(*parseRowStatusList("failed, conflict,failed"), (Statuses{RowStatus::failed, RowStatus::conflict}));
  EXPECT_EQ(
      *parseRowStatusList("pending,pending_update,synced"),
      (Statuses{RowStatus::pending_create, RowStatus::pending_update, RowStatus::pending_delete, RowStatus::synced}));
}

TEST(ParseRowStatusList, AnUnknownNameIsRefusedWithTheAcceptedOnes) {
  auto bad = parseRowStatusList("synced,broken");
  ASSERT_FALSE(bad.isOk());
  EXPECT_EQ(bad.status().code(), ErrorCode::invalid_argument);
  EXPECT_NE(bad.status().message().find("'broken'"), std::string::npos) << bad.status().message();
  EXPECT_NE(bad.status().message().find("pending_delete"), std::string::npos) << bad.status().message();
}

TEST(ParseRowSort, AMinusMeansDescending) {
  SnapshotQuery q;
  ASSERT_TRUE(parseRowSort("", q).isOk());
  EXPECT_EQ(q.sort, "key");
  EXPECT_FALSE(q.descending);
  ASSERT_TRUE(parseRowSort("-quota_mb", q).isOk());
  EXPECT_EQ(q.sort, "quota_mb");
  EXPECT_TRUE(q.descending);
  ASSERT_TRUE(parseRowSort("email", q).isOk());
  EXPECT_EQ(q.sort, "email");
  EXPECT_FALSE(q.descending);
  EXPECT_EQ(parseRowSort("-", q).code(), ErrorCode::invalid_argument);
}

}  // namespace
}  // namespace snapq
