// Snapshot tables every driver must share: the table contract, its evolution,
// typed values, sync batches, findRow and countRows.
#include <thread>

#include "conformance/snapshot_fixture.h"

namespace snapq::testing {
namespace {

using SnapshotTables = SnapshotTest;

TEST_P(SnapshotTables, EnsureTableCreatesTheContractColumnsAndIsIdempotent) {
  std::set<std::string> expected = {"instance",     "scope",
                                    "key",          "id",
                                    "name",         "ttl",
                                    "weight",       "enabled",
                                    "meta",         "user",
                                    "order",        "doc",
                                    "content_hash", "sync_status",
                                    "sync_error",   "pending_job_id",
                                    "pending_data", "last_synced_at",
                                    "updated_at",   "created_at",
                                    "_remote_hash"};
  EXPECT_EQ(columnNames(), expected);  // no column for the write-only password
  sync({remote("a", {{"name", "alpha"}})});
  ASSERT_TRUE(snaps().ensureTable(table_).isOk());
  ASSERT_TRUE(snaps().ensureTable(table_).isOk());
  EXPECT_EQ(columnNames(), expected);
  EXPECT_TRUE(find("a").has_value());
  // The status column only takes the six row statuses.
  EXPECT_FALSE(
      rawExec(url_,
              "INSERT INTO snap_svc_records (instance, scope, key, doc, content_hash, sync_status, updated_at, "
              "created_at) VALUES ('default', '', 'x', '{}', 'h', 'bogus', '2025-01-01T00:00:00.000Z', "
              "'2025-01-01T00:00:00.000Z')")
          .isOk());
}

TEST_P(SnapshotTables, EveryFieldTypeRoundTripsIncludingKeywordNamesAndNulls) {
  nlohmann::json fields = {
      {"name", "Zoë \"quoted\" 'single'"},        {"ttl", 300},      {"weight", 0.125}, {"enabled", true},
      {"meta", {{"tags", {"a", "b"}}, {"n", 1}}}, {"user", "alice"}, {"order", -7}};
  sync({remote("k1", fields), remote("k2", {{"enabled", false}, {"meta", "just text"}})});
  auto a = find("k1");
  ASSERT_TRUE(a);
  for (const auto& [name, value] : fields.items()) EXPECT_EQ(a->fields[name], value) << name;
  EXPECT_FALSE(a->fields.contains("password"));
  EXPECT_EQ(a->sync_status, RowStatus::synced);
  EXPECT_EQ(nlohmann::json::parse(a->doc)["ttl"], 300);
  EXPECT_EQ(a->content_hash, remote("k1", fields).content_hash);
  EXPECT_EQ(a->last_synced_at, t0());
  EXPECT_EQ(a->created_at, t0());
  auto b = find("k2");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->fields["enabled"], false);
  EXPECT_EQ(b->fields["meta"], "just text");  // a json field keeps a JSON string a string
  EXPECT_TRUE(b->fields["ttl"].is_null());
  EXPECT_TRUE(b->fields["name"].is_null());
  // An integer written as 5.0 by a service is still the integer 5.
  sync({remote("k3", {{"ttl", 5.0}})});
  EXPECT_EQ(find("k3")->fields["ttl"], 5);
}

TEST_P(SnapshotTables, AFieldOfTheWrongTypeIsRefusedAndNothingIsWritten) {
  SyncBatch b;
  b.now = t0();
  b.upserts = {remote("ok", {{"ttl", 1}}), remote("bad", {{"ttl", "three hundred"}})};
  auto r = snaps().applySync(table_, b);
  ASSERT_FALSE(r.isOk());
  EXPECT_EQ(r.status().code(), ErrorCode::invalid_argument);
  EXPECT_NE(r.status().message().find("ttl"), std::string::npos);
  EXPECT_FALSE(find("ok"));
}

TEST_P(SnapshotTables, AFieldAddedLaterGetsAColumnExistingRowsStayAndItIsFilterable) {
  sync({remote("a", {{"name", "alpha"}}), remote("b", {{"name", "beta"}})});
  resource_.fields.push_back(field("zone", FieldType::string, true));
  ASSERT_TRUE(snaps().ensureTable(table_).isOk());
  EXPECT_TRUE(columnNames().count("zone"));
  auto a = find("a");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->fields["name"], "alpha");
  EXPECT_TRUE(a->fields["zone"].is_null());
  sync({remote("b", {{"name", "beta"}, {"zone", "example.test"}})}, {}, t0() + Duration(1000));
  SnapshotQuery q;
  q.equals["zone"] = "example.test";
  EXPECT_EQ(keys(list(q).rows), std::vector<std::string>{"b"});
  // Removing the field from the spec leaves its column (and data) in place.
  resource_.fields.pop_back();
  ASSERT_TRUE(snaps().ensureTable(table_).isOk());
  EXPECT_TRUE(columnNames().count("zone"));
  EXPECT_EQ(find("b")->fields.count("zone"), 0u);
}

TEST_P(SnapshotTables, NodesCreatingAndExtendingTheSameTableAtOnceAllSucceed) {
  // Two stores on one database stand for two nodes starting with the same config.
  auto other = openStore(url_);
  ASSERT_TRUE(other.isOk()) << other.status().toString();
  for (int round = 0; round < 5; ++round) {
    ResourceSpec spec = resource_;
    spec.name = "race" + std::to_string(round);
    spec.fields.push_back(field("extra", FieldType::integer, true));
    SnapshotTable t{"svc", &spec};
    Status first, second;
    std::thread a([&] { first = snaps().ensureTable(t); });
    std::thread b([&] { second = (*other)->snapshots().ensureTable(t); });
    a.join();
    b.join();
    EXPECT_TRUE(first.isOk()) << first.toString();
    EXPECT_TRUE(second.isOk()) << second.toString();
    EXPECT_TRUE(columnNames("snap_svc_" + spec.name).count("extra"));
  }
}

TEST_P(SnapshotTables, AFieldWhoseTypeChangedIsRefusedByEnsureTable) {
  resource_.fields[2].type = FieldType::string;  // ttl: integer -> string
  Status s = snaps().ensureTable(table_);
  EXPECT_EQ(s.code(), ErrorCode::invalid_state) << s.toString();
  EXPECT_NE(s.message().find("ttl"), std::string::npos);
}

TEST_P(SnapshotTables, ApplySyncInsertsNewRowsRewritesChangedOnesAndCountsThem) {
  SyncBatchResult first = sync({remote("a", {{"ttl", 1}}), remote("b", {{"ttl", 2}}), remote("c", {{"ttl", 3}})});
  EXPECT_EQ(first.inserted, 3);
  EXPECT_EQ(first.updated, 0);
  TimePoint later = t0() + Duration(60000);
  SyncBatchResult second = sync({remote("b", {{"ttl", 20}}), remote("d", {{"ttl", 4}})}, {}, later);
  EXPECT_EQ(second.inserted, 1);
  EXPECT_EQ(second.updated, 1);
  EXPECT_EQ(second.deleted, 0);
  EXPECT_EQ(second.kept_pending, 0);
  auto b = find("b");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->fields["ttl"], 20);
  EXPECT_EQ(b->last_synced_at, later);
  EXPECT_EQ(b->updated_at, later);
  EXPECT_EQ(b->created_at, t0());
  EXPECT_EQ(find("a")->last_synced_at, t0());  // not in the batch: untouched
}

TEST_P(SnapshotTables, ARepeatedKeyInOneBatchCountsOnceAndTheLastOneWins) {
  SyncBatchResult r = sync({remote("a", {{"ttl", 1}}), remote("a", {{"ttl", 2}})});
  EXPECT_EQ(r.inserted, 1);
  EXPECT_EQ(find("a")->fields["ttl"], 2);
}

TEST_P(SnapshotTables, APendingRowIsNeitherOverwrittenNorDeletedButRecordsTheRemoteHash) {
  sync({remote("a", {{"ttl", 1}}), remote("b", {{"ttl", 2}})});
  ASSERT_TRUE(dispatch("a", RowStatus::pending_update).isOk());
  ASSERT_TRUE(dispatch("b", RowStatus::pending_delete).isOk());
  SnapshotRow changed = remote("a", {{"ttl", 100}});
  SyncBatchResult r = sync({changed}, {"b"}, t0() + Duration(1000));
  EXPECT_EQ(r.updated, 0);
  EXPECT_EQ(r.deleted, 0);
  EXPECT_EQ(r.kept_pending, 2);
  auto a = find("a");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->fields["ttl"], 1);
  EXPECT_EQ(a->sync_status, RowStatus::pending_update);
  EXPECT_EQ(a->last_synced_at, t0());
  EXPECT_EQ(rawColumn("_remote_hash", "a"), changed.content_hash);
  auto b = find("b");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->sync_status, RowStatus::pending_delete);
}

TEST_P(SnapshotTables, FailedAndConflictRowsTakeTheRemoteContentButKeepStatusAndError) {
  sync({remote("a", {{"ttl", 1}}), remote("b", {{"ttl", 2}})});
  auto ja = dispatch("a", RowStatus::pending_update);
  auto jb = dispatch("b", RowStatus::pending_update);
  ASSERT_TRUE(ja.isOk() && jb.isOk());
  ASSERT_TRUE(
      inTxn([&](Txn& t) {
        return snaps().failRow(t, table_, {"default", "", "a"}, *ja, RowStatus::failed, "HTTP 422: bad ttl", t0());
      }).isOk());
  ASSERT_TRUE(
      inTxn([&](Txn& t) {
        return snaps().failRow(t, table_, {"default", "", "b"}, *jb, RowStatus::conflict, "remote changed", t0());
      }).isOk());
  SyncBatchResult r = sync({remote("a", {{"ttl", 10}}), remote("b", {{"ttl", 20}})}, {}, t0() + Duration(1000));
  EXPECT_EQ(r.updated, 2);
  EXPECT_EQ(r.kept_pending, 0);
  auto a = find("a");
  EXPECT_EQ(a->fields["ttl"], 10);
  EXPECT_EQ(a->sync_status, RowStatus::failed);
  EXPECT_EQ(a->sync_error, "HTTP 422: bad ttl");
  EXPECT_EQ(a->last_synced_at, t0() + Duration(1000));
  auto b = find("b");
  EXPECT_EQ(b->fields["ttl"], 20);
  EXPECT_EQ(b->sync_status, RowStatus::conflict);
  EXPECT_EQ(b->sync_error, "remote changed");
}

TEST_P(SnapshotTables, DeletesRemoveRowsNotOwnedByAMutationOnly) {
  sync({remote("gone", {}), remote("failed", {}), remote("kept", {})});
  auto jf = dispatch("failed", RowStatus::pending_update);
  ASSERT_TRUE(jf.isOk());
  ASSERT_TRUE(inTxn([&](Txn& t) {
                return snaps().failRow(t, table_, {"default", "", "failed"}, *jf, RowStatus::failed, "x", t0());
              }).isOk());
  ASSERT_TRUE(dispatch("kept", RowStatus::pending_update).isOk());
  ASSERT_TRUE(dispatch("new", RowStatus::pending_create).isOk());
  SyncBatchResult r = sync({}, {"gone", "failed", "kept", "new", "never-existed"});
  EXPECT_EQ(r.deleted, 2);
  EXPECT_EQ(r.kept_pending, 2);
  EXPECT_FALSE(find("gone"));
  EXPECT_FALSE(find("failed"));
  EXPECT_TRUE(find("kept"));
  EXPECT_TRUE(find("new"));
}

TEST_P(SnapshotTables, InstancesAndScopesAreSeparateAndFindRowWithoutScopeTakesTheFirstScope) {
  sync({remote("www", {{"ttl", 1}}, "default", "zone-b")}, {}, t0(), "default", "zone-b");
  sync({remote("www", {{"ttl", 2}}, "default", "zone-a")}, {}, t0(), "default", "zone-a");
  sync({remote("www", {{"ttl", 3}}, "eu", "zone-a")}, {}, t0(), "eu", "zone-a");
  EXPECT_EQ(find("www", std::string("zone-b"))->fields["ttl"], 1);
  EXPECT_EQ(find("www", std::nullopt)->fields["ttl"], 2);
  EXPECT_EQ(find("www", std::nullopt)->scope, "zone-a");
  EXPECT_EQ(find("www", std::nullopt, "eu")->fields["ttl"], 3);
  EXPECT_FALSE(find("www", std::string("")));
  EXPECT_FALSE(find("www", std::nullopt, "us"));

  auto states = snaps().rowStates(table_, "default", "zone-a");
  ASSERT_TRUE(states.isOk());
  ASSERT_EQ(states->size(), 1u);
  EXPECT_EQ(states->at("www").content_hash, find("www", std::string("zone-a"))->content_hash);
  EXPECT_EQ(states->at("www").status, RowStatus::synced);
  // A delete in one scope leaves the same key in another alone.
  SyncBatchResult r = sync({}, {"www"}, t0(), "default", "zone-b");
  EXPECT_EQ(r.deleted, 1);
  EXPECT_TRUE(find("www", std::string("zone-a")));
}

TEST_P(SnapshotTables, RowStatesAndCountsReportEveryStatus) {
  sync({remote("a", {}), remote("b", {}), remote("c", {})});
  ASSERT_TRUE(dispatch("b", RowStatus::pending_update).isOk());
  ASSERT_TRUE(dispatch("n", RowStatus::pending_create).isOk());
  auto states = snaps().rowStates(table_, "default", "");
  ASSERT_TRUE(states.isOk());
  EXPECT_EQ(states->size(), 4u);
  EXPECT_EQ(states->at("b").status, RowStatus::pending_update);
  EXPECT_EQ(states->at("n").status, RowStatus::pending_create);
  auto counts = snaps().countRows(table_);
  ASSERT_TRUE(counts.isOk());
  EXPECT_EQ(counts->total, 4);
  std::map<RowStatus, int64_t> expected = {
      {RowStatus::synced, 2}, {RowStatus::pending_update, 1}, {RowStatus::pending_create, 1}};
  EXPECT_EQ(counts->by_status, expected);
}

TEST_P(SnapshotTables, ATableNameOrResourceThatIsNotAnIdentifierIsRefused) {
  ResourceSpec bad = resource_;
  bad.name = "records; DROP TABLE sync_jobs";
  EXPECT_EQ(snaps().ensureTable(SnapshotTable{"svc", &bad}).code(), ErrorCode::invalid_argument);
  EXPECT_EQ(snaps().ensureTable(SnapshotTable{"svc", nullptr}).code(), ErrorCode::invalid_argument);
}

INSTANTIATE_TEST_SUITE_P(Drivers, SnapshotTables, allDrivers(), driverName);

}  // namespace
}  // namespace snapq::testing
