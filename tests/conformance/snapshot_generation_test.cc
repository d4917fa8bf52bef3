// A snapshot table's generation (SnapshotStore::generation), on every driver:
// it moves with every committed change of the table, in the change's own
// transaction, whichever store handle (process, node) made it; reads and
// rolled-back writes leave it alone. The HTTP page cache relies on this.
#include <thread>

#include "conformance/snapshot_fixture.h"

namespace snapq::testing {
namespace {

class SnapshotGeneration : public SnapshotTest {
 protected:
  int64_t generation(SnapshotStore& s) {
    auto g = s.generation(table_);
    EXPECT_TRUE(g.isOk()) << g.status().toString();
    return g.isOk() ? *g : -1;
  }
  int64_t generation() { return generation(snaps()); }

  // Expects `change` to move the generation and returns the new one.
  void expectMoves(const char* what, const std::function<void()>& change) {
    SCOPED_TRACE(what);
    int64_t before = generation();
    change();
    EXPECT_GT(generation(), before);
  }
};

TEST_P(SnapshotGeneration, MovesWithEveryKindOfCommittedChangeAndNotWithReads) {
  EXPECT_GT(generation(), 0) << "ensureTable counts as a change";
  expectMoves("sync insert", [&] { sync({remote("a", {{"ttl", 1}}), remote("b", {{"ttl", 2}})}); });
  expectMoves("sync update", [&] { sync({remote("a", {{"ttl", 3}})}); });
  expectMoves("sync delete", [&] { sync({}, {"b"}); });
  int64_t job = 0;
  expectMoves("markPending at dispatch", [&] {
    auto j = dispatch("a", RowStatus::pending_update);
    ASSERT_TRUE(j.isOk()) << j.status().toString();
    job = *j;
  });
  expectMoves("commitRow", [&] {
    ASSERT_TRUE(inTxn([&](Txn& t) { return snaps().commitRow(t, table_, remote("a", {{"ttl", 4}}), job, t0()); }));
  });
  expectMoves("failRow", [&] {
    ASSERT_TRUE(inTxn([&](Txn& t) {
      return snaps().failRow(t, table_, RowChange{"default", "", "a"}, job, RowStatus::failed, "no", t0());
    }));
  });
  expectMoves("releaseRow", [&] {
    ASSERT_TRUE(inTxn([&](Txn& t) { return snaps().releaseRow(t, table_, RowChange{"default", "", "a"}, job, t0()); }));
  });
  expectMoves("removeRow", [&] {
    ASSERT_TRUE(inTxn([&](Txn& t) { return snaps().removeRow(t, table_, RowChange{"default", "", "a"}); }));
  });
  expectMoves("touchTable", [&] { ASSERT_TRUE(inTxn([&](Txn& t) { return snaps().touchTable(t, table_); })); });
  expectMoves("ensureTable", [&] { ASSERT_TRUE(snaps().ensureTable(table_).isOk()); });

  int64_t before = generation();
  list(SnapshotQuery{});
  find("a");
  ASSERT_TRUE(snaps().countRows(table_).isOk());
  ASSERT_TRUE(snaps().rowStates(table_, "default", "").isOk());
  EXPECT_EQ(generation(), before) << "reads are no change";
}

TEST_P(SnapshotGeneration, AWriteThatRollsBackTakesItsMoveWithIt) {
  sync({remote("a", {{"ttl", 1}})});
  int64_t before = generation();
  Status s = inTxn([&](Txn& t) -> Status {
    if (Status w = snaps().removeRow(t, table_, RowChange{"default", "", "a"}); !w) return w;
    return Status::internal("the write failed after changing the row");
  });
  EXPECT_FALSE(s.isOk());
  EXPECT_TRUE(find("a").has_value());
  EXPECT_EQ(generation(), before);
}

TEST_P(SnapshotGeneration, EachTableHasItsOwn) {
  ResourceSpec other_spec = resource_;
  other_spec.name = "others";
  SnapshotTable other{"svc", &other_spec};
  ASSERT_TRUE(snaps().ensureTable(other).isOk());
  auto other_before = snaps().generation(other);
  ASSERT_TRUE(other_before.isOk());
  sync({remote("a", {{"ttl", 1}})});
  EXPECT_EQ(*snaps().generation(other), *other_before);
}

TEST_P(SnapshotGeneration, AChangeThroughAnotherStoreHandleMovesIt) {
  // Another handle on the same database stands for another process or node.
  auto other = openStore(url_);
  ASSERT_TRUE(other.isOk()) << other.status().toString();
  int64_t before = generation();
  SyncBatch b;
  b.now = t0();
  b.upserts.push_back(remote("z", {{"ttl", 7}}));
  ASSERT_TRUE((*other)->snapshots().applySync(table_, std::move(b)).isOk());
  EXPECT_GT(generation(), before);
  EXPECT_EQ(generation(), generation((*other)->snapshots()));
}

TEST_P(SnapshotGeneration, TwoHandlesWritingTwoTablesAtOnceNeverDeadlock) {
  // Transactions that change two tables in opposite orders: on PostgreSQL the
  // generation rows are locked at the commit, in name order, so none waits
  // for the other in a cycle.
  ResourceSpec second_spec = resource_;
  second_spec.name = "zz";
  SnapshotTable second{"svc", &second_spec};
  ASSERT_TRUE(snaps().ensureTable(second).isOk());
  auto other = openStore(url_);
  ASSERT_TRUE(other.isOk()) << other.status().toString();
  int64_t before = generation();
  auto both = [&](Store& store, const SnapshotTable& first, const SnapshotTable& then) {
    for (int i = 0; i < 20; ++i) {
      InsertJobsRequest r;
      r.now = t0();
      r.jobs.push_back(job("svc", "noop"));
      r.extra = [&](Txn& t, const std::vector<InsertedJob>&) -> Status {
        if (Status s = store.snapshots().touchTable(t, first); !s) return s;
        return store.snapshots().touchTable(t, then);
      };
      Status s = store.insertJobs(std::move(r)).status();
      EXPECT_TRUE(s.isOk()) << s.toString();
    }
  };
  std::thread a([&] { both(*store_, table_, second); });
  std::thread b([&] { both(**other, second, table_); });
  a.join();
  b.join();
  EXPECT_EQ(generation(), before + 40);
}

INSTANTIATE_TEST_SUITE_P(Drivers, SnapshotGeneration, allDrivers(), driverName);

}  // namespace
}  // namespace snapq::testing
