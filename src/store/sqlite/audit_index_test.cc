// AuditIndex on a real SQLite file: the reports of several writes of one
// transaction net out before they reach sync_job_counts and sync_jobs_search.
#include "store/sqlite/audit_index.h"

#include "store/sqlite/migrated_db_fixture.h"

namespace snapq::sqlite {
namespace {

class AuditIndexTest : public MigratedDbTest {
 protected:
  int64_t insert(const std::string& status, const std::string& error) {
    auto stmt = db_->prepare(
        "INSERT INTO sync_jobs (service, action, kind, target_id, status, max_attempts, queue, trigger_source, "
        "actor_type, actor_name, error, created_at, run_at) VALUES ('dns', 'update', 'mutation', 'www', ?1, 1, "
        "'dns', 'manual', 'user', 'alice', ?2, '2025-11-24T16:05:00.000Z', '2025-11-24T16:05:00.000Z')");
    EXPECT_TRUE(stmt.isOk());
    (*stmt)->bind(1, status).bindTextOrNull(2, error);
    EXPECT_TRUE((*stmt)->run().isOk());
    return db_->lastInsertId();
  }
  void setStatus(int64_t id, const std::string& status, const std::string& error) {
    auto stmt = db_->prepare("UPDATE sync_jobs SET status = ?2, error = ?3 WHERE id = ?1");
    ASSERT_TRUE(stmt.isOk());
    (*stmt)->bind(1, id).bind(2, status).bindTextOrNull(3, error);
    ASSERT_TRUE((*stmt)->run().isOk());
  }
  Job job(int64_t id, const std::string& status, const std::string& error) {
    Job j;
    j.id = id;
    j.service = "dns";
    j.action = "update";
    j.target_id = "www";
    j.actor = Actor::user("alice");
    j.status = *parseJobStatus(status);
    j.error = error;
    j.created_at = TimePoint(Duration(1'764'000'300'000));  // 2025-11-24T16:05:00Z
    return j;
  }
  std::string counts() {
    return query("SELECT span || ' ' || bucket || ' ' || success || '/' || failed FROM sync_job_counts ORDER BY 1");
  }
  std::string found(const std::string& trigram) {
    return query("SELECT rowid FROM sync_jobs_search WHERE sync_jobs_search MATCH '\"" + trigram + "\"'");
  }

  AuditIndex index_;
};

TEST_F(AuditIndexTest, CountsAndIndexesWhatFinishedAtTheCommit) {
  int64_t a = insert("failed", "boom");
  int64_t b = insert("success", "");
  AuditChanges first, second;
  first.finished(a);
  second.finished(b);
  index_.add(std::move(first));
  index_.add(std::move(second));
  ASSERT_TRUE(index_.flush(*db_).isOk());
  EXPECT_EQ(counts(), "day 2025-11-24 1/1;hour 2025-11-24T16 1/1");
  EXPECT_EQ(found("boo"), std::to_string(a));
  EXPECT_TRUE(index_.flush(*db_).isOk()) << "nothing left to apply";
  EXPECT_EQ(counts(), "day 2025-11-24 1/1;hour 2025-11-24T16 1/1");
}

TEST_F(AuditIndexTest, ATakeBackInTheSameTransactionNetsOut) {
  int64_t a = insert("failed", "boom");
  AuditChanges finish;
  finish.finished(a);
  index_.add(std::move(finish));
  setStatus(a, "queued", "");
  AuditChanges retry;
  retry.unfinished(job(a, "failed", "boom"));
  index_.add(std::move(retry));
  ASSERT_TRUE(index_.flush(*db_).isOk());
  EXPECT_EQ(counts(), "") << "never counted";
  EXPECT_EQ(found("boo"), "") << "never indexed";
}

TEST_F(AuditIndexTest, ARetryTakesTheOldTextOutAndTheNextFinishPutsTheNewOneIn) {
  int64_t a = insert("failed", "boom");
  AuditChanges finish;
  finish.finished(a);
  index_.add(std::move(finish));
  ASSERT_TRUE(index_.flush(*db_).isOk());
  // One later transaction: retried, finished again with another error, retried again.
  setStatus(a, "queued", "");
  AuditChanges retry;
  retry.unfinished(job(a, "failed", "boom"));
  index_.add(std::move(retry));
  setStatus(a, "conflict", "kaput");
  AuditChanges again;
  again.finished(a);
  index_.add(std::move(again));
  ASSERT_TRUE(index_.flush(*db_).isOk());
  EXPECT_EQ(counts(), "day 2025-11-24 0/0;hour 2025-11-24T16 0/0") << "the conflict is not a success or failure";
  EXPECT_EQ(found("boo"), "");
  EXPECT_EQ(found("kap"), std::to_string(a));
  EXPECT_EQ(query("SELECT sum(conflict) FROM sync_job_counts"), "2");
  setStatus(a, "queued", "");
  AuditChanges last;
  last.unfinished(job(a, "conflict", "kaput"));
  index_.add(std::move(last));
  ASSERT_TRUE(index_.flush(*db_).isOk());
  EXPECT_EQ(counts(), "") << "rows whose jobs are all gone are deleted";
  EXPECT_EQ(found("kap"), "");
}

}  // namespace
}  // namespace snapq::sqlite
