// The health view: counts per service and status over a window, pending work,
// duration percentiles, the latest successful sync, and a time series. Each
// query seeks an index (see migration 4); the costs are noted per query.
#include <nlohmann/json.hpp>

#include "core/time_format.h"
#include "store/health_builder.h"
#include "store/sqlite/job_rows.h"
#include "store/sqlite/sqlite_store.h"

namespace snapq::sqlite {
namespace {

// Jobs that ran and finished in the window [?1, ?2): the statuses a worker's
// completion leaves a duration on (a cancelled job never ran). Listing them
// lets the range seek sync_jobs_finished (status, finished_at, service,
// duration_ms), which covers every column these queries read.
const std::string kRanInWindow =
    " FROM sync_jobs WHERE status IN ('success', 'failed', 'conflict', 'skipped') AND finished_at >= ?1 "
    "AND finished_at < ?2 AND duration_ms IS NOT NULL";

// Runs `sql` with text parameters and hands each row to `row`.
template <typename RowFn>
Status forEachRow(Db& db, const std::string& sql, const std::vector<std::string>& params, RowFn row) {
  auto stmt = db.prepare(sql);
  if (!stmt) return stmt.status();
  for (size_t i = 0; i < params.size(); ++i) (*stmt)->bind(static_cast<int>(i + 1), params[i]);
  while (true) {
    auto more = (*stmt)->step();
    if (!more) return more.status();
    if (!*more) return Status::ok();
    row(**stmt);
  }
}

TimePoint timeAt(const Stmt& row, int col) { return parseIso(row.text(col)).value_or(TimePoint{}); }

// Windowed counts: a range of sync_jobs_created plus a row lookup for the
// status, which no index holds so that status changes rewrite none of them.
Status createdCounts(Db& db, const std::string& since, const std::string& now, health::Builder& out) {
  return forEachRow(db,
                    "SELECT service, status, count(*) FROM sync_jobs WHERE created_at >= ?1 AND created_at < ?2 "
                    "GROUP BY service, status",
                    {since, now}, [&out](const Stmt& r) {
                      if (auto s = parseJobStatus(r.text(1))) out.addCreated(r.text(0), *s, r.int64(2));
                    });
}

// Pending work through the two partial indexes. Named, because grouping by
// service would otherwise tempt the planner into walking sync_jobs_service,
// i.e. the whole table.
Status pending(Db& db, const std::string& now, health::Builder& out) {
  Status s = forEachRow(db,
                        "SELECT service, count(*), min(CASE WHEN run_at <= ?1 THEN run_at END) "
                        "FROM sync_jobs INDEXED BY sync_jobs_claim WHERE status = 'queued' GROUP BY service",
                        {now}, [&out](const Stmt& r) {
                          out.addPending(r.text(0), r.int64(1));
                          if (!r.isNull(2)) out.addOldestQueued(r.text(0), timeAt(r, 2));
                        });
  if (!s) return s;
  return forEachRow(db,
                    "SELECT service, count(*) FROM sync_jobs INDEXED BY sync_jobs_running WHERE status = 'running' "
                    "GROUP BY service",
                    {}, [&out](const Stmt& r) { out.addPending(r.text(0), r.int64(1)); });
}

// Every service's latest successful sync, all time: a loose index scan of the
// small partial index sync_jobs_last_sync (service, finished_at), one seek for
// the next service and one for its latest row, whatever the table's size.
Status lastSyncs(Db& db, health::Builder& out) {
  return forEachRow(
      db,
      "WITH RECURSIVE s(service) AS ("
      "  SELECT min(service) FROM sync_jobs WHERE status = 'success' AND action = 'sync' "
      "  UNION ALL SELECT (SELECT min(service) FROM sync_jobs WHERE status = 'success' AND action = 'sync' "
      "    AND service > s.service) FROM s WHERE s.service IS NOT NULL) "
      "SELECT service, (SELECT max(finished_at) FROM sync_jobs WHERE status = 'success' AND action = 'sync' "
      "  AND service = s.service) FROM s WHERE service IS NOT NULL",
      {}, [&out](const Stmt& r) { out.addLastSync(r.text(0), timeAt(r, 1)); });
}

// Nearest-rank p50/p95 per service and over all: count per service, then one
// pass over the durations in ascending order (SQLite sorts them in its own
// temporary storage) that stops at each service's ranks. Nothing but the
// counters is held here, whatever the number of jobs.
Status percentiles(Db& db, const std::string& since, const std::string& now, health::Builder& out) {
  struct Ranks {
    int64_t p50 = 0, p95 = 0, seen = 0, p50_ms = 0;
  };
  std::map<std::string, Ranks> ranks;
  int64_t n = 0;
  Status s =
      forEachRow(db, "SELECT service, count(*)" + kRanInWindow + " GROUP BY service", {since, now}, [&](const Stmt& r) {
        out.addFinished(r.text(0));
        ranks[r.text(0)] = {health::rankOf(r.int64(1), 50), health::rankOf(r.int64(1), 95)};
        n += r.int64(1);
      });
  if (!s || n == 0) return s;
  Ranks all{health::rankOf(n, 50), health::rankOf(n, 95)};
  auto visit = [&out](const std::string& service, Ranks& k, int64_t ms) {
    ++k.seen;
    if (k.seen == k.p50) k.p50_ms = ms;
    if (k.seen == k.p95) out.setPercentiles(service, k.p50_ms, ms);
  };
  return forEachRow(db, "SELECT service, duration_ms" + kRanInWindow + " ORDER BY duration_ms", {since, now},
                    [&](const Stmt& r) {
                      std::string service = r.text(0);
                      if (auto it = ranks.find(service); it != ranks.end()) visit(service, it->second, r.int64(1));
                      visit("", all, r.int64(1));
                    });
}

// One pair of range counts on sync_jobs_finished per bucket, bounds computed
// here: no date arithmetic in SQL, and each bucket costs two index seeks plus
// its own entries.
Status series(Db& db, const HealthQuery& query, health::Builder& out) {
  nlohmann::json bounds = nlohmann::json::array();
  for (const health::Bounds& b : health::bucketBounds(query)) bounds.push_back({iso(b.start), iso(b.end)});
  if (bounds.empty()) return Status::ok();
  return forEachRow(
      db,
      "SELECT b.key, (SELECT count(*) FROM sync_jobs WHERE status = 'success' AND finished_at >= b.value ->> 0 "
      "  AND finished_at < b.value ->> 1), "
      "(SELECT count(*) FROM sync_jobs WHERE status IN ('failed', 'conflict') AND finished_at >= b.value ->> 0 "
      "  AND finished_at < b.value ->> 1) FROM json_each(?1) AS b",
      {bounds.dump()},
      [&out](const Stmt& r) { out.addBucket(static_cast<size_t>(r.int64(0)), r.int64(1), r.int64(2)); });
}

}  // namespace

Result<HealthReport> SqliteStore::jobHealth(const HealthQuery& query) {
  if (Status s = health::validate(query); !s) return s;
  auto db = reader();
  if (Status s = db->execCached("BEGIN"); !s) return s;  // one consistent view for every query
  struct Commit {
    Db& db;
    ~Commit() { (void)db.execCached("COMMIT"); }
  } commit{*db};

  health::Builder out(query);
  const std::string since = iso(query.since), now = iso(query.now);
  if (Status s = createdCounts(*db, since, now, out); !s) return s;
  if (Status s = pending(*db, now, out); !s) return s;
  if (Status s = lastSyncs(*db, out); !s) return s;
  if (Status s = percentiles(*db, since, now, out); !s) return s;
  if (Status s = series(*db, query, out); !s) return s;
  return std::move(out).build();
}

}  // namespace snapq::sqlite
