// Numbered schema migrations of the SQLite driver. The PostgreSQL driver keeps
// the same version numbers for the same changes. Never edit a released entry:
// add a new one.
#include "store/sqlite/migrations.h"

namespace snapq::sqlite {

const std::vector<Migration>& migrations() {
  static const std::vector<Migration> all = {
      {1, "sync_jobs, sync_job_events, admin_actions", R"sql(
CREATE TABLE sync_jobs (
  id                INTEGER PRIMARY KEY,
  service           TEXT NOT NULL,
  instance          TEXT NOT NULL DEFAULT 'default',
  action            TEXT NOT NULL,
  kind              TEXT NOT NULL CHECK (kind = 'sync' OR kind = 'mutation' OR kind = 'custom'),
  target_type       TEXT NOT NULL DEFAULT '',
  target_id         TEXT NOT NULL DEFAULT '',
  status            TEXT NOT NULL CHECK (status = 'queued' OR status = 'running' OR status = 'success'
                      OR status = 'failed' OR status = 'conflict' OR status = 'skipped' OR status = 'cancelled'),
  attempts          INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  max_attempts      INTEGER NOT NULL CHECK (max_attempts >= 1),
  priority          INTEGER NOT NULL DEFAULT 0,
  queue             TEXT NOT NULL,
  trigger_source    TEXT NOT NULL CHECK (trigger_source = 'manual' OR trigger_source = 'api'
                      OR trigger_source = 'scheduled' OR trigger_source = 'retry' OR trigger_source = 'event'),
  actor_type        TEXT NOT NULL CHECK (actor_type = 'user' OR actor_type = 'token' OR actor_type = 'system'),
  actor_name        TEXT NOT NULL,
  payload           TEXT NOT NULL DEFAULT '{}',
  sealed_payload    BLOB,
  result            TEXT,
  error             TEXT,
  progress          TEXT,
  expected_hash     TEXT,
  override_conflict INTEGER NOT NULL DEFAULT 0,
  unique_key        TEXT,
  idempotency_key   TEXT,
  created_at        TEXT NOT NULL,
  run_at            TEXT NOT NULL,
  started_at        TEXT,
  finished_at       TEXT,
  duration_ms       INTEGER,
  locked_by         TEXT,
  lease_until       TEXT,
  CHECK ((status = 'running') = (locked_by IS NOT NULL AND lease_until IS NOT NULL))
);
-- CHECKs spell lists out with OR: SQLite evaluates a CHECK's IN list of three or
-- more values by building a temporary index on every write.
-- Claim order: what is due, by priority then age.
CREATE INDEX sync_jobs_claim ON sync_jobs (priority, run_at, id) WHERE status = 'queued';
-- Leases: heartbeats by worker, the rescuer by expiry.
CREATE INDEX sync_jobs_running ON sync_jobs (locked_by, lease_until) WHERE status = 'running';
-- One-at-a-time per target: the open jobs of a target in dispatch order.
CREATE INDEX sync_jobs_target_open ON sync_jobs (service, instance, target_type, target_id, id)
  WHERE status IN ('queued', 'running') AND target_id != '';
CREATE UNIQUE INDEX sync_jobs_unique_open ON sync_jobs (unique_key)
  WHERE unique_key IS NOT NULL AND status IN ('queued', 'running');
CREATE UNIQUE INDEX sync_jobs_idempotency ON sync_jobs (idempotency_key) WHERE idempotency_key IS NOT NULL;
-- The audit log's views (newest first is id order: ids grow with created_at). None of
-- them holds the status, so a job's status changes do not rewrite them.
CREATE INDEX sync_jobs_service ON sync_jobs (service, id);
CREATE INDEX sync_jobs_target ON sync_jobs (target_type, target_id, id);
CREATE INDEX sync_jobs_actor ON sync_jobs (actor_name, id);
CREATE INDEX sync_jobs_finished ON sync_jobs (status, finished_at) WHERE finished_at IS NOT NULL;

CREATE TABLE sync_job_events (
  id         INTEGER PRIMARY KEY,
  job_id     INTEGER NOT NULL,
  at         TEXT NOT NULL,
  type       TEXT NOT NULL,
  message    TEXT NOT NULL DEFAULT '',
  actor_type TEXT NOT NULL,
  actor_name TEXT NOT NULL
);
CREATE INDEX sync_job_events_job ON sync_job_events (job_id, id);

CREATE TABLE admin_actions (
  id          INTEGER PRIMARY KEY,
  at          TEXT NOT NULL,
  actor_type  TEXT NOT NULL,
  actor_name  TEXT NOT NULL,
  action      TEXT NOT NULL,
  target_type TEXT NOT NULL,
  target_id   TEXT NOT NULL,
  details     TEXT NOT NULL DEFAULT '{}',
  address     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX admin_actions_at ON admin_actions (at);
CREATE TRIGGER admin_actions_no_update BEFORE UPDATE ON admin_actions
  BEGIN SELECT RAISE(ABORT, 'admin_actions is append-only'); END;
CREATE TRIGGER admin_actions_no_delete BEFORE DELETE ON admin_actions
  BEGIN SELECT RAISE(ABORT, 'admin_actions is append-only'); END;
)sql"},
      {2, "workers, leader_leases", R"sql(
-- The worker registry: one row per running process, refreshed by its heartbeat.
CREATE TABLE workers (
  id           TEXT PRIMARY KEY,
  host         TEXT NOT NULL,
  pid          INTEGER NOT NULL,
  started_at   TEXT NOT NULL,
  heartbeat_at TEXT NOT NULL,
  running_jobs INTEGER NOT NULL DEFAULT 0,
  queues       TEXT NOT NULL DEFAULT '',
  version      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX workers_heartbeat ON workers (heartbeat_at);
-- Named leases (maintenance, scheduler): at most one holder until lease_until.
CREATE TABLE leader_leases (
  name        TEXT PRIMARY KEY,
  holder      TEXT NOT NULL,
  lease_until TEXT NOT NULL
);
)sql"},
      {3, "users, api_tokens, sessions", R"sql(
CREATE TABLE users (
  id            INTEGER PRIMARY KEY,
  name          TEXT NOT NULL UNIQUE,
  role          TEXT NOT NULL CHECK (role = 'viewer' OR role = 'operator' OR role = 'admin'),
  password_hash TEXT NOT NULL,
  disabled      INTEGER NOT NULL DEFAULT 0,
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL
);
-- Tokens and sessions keep only SHA-256 hashes of their secrets. permissions:
-- a comma list that limits the token; '' means whatever its user's role grants.
CREATE TABLE api_tokens (
  id           INTEGER PRIMARY KEY,
  user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name         TEXT NOT NULL DEFAULT '',
  token_hash   TEXT NOT NULL UNIQUE,
  permissions  TEXT NOT NULL DEFAULT '',
  created_at   TEXT NOT NULL,
  last_used_at TEXT,
  expires_at   TEXT,
  revoked_at   TEXT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id, id);
CREATE TABLE sessions (
  id_hash      TEXT PRIMARY KEY,
  user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  csrf_hash    TEXT NOT NULL,
  created_at   TEXT NOT NULL,
  last_seen_at TEXT NOT NULL,
  expires_at   TEXT NOT NULL,
  address      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);
)sql"},
      {4, "health: sync_jobs_created, sync_jobs_last_sync, a covering sync_jobs_finished", R"sql(
-- The health view (jobHealth). Jobs created in a window, for counts per service
-- and status. Without the status, which a status change would rewrite.
CREATE INDEX sync_jobs_created ON sync_jobs (created_at);
-- Each service's latest successful sync: small, an entry only when a sync succeeds.
CREATE INDEX sync_jobs_last_sync ON sync_jobs (service, finished_at)
  WHERE status = 'success' AND action = 'sync';
-- Pruning's index, widened so it also covers the health view's durations and
-- series: service and duration_ms are written in the same update as finished_at,
-- so an entry is still written once per finish, only longer.
DROP INDEX sync_jobs_finished;
CREATE INDEX sync_jobs_finished ON sync_jobs (status, finished_at, service, duration_ms)
  WHERE finished_at IS NOT NULL;
)sql"},
      {5, "jobs list: sync_job_counts, the sync_jobs_search trigram index, sync_jobs_unsuccessful", R"sql(
-- listJobs without counting or scanning a million rows (store/job_list_plan.h).
-- Status counts of finished jobs per (day or hour of created_at, service,
-- actor_name), one column per finished status; buckets are created_at's text
-- prefix, 'YYYY-MM-DD' or 'YYYY-MM-DDTHH' (UTC). Queued and running jobs are
-- not kept here: they are few and counted through their partial indexes.
-- The driver keeps these rows, and sync_jobs_search below, in step with
-- sync_jobs in the same transaction, once per transaction (audit_index.h):
-- jobs changed with plain SQL (outside snapq) leave them behind.
CREATE TABLE sync_job_counts (
  span       TEXT NOT NULL CHECK (span = 'day' OR span = 'hour'),
  bucket     TEXT NOT NULL,
  service    TEXT NOT NULL,
  actor_name TEXT NOT NULL,
  success    INTEGER NOT NULL DEFAULT 0,
  failed     INTEGER NOT NULL DEFAULT 0,
  conflict   INTEGER NOT NULL DEFAULT 0,
  skipped    INTEGER NOT NULL DEFAULT 0,
  cancelled  INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (span, bucket, service, actor_name)
) WITHOUT ROWID;
INSERT INTO sync_job_counts
  SELECT span, CASE span WHEN 'day' THEN substr(created_at, 1, 10) ELSE substr(created_at, 1, 13) END,
         service, actor_name, sum(status = 'success'), sum(status = 'failed'), sum(status = 'conflict'),
         sum(status = 'skipped'), sum(status = 'cancelled')
  FROM sync_jobs, (SELECT 'day' AS span UNION ALL SELECT 'hour')
  WHERE status != 'queued' AND status != 'running'
  GROUP BY 1, 2, 3, 4;
-- q: a trigram index of the finished jobs' target_id, action and error (FTS5,
-- external content: the text stays in sync_jobs). detail=none and
-- columnsize=0 keep it small and cheap to write; it finds the jobs holding
-- some of q's trigrams, and LIKE on sync_jobs stays the definition of a match.
CREATE VIRTUAL TABLE sync_jobs_search USING fts5(target_id, action, error, content = 'sync_jobs',
  content_rowid = 'id', tokenize = 'trigram', detail = 'none', columnsize = 0);
INSERT INTO sync_jobs_search (rowid, target_id, action, error)
  SELECT id, target_id, action, error FROM sync_jobs WHERE status != 'queued' AND status != 'running';
-- status=failed (or conflict, skipped, cancelled) newest first without reading
-- past the successes. A job gets an entry only when it ends in one of these, so
-- the queue's path (queued, running, success) never writes it.
CREATE INDEX sync_jobs_unsuccessful ON sync_jobs (status, id)
  WHERE status != 'queued' AND status != 'running' AND status != 'success';
)sql"},
      {6, "sync_job_counts in shards (PostgreSQL only; nothing to change here)", R"sql(
-- PostgreSQL spreads its counter rows over shards because several processes
-- complete jobs at once; here one writer folds them, so the version only keeps
-- both drivers' numbers in step.
SELECT 1;
)sql"},
      {7, "sync_job_counts noted per statement (PostgreSQL only; nothing to change here)", R"sql(
-- PostgreSQL's count triggers moved from one call per row to one per
-- statement; SQLite's triggers stay as they are (one in-process writer).
SELECT 1;
)sql"},
      {8, "audit indexes of finished jobs only (PostgreSQL only; nothing to change here)", R"sql(
-- PostgreSQL enters every version of an updated row in every index unless the
-- update is HOT; SQLite rewrites only the entries of indexes whose columns
-- changed, so its audit indexes cost nothing at a claim or a completion.
SELECT 1;
)sql"},
  };
  return all;
}

}  // namespace snapq::sqlite
