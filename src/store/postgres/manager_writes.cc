// What people do to jobs: retry, cancel, delete, and the retention pruner.
// Each manager action leaves a history row and an admin_actions record.
#include <nlohmann/json.hpp>

#include "store/postgres/job_rows.h"
#include "store/postgres/postgres_store.h"

namespace snapq::pg {
namespace {

// Why a guarded update touched no row: the job is missing or in the wrong state.
Status explainRefusal(Conn& conn, int64_t id, const std::string& verb, const std::string& allowed) {
  auto rows = conn.query("SELECT status FROM sync_jobs WHERE id = $1", Params().int64(id));
  if (!rows) return rows.status();
  if (rows->empty()) return Status::notFound("job " + std::to_string(id) + " does not exist");
  return Status::invalidState("job " + std::to_string(id) + " is " + rows->text(0, 0) + "; only " + allowed +
                              " jobs can be " + verb);
}

std::string details(const Job& job, const std::string& extra_key = {}, const std::string& extra = {}) {
  nlohmann::json d = {{"service", job.service},         {"instance", job.instance},   {"action", job.action},
                      {"target_type", job.target_type}, {"target_id", job.target_id}, {"status", toString(job.status)}};
  if (!extra_key.empty()) d[extra_key] = extra;
  return d.dump();
}

// Applies `set_sql` where the state machine allows `t`. The SET clause may use
// $2 (now), $3 (override flag) and $4 (the actor's name).
Result<Job> guardedUpdate(Conn& conn, const ManagerRequest& r, Transition t, const std::string& set_sql,
                          const std::string& verb, const std::string& allowed) {
  Params p;
  p.int64(r.job_id).time(r.now).boolean(r.override_conflict).text(r.actor.name);
  auto rows = conn.query(
      "UPDATE sync_jobs SET " + set_sql + " WHERE id = $1 AND " + byIdGuardSql(t) + " RETURNING " + kJobColumns, p);
  if (!rows) {
    if (rows.status().code() == ErrorCode::already_exists) {
      return Status::invalidState("job " + std::to_string(r.job_id) +
                                  " cannot be re-queued: an equivalent job is already queued or running");
    }
    return rows.status();
  }
  if (rows->empty()) return explainRefusal(conn, r.job_id, verb, allowed);
  return readJob(*rows, 0);
}

// The caller's writes in the operation's transaction; their failure rolls the operation back.
Status runExtra(Conn& conn, const ManagerRequest& r, const Job& job) {
  if (!r.extra) return Status::ok();
  PgTxn txn(conn);
  return r.extra(txn, job);
}

}  // namespace

Result<Job> PostgresStore::retryJob(const ManagerRequest& r) {
  return writer_->run<Job>([&r](Conn& conn) -> Result<Job> {
    auto before = conn.query("SELECT status, error FROM sync_jobs WHERE id = $1", Params().int64(r.job_id));
    if (!before) return before.status();
    std::string previous;
    if (!before->empty()) {
      previous = before->text(0, 0);
      if (r.override_conflict && previous != "conflict") {
        return Status::invalidState("job " + std::to_string(r.job_id) + " is " + previous +
                                    "; only conflict jobs can be applied anyway");
      }
      std::string error = before->text(0, 1);
      if (!error.empty()) previous += ": " + error;
    }
    auto job = guardedUpdate(conn, r, Transition::manual_retry,
                             "status = 'queued', attempts = 0, run_at = $2, override_conflict = $3, result = NULL, "
                             "error = NULL, progress = NULL, started_at = NULL, finished_at = NULL, duration_ms = NULL",
                             "retried", "failed or conflict");
    if (!job) return job;
    conn.requestNotify();
    std::string message = std::string(r.override_conflict ? "retried with override (apply anyway)" : "retried") +
                          " by " + r.actor.name + "; was " + previous;
    if (Status s = insertEvent(conn, r.job_id, r.now, "retried", message, r.actor); !s) return s;
    if (Status s = insertAdminAction(conn, r.now, r.actor, r.override_conflict ? "job.override" : "job.retry", "job",
                                     std::to_string(r.job_id), details(*job, "previous", previous), r.address);
        !s)
      return s;
    if (Status s = runExtra(conn, r, *job); !s) return s;
    return job;
  });
}

Result<Job> PostgresStore::cancelJob(const ManagerRequest& r) {
  return writer_->run<Job>([&r](Conn& conn) -> Result<Job> {
    auto job = guardedUpdate(conn, r, Transition::cancel,
                             "status = 'cancelled', finished_at = $2, sealed_payload = NULL, "
                             "error = 'cancelled by ' || $4",
                             "cancelled", "queued");
    if (!job) return job;
    if (Status s = insertEvent(conn, r.job_id, r.now, "cancelled", "cancelled by " + r.actor.name, r.actor); !s)
      return s;
    if (Status s = insertAdminAction(conn, r.now, r.actor, "job.cancel", "job", std::to_string(r.job_id), details(*job),
                                     r.address);
        !s)
      return s;
    if (Status s = runExtra(conn, r, *job); !s) return s;
    return job;
  });
}

Status PostgresStore::deleteJob(const ManagerRequest& r) {
  return writer_->runStatus([&r](Conn& conn) -> Status {
    auto rows = conn.query("DELETE FROM sync_jobs WHERE id = $1 AND status <> 'running' RETURNING " + kJobColumns,
                           Params().int64(r.job_id));
    if (!rows) return rows.status();
    if (rows->empty()) return explainRefusal(conn, r.job_id, "deleted", "queued or finished");
    Job job = readJob(*rows, 0);
    if (Status s = conn.query("DELETE FROM sync_job_events WHERE job_id = $1", Params().int64(r.job_id)).status(); !s)
      return s;
    if (Status s = insertAdminAction(conn, r.now, r.actor, "job.delete", "job", std::to_string(r.job_id), details(job),
                                     r.address);
        !s)
      return s;
    return runExtra(conn, r, job);
  });
}

Result<int64_t> PostgresStore::pruneJobs(const PruneRequest& r) {
  return writer_->run<int64_t>([&r](Conn& conn) -> Result<int64_t> {
    // SKIP LOCKED: rows another node is working on are left for the next batch.
    static const std::string sql =
        "WITH gone AS (DELETE FROM sync_jobs WHERE id IN (SELECT id FROM sync_jobs WHERE "
        "(status IN ('success', 'skipped') AND finished_at < $1) OR "
        "(status IN ('failed', 'conflict', 'cancelled') AND finished_at < $2) LIMIT $3 FOR UPDATE SKIP LOCKED) "
        "RETURNING id), events AS (DELETE FROM sync_job_events WHERE job_id IN (SELECT id FROM gone)) "
        "SELECT count(*) FROM gone";
    Params p;
    p.time(r.success_before).time(r.failed_before).int64(r.batch);
    auto rows = conn.query(sql, p);
    if (!rows) return rows.status();
    return rows->int64(0, 0);
  });
}

}  // namespace snapq::pg
