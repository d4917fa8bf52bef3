// The health view: counts per service and status over a window, pending work,
// duration percentiles, the latest successful sync, and a time series, read in
// one REPEATABLE READ snapshot. Each query seeks an index (see migration 4).
#include "store/health_builder.h"
#include "store/postgres/job_rows.h"
#include "store/postgres/postgres_store.h"

namespace snapq::pg {
namespace {

// Windowed counts: finished jobs from a range of sync_jobs_created (a
// sequential scan when the window holds most of the table, which is then
// cheaper), open ones from their own partial indexes (sync_jobs_created holds
// finished jobs only: migration 8), hashed by group.
Status createdCounts(Conn& conn, const HealthQuery& q, health::Builder& out) {
  std::string parts = unionOfStatusParts([](const std::string& part) {
    return "SELECT service, status FROM sync_jobs WHERE created_at >= $1 AND created_at < $2 AND " + part;
  });
  auto rows = conn.query("SELECT service, status, count(*) FROM (" + parts + ") w GROUP BY service, status",
                         Params().time(q.since).time(q.now));
  if (!rows) return rows.status();
  for (int r = 0; r < rows->size(); ++r) {
    if (auto s = parseJobStatus(rows->text(r, 1))) out.addCreated(rows->text(r, 0), *s, rows->int64(r, 2));
  }
  return Status::ok();
}

// Pending work: one branch per partial index (sync_jobs_claim, sync_jobs_running);
// a single `status IN (...)` would match neither index's predicate.
Status pending(Conn& conn, const HealthQuery& q, health::Builder& out) {
  auto rows = conn.query("SELECT service, count(*), " +
                             epochMs("min(run_at) FILTER (WHERE status = 'queued' AND run_at <= $1)") +
                             " FROM (SELECT service, status, run_at FROM sync_jobs WHERE status = 'queued' "
                             "UNION ALL SELECT service, status, run_at FROM sync_jobs WHERE status = 'running') p "
                             "GROUP BY service",
                         Params().time(q.now));
  if (!rows) return rows.status();
  for (int r = 0; r < rows->size(); ++r) {
    out.addPending(rows->text(r, 0), rows->int64(r, 1));
    if (auto at = rows->optTime(r, 2)) out.addOldestQueued(rows->text(r, 0), *at);
  }
  return Status::ok();
}

// Every service's latest successful sync, all time: a loose index scan of the
// small partial index sync_jobs_last_sync (service, finished_at), two seeks per
// service whatever the table's size.
Status lastSyncs(Conn& conn, health::Builder& out) {
  auto rows = conn.query(
      "WITH RECURSIVE s(service) AS ("
      "  SELECT min(service) FROM sync_jobs WHERE status = 'success' AND action = 'sync' "
      "  UNION ALL SELECT (SELECT min(service) FROM sync_jobs WHERE status = 'success' AND action = 'sync' "
      "    AND service > s.service) FROM s WHERE s.service IS NOT NULL) "
      "SELECT service, " +
      epochMs("(SELECT max(finished_at) FROM sync_jobs WHERE status = 'success' AND action = 'sync' "
              "AND service = s.service)") +
      " FROM s WHERE service IS NOT NULL");
  if (!rows) return rows.status();
  for (int r = 0; r < rows->size(); ++r) {
    if (auto at = rows->optTime(r, 1)) out.addLastSync(rows->text(r, 0), *at);
  }
  return Status::ok();
}

// Nearest-rank p50/p95 (percentile_disc) per service and over all in one pass:
// the grouping set () is the totals row. The statuses a completion leaves a
// duration on let the range use sync_jobs_finished, which covers the columns.
Status percentiles(Conn& conn, const HealthQuery& q, health::Builder& out) {
  auto rows = conn.query(
      "SELECT service, GROUPING(service), count(*), percentile_disc(0.5) WITHIN GROUP (ORDER BY duration_ms), "
      "percentile_disc(0.95) WITHIN GROUP (ORDER BY duration_ms) FROM sync_jobs "
      "WHERE status IN ('success', 'failed', 'conflict', 'skipped') AND finished_at >= $1 AND finished_at < $2 "
      "AND duration_ms IS NOT NULL GROUP BY GROUPING SETS ((service), ())",
      Params().time(q.since).time(q.now));
  if (!rows) return rows.status();
  for (int r = 0; r < rows->size(); ++r) {
    if (rows->int64(r, 2) == 0) continue;  // the totals row of an empty window
    const bool totals = rows->int64(r, 1) != 0;
    std::string service = totals ? std::string() : rows->text(r, 0);
    if (!totals) out.addFinished(service);
    out.setPercentiles(service, rows->int64(r, 3), rows->int64(r, 4));
  }
  return Status::ok();
}

// width_bucket against the bucket starts computed by health::bucketBounds, so
// both drivers place a job on a bucket edge alike; the window's end bounds the
// last bucket.
Status series(Conn& conn, const HealthQuery& q, health::Builder& out) {
  std::vector<TimePoint> starts;
  for (const health::Bounds& b : health::bucketBounds(q)) starts.push_back(b.start);
  if (starts.empty()) return Status::ok();
  auto rows = conn.query(
      "SELECT width_bucket(finished_at, $3) AS b, count(*) FILTER (WHERE status = 'success'), "
      "count(*) FILTER (WHERE status <> 'success') FROM sync_jobs "
      "WHERE status IN ('success', 'failed', 'conflict') AND finished_at >= $1 AND finished_at < $2 GROUP BY b",
      Params().time(q.since).time(q.now).timeArray(starts));
  if (!rows) return rows.status();
  for (int r = 0; r < rows->size(); ++r) {
    const int64_t bucket = rows->int64(r, 0);  // 1-based; 0 would be before the first start
    if (bucket >= 1) out.addBucket(static_cast<size_t>(bucket - 1), rows->int64(r, 1), rows->int64(r, 2));
  }
  return Status::ok();
}

Result<HealthReport> healthIn(Conn& conn, const HealthQuery& q) {
  health::Builder out(q);
  if (Status s = createdCounts(conn, q, out); !s) return s;
  if (Status s = pending(conn, q, out); !s) return s;
  if (Status s = lastSyncs(conn, out); !s) return s;
  if (Status s = percentiles(conn, q, out); !s) return s;
  if (Status s = series(conn, q, out); !s) return s;
  return std::move(out).build();
}

}  // namespace

Result<HealthReport> PostgresStore::jobHealth(const HealthQuery& query) {
  if (Status s = health::validate(query); !s) return s;
  return read<HealthReport>([&query](Conn& conn) -> Result<HealthReport> {
    // One snapshot for every query, so counts, pending and series agree.
    if (Status s = conn.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"); !s) return s;
    conn.pin(true);
    auto report = healthIn(conn, query);
    Status end = conn.exec(report ? "COMMIT" : "ROLLBACK");
    conn.pin(false);
    if (!report) return report;
    if (!end) return end;
    return report;
  });
}

}  // namespace snapq::pg
