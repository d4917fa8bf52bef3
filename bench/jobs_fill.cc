#include "jobs_fill.h"

#include <libpq-fe.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <iostream>

namespace bench {
namespace {

bool isPostgres(const std::string& url) {
  return url.rfind("postgres://", 0) == 0 || url.rfind("postgresql://", 0) == 0;
}

std::string sqlitePath(const std::string& url) { return url.rfind("sqlite:", 0) == 0 ? url.substr(7) : url; }

[[noreturn]] void die(const std::string& what) {
  std::cerr << "jobs_fill: " << what << "\n";
  std::exit(1);
}

// The few places where the two dialects differ.
struct Dialect {
  bool pg;
  std::string ts(const std::string& seconds) const {
    return pg ? "to_timestamp((" + seconds + ")::float8)" : "strftime('%Y-%m-%dT%H:%M:%fZ', " + seconds + ", 'unixepoch')";
  }
  std::string hex8(const std::string& x) const {
    return pg ? "lpad(to_hex(" + x + "), 8, '0')" : "printf('%08x', " + x + ")";
  }
  std::string series(int64_t from, int64_t to) const {
    std::string f = std::to_string(from), t = std::to_string(to);
    if (pg) return "generate_series(" + f + "::bigint, " + t + ") AS n(i)";
    return "n";  // the recursive CTE below
  }
  std::string with(int64_t from, int64_t to) const {
    if (pg) return "WITH ";
    return "WITH RECURSIVE n(i) AS (SELECT " + std::to_string(from) + " UNION ALL SELECT i + 1 FROM n WHERE i < " +
           std::to_string(to) + "), ";
  }
};

std::string fillSql(const Dialect& d, const FillOptions& o, int64_t from, int64_t to) {
  const double t0 = static_cast<double>(o.now_ms) / 1000.0 - o.days * 86400.0;
  const double step = o.days * 86400.0 / static_cast<double>(o.jobs);
  const std::string open_from = std::to_string(o.jobs - o.open_jobs);
  const std::string queued_from = std::to_string(o.jobs - o.open_jobs + (o.open_jobs / 4));
  std::string t = "(" + std::to_string(t0) + " + (i - 1) * " + std::to_string(step) + ")";
  std::string sql = d.with(from, to);
  // Five independent-looking numbers per row from a few linear congruences.
  sql += "r AS (SELECT i, (i * 2654435761 + 12345) % 1000003 AS h1, (i * 40503 + 7) % 999983 AS h2, "
         "(i * 69069 + 1) % 1000033 AS h3, (i * 48271 + 11) % 999979 AS h4, (i * 16807 + 3) % 1000037 AS h5 FROM " +
         d.series(from, to) + "), ";
  sql += "a AS (SELECT r.*, "
         "CASE WHEN h1 % 100 < 30 THEN 'sim' WHEN h1 % 100 < 55 THEN 'powerdns' WHEN h1 % 100 < 75 THEN 'cloudflare' "
         "WHEN h1 % 100 < 90 THEN 'keycloak' ELSE 'whm' END AS service, "
         "CASE WHEN h2 % 100 < 45 THEN 'sync' WHEN h2 % 100 < 70 THEN 'update' WHEN h2 % 100 < 82 THEN 'create' "
         "WHEN h2 % 100 < 90 THEN 'delete' ELSE 'custom' END AS act, "
         "CASE WHEN i > " + queued_from + " THEN 'queued' WHEN i > " + open_from + " THEN 'running' "
         "WHEN h4 % 1000 < 880 THEN 'success' WHEN h4 % 1000 < 920 THEN 'failed' WHEN h4 % 1000 < 930 THEN 'conflict' "
         "WHEN h4 % 1000 < 980 THEN 'skipped' ELSE 'cancelled' END AS st0, "
         "20 + h3 % 2000 AS dur, " + t + " AS t FROM r), ";
  sql += "b AS (SELECT a.*, "
         "CASE WHEN act <> 'custom' THEN act WHEN service = 'sim' THEN 'suspend' WHEN service = 'powerdns' "
         "THEN 'rectify' WHEN service = 'cloudflare' THEN 'purge_cache' WHEN service = 'keycloak' "
         "THEN 'reset_password' ELSE 'suspend' END AS action, "
         "CASE WHEN st0 = 'conflict' AND act = 'sync' THEN 'failed' ELSE st0 END AS status, "
         "CASE WHEN act = 'sync' THEN (CASE WHEN h3 % 10 = 0 THEN 'user' ELSE 'system' END) "
         "WHEN h3 % 10 < 6 THEN 'user' ELSE 'token' END AS actor_type, "
         "CASE service WHEN 'sim' THEN 'accounts' WHEN 'powerdns' THEN 'records' WHEN 'cloudflare' THEN 'dns_records' "
         "WHEN 'keycloak' THEN 'users' ELSE 'email_accounts' END AS target_type, "
         "CASE WHEN act = 'sync' THEN (CASE WHEN service = 'powerdns' THEN 'zone' || (h3 % 50) || '.test.' ELSE '' END) "
         "WHEN service = 'sim' THEN 'acct-' || (h3 % 100000) "
         "WHEN service = 'powerdns' THEN 'www' || (h3 % 5000) || '.zone' || (h3 % 50) || '.test.' "
         "WHEN service = 'cloudflare' THEN 'rec_' || " + d.hex8("h3 * 7919 % 4294967291") + " "
         "WHEN service = 'keycloak' THEN 'user-' || (h3 % 20000) || '@corp.example' "
         "ELSE 'mail' || (h3 % 8000) || '@domain' || (h3 % 300) || '.example' END AS target_id FROM a), ";
  sql += "c AS (SELECT b.*, "
         "CASE actor_type WHEN 'system' THEN 'system' WHEN 'user' THEN (CASE h5 % 5 WHEN 0 THEN 'alice' WHEN 1 "
         "THEN 'bob' WHEN 2 THEN 'carol' WHEN 3 THEN 'dave' ELSE 'erin' END) "
         "ELSE (CASE h5 % 2 WHEN 0 THEN 'ci-deploy' ELSE 'terraform' END) END AS actor_name, "
         "CASE WHEN actor_type = 'system' THEN 'scheduled' WHEN h5 % 100 < 3 THEN 'retry' WHEN actor_type = 'token' "
         "THEN 'api' ELSE 'manual' END AS trigger_source FROM b) ";
  sql += "INSERT INTO sync_jobs (service, instance, action, kind, target_type, target_id, status, attempts, "
         "max_attempts, priority, queue, trigger_source, actor_type, actor_name, payload, result, error, created_at, "
         "run_at, started_at, finished_at, duration_ms, locked_by, lease_until) SELECT service, "
         "CASE WHEN service = 'whm' THEN (CASE WHEN h2 % 2 = 0 THEN 'ryder' ELSE 'alpha' END) ELSE 'default' END, "
         "action, CASE act WHEN 'sync' THEN 'sync' WHEN 'custom' THEN 'custom' ELSE 'mutation' END, target_type, "
         "target_id, status, CASE status WHEN 'queued' THEN 0 WHEN 'cancelled' THEN 0 WHEN 'failed' THEN 3 ELSE 1 END, "
         "3, CASE trigger_source WHEN 'scheduled' THEN 3 ELSE 1 END, service, trigger_source, actor_type, actor_name, "
         "CASE WHEN act = 'sync' THEN '{\"scope\":\"\",\"force\":false}' ELSE '{\"data\":{\"n\":' || i || '}}' END, "
         "CASE WHEN status <> 'success' THEN NULL WHEN act = 'sync' "
         "THEN '{\"fetched\":100,\"created\":0,\"updated\":1,\"unchanged\":99,\"deleted\":0}' ELSE '{\"ok\":true}' END, "
         "CASE status WHEN 'failed' THEN (CASE h5 % 4 "
         "WHEN 0 THEN 'attempt 3 failed: HTTP 503 Service Unavailable from ' || service || ' for ' || "
         "(CASE WHEN target_id = '' THEN target_type ELSE target_id END) "
         "WHEN 1 THEN 'attempt 3 failed: timed out after 30000 ms' "
         "WHEN 2 THEN 'HTTP 422 Unprocessable Entity: ' || target_id || ' was rejected: invalid value' "
         "ELSE 'attempt 3 failed: worker lost (lease expired)' END) "
         "WHEN 'conflict' THEN 'remote changed since dispatch: expected ' || " + d.hex8("h1") + " || ' got ' || " +
         d.hex8("h2") + " WHEN 'cancelled' THEN 'cancelled by ' || "
         "(CASE WHEN actor_type = 'user' THEN actor_name ELSE 'alice' END) ELSE NULL END, " +
         d.ts("t") + ", " +
         // The open jobs stay open while `snapq serve` runs on the database
         // (bench/http_bench.sh): never due, never expired, so no worker or
         // rescuer touches them, and a sync of theirs never blocks a new one.
         "CASE WHEN status = 'queued' THEN " + d.ts("t + 31536000") + " ELSE " + d.ts("t") + " END, " +
         "CASE WHEN status = 'queued' OR status = 'cancelled' THEN NULL ELSE " + d.ts("t + 0.05") + " END, " +
         "CASE WHEN status = 'queued' OR status = 'running' THEN NULL WHEN status = 'cancelled' THEN " + d.ts("t + 1") +
         " ELSE " + d.ts("t + 0.05 + dur / 1000.0") + " END, " +
         "CASE WHEN status = 'queued' OR status = 'running' OR status = 'cancelled' THEN NULL ELSE dur END, " +
         "CASE WHEN status = 'running' THEN 'bench-fill' END, " +
         "CASE WHEN status = 'running' THEN " + d.ts("t + 31536000") + " END FROM c ORDER BY i";
  return sql;
}

int64_t sqliteInt(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  int64_t n = 0;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW) {
    n = sqlite3_column_int64(stmt, 0);
  }
  sqlite3_finalize(stmt);
  return n;
}

// The SQLite driver keeps its counts and search index itself when a job
// finishes (no triggers: src/store/sqlite/audit_index.h); rows inserted
// already finished, as here, get what migration 5 gives existing rows.
std::string sqliteDerived(int64_t after_id) {
  std::string rows = " WHERE id > " + std::to_string(after_id) + " AND status != 'queued' AND status != 'running'";
  return "INSERT INTO sync_job_counts SELECT span, CASE span WHEN 'day' THEN substr(created_at, 1, 10) "
         "ELSE substr(created_at, 1, 13) END, service, actor_name, sum(status = 'success'), sum(status = 'failed'), "
         "sum(status = 'conflict'), sum(status = 'skipped'), sum(status = 'cancelled') "
         "FROM sync_jobs, (SELECT 'day' AS span UNION ALL SELECT 'hour')" + rows + " GROUP BY 1, 2, 3, 4 "
         "ON CONFLICT DO UPDATE SET success = success + excluded.success, failed = failed + excluded.failed, "
         "conflict = conflict + excluded.conflict, skipped = skipped + excluded.skipped, "
         "cancelled = cancelled + excluded.cancelled; "
         "INSERT INTO sync_jobs_search (rowid, target_id, action, error) "
         "SELECT id, target_id, action, error FROM sync_jobs" + rows + ";";
}

void fillSqlite(const std::string& path, const FillOptions& o) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    die("cannot open " + path + ": " + sqlite3_errmsg(db));
  }
  sqlite3_busy_timeout(db, 60000);
  const bool derived = sqliteInt(db, "SELECT count(*) FROM sqlite_master WHERE name = 'sync_job_counts'") > 0;
  Dialect d{false};
  for (int64_t from = 1; from <= o.jobs; from += o.batch) {
    int64_t to = std::min(o.jobs, from + o.batch - 1);
    int64_t last = sqliteInt(db, "SELECT coalesce(max(id), 0) FROM sync_jobs");
    std::string sql = "BEGIN IMMEDIATE; " + fillSql(d, o, from, to) + "; " + (derived ? sqliteDerived(last) : "") +
                      " COMMIT;";
    char* err = nullptr;
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string message = err ? err : "unknown error";
      sqlite3_free(err);
      die("fill failed: " + message);
    }
  }
  sqlite3_close(db);
}

PGconn* pgConnect(const std::string& url) {
  PGconn* conn = PQconnectdb(url.c_str());
  if (PQstatus(conn) != CONNECTION_OK) die(std::string("cannot connect: ") + PQerrorMessage(conn));
  PQsetNoticeProcessor(conn, [](void*, const char*) {}, nullptr);
  return conn;
}

void pgExec(PGconn* conn, const std::string& sql) {
  PGresult* res = PQexec(conn, sql.c_str());
  auto status = PQresultStatus(res);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) die(std::string("fill failed: ") + PQerrorMessage(conn));
  PQclear(res);
}

void fillPostgres(const std::string& url, const FillOptions& o) {
  PGconn* conn = pgConnect(url);
  Dialect d{true};
  for (int64_t from = 1; from <= o.jobs; from += o.batch) {
    int64_t to = std::min(o.jobs, from + o.batch - 1);
    pgExec(conn, "BEGIN");
    pgExec(conn, fillSql(d, o, from, to));
    pgExec(conn, "COMMIT");
  }
  // What autovacuum would do soon after a bulk load: statistics for the planner
  // and a visibility map for index-only scans.
  pgExec(conn, "VACUUM ANALYZE sync_jobs");
  PQfinish(conn);
}

}  // namespace

double fillJobs(const std::string& url, const FillOptions& options) {
  auto started = std::chrono::steady_clock::now();
  if (isPostgres(url)) {
    fillPostgres(url, options);
  } else {
    fillSqlite(sqlitePath(url), options);
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
}

int64_t countJobs(const std::string& url) {
  if (isPostgres(url)) {
    PGconn* conn = pgConnect(url);
    PGresult* res = PQexec(conn, "SELECT count(*) FROM sync_jobs");
    if (PQresultStatus(res) != PGRES_TUPLES_OK) die(std::string("count failed: ") + PQerrorMessage(conn));
    int64_t n = std::strtoll(PQgetvalue(res, 0, 0), nullptr, 10);
    PQclear(res);
    PQfinish(conn);
    return n;
  }
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(sqlitePath(url).c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    die("cannot open " + url + ": " + sqlite3_errmsg(db));
  }
  sqlite3_stmt* stmt = nullptr;
  int64_t n = 0;
  if (sqlite3_prepare_v2(db, "SELECT count(*) FROM sync_jobs", -1, &stmt, nullptr) == SQLITE_OK &&
      sqlite3_step(stmt) == SQLITE_ROW) {
    n = sqlite3_column_int64(stmt, 0);
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return n;
}

}  // namespace bench
