// The snapshot page cache (http/page_cache.h) over HTTP: a listing asked for
// again is the same answer, and never one older than a write the caller saw
// acknowledged, whether this server, a worker or another process (another
// store handle on the same database) made it. Also: a token revoked through
// the API stops at once, though its lookups are cached.
#include "api_fixture.h"
#include "core/time_format.h"

namespace snapq::testing {
namespace {

using json = nlohmann::json;
using ApiPageCache = ApiTest;

const std::string kList = "/api/v1/services/sim/accounts";

json rowOf(const json& page, const std::string& key) {
  for (const json& r : page["rows"]) {
    if (r["key"] == key) return r;
  }
  return nullptr;
}

TEST_P(ApiPageCache, AnAcknowledgedMutationShowsInTheNextListingAndSoDoesItsOutcome) {
  startApi(10);
  ASSERT_EQ(syncAndWait("accounts").status, JobStatus::success);
  Caller olga = token("olga");
  const std::string page = kList + "?limit=50";
  json first = expect(200, "GET", page, olga);
  ASSERT_EQ(rowOf(first, "4")["sync_status"], "synced");
  EXPECT_EQ(expect(200, "GET", page, olga), first) << "asked again: the same answer";

  net::Headers any;
  any.set("If-Match", "*");
  // A slow remote keeps the job from finishing before the next listing.
  sim_->json("POST", "/_sim/chaos", json{{"latency_ms", 2000}}, 200);
  json queued = expect(202, "PATCH", kList + "/4", olga, R"({"data":{"quota_mb":4321}})", any);
  // The dispatch was acknowledged: its pending state is what the listing shows now.
  EXPECT_EQ(rowOf(expect(200, "GET", page, olga), "4")["sync_status"], "pending_update");
  sim_->json("POST", "/_sim/chaos", json{{"latency_ms", 0}}, 200);
  Job done = waitFinal(queued["job"]["id"].get<int64_t>());
  ASSERT_EQ(done.status, JobStatus::success) << done.error;
  json after = rowOf(expect(200, "GET", page, olga), "4");
  EXPECT_EQ(after["sync_status"], "synced");
  EXPECT_EQ(after["quota_mb"], 4321);
}

TEST_P(ApiPageCache, AChangeMadeThroughAnotherStoreHandleShowsAtOnce) {
  startApi(10);
  ASSERT_EQ(syncAndWait("accounts").status, JobStatus::success);
  Caller vic = token("vic");
  const std::string page = kList + "?q=user&limit=50";
  ASSERT_FALSE(rowOf(expect(200, "GET", page, vic), "4").is_null());
  expect(200, "GET", page, vic);  // kept

  // Another process on the same database (a `snapq sync`, another node) deletes the row.
  auto other = openStore(store_url_);
  ASSERT_TRUE(other.isOk()) << other.status().toString();
  SyncBatch gone;
  gone.now = engine_->clock().now();
  gone.deletes = {"4"};
  auto applied = (*other)->snapshots().applySync(table("accounts"), std::move(gone));
  ASSERT_TRUE(applied.isOk()) << applied.status().toString();
  ASSERT_EQ(applied->deleted, 1);
  EXPECT_TRUE(rowOf(expect(200, "GET", page, vic), "4").is_null());
}

TEST_P(ApiPageCache, ASyncThatChangesNoRowStillMovesLastSyncedAt) {
  startApi(10);
  Job first = syncAndWait("accounts");
  ASSERT_EQ(first.status, JobStatus::success);
  Caller vic = token("vic");
  const std::string page = kList + "?limit=3";
  EXPECT_EQ(expect(200, "GET", page, vic)["last_synced_at"], formatIso(*first.finished_at));
  Job second = syncAndWait("accounts");
  ASSERT_EQ(second.status, JobStatus::success);
  ASSERT_EQ(result(second)["updated"], 0);
  ASSERT_NE(formatIso(*second.finished_at), formatIso(*first.finished_at));
  EXPECT_EQ(expect(200, "GET", page, vic)["last_synced_at"], formatIso(*second.finished_at));
}

TEST_P(ApiPageCache, CallersWithOtherPermissionsAndOtherQueriesGetTheirOwnAnswers) {
  startApi(10);
  ASSERT_EQ(syncAndWait("accounts").status, JobStatus::success);
  Caller vic = token("vic");
  Caller narrow = token("admin", "snapshot.view");
  json a = expect(200, "GET", kList + "?limit=2", vic);
  json b = expect(200, "GET", kList + "?limit=2", narrow);
  EXPECT_EQ(a, b);
  json c = expect(200, "GET", kList + "?limit=3", vic);
  EXPECT_EQ(c["rows"].size(), 3u);
  // The same parameters in another order are the same query.
  EXPECT_EQ(expect(200, "GET", kList + "?sort=-key&limit=2", vic),
            expect(200, "GET", kList + "?limit=2&sort=-key", vic));
  EXPECT_NE(expect(200, "GET", kList + "?sort=-key&limit=2", vic), a);
}

TEST_P(ApiPageCache, ATokenRevokedThroughTheApiStopsAtOnce) {
  startApi(1);
  Caller admin = token("admin");
  json created = expect(201, "POST", "/api/v1/tokens", admin, R"({"user":"vic","name":"reader"})");
  Caller reader{"reader", created["token"], "", ""};
  expect(200, "GET", kList, reader);
  expect(200, "GET", kList, reader);  // its lookup is kept now
  ASSERT_EQ(call("DELETE", "/api/v1/tokens/" + std::to_string(created["id"].get<int64_t>()), admin).status, 204);
  expect(401, "GET", kList, reader);

  // A role lowered through the API lowers the user's tokens at once, too.
  Caller olga = token("olga");
  net::Headers any;
  any.set("If-Match", "*");
  ASSERT_EQ(syncAndWait("accounts").status, JobStatus::success);
  expect(202, "PATCH", kList + "/1", olga, R"({"data":{"quota_mb":5}})", any);
  expect(200, "PATCH", "/api/v1/users/olga", admin, R"({"role":"viewer"})");
  expect(403, "PATCH", kList + "/1", olga, R"({"data":{"quota_mb":6}})", any);
}

INSTANTIATE_TEST_SUITE_P(Drivers, ApiPageCache, ::testing::Values("sqlite", "postgres"), driverName);

}  // namespace
}  // namespace snapq::testing
