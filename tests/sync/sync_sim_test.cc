// The sync protocol against `snapq sim` over real HTTP, on both drivers
// (DESIGN.md "Sync job"; issue: "Against snapq sim").
#include "sync_fixture.h"

namespace snapq::testing {
namespace {

using json = nlohmann::json;

using SyncSim = SyncSimTest;

TEST_P(SyncSim, FirstSyncInsertsEveryObjectAndASecondChangesNothing) {
  startSim(10000);
  startSnapq();
  Job first = syncAndWait("accounts");
  ASSERT_EQ(first.status, JobStatus::success) << first.error;
  json stats = result(first);
  EXPECT_EQ(stats["fetched"], 10000);
  EXPECT_EQ(stats["created"], 10000);
  EXPECT_EQ(stats["pages"], 10) << "1,000 per page as examples/sim.yaml asks";
  EXPECT_EQ(rowCount("accounts"), 10000);
  auto row = this->row("accounts", "42");
  ASSERT_TRUE(row);
  json remote = sim_->json("GET", "/v1/accounts/42", nullptr, 200);
  EXPECT_EQ(row->fields["email"], remote["email"]);
  EXPECT_EQ(row->fields["quota_mb"], remote["quota_mb"]);
  EXPECT_EQ(row->sync_status, RowStatus::synced);

  Job second = syncAndWait("accounts");
  ASSERT_EQ(second.status, JobStatus::success) << second.error;
  json again = result(second);
  EXPECT_EQ(again["unchanged"], 10000);
  EXPECT_EQ(again["created"], 0);
  EXPECT_EQ(again["updated"], 0);
  EXPECT_EQ(again["deleted"], 0);
  auto same = this->row("accounts", "42");
  EXPECT_EQ(same->last_synced_at, row->last_synced_at) << "an unchanged row is not rewritten";
}

TEST_P(SyncSim, ADriftOfFiftyObjectsUpdatesExactlyThoseFifty) {
  startSim(2000);
  startSnapq();
  ASSERT_EQ(syncAndWait("accounts").status, JobStatus::success);
  std::set<std::string> drifted;
  for (int i = 0; i < 50; ++i) {
    int id = 1 + i * 37;
    drifted.insert(std::to_string(id));
    sim_->json("POST", "/_sim/drift", json{{"resource", "accounts"}, {"id", id}, {"changes", {{"quota_mb", 4242 + i}}}},
               200);
  }
  Job resync = syncAndWait("accounts");
  ASSERT_EQ(resync.status, JobStatus::success) << resync.error;
  EXPECT_EQ(result(resync)["updated"], 50);
  EXPECT_EQ(result(resync)["unchanged"], 1950);
  for (const std::string& key : drifted) {
    auto row = this->row("accounts", key);
    ASSERT_TRUE(row);
    EXPECT_GE(row->fields["quota_mb"].get<int64_t>(), 4242) << key;
  }
}

TEST_P(SyncSim, ObjectsGoneRemotelyAreDeletedOnlyAfterACompleteListing) {
  startSim(300);
  startSnapq();
  ASSERT_EQ(syncAndWait("accounts").status, JobStatus::success);
  for (int id : {3, 4, 5}) sim_->call("DELETE", "/v1/accounts/" + std::to_string(id));
  Job resync = syncAndWait("accounts");
  ASSERT_EQ(resync.status, JobStatus::success) << resync.error;
  EXPECT_EQ(result(resync)["deleted"], 3);
  EXPECT_FALSE(row("accounts", "4").has_value());
  EXPECT_EQ(rowCount("accounts"), 297);
}

TEST_P(SyncSim, AnAPIThatSuddenlyListsNothingFailsOnTheGuardAndKeepsTheSnapshot) {
  startSim(500);
  startSnapq();
  ASSERT_EQ(syncAndWait("accounts").status, JobStatus::success);
  chaos({{"empty_lists", true}});
  Job guarded = syncAndWait("accounts");
  EXPECT_EQ(guarded.status, JobStatus::failed);
  EXPECT_NE(guarded.error.find("guard"), std::string::npos) << guarded.error;
  EXPECT_EQ(guarded.attempts, 1) << "refused at once, not retried";
  EXPECT_EQ(rowCount("accounts"), 500) << "the snapshot is intact";
  Job forced = syncAndWait("accounts", true);
  EXPECT_EQ(forced.status, JobStatus::success) << "force lifts the guard: " << forced.error;
  EXPECT_EQ(rowCount("accounts"), 0);
}

TEST_P(SyncSim, AScopedResourceSyncsEveryScopeAsItsOwnJob) {
  startSim(10);
  startSnapq();
  ASSERT_EQ(syncAndWait("zones").status, JobStatus::success);
  ASSERT_EQ(rowCount("zones"), 3);
  Job fan = syncAndWait("records");
  ASSERT_EQ(fan.status, JobStatus::success) << fan.error;
  EXPECT_EQ(result(fan)["scopes"], 3);
  JobFilter open;
  open.actions = {"sync"};
  open.target_type = "records";
  open.statuses = {JobStatus::queued, JobStatus::running};
  ASSERT_TRUE(waitFor([&] { return store_->listJobs(open)->jobs.empty(); })) << "the scope syncs finish";
  EXPECT_EQ(rowCount("records"), 12);
  // One scope alone.
  SnapshotQuery q;
  auto zones = store_->snapshots().listRows(table("zones"), q);
  ASSERT_TRUE(zones.isOk());
  std::string zone = zones->rows.front().key;
  Job one = syncAndWait("records", false, zone);
  ASSERT_EQ(one.status, JobStatus::success) << one.error;
  EXPECT_EQ(result(one)["fetched"], 4);
  EXPECT_EQ(result(one)["unchanged"], 4);
  SnapshotQuery in_zone;
  in_zone.scope = zone;
  EXPECT_EQ(store_->snapshots().listRows(table("records"), in_zone)->rows.size(), 4u);
}

TEST_P(SyncSim, ASecondSyncOfTheSameResourceWhileOneIsQueuedIsDeduplicated) {
  startSim(10);
  startSnapq();
  engine_->stop();  // nothing runs: both dispatches find the first one queued
  SyncRequest r;
  r.service = "sim";
  r.resource = "accounts";
  auto a = sync_->dispatchSync(r);
  auto b = sync_->dispatchSync(r);
  ASSERT_TRUE(a.isOk() && b.isOk());
  EXPECT_FALSE(a->existing);
  EXPECT_TRUE(b->existing);
  EXPECT_EQ(a->id, b->id);
  r.resource = "nope";
  EXPECT_EQ(sync_->dispatchSync(r).status().code(), ErrorCode::not_found);
  r.resource = "accounts";
  r.scope = "7";
  EXPECT_EQ(sync_->dispatchSync(r).status().code(), ErrorCode::invalid_argument) << "accounts are not scoped";
}

INSTANTIATE_TEST_SUITE_P(Drivers, SyncSim, ::testing::Values("sqlite", "postgres"), driverName);

}  // namespace
}  // namespace snapq::testing
