// Row changes made together with jobs, on every driver: the pending state of
// a dispatch, what a mutation's outcome does to its row, and manager
// operations whose hooks change rows in the same transaction.
#include "conformance/snapshot_fixture.h"

namespace snapq::testing {
namespace {

class SnapshotRows : public SnapshotTest {
 protected:
  int64_t jobCount() {
    JobFilter f;
    f.limit = 1000;
    auto page = store_->listJobs(f);
    EXPECT_TRUE(page.isOk()) << page.status().toString();
    return page.isOk() ? static_cast<int64_t>(page->jobs.size()) : -1;
  }
  RowChange at(const std::string& key) { return RowChange{"default", "", key}; }
  ManagerRequest manage(int64_t id, ManagerHook extra = {}) {
    ManagerRequest r;
    r.job_id = id;
    r.actor = Actor::user("ops");
    r.now = t0() + Duration(10000);
    r.extra = std::move(extra);
    return r;
  }
  // Claims the one queued job and completes it with `t`, running `extra` in the completion's transaction.
  void finish(int64_t id, Transition t, CompletionHook extra) {
    auto claimed = claim(1);
    ASSERT_EQ(ids(claimed), std::vector<int64_t>{id});
    JobCompletion c;
    c.job_id = id;
    c.worker_id = "w1";
    c.transition = t;
    c.error = t == Transition::fail ? "HTTP 422: rejected" : "";
    c.started_at = t0();
    c.finished_at = t0() + Duration(20);
    c.extra = std::move(extra);
    auto r = store_->completeJobsAndWait({c});
    ASSERT_TRUE(r.isOk()) << r.status().toString();
    ASSERT_TRUE(r->front());
  }
};

TEST_P(SnapshotRows, MarkPendingGuardsTheRowByItsStatusAndOwner) {
  auto missing = dispatch("missing", RowStatus::pending_update);
  EXPECT_EQ(missing.status().code(), ErrorCode::not_found) << missing.status().toString();
  EXPECT_EQ(jobCount(), 0);  // the hook's failure rolled the job insert back

  sync({remote("a", {{"ttl", 1}})});
  auto j1 = dispatch("a", RowStatus::pending_update, R"({"ttl":2})");
  ASSERT_TRUE(j1.isOk()) << j1.status().toString();
  auto a = find("a");
  EXPECT_EQ(a->sync_status, RowStatus::pending_update);
  EXPECT_EQ(a->pending_job_id, *j1);
  EXPECT_EQ(a->pending_data, R"({"ttl":2})");
  EXPECT_EQ(a->fields["ttl"], 1);

  auto other = dispatch("a", RowStatus::pending_delete);
  EXPECT_EQ(other.status().code(), ErrorCode::invalid_state);
  EXPECT_NE(other.status().message().find(std::to_string(*j1)), std::string::npos) << other.status().message();
  EXPECT_EQ(jobCount(), 1);

  // The same job may mark it again (a manager's retry does).
  EXPECT_TRUE(inTxn([&](Txn& t) {
                return snaps().markPending(t, table_, at("a"), RowStatus::pending_update, *j1, R"({"ttl":3})", t0());
              }).isOk());
  EXPECT_EQ(find("a")->pending_data, R"({"ttl":3})");

  // A failed row may take a new mutation.
  ASSERT_TRUE(inTxn([&](Txn& t) {
                return snaps().failRow(t, table_, at("a"), *j1, RowStatus::failed, "HTTP 422", t0());
              }).isOk());
  auto j3 = dispatch("a", RowStatus::pending_delete);
  ASSERT_TRUE(j3.isOk()) << j3.status().toString();
  a = find("a");
  EXPECT_EQ(a->sync_status, RowStatus::pending_delete);
  EXPECT_EQ(a->pending_job_id, *j3);
  EXPECT_EQ(a->sync_error, "");

  EXPECT_EQ(
      inTxn([&](Txn& t) { return snaps().markPending(t, table_, at("a"), RowStatus::synced, *j3, "", t0()); }).code(),
      ErrorCode::invalid_argument);
}

TEST_P(SnapshotRows, ACreateWithAKnownKeyInsertsAPendingCreateRowUnlessTheKeyIsTaken) {
  sync({remote("taken", {})});
  auto j = dispatch("new", RowStatus::pending_create, R"({"name":"n"})");
  ASSERT_TRUE(j.isOk()) << j.status().toString();
  auto row = find("new");
  ASSERT_TRUE(row);
  EXPECT_EQ(row->sync_status, RowStatus::pending_create);
  EXPECT_EQ(row->pending_job_id, *j);
  EXPECT_EQ(row->pending_data, R"({"name":"n"})");
  EXPECT_TRUE(row->fields["name"].is_null());
  EXPECT_FALSE(row->last_synced_at);

  EXPECT_EQ(dispatch("new", RowStatus::pending_create).status().code(), ErrorCode::already_exists);
  EXPECT_EQ(dispatch("taken", RowStatus::pending_create).status().code(), ErrorCode::already_exists);
  EXPECT_EQ(jobCount(), 1);
  EXPECT_TRUE(inTxn([&](Txn& t) {
                return snaps().markPending(t, table_, at("new"), RowStatus::pending_create, *j, "{}", t0());
              }).isOk());
}

TEST_P(SnapshotRows, ASucceededMutationCommitsTheRemoteStateWithTheJob) {
  sync({remote("a", {{"ttl", 1}})});
  auto j = dispatch("a", RowStatus::pending_update, R"({"ttl":2})");
  ASSERT_TRUE(j.isOk());
  SnapshotRow after = remote("a", {{"ttl", 2}});
  TimePoint now = t0() + Duration(3000);
  finish(*j, Transition::succeed, [&](Txn& t) { return snaps().commitRow(t, table_, after, *j, now); });
  EXPECT_EQ(get(*j).status, JobStatus::success);
  auto a = find("a");
  EXPECT_EQ(a->sync_status, RowStatus::synced);
  EXPECT_EQ(a->fields["ttl"], 2);
  EXPECT_EQ(a->content_hash, after.content_hash);
  EXPECT_EQ(a->pending_job_id, 0);
  EXPECT_EQ(a->pending_data, "");
  EXPECT_EQ(a->last_synced_at, now);
  EXPECT_EQ(a->created_at, t0());
}

TEST_P(SnapshotRows, AFailingCompletionHookUndoesTheRowChangeWithTheCompletion) {
  sync({remote("a", {{"ttl", 1}})});
  auto j = dispatch("a", RowStatus::pending_update);
  ASSERT_TRUE(j.isOk());
  ASSERT_EQ(claim(1).size(), 1u);
  JobCompletion c;
  c.job_id = *j;
  c.worker_id = "w1";
  c.transition = Transition::succeed;
  c.started_at = t0();
  c.finished_at = t0();
  c.extra = [&](Txn& t) -> Status {
    if (Status s = snaps().commitRow(t, table_, remote("a", {{"ttl", 9}}), *j, t0()); !s) return s;
    return Status::internal("the hook failed after writing");
  };
  auto r = store_->completeJobsAndWait({c});
  ASSERT_TRUE(r.isOk());
  EXPECT_FALSE(r->front());
  EXPECT_EQ(find("a")->fields["ttl"], 1);
  EXPECT_EQ(find("a")->sync_status, RowStatus::pending_update);
}

TEST_P(SnapshotRows, CommitRowLeavesARowOfAnotherJobPendingAndRecordsTheRemoteHash) {
  sync({remote("a", {{"ttl", 1}})});
  auto j = dispatch("a", RowStatus::pending_update);
  ASSERT_TRUE(j.isOk());
  SnapshotRow remote_now = remote("a", {{"ttl", 7}});
  ASSERT_TRUE(inTxn([&](Txn& t) { return snaps().commitRow(t, table_, remote_now, *j + 100, t0()); }).isOk());
  auto a = find("a");
  EXPECT_EQ(a->sync_status, RowStatus::pending_update);
  EXPECT_EQ(a->pending_job_id, *j);
  EXPECT_EQ(a->fields["ttl"], 1);
  EXPECT_EQ(rawColumn("_remote_hash", "a"), remote_now.content_hash);
}

TEST_P(SnapshotRows, ACreateWhoseKeyTheServiceChoseReplacesItsPendingRow) {
  auto j = dispatch("tmp-1", RowStatus::pending_create);
  ASSERT_TRUE(j.isOk());
  ASSERT_TRUE(inTxn([&](Txn& t) {
                return snaps().commitRow(t, table_, remote("srv-42", {{"ttl", 1}}), *j, t0());
              }).isOk());
  EXPECT_FALSE(find("tmp-1"));
  auto created = find("srv-42");
  ASSERT_TRUE(created);
  EXPECT_EQ(created->sync_status, RowStatus::synced);
  // A create whose key was unknown at dispatch has no pending row: the commit just inserts.
  ASSERT_TRUE(inTxn([&](Txn& t) { return snaps().commitRow(t, table_, remote("srv-43", {}), 12345, t0()); }).isOk());
  EXPECT_TRUE(find("srv-43"));
  EXPECT_EQ(snaps().countRows(table_)->total, 2);
}

TEST_P(SnapshotRows, RemoveRowDeletesTheRow) {
  sync({remote("a", {}), remote("b", {})});
  ASSERT_TRUE(inTxn([&](Txn& t) { return snaps().removeRow(t, table_, at("a")); }).isOk());
  ASSERT_TRUE(inTxn([&](Txn& t) { return snaps().removeRow(t, table_, at("never")); }).isOk());
  EXPECT_FALSE(find("a"));
  EXPECT_TRUE(find("b"));
}

TEST_P(SnapshotRows, FailRowMarksOnlyRowsTheJobOwnsAndDropsItsPendingCreate) {
  sync({remote("a", {{"ttl", 1}}), remote("b", {{"ttl", 2}})});
  auto ja = dispatch("a", RowStatus::pending_update);
  auto jb = dispatch("b", RowStatus::pending_update);
  auto jc = dispatch("c", RowStatus::pending_create);
  ASSERT_TRUE(ja.isOk() && jb.isOk() && jc.isOk());
  TimePoint now = t0() + Duration(700);
  ASSERT_TRUE(inTxn([&](Txn& t) {
                if (Status s = snaps().failRow(t, table_, at("a"), *ja, RowStatus::conflict, "remote changed", now); !s)
                  return s;
                if (Status s = snaps().failRow(t, table_, at("b"), *ja, RowStatus::failed, "not mine", now); !s)
                  return s;
                return snaps().failRow(t, table_, at("c"), *jc, RowStatus::failed, "HTTP 409", now);
              }).isOk());
  auto a = find("a");
  EXPECT_EQ(a->sync_status, RowStatus::conflict);
  EXPECT_EQ(a->sync_error, "remote changed");
  EXPECT_EQ(a->fields["ttl"], 1);
  EXPECT_EQ(a->pending_job_id, *ja);  // still shows which change did not happen
  EXPECT_EQ(a->updated_at, now);
  auto b = find("b");
  EXPECT_EQ(b->sync_status, RowStatus::pending_update);
  EXPECT_EQ(b->sync_error, "");
  EXPECT_FALSE(find("c"));
  EXPECT_EQ(inTxn([&](Txn& t) {
              return snaps().failRow(t, table_, at("b"), *jb, RowStatus::pending_update, "x", now);
            }).code(),
            ErrorCode::invalid_argument);
}

TEST_P(SnapshotRows, ReleaseRowReturnsTheJobsRowToSyncedAndDropsItsPendingCreate) {
  sync({remote("a", {}), remote("b", {})});
  auto ja = dispatch("a", RowStatus::pending_delete);
  auto jb = dispatch("b", RowStatus::pending_update);
  auto jc = dispatch("c", RowStatus::pending_create);
  ASSERT_TRUE(ja.isOk() && jb.isOk() && jc.isOk());
  ASSERT_TRUE(inTxn([&](Txn& t) {
                if (Status s = snaps().releaseRow(t, table_, at("a"), *ja, t0()); !s) return s;
                if (Status s = snaps().releaseRow(t, table_, at("b"), *ja, t0()); !s) return s;  // not its row
                return snaps().releaseRow(t, table_, at("c"), *jc, t0());
              }).isOk());
  auto a = find("a");
  EXPECT_EQ(a->sync_status, RowStatus::synced);
  EXPECT_EQ(a->pending_job_id, 0);
  EXPECT_EQ(a->pending_data, "");
  EXPECT_EQ(find("b")->sync_status, RowStatus::pending_update);
  EXPECT_FALSE(find("c"));
}

TEST_P(SnapshotRows, CancelRunsTheManagerHookInItsTransaction) {
  sync({remote("a", {})});
  auto j = dispatch("a", RowStatus::pending_update);
  ASSERT_TRUE(j.isOk());
  auto refused = store_->cancelJob(manage(*j, [](Txn&, const Job&) { return Status::invalidState("hook says no"); }));
  EXPECT_EQ(refused.status().toString(), "invalid_state: hook says no");
  EXPECT_EQ(get(*j).status, JobStatus::queued);
  EXPECT_EQ(find("a")->sync_status, RowStatus::pending_update);

  JobStatus seen = JobStatus::queued;
  auto cancelled = store_->cancelJob(manage(*j, [&](Txn& t, const Job& job) {
    seen = job.status;
    return snaps().releaseRow(t, table_, at("a"), job.id, t0());
  }));
  ASSERT_TRUE(cancelled.isOk()) << cancelled.status().toString();
  EXPECT_EQ(seen, JobStatus::cancelled);  // the job as it is afterwards
  EXPECT_EQ(get(*j).status, JobStatus::cancelled);
  EXPECT_EQ(find("a")->sync_status, RowStatus::synced);
}

TEST_P(SnapshotRows, RetryRunsTheManagerHookAndAFailingHookLeavesTheJobFailed) {
  sync({remote("a", {})});
  auto j = dispatch("a", RowStatus::pending_update);
  ASSERT_TRUE(j.isOk());
  finish(*j, Transition::fail, [&](Txn& t) {
    return snaps().failRow(t, table_, at("a"), *j, RowStatus::failed, "HTTP 422: rejected", t0());
  });
  EXPECT_EQ(find("a")->sync_status, RowStatus::failed);
  size_t events = store_->jobEvents(*j)->size();

  auto refused = store_->retryJob(manage(*j, [&](Txn& t, const Job& job) -> Status {
    if (Status s = snaps().markPending(t, table_, at("a"), RowStatus::pending_update, job.id, "{}", t0()); !s) return s;
    return Status::unavailable("hook failed after writing");
  }));
  EXPECT_EQ(refused.status().code(), ErrorCode::unavailable);
  EXPECT_EQ(get(*j).status, JobStatus::failed);
  EXPECT_EQ(store_->jobEvents(*j)->size(), events);
  EXPECT_EQ(find("a")->sync_status, RowStatus::failed);

  auto retried = store_->retryJob(manage(*j, [&](Txn& t, const Job& job) {
    EXPECT_EQ(job.status, JobStatus::queued);
    return snaps().markPending(t, table_, at("a"), RowStatus::pending_update, job.id, "{}", t0());
  }));
  ASSERT_TRUE(retried.isOk()) << retried.status().toString();
  EXPECT_EQ(get(*j).status, JobStatus::queued);
  auto a = find("a");
  EXPECT_EQ(a->sync_status, RowStatus::pending_update);
  EXPECT_EQ(a->pending_job_id, *j);
  EXPECT_EQ(a->sync_error, "");
}

TEST_P(SnapshotRows, DeleteRunsTheManagerHookWithTheJobAsItWas) {
  sync({remote("a", {})});
  auto j = dispatch("a", RowStatus::pending_update);
  ASSERT_TRUE(j.isOk());
  Status refused = store_->deleteJob(manage(*j, [](Txn&, const Job&) { return Status::internal("no"); }));
  EXPECT_EQ(refused.code(), ErrorCode::internal);
  EXPECT_TRUE(store_->getJob(*j).isOk());
  EXPECT_EQ(find("a")->sync_status, RowStatus::pending_update);

  JobStatus seen = JobStatus::success;
  Status deleted = store_->deleteJob(manage(*j, [&](Txn& t, const Job& job) {
    seen = job.status;
    return snaps().releaseRow(t, table_, at("a"), job.id, t0());
  }));
  ASSERT_TRUE(deleted.isOk()) << deleted.toString();
  EXPECT_EQ(seen, JobStatus::queued);
  EXPECT_EQ(store_->getJob(*j).status().code(), ErrorCode::not_found);
  EXPECT_EQ(find("a")->sync_status, RowStatus::synced);
}

INSTANTIATE_TEST_SUITE_P(Drivers, SnapshotRows, allDrivers(), driverName);

}  // namespace
}  // namespace snapq::testing
