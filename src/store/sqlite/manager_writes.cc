// What people do to jobs: retry, cancel, delete, and the retention pruner.
// Each manager action leaves a history row and an admin_actions record.
#include <nlohmann/json.hpp>

#include "store/sqlite/job_rows.h"
#include "store/sqlite/sqlite_store.h"

namespace snapq::sqlite {
namespace {

// Why a guarded update touched no row: the job is missing or in the wrong state.
Status explainRefusal(Db& db, int64_t id, const std::string& verb, const std::string& allowed) {
  auto stmt = db.prepare("SELECT status FROM sync_jobs WHERE id = ?1");
  if (!stmt) return stmt.status();
  (*stmt)->bind(1, id);
  auto row = (*stmt)->step();
  if (!row) return row.status();
  if (!*row) return Status::notFound("job " + std::to_string(id) + " does not exist");
  std::string status = (*stmt)->text(0);
  (*stmt)->reset();
  return Status::invalidState("job " + std::to_string(id) + " is " + status + "; only " + allowed +
                              " jobs can be " + verb);
}

std::string details(const Job& job, const std::string& extra_key = {}, const std::string& extra = {}) {
  nlohmann::json d = {{"service", job.service},     {"instance", job.instance}, {"action", job.action},
                      {"target_type", job.target_type}, {"target_id", job.target_id},
                      {"status", toString(job.status)}};
  if (!extra_key.empty()) d[extra_key] = extra;
  return d.dump();
}

// Applies `set_sql` where the state machine allows `t`. The SET clause may use
// ?2 (now), ?3 (override flag) and ?4 (the actor's name).
Result<Job> guardedUpdate(Db& db, const ManagerRequest& r, Transition t, const std::string& set_sql,
                          const std::string& verb, const std::string& allowed) {
  auto stmt = db.prepare("UPDATE sync_jobs SET " + set_sql + " WHERE id = ?1 AND status IN " + allowedFromSql(t) +
                         " RETURNING " + kJobColumns);
  if (!stmt) return stmt.status();
  Stmt& s = **stmt;
  s.bind(1, r.job_id).bind(2, iso(r.now)).bind(3, r.override_conflict).bind(4, r.actor.name);
  auto row = s.step();
  if (!row) {
    if (row.status().code() == ErrorCode::already_exists) {
      return Status::invalidState("job " + std::to_string(r.job_id) +
                                  " cannot be re-queued: an equivalent job is already queued or running");
    }
    return row.status();
  }
  if (!*row) return explainRefusal(db, r.job_id, verb, allowed);
  Job job = readJob(s);
  (void)s.step();
  return job;
}

// The caller's writes in the operation's transaction; their failure rolls the operation back.
Status runExtra(Db& db, const ManagerRequest& r, const Job& job) {
  if (!r.extra) return Status::ok();
  SqliteTxn txn(db);
  return r.extra(txn, job);
}

}  // namespace

Result<Job> SqliteStore::retryJob(const ManagerRequest& r) {
  return writer_->run<Job>([this, &r](Db& db) -> Result<Job> {
    auto before = db.prepare("SELECT " + kJobColumns + " FROM sync_jobs WHERE id = ?1");
    if (!before) return before.status();
    (*before)->bind(1, r.job_id);
    std::string previous;
    Job was;
    if (auto row = (*before)->step(); row && *row) {
      was = readJob(**before);
      previous = toString(was.status);
      if (r.override_conflict && previous != "conflict") {
        (*before)->reset();
        return Status::invalidState("job " + std::to_string(r.job_id) + " is " + previous +
                                    "; only conflict jobs can be applied anyway");
      }
      if (!was.error.empty()) previous += ": " + was.error;
    }
    (*before)->reset();
    auto job = guardedUpdate(db, r, Transition::manual_retry,
                             "status = 'queued', attempts = 0, run_at = ?2, override_conflict = ?3, result = NULL, "
                             "error = NULL, progress = NULL, started_at = NULL, finished_at = NULL, duration_ms = NULL",
                             "retried", "failed or conflict");
    if (!job) return job;
    writer_->requestWake();
    std::string message = std::string(r.override_conflict ? "retried with override (apply anyway)" : "retried") +
                          " by " + r.actor.name + "; was " + previous;
    if (Status s = insertEvent(db, r.job_id, r.now, "retried", message, r.actor); !s) return s;
    if (Status s = insertAdminAction(db, r.now, r.actor, r.override_conflict ? "job.override" : "job.retry", "job",
                                     std::to_string(r.job_id), details(*job, "previous", previous), r.address);
        !s)
      return s;
    if (Status s = runExtra(db, r, *job); !s) return s;
    AuditChanges changes;
    changes.unfinished(was);
    audit_.add(std::move(changes));
    return job;
  });
}

Result<Job> SqliteStore::cancelJob(const ManagerRequest& r) {
  return writer_->run<Job>([this, &r](Db& db) -> Result<Job> {
    auto job = guardedUpdate(db, r, Transition::cancel,
                             "status = 'cancelled', finished_at = ?2, sealed_payload = NULL, "
                             "error = 'cancelled by ' || ?4",
                             "cancelled", "queued");
    if (!job) return job;
    if (Status s = insertEvent(db, r.job_id, r.now, "cancelled", "cancelled by " + r.actor.name, r.actor); !s)
      return s;
    if (Status s = insertAdminAction(db, r.now, r.actor, "job.cancel", "job", std::to_string(r.job_id),
                                     details(*job), r.address);
        !s)
      return s;
    if (Status s = runExtra(db, r, *job); !s) return s;
    AuditChanges changes;
    changes.finished(job->id);
    audit_.add(std::move(changes));
    return job;
  });
}

Status SqliteStore::deleteJob(const ManagerRequest& r) {
  return writer_->runStatus([this, &r](Db& db) -> Status {
    auto stmt = db.prepare("DELETE FROM sync_jobs WHERE id = ?1 AND status != 'running' RETURNING " + kJobColumns);
    if (!stmt) return stmt.status();
    (*stmt)->bind(1, r.job_id);
    auto row = (*stmt)->step();
    if (!row) return row.status();
    if (!*row) return explainRefusal(db, r.job_id, "deleted", "queued or finished");
    Job job = readJob(**stmt);
    (void)(*stmt)->step();
    auto events = db.prepare("DELETE FROM sync_job_events WHERE job_id = ?1");
    if (!events) return events.status();
    (*events)->bind(1, r.job_id);
    if (Status s = (*events)->run(); !s) return s;
    if (Status s = insertAdminAction(db, r.now, r.actor, "job.delete", "job", std::to_string(r.job_id),
                                     details(job), r.address);
        !s)
      return s;
    if (Status s = runExtra(db, r, job); !s) return s;
    AuditChanges changes;
    changes.unfinished(job);
    audit_.add(std::move(changes));
    return Status::ok();
  });
}

Result<int64_t> SqliteStore::pruneJobs(const PruneRequest& r) {
  return writer_->run<int64_t>([this, &r](Db& db) -> Result<int64_t> {
    auto stmt = db.prepare(
        "DELETE FROM sync_jobs WHERE id IN (SELECT id FROM sync_jobs WHERE "
        "(status IN ('success', 'skipped') AND finished_at < ?1) OR "
        "(status IN ('failed', 'conflict', 'cancelled') AND finished_at < ?2) LIMIT ?3) RETURNING " + kJobColumns);
    if (!stmt) return stmt.status();
    (*stmt)->bind(1, iso(r.success_before)).bind(2, iso(r.failed_before)).bind(3, r.batch);
    std::vector<int64_t> ids;
    AuditChanges changes;
    while (true) {
      auto row = (*stmt)->step();
      if (!row) return row.status();
      if (!*row) break;
      Job job = readJob(**stmt);
      ids.push_back(job.id);
      changes.unfinished(job);
    }
    auto events = db.prepare("DELETE FROM sync_job_events WHERE job_id = ?1");
    if (!events) return events.status();
    for (int64_t id : ids) {
      (*events)->reset();
      (*events)->bind(1, id);
      if (Status s = (*events)->run(); !s) return s;
    }
    audit_.add(std::move(changes));
    return static_cast<int64_t>(ids.size());
  });
}

}  // namespace snapq::sqlite
