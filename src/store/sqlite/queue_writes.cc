// The queue's write path: insert, claim, complete, leases and rescue. Every
// statement runs on the writer thread, batched with whatever else is pending.
#include <algorithm>
#include <map>

#include "store/sqlite/job_rows.h"
#include "store/sqlite/queue_sql.h"
#include "store/sqlite/sqlite_store.h"

namespace snapq::sqlite {
namespace {

Result<std::optional<int64_t>> findExisting(Db& db, const NewJob& job) {
  auto lookup = [&db](const std::string& sql, const std::string& key) -> Result<std::optional<int64_t>> {
    auto stmt = db.prepare(sql);
    if (!stmt) return stmt.status();
    (*stmt)->bind(1, key);
    auto row = (*stmt)->step();
    if (!row) return row.status();
    std::optional<int64_t> id;
    if (*row) id = (*stmt)->int64(0);
    (*stmt)->reset();
    return id;
  };
  if (!job.idempotency_key.empty()) {
    auto found = lookup("SELECT id FROM sync_jobs WHERE idempotency_key = ?1", job.idempotency_key);
    if (!found || *found) return found;
  }
  if (!job.unique_key.empty()) {
    return lookup("SELECT id FROM sync_jobs WHERE unique_key = ?1 AND status IN ('queued', 'running')",
                  job.unique_key);
  }
  return std::optional<int64_t>();
}

Result<int64_t> insertOne(Db& db, const NewJob& job, TimePoint now) {
  static const std::string sql =
      "INSERT INTO sync_jobs (service, instance, action, kind, target_type, target_id, status, attempts, "
      "max_attempts, priority, queue, trigger_source, actor_type, actor_name, payload, sealed_payload, "
      "expected_hash, unique_key, idempotency_key, created_at, run_at) VALUES "
      "(?1, ?2, ?3, ?4, ?5, ?6, 'queued', 0, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)";
  auto stmt = db.prepare(sql);
  if (!stmt) return stmt.status();
  Stmt& s = **stmt;
  std::string created = iso(now);
  s.bind(1, job.service).bind(2, job.instance).bind(3, job.action).bind(4, toString(job.kind))
      .bind(5, job.target_type).bind(6, job.target_id).bind(7, job.max_attempts).bind(8, job.priority)
      .bind(9, job.queue).bind(10, toString(job.trigger_source)).bind(11, toString(job.actor.type))
      .bind(12, job.actor.name).bind(13, job.payload).bindBlobOrNull(14, job.sealed_payload)
      .bindTextOrNull(15, job.expected_hash).bindTextOrNull(16, job.unique_key)
      .bindTextOrNull(17, job.idempotency_key).bind(18, created)
      .bind(19, job.run_at ? iso(*job.run_at) : created);
  if (Status st = s.run(); !st) return st;
  return db.lastInsertId();
}

}  // namespace

Result<std::vector<InsertedJob>> insertNewJobs(Db& db, const std::vector<NewJob>& jobs, TimePoint now) {
  std::vector<InsertedJob> out;
  out.reserve(jobs.size());
  for (const NewJob& job : jobs) {
    auto existing = findExisting(db, job);
    if (!existing) return existing.status();
    if (*existing) {
      out.push_back({**existing, true});
      continue;
    }
    auto id = insertOne(db, job, now);
    if (!id) return id.status();
    out.push_back({*id, false});
  }
  return out;
}

Status insertFollowUps(Db& db, const FollowUps& follow_ups, const Job& after, TimePoint now, bool& inserted) {
  if (!follow_ups || !isTerminal(after.status)) return Status::ok();
  std::vector<NewJob> jobs = follow_ups(after);
  if (jobs.empty()) return Status::ok();
  auto done = insertNewJobs(db, jobs, now);
  if (!done) return done.status();
  inserted = true;
  return Status::ok();
}

Result<std::vector<InsertedJob>> SqliteStore::insertJobs(InsertJobsRequest request) {
  return writer_->run<std::vector<InsertedJob>>([this, &request](Db& db) -> Result<std::vector<InsertedJob>> {
    auto inserted = insertNewJobs(db, request.jobs, request.now);
    if (!inserted) return inserted.status();
    std::vector<InsertedJob> out = std::move(*inserted);
    if (std::any_of(out.begin(), out.end(), [](const InsertedJob& j) { return !j.existing; })) writer_->requestWake();
    if (request.extra) {
      SqliteTxn txn(db);
      if (Status s = request.extra(txn, out); !s) return s;
    }
    if (request.on_written) request.on_written();
    return out;
  });
}

Result<std::vector<Job>> SqliteStore::claimJobs(const ClaimRequest& request) {
  return writer_->run<std::vector<Job>>([&request](Db& db) -> Result<std::vector<Job>> {
    // Room left per limited service, counting what already runs anywhere.
    std::map<std::string, int> room;
    std::vector<std::string> full;
    if (!request.service_limits.empty()) {
      room = request.service_limits;
      auto running = db.prepare(kRunningPerServiceSql);
      if (!running) return running.status();
      while (true) {
        auto row = (*running)->step();
        if (!row) return row.status();
        if (!*row) break;
        auto it = room.find((*running)->text(0));
        if (it != room.end()) it->second -= static_cast<int>((*running)->int64(1));
      }
      for (const auto& [service, left] : room) {
        if (left <= 0) full.push_back(service);
      }
    }
    // Due jobs in claim order; a job waits while an older job of its target is
    // queued, or any job of its target runs (a retried job may be older than it).
    std::string sql =
        "SELECT id, service FROM sync_jobs AS j WHERE status = 'queued' AND run_at <= ?1"
        " AND (target_id = '' OR NOT EXISTS (SELECT 1 FROM sync_jobs AS p WHERE p.status IN ('queued', 'running')"
        " AND p.target_id != '' AND p.service = j.service AND p.instance = j.instance AND p.target_type = j.target_type"
        " AND p.target_id = j.target_id AND (p.id < j.id OR p.status = 'running')))";
    if (!request.queues.empty()) sql += " AND queue IN (SELECT value FROM json_each(?3))";
    if (!full.empty()) sql += " AND service NOT IN (SELECT value FROM json_each(?4))";
    sql += " ORDER BY priority, run_at, id LIMIT ?2";
    auto candidates = db.prepare(sql);
    if (!candidates) return candidates.status();
    (*candidates)->bind(1, iso(request.now)).bind(2, request.limit);
    if (!request.queues.empty()) (*candidates)->bind(3, jsonArray(request.queues));
    if (!full.empty()) (*candidates)->bind(4, jsonArray(full));
    std::vector<int64_t> ids;
    while (true) {
      auto row = (*candidates)->step();
      if (!row) return row.status();
      if (!*row) break;
      auto it = room.find((*candidates)->text(1));
      if (it != room.end()) {
        if (it->second <= 0) continue;
        --it->second;
      }
      ids.push_back((*candidates)->int64(0));
    }

    if (ids.empty()) return std::vector<Job>{};
    // One UPDATE claims the whole batch; the rows come back in any order and
    // are put back in claim order.
    static const std::string claim_sql =
        "UPDATE sync_jobs SET status = 'running', attempts = attempts + 1, locked_by = ?1, lease_until = ?2, "
        "started_at = ?3 WHERE id IN (SELECT value FROM json_each(?4)) AND status IN " +
        allowedFromSql(Transition::claim) + " RETURNING " + kJobColumns;
    auto update = db.prepare(claim_sql);
    if (!update) return update.status();
    std::string id_list = jsonArray(ids);
    std::map<int64_t, size_t> position;
    for (size_t i = 0; i < ids.size(); ++i) position[ids[i]] = i;
    (*update)->bind(1, request.worker_id).bind(2, iso(request.now + request.lease)).bind(3, iso(request.now))
        .bind(4, id_list);
    std::vector<Job> claimed;
    claimed.reserve(ids.size());
    while (true) {
      auto row = (*update)->step();
      if (!row) return row.status();
      if (!*row) break;
      claimed.push_back(readJob(**update));
    }
    std::sort(claimed.begin(), claimed.end(),
              [&position](const Job& a, const Job& b) { return position[a.id] < position[b.id]; });
    return claimed;
  });
}

namespace {

// The UPDATE for each transition a worker may report, built once; each is
// guarded by the state machine and by the worker still holding the job.
const std::string& completionSql(Transition t) {
  static const std::string guard = " WHERE id = ?1 AND locked_by = ?2 AND status IN ";
  static const std::string finish =
      "UPDATE sync_jobs SET status = ?3, result = ?4, error = ?5, started_at = ?6, finished_at = ?7, "
      "duration_ms = ?8, locked_by = NULL, lease_until = NULL";
  static const std::map<Transition, std::string> sql = {
      {Transition::succeed, finish + ", sealed_payload = NULL" + guard + allowedFromSql(Transition::succeed)},
      {Transition::skip, finish + ", sealed_payload = NULL" + guard + allowedFromSql(Transition::skip)},
      {Transition::conflict, finish + guard + allowedFromSql(Transition::conflict)},
      {Transition::fail, finish + guard + allowedFromSql(Transition::fail)},
      {Transition::retry_later,
       "UPDATE sync_jobs SET status = 'queued', error = ?3, started_at = ?4, run_at = ?5, locked_by = NULL, "
       "lease_until = NULL" + guard + allowedFromSql(Transition::retry_later)},
      {Transition::release,
       "UPDATE sync_jobs SET status = 'queued', attempts = max(attempts - 1, 0), run_at = ?3, locked_by = NULL, "
       "lease_until = NULL" + guard + allowedFromSql(Transition::release)},
  };
  static const std::string none;
  auto it = sql.find(t);
  return it == sql.end() ? none : it->second;
}

Result<bool> applyCompletion(Db& db, const JobCompletion& c) {
  const std::string& sql = completionSql(c.transition);
  if (sql.empty()) {
    return Status::invalidArgument(std::string("a worker cannot complete a job with transition ") +
                                   toString(c.transition));
  }
  auto stmt = db.prepare(sql);
  if (!stmt) return stmt.status();
  switch (c.transition) {
    case Transition::retry_later:
      (*stmt)->bindTextOrNull(3, c.error).bind(4, iso(c.started_at)).bind(5, iso(c.run_at));
      break;
    case Transition::release:
      (*stmt)->bind(3, iso(c.run_at));
      break;
    default:
      (*stmt)->bind(3, toString(transitionTarget(c.transition))).bindTextOrNull(4, c.result)
          .bindTextOrNull(5, c.error).bind(6, iso(c.started_at)).bind(7, iso(c.finished_at))
          .bind(8, static_cast<int64_t>((c.finished_at - c.started_at).count()));
  }
  (*stmt)->bind(1, c.job_id).bind(2, c.worker_id);
  if (Status s = (*stmt)->run(); !s) return s;
  if (db.changes() == 0) return false;
  if (c.event) {
    if (Status s = insertEvent(db, c.job_id, c.finished_at, c.event->type, c.event->message, Actor::system()); !s)
      return s;
  }
  if (!c.follow_ups.empty()) {
    auto inserted = insertNewJobs(db, c.follow_ups, c.finished_at);
    if (!inserted) return inserted.status();
  }
  return true;
}

// A completion with caller-supplied writes runs in a savepoint of its own: if
// those writes fail, this job's completion is undone (its lease then runs out
// and it is rescued) while the rest of the batch commits.
Result<bool> applyCompletionIsolated(Db& db, const JobCompletion& c, AuditChanges& changes) {
  const bool finishes = isTerminal(transitionTarget(c.transition));
  if (!c.extra) {
    auto applied = applyCompletion(db, c);
    if (applied && *applied && finishes) changes.finished(c.job_id);
    return applied;
  }
  if (Status s = db.execCached("SAVEPOINT completion"); !s) return s;
  auto applied = applyCompletion(db, c);
  if (applied && *applied) {
    SqliteTxn txn(db);
    if (Status s = c.extra(txn); !s) applied = false;
  }
  if (!applied || !*applied) (void)db.execCached("ROLLBACK TO completion");
  (void)db.execCached("RELEASE completion");
  if (applied && *applied && finishes) changes.finished(c.job_id);
  return applied.isOk() ? applied : Result<bool>(false);
}

}  // namespace

void SqliteStore::completeJobs(std::vector<JobCompletion> completions, CompletionCallback done) {
  auto applied = std::make_shared<std::vector<bool>>();
  auto shared = std::make_shared<std::vector<JobCompletion>>(std::move(completions));
  writer_->submit(
      [this, shared, applied](Db& db) -> Status {
        applied->clear();
        AuditChanges changes;
        for (const JobCompletion& c : *shared) {
          auto r = applyCompletionIsolated(db, c, changes);
          if (!r) return r.status();
          applied->push_back(*r);
          bool requeued = c.transition == Transition::retry_later || c.transition == Transition::release;
          if (*r && (requeued || !c.follow_ups.empty())) writer_->requestWake();
        }
        audit_.add(std::move(changes));
        return Status::ok();
      },
      [applied, done = std::move(done)](const Status& s) {
        if (!done) return;
        if (s) {
          done(*applied);
        } else {
          done(s);
        }
      });
}

Status SqliteStore::extendLeases(const std::string& worker_id, const std::vector<int64_t>& job_ids,
                                 TimePoint lease_until) {
  if (job_ids.empty()) return Status::ok();
  std::string ids = jsonArray(job_ids);
  return writer_->runStatus([&](Db& db) -> Status {
    auto stmt = db.prepare(
        "UPDATE sync_jobs SET lease_until = ?1 WHERE id IN (SELECT value FROM json_each(?3)) "
        "AND status = 'running' AND locked_by = ?2");
    if (!stmt) return stmt.status();
    (*stmt)->bind(1, iso(lease_until)).bind(2, worker_id).bind(3, ids);
    return (*stmt)->run();
  });
}

Status SqliteStore::setProgress(int64_t job_id, const std::string& worker_id, std::string progress) {
  writer_->submit(
      [job_id, worker_id, progress = std::move(progress)](Db& db) -> Status {
        auto stmt = db.prepare("UPDATE sync_jobs SET progress = ?1 WHERE id = ?2 AND status = 'running' AND locked_by = ?3");
        if (!stmt) return stmt.status();
        (*stmt)->bind(1, progress).bind(2, job_id).bind(3, worker_id);
        return (*stmt)->run();
      },
      nullptr);
  return Status::ok();
}

Result<std::vector<Job>> SqliteStore::rescueExpired(const RescueRequest& request) {
  return writer_->run<std::vector<Job>>([this, &request](Db& db) -> Result<std::vector<Job>> {
    const TimePoint now = request.now;
    auto expired = db.prepare(kExpiredLeasesSql);
    if (!expired) return expired.status();
    (*expired)->bind(1, iso(now)).bind(2, request.limit);
    struct Lost {
      int64_t id;
      int attempts;
      int max_attempts;
    };
    std::vector<Lost> lost;
    while (true) {
      auto row = (*expired)->step();
      if (!row) return row.status();
      if (!*row) break;
      lost.push_back({(*expired)->int64(0), static_cast<int>((*expired)->int64(1)),
                      static_cast<int>((*expired)->int64(2))});
    }
    std::vector<Job> rescued;
    std::string at = iso(now);
    for (const Lost& l : lost) {
      bool exhausted = l.attempts >= l.max_attempts;
      std::string error = "attempt " + std::to_string(l.attempts) + " failed: worker lost (lease expired)";
      auto stmt = db.prepare(
          "UPDATE sync_jobs SET status = ?2, error = ?3, run_at = ?4, finished_at = CASE WHEN ?2 = 'failed' THEN ?4 END, "
          "duration_ms = CASE WHEN ?2 = 'failed' THEN duration_ms END, locked_by = NULL, lease_until = NULL "
          "WHERE id = ?1 AND status IN " + allowedFromSql(Transition::rescue) + " RETURNING " + kJobColumns);
      if (!stmt) return stmt.status();
      (*stmt)->bind(1, l.id).bind(2, exhausted ? "failed" : "queued").bind(3, error).bind(4, at);
      auto row = (*stmt)->step();
      if (!row) return row.status();
      if (!*row) continue;
      rescued.push_back(readJob(**stmt));
      (void)(*stmt)->step();
      if (Status s = insertEvent(db, l.id, now, "rescued", error, Actor::system()); !s) return s;
      if (exhausted && request.on_failed) {
        SqliteTxn txn(db);
        if (Status s = request.on_failed(txn, rescued.back()); !s) return s;
      }
      bool followed = false;
      if (Status s = insertFollowUps(db, request.follow_ups, rescued.back(), now, followed); !s) return s;
      if (!exhausted || followed) writer_->requestWake();
    }
    AuditChanges changes;
    for (const Job& job : rescued) {
      if (job.status == JobStatus::failed) changes.finished(job.id);
    }
    audit_.add(std::move(changes));
    return rescued;
  });
}

}  // namespace snapq::sqlite
