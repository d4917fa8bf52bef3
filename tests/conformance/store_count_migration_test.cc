// Migration 7 on a database that already holds jobs: the status counters kept
// by migration 5's row triggers stay exact once statement triggers keep them,
// through every write path that changes a count (completions in one batch,
// retry, cancel, delete, prune).
#include "conformance/store_fixture.h"

namespace snapq::testing {
namespace {

class StoreCountMigration : public StoreTest {
 protected:
  // Back to schema version 6 with the jobs kept: on PostgreSQL migration 5's
  // row triggers for updates and deletes, as they were; SQLite's 7 changed nothing.
  void undoMigrationSeven() {
    const std::string undo =
        GetParam() == "sqlite"
            ? "DELETE FROM schema_migrations WHERE version >= 7"
            : "DROP TRIGGER sync_jobs_counts_update ON sync_jobs; DROP TRIGGER sync_jobs_counts_delete ON sync_jobs; "
              "DROP FUNCTION sync_job_counts_note_statement(); "
              "CREATE TRIGGER sync_jobs_counts_update AFTER UPDATE OF status ON sync_jobs FOR EACH ROW "
              "WHEN (OLD.status IS DISTINCT FROM NEW.status AND (OLD.status NOT IN ('queued', 'running') "
              "OR NEW.status NOT IN ('queued', 'running'))) EXECUTE FUNCTION sync_job_counts_note(); "
              "CREATE TRIGGER sync_jobs_counts_delete AFTER DELETE ON sync_jobs FOR EACH ROW "
              "WHEN (OLD.status NOT IN ('queued', 'running')) EXECUTE FUNCTION sync_job_counts_note(); "
              "DELETE FROM schema_migrations WHERE version >= 7";
    ASSERT_TRUE(rawExec(url_, undo).isOk());
  }
  // COUNT(*) per status over the rows `where` selects.
  std::map<JobStatus, int64_t> plainCounts(const std::string& where) {
    std::map<JobStatus, int64_t> out;
    for (JobStatus s : kAllJobStatuses) out[s] = 0;
    auto raw = rawQuery(url_, "SELECT status, count(*) FROM sync_jobs" + where + " GROUP BY status");
    EXPECT_TRUE(raw.isOk()) << raw.status().toString();
    if (!raw.isOk()) return out;
    for (const auto& row : *raw) out[*parseJobStatus(row.at(0))] = std::stoll(row.at(1));
    return out;
  }
  // The listing's counts, whole and per service and actor, against COUNT(*).
  void expectExact(const std::string& what) {
    JobFilter all, dns, alice;
    dns.services = {"dns"};
    alice.actors = {"alice"};
    const std::vector<std::pair<JobFilter, std::string>> filters = {
        {all, ""}, {dns, " WHERE service = 'dns'"}, {alice, " WHERE actor_name = 'alice'"}};
    for (auto [f, where] : filters) {
      f.limit = 1;
      auto page = store_->listJobs(f);
      ASSERT_TRUE(page.isOk()) << what << ": " << page.status().toString();
      EXPECT_EQ(page->status_counts, plainCounts(where)) << what << where;
      EXPECT_TRUE(page->status_counts_exact) << what << where;
    }
  }
  JobCompletion completion(int64_t id, Transition t, TimePoint at) {
    JobCompletion c;
    c.job_id = id;
    c.worker_id = "w1";
    c.transition = t;
    c.started_at = at;
    c.finished_at = at + Duration(10);
    c.run_at = at;
    if (t == Transition::fail) c.error = "attempt 1 failed: boom";
    return c;
  }
  ManagerRequest by(int64_t id, TimePoint at) { return {id, Actor::user("bob"), at, false, "", {}}; }
};

TEST_P(StoreCountMigration, CountsOfJobsFinishedBeforeMigrationSevenStayExact) {
  undoMigrationSeven();
  // 40 jobs over about a day and a half, two services, two actors.
  std::vector<int64_t> inserted;
  for (int i = 0; i < 40; ++i) {
    NewJob j = job(i % 3 ? "dns" : "mail");
    j.actor = i % 2 ? Actor::user("alice") : Actor::system();
    inserted.push_back(insert(j, t0() + Duration(i * 50 * 60000)));
  }
  const TimePoint later = t0() + Duration(3 * 86400000);
  std::vector<Job> claimed = claim(30, later);
  ASSERT_EQ(claimed.size(), 30u);
  // Under version 6: 26 finish in one batch (four outcomes), 4 keep running, 10 stay queued.
  const Transition outcomes[] = {Transition::succeed, Transition::fail, Transition::conflict, Transition::skip};
  std::vector<JobCompletion> before;
  for (size_t i = 0; i < 26; ++i) before.push_back(completion(claimed[i].id, outcomes[i % 4], later));
  auto done = store_->completeJobsAndWait(before);
  ASSERT_TRUE(done.isOk()) << done.status().toString();
  expectExact("under version 6");

  ASSERT_TRUE(store_->migrate().isOk());
  auto version = rawQuery(url_, "SELECT max(version) FROM schema_migrations");
  ASSERT_TRUE(version.isOk());
  EXPECT_EQ(version->at(0).at(0), std::to_string(store_->latestSchemaVersion()));
  expectExact("migrated");

  std::vector<JobCompletion> after;
  for (size_t i = 26; i < 30; ++i) after.push_back(completion(claimed[i].id, outcomes[i % 2], later));
  done = store_->completeJobsAndWait(after);
  ASSERT_TRUE(done.isOk()) << done.status().toString();
  expectExact("a batch completed after the migration");

  auto retried = store_->retryJob(by(claimed[1].id, later));  // failed before the migration
  ASSERT_TRUE(retried.isOk()) << retried.status().toString();
  expectExact("retried");
  auto cancelled = store_->cancelJob(by(inserted.back(), later));  // never claimed: still queued
  ASSERT_TRUE(cancelled.isOk()) << cancelled.status().toString();
  EXPECT_EQ(cancelled->status, JobStatus::cancelled);
  expectExact("cancelled");
  ASSERT_TRUE(store_->deleteJob(by(claimed[0].id, later)).isOk());  // succeeded before the migration
  expectExact("deleted");
  auto pruned = store_->pruneJobs({later + Duration(60000), later + Duration(60000), 500});
  ASSERT_TRUE(pruned.isOk()) << pruned.status().toString();
  EXPECT_GT(*pruned, 0);
  expectExact("pruned");
}

INSTANTIATE_TEST_SUITE_P(Drivers, StoreCountMigration, allDrivers(), driverName);

}  // namespace
}  // namespace snapq::testing
