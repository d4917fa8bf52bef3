// Statements of the queue's periodic reads (claim, rescue) that must touch only
// open jobs, however many finished ones the audit log holds. SQLite's planner
// has no statistics of the partial indexes and picked a scan of every job for
// them (435 ms per claim over 1,000,000 jobs, on the writer thread), so they
// name their index; queue_sql_test.cc checks the plans.
#pragma once

namespace snapq::sqlite {

// Running jobs per service: the room left under the services' concurrency limits.
inline constexpr const char* kRunningPerServiceSql =
    "SELECT service, count(*) FROM sync_jobs INDEXED BY sync_jobs_running WHERE status = 'running' "
    "GROUP BY service";

// Running jobs whose lease expired before ?1, oldest first, at most ?2.
inline constexpr const char* kExpiredLeasesSql =
    "SELECT id, attempts, max_attempts FROM sync_jobs INDEXED BY sync_jobs_running WHERE status = 'running' "
    "AND lease_until < ?1 ORDER BY id LIMIT ?2";

}  // namespace snapq::sqlite
