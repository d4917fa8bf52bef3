// The queue's periodic reads go through the partial index of running jobs, not
// through the whole audit log (queue_sql.h).
#include "store/sqlite/queue_sql.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "store/sqlite/migrations.h"
#include "store/sqlite/sqlite_db.h"

namespace snapq::sqlite {
namespace {

class QueueSqlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (std::filesystem::temp_directory_path() / ("queue_sql_" + std::to_string(getpid()) + ".db")).string();
    std::filesystem::remove(path_);
    auto db = Db::open(path_, false);
    ASSERT_TRUE(db.isOk()) << db.status().toString();
    db_ = std::move(*db);
    for (const Migration& m : migrations()) ASSERT_TRUE(db_->exec(m.sql).isOk()) << m.version;
  }
  void TearDown() override {
    db_.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_ + suffix);
  }
  // EXPLAIN QUERY PLAN's lines, one per step.
  std::string plan(const char* sql) {
    auto stmt = db_->prepare(std::string("EXPLAIN QUERY PLAN ") + sql);
    EXPECT_TRUE(stmt.isOk()) << stmt.status().toString();
    if (!stmt.isOk()) return "";
    std::string out;
    while (true) {
      auto row = (*stmt)->step();
      if (!row.isOk() || !*row) break;
      out += (*stmt)->text(3) + "\n";
    }
    return out;
  }
  std::string path_;
  std::unique_ptr<Db> db_;
};

TEST_F(QueueSqlTest, TheRunningCountPerServiceReadsOnlyRunningJobs) {
  std::string p = plan(kRunningPerServiceSql);
  EXPECT_NE(p.find("INDEX sync_jobs_running"), std::string::npos) << p;
}

TEST_F(QueueSqlTest, TheExpiredLeaseScanReadsOnlyRunningJobs) {
  std::string p = plan(kExpiredLeasesSql);
  EXPECT_NE(p.find("INDEX sync_jobs_running"), std::string::npos) << p;
}

}  // namespace
}  // namespace snapq::sqlite
