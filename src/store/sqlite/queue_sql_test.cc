// The queue's periodic reads go through the partial index of running jobs, not
// through the whole audit log (queue_sql.h).
#include "store/sqlite/queue_sql.h"

#include "store/sqlite/migrated_db_fixture.h"

namespace snapq::sqlite {
namespace {

class QueueSqlTest : public MigratedDbTest {
 protected:
  std::string plan(const char* sql) { return query(std::string("EXPLAIN QUERY PLAN ") + sql, 3, "\n"); }
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
