// The audit side every driver must share: manager actions with their guards,
// history, listing with filters and keyset pages, pruning, migrations.
#include "conformance/store_fixture.h"

namespace snapq::testing {
namespace {

using StoreAudit = StoreTest;

ManagerRequest by(int64_t id, bool override_conflict = false) {
  return {id, Actor::user("alice"), t0() + Duration(1000), override_conflict, "127.0.0.1", {}};
}

TEST_P(StoreAudit, MigrateIsIdempotentAndReportsTheLatestVersion) {
  EXPECT_TRUE(store_->migrate().isOk());
  auto v = store_->schemaVersion();
  ASSERT_TRUE(v.isOk());
  EXPECT_EQ(*v, store_->latestSchemaVersion());
}

TEST_P(StoreAudit, RetryRequeuesAFailedJobWithAttemptsResetAndHistory) {
  int64_t id = insert(job());
  ASSERT_EQ(claim(1).size(), 1u);
  ASSERT_TRUE(complete(id, Transition::fail));
  auto retried = store_->retryJob(by(id));
  ASSERT_TRUE(retried.isOk()) << retried.status().toString();
  EXPECT_EQ(retried->status, JobStatus::queued);
  EXPECT_EQ(retried->attempts, 0);
  EXPECT_TRUE(retried->error.empty());
  EXPECT_FALSE(retried->finished_at);
  auto events = store_->jobEvents(id);
  ASSERT_TRUE(events.isOk());
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ(events->back().type, "retried");
  EXPECT_EQ(events->back().actor, Actor::user("alice"));
  EXPECT_NE(events->back().message.find("attempt 1 failed: boom"), std::string::npos);
  EXPECT_EQ(ids(claim(1, t0() + Duration(1000))), std::vector<int64_t>{id}) << "it really runs again";
}

TEST_P(StoreAudit, RetryOfAConflictWithOverrideMarksTheJob) {
  int64_t id = insert(job());
  ASSERT_EQ(claim(1).size(), 1u);
  ASSERT_TRUE(complete(id, Transition::conflict));
  auto retried = store_->retryJob(by(id, true));
  ASSERT_TRUE(retried.isOk());
  EXPECT_TRUE(retried->override_conflict);
}

TEST_P(StoreAudit, OnlyAConflictCanBeAppliedAnyway) {
  int64_t id = insert(job());
  ASSERT_EQ(claim(1).size(), 1u);
  ASSERT_TRUE(complete(id, Transition::fail));
  auto refused = store_->retryJob(by(id, true));
  EXPECT_EQ(refused.status().code(), ErrorCode::invalid_state);
  EXPECT_EQ(refused.status().message(), "job 1 is failed; only conflict jobs can be applied anyway");
  EXPECT_EQ(get(id).status, JobStatus::failed);
}

TEST_P(StoreAudit, ManagerActionsRefuseStatesTheLifecycleForbids) {
  int64_t queued = insert(job());
  int64_t running = insert(job());
  auto r = store_->retryJob(by(queued));
  EXPECT_EQ(r.status().code(), ErrorCode::invalid_state);
  EXPECT_EQ(r.status().message(), "job 1 is queued; only failed or conflict jobs can be retried");
  ASSERT_EQ(claim(1).size(), 1u);  // takes `queued` (older)
  EXPECT_EQ(store_->cancelJob(by(queued)).status().code(), ErrorCode::invalid_state);
  EXPECT_EQ(store_->deleteJob(by(queued)).code(), ErrorCode::invalid_state) << "running jobs cannot be deleted";
  EXPECT_EQ(store_->retryJob(by(999)).status().code(), ErrorCode::not_found);
  EXPECT_EQ(store_->deleteJob(by(999)).code(), ErrorCode::not_found);

  auto cancelled = store_->cancelJob(by(running));
  ASSERT_TRUE(cancelled.isOk());
  EXPECT_EQ(cancelled->status, JobStatus::cancelled);
  EXPECT_EQ(cancelled->error, "cancelled by alice");
  EXPECT_EQ(store_->cancelJob(by(running)).status().code(), ErrorCode::invalid_state);
  EXPECT_TRUE(store_->deleteJob(by(running)).isOk());
  EXPECT_EQ(store_->getJob(running).status().code(), ErrorCode::not_found);
}

TEST_P(StoreAudit, AdminActionsAreRecordedAndAppendOnly) {
  int64_t id = insert(job());
  ASSERT_TRUE(store_->cancelJob(by(id)).isOk());
  ASSERT_TRUE(store_->deleteJob(by(id)).isOk());
  auto rows = rawQuery(url_, "SELECT action, actor_name, target_id, address FROM admin_actions ORDER BY id");
  ASSERT_TRUE(rows.isOk()) << rows.status().toString();
  std::vector<std::string> seen;
  for (const auto& row : *rows) seen.push_back(row[0] + " " + row[1] + " " + row[2]);
  EXPECT_EQ(seen, (std::vector<std::string>{"job.cancel alice 1", "job.delete alice 1"}));
  EXPECT_FALSE(rawExec(url_, "DELETE FROM admin_actions").isOk());
  EXPECT_FALSE(rawExec(url_, "UPDATE admin_actions SET actor_name = 'mallory'").isOk());
  EXPECT_EQ(rawQuery(url_, "SELECT count(*) FROM admin_actions")->at(0).at(0), "2");
}

TEST_P(StoreAudit, ListIsNewestFirstWithKeysetPagesAndCountsIgnoringTheStatusFilter) {
  std::vector<int64_t> all;
  for (int i = 0; i < 7; ++i) all.push_back(insert(job(i % 2 ? "dns" : "mail")));
  ASSERT_EQ(claim(1).size(), 1u);
  ASSERT_TRUE(complete(all[0], Transition::fail));

  JobFilter f;
  f.limit = 3;
  auto p1 = store_->listJobs(f);
  ASSERT_TRUE(p1.isOk());
  EXPECT_EQ(ids(p1->jobs), (std::vector<int64_t>{all[6], all[5], all[4]}));
  ASSERT_TRUE(p1->next_before_id);
  f.before_id = p1->next_before_id;
  auto p2 = store_->listJobs(f);
  EXPECT_EQ(ids(p2->jobs), (std::vector<int64_t>{all[3], all[2], all[1]}));
  f.before_id = p2->next_before_id;
  auto p3 = store_->listJobs(f);
  EXPECT_EQ(ids(p3->jobs), std::vector<int64_t>{all[0]});
  EXPECT_FALSE(p3->next_before_id);

  JobFilter failed_mail;
  failed_mail.services = {"mail"};
  failed_mail.statuses = {JobStatus::failed};
  auto page = store_->listJobs(failed_mail);
  ASSERT_TRUE(page.isOk());
  EXPECT_EQ(ids(page->jobs), std::vector<int64_t>{all[0]});
  EXPECT_EQ(page->status_counts[JobStatus::failed], 1);
  EXPECT_EQ(page->status_counts[JobStatus::queued], 3) << "counts ignore the status filter";
  EXPECT_EQ(page->status_counts[JobStatus::success], 0);
}

TEST_P(StoreAudit, ListFiltersByTargetActorTriggerTimeAndSearchText) {
  NewJob a = job("dns", "update_record");
  a.target_type = "record";
  a.target_id = "www.example.com";
  a.actor = Actor::user("bob");
  a.trigger_source = TriggerSource::api;
  int64_t ia = insert(a, t0());
  NewJob b = job("dns", "sync");
  b.actor = Actor::system();
  b.trigger_source = TriggerSource::scheduled;
  int64_t ib = insert(b, t0() + Duration(3600000));
  NewJob c = job("mail", "create");
  c.target_id = "50%_off'; DROP TABLE sync_jobs; --";
  c.actor = Actor::user("carol");
  c.idempotency_key = "req-7";
  int64_t ic = insert(c, t0() + Duration(7200000));

  auto list = [&](JobFilter f) {
    auto p = store_->listJobs(f);
    EXPECT_TRUE(p.isOk()) << p.status().toString();
    return p.isOk() ? ids(p->jobs) : std::vector<int64_t>{};
  };
  JobFilter f;
  f.target_type = "record";
  f.target_id = "www.example.com";
  EXPECT_EQ(list(f), std::vector<int64_t>{ia});
  f = {};
  f.actors = {"system"};
  EXPECT_EQ(list(f), std::vector<int64_t>{ib});
  f = {};
  f.triggers = {TriggerSource::api, TriggerSource::scheduled};
  EXPECT_EQ(list(f), (std::vector<int64_t>{ib, ia}));
  f = {};
  f.since = t0() + Duration(3600000);
  f.until = t0() + Duration(7200000);
  EXPECT_EQ(list(f), std::vector<int64_t>{ib});
  f = {};
  f.q = "example";
  EXPECT_EQ(list(f), std::vector<int64_t>{ia});
  f.q = "50%_";
  EXPECT_EQ(list(f), std::vector<int64_t>{ic}) << "LIKE wildcards in q are literal";
  f.q = "'; DROP TABLE";
  EXPECT_EQ(list(f), std::vector<int64_t>{ic});
  f.q = "UPDATE_REC";
  EXPECT_EQ(list(f), std::vector<int64_t>{ia}) << "search is case-insensitive";
  f = {};
  f.idempotency_key = "req-7";
  EXPECT_EQ(list(f), std::vector<int64_t>{ic});
  f.idempotency_key = "req-";
  EXPECT_EQ(list(f), std::vector<int64_t>{}) << "the whole key, not a prefix";
  f = {};
  f.limit = 0;
  EXPECT_EQ(store_->listJobs(f).status().code(), ErrorCode::invalid_argument);
}

TEST_P(StoreAudit, PruneDeletesOnlyJobsPastTheirRetentionWithTheirHistory) {
  int64_t old_success = insert(job());
  int64_t old_failed = insert(job());
  int64_t queued = insert(job());
  auto claimed = claim(2);
  ASSERT_EQ(claimed.size(), 2u);
  ASSERT_TRUE(complete(old_success, Transition::succeed));
  ASSERT_TRUE(complete(old_failed, Transition::fail));
  // Success retention has passed, failed retention has not.
  PruneRequest r{t0() + Duration(1000), t0(), 500};
  auto pruned = store_->pruneJobs(r);
  ASSERT_TRUE(pruned.isOk());
  EXPECT_EQ(*pruned, 1);
  EXPECT_EQ(store_->getJob(old_success).status().code(), ErrorCode::not_found);
  EXPECT_TRUE(store_->getJob(old_failed).isOk());
  EXPECT_TRUE(store_->getJob(queued).isOk());
  r.failed_before = t0() + Duration(1000);
  EXPECT_EQ(*store_->pruneJobs(r), 1);
  auto events = store_->jobEvents(old_failed);
  ASSERT_TRUE(events.isOk());
  EXPECT_TRUE(events->empty());
  EXPECT_EQ(*store_->pruneJobs(r), 0);
}

INSTANTIATE_TEST_SUITE_P(Drivers, StoreAudit, allDrivers(), driverName);

}  // namespace
}  // namespace snapq::testing
