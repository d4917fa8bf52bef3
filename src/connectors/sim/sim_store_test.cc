#include "connectors/sim/sim_store.h"

#include <gtest/gtest.h>

#include <set>

#include "core/time_format.h"

namespace snapq::sim {
namespace {

using nlohmann::json;

std::shared_ptr<ManualClock> fixedClock() {
  return std::make_shared<ManualClock>(*parseIso("2026-03-01T12:00:00.000Z"));
}

json everything(const SimStore& store, Kind kind, std::optional<int64_t> zone = std::nullopt) {
  return store.list(kind, zone, 1, 100000, false).body["data"];
}

TEST(SimStoreTest, TheSameSeedGivesTheSameDataAndAnotherSeedOtherData) {
  DataShape shape{300, 5, 6, 42};
  SimStore a(shape, fixedClock()), b(shape, fixedClock());
  EXPECT_EQ(everything(a, Kind::accounts), everything(b, Kind::accounts));
  EXPECT_EQ(everything(a, Kind::records, 2), everything(b, Kind::records, 2));
  shape.seed = 43;
  SimStore c(shape, fixedClock());
  EXPECT_NE(everything(a, Kind::accounts), everything(c, Kind::accounts));
}

TEST(SimStoreTest, GeneratesTheRequestedShapeWithUniqueIdsAndEmails) {
  SimStore store({120, 4, 5, 1}, fixedClock());
  EXPECT_EQ(store.count(Kind::accounts), 120u);
  EXPECT_EQ(store.count(Kind::zones), 4u);
  EXPECT_EQ(store.count(Kind::records), 20u);
  std::set<std::string> emails;
  for (const json& a : everything(store, Kind::accounts)) {
    emails.insert(a["email"]);
    EXPECT_FALSE(a.contains("password"));
    EXPECT_EQ(a.size(), 6u) << a.dump();  // id, email, domain, quota_mb, suspended, updated_at
  }
  EXPECT_EQ(emails.size(), 120u);
  std::set<int64_t> record_ids;
  for (int64_t zone = 1; zone <= 4; ++zone) {
    for (const json& r : everything(store, Kind::records, zone)) {
      EXPECT_EQ(r["zone_id"], zone);
      record_ids.insert(r["id"].get<int64_t>());
    }
  }
  EXPECT_EQ(record_ids.size(), 20u);
}

TEST(SimStoreTest, PagesSliceInIdOrder) {
  SimStore store({25, 0, 0, 1}, fixedClock());
  const Reply third = store.list(Kind::accounts, std::nullopt, 3, 10, false);
  EXPECT_EQ(third.body["meta"], (json{{"page", 3}, {"per_page", 10}, {"total", 25}, {"total_pages", 3}}));
  ASSERT_EQ(third.body["data"].size(), 5u);
  EXPECT_EQ(third.body["data"][0]["id"], 21);
  EXPECT_TRUE(store.list(Kind::accounts, std::nullopt, 4, 10, false).body["data"].empty());
  const Reply empty = store.list(Kind::accounts, std::nullopt, 1, 10, true);
  EXPECT_TRUE(empty.body["data"].empty());
  EXPECT_EQ(empty.body["meta"]["total"], 0);
}

TEST(SimStoreTest, CreateValidatesFieldsAndRejectsDuplicateEmails) {
  SimStore store({3, 0, 0, 1}, fixedClock());
  Reply r =
      store.create(Kind::accounts, std::nullopt, json{{"quota_mb", -1}, {"colour", "red"}, {"password", "short"}});
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.body["error"]["code"], "validation_failed");
  EXPECT_EQ(r.body["error"]["details"]["email"], "is required");
  EXPECT_TRUE(r.body["error"]["details"].contains("quota_mb"));
  EXPECT_EQ(r.body["error"]["details"]["colour"], "unknown field");
  EXPECT_TRUE(r.body["error"]["details"].contains("password"));
  EXPECT_EQ(r.body.dump().find("short"), std::string::npos);  // never echo a password
  EXPECT_EQ(store.count(Kind::accounts), 3u);

  r = store.create(Kind::accounts, std::nullopt, json{{"email", "New@Mail.test"}, {"id", 999}});
  ASSERT_EQ(r.status, 201) << r.body.dump();
  EXPECT_EQ(r.body["id"], 4);  // ids are the service's, not the client's
  EXPECT_EQ(r.body["domain"], "Mail.test");
  EXPECT_EQ(r.body["quota_mb"], 1024);
  EXPECT_EQ(r.body["suspended"], false);

  r = store.create(Kind::accounts, std::nullopt, json{{"email", "new@mail.TEST"}});
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(r.body["error"]["code"], "conflict");
  // Renaming onto a taken email is a conflict too.
  r = store.update(Kind::accounts, std::nullopt, 1, json{{"email", "NEW@mail.test"}});
  EXPECT_EQ(r.status, 409);
}

TEST(SimStoreTest, WritesBumpUpdatedAtStrictlyAndAreCountedPerObject) {
  auto clock = fixedClock();
  SimStore store({3, 0, 0, 1}, clock);
  Reply first = store.update(Kind::accounts, std::nullopt, 2, json{{"quota_mb", 4096}, {"password", "a-long-secret"}});
  ASSERT_EQ(first.status, 200);
  EXPECT_EQ(first.body["updated_at"], "2026-03-01T12:00:00.000Z");
  EXPECT_FALSE(first.body.contains("password"));
  Reply second = store.update(Kind::accounts, std::nullopt, 2, json{{"suspended", true}});
  EXPECT_EQ(second.body["updated_at"], "2026-03-01T12:00:00.001Z");  // same millisecond: still later
  Reply drifted = store.drift(Kind::accounts, 2, json{{"quota_mb", 1}});
  EXPECT_EQ(drifted.body["quota_mb"], 1);
  EXPECT_EQ(drifted.body["updated_at"], "2026-03-01T12:00:00.002Z");

  EXPECT_EQ(store.writes(), (json{{"accounts/2", 2}}));
  EXPECT_EQ(store.drifts(), (json{{"accounts/2", 1}}));
  EXPECT_EQ(store.passwordWrites(), (json{{"accounts/2", 1}}));
  EXPECT_EQ(store.remove(Kind::accounts, std::nullopt, 2).status, 204);
  EXPECT_EQ(store.writes()["accounts/2"], 3);
  EXPECT_EQ(store.get(Kind::accounts, std::nullopt, 2).status, 404);
  EXPECT_EQ(store.drift(Kind::accounts, 2, json::object()).status, 404);
}

TEST(SimStoreTest, RecordsLiveInTheirZoneAndGoWithIt) {
  SimStore store({0, 2, 3, 1}, fixedClock());
  EXPECT_EQ(store.get(Kind::records, 1, 1).status, 200);
  EXPECT_EQ(store.get(Kind::records, 2, 1).status, 404);  // record 1 is in zone 1
  EXPECT_EQ(store.list(Kind::records, 9, 1, 10, false).status, 404);

  Reply bad = store.create(Kind::records, 2, json{{"name", "www.zone2.test"}, {"type", "A"}, {"content", "::1"}});
  EXPECT_EQ(bad.status, 422);
  EXPECT_TRUE(bad.body["error"]["details"].contains("content"));
  Reply ok = store.create(Kind::records, 2, json{{"name", "*.zone2.test"}, {"type", "AAAA"}, {"content", "::1"}});
  ASSERT_EQ(ok.status, 201) << ok.body.dump();
  EXPECT_EQ(ok.body["zone_id"], 2);
  EXPECT_EQ(ok.body["ttl"], 3600);
  // Changing the type alone must still fit the content.
  EXPECT_EQ(store.update(Kind::records, 2, ok.body["id"], json{{"type", "A"}}).status, 422);

  EXPECT_EQ(store.create(Kind::zones, std::nullopt, json{{"name", "ZONE1.test"}}).status, 409);
  EXPECT_EQ(store.remove(Kind::zones, std::nullopt, 2).status, 204);
  EXPECT_EQ(store.count(Kind::records), 3u);
  EXPECT_EQ(store.drift(Kind::records, ok.body["id"], json::object()).status, 404);
}

}  // namespace
}  // namespace snapq::sim
