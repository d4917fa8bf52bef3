// What several processes sharing one database need: health, the worker
// registry, the rescue of dead workers' jobs, and named leader leases.
#include "core/time_format.h"
#include "store/sqlite/job_rows.h"
#include "store/sqlite/sqlite_store.h"

namespace snapq::sqlite {
namespace {

std::string joinQueues(const std::vector<std::string>& queues) {
  std::string out;
  for (const std::string& q : queues) out += (out.empty() ? "" : ",") + q;
  return out;
}

std::vector<std::string> splitQueues(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    if (comma > start) out.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

// Re-queues (or fails, when its attempts are used up) each running job of a
// dead worker, with a "rescued" event naming the worker.
Status rescueJobsOf(Db& db, const std::string& worker, TimePoint now, const RescueHook& on_failed,
                    const FollowUps& follow_ups, std::vector<Job>& rescued, bool& requeued) {
  auto running = db.prepare(
      "SELECT id, attempts, max_attempts FROM sync_jobs WHERE status = 'running' AND locked_by = ?1 ORDER BY id");
  if (!running) return running.status();
  (*running)->bind(1, worker);
  struct Lost {
    int64_t id;
    int64_t attempts;
    int64_t max_attempts;
  };
  std::vector<Lost> lost;
  while (true) {
    auto row = (*running)->step();
    if (!row) return row.status();
    if (!*row) break;
    lost.push_back({(*running)->int64(0), (*running)->int64(1), (*running)->int64(2)});
  }
  static const std::string sql =
      "UPDATE sync_jobs SET status = ?2, error = ?3, run_at = ?4, finished_at = CASE WHEN ?2 = 'failed' THEN ?4 END, "
      "locked_by = NULL, lease_until = NULL WHERE id = ?1 AND locked_by = ?5 AND status IN " +
      allowedFromSql(Transition::rescue) + " RETURNING " + kJobColumns;
  for (const Lost& l : lost) {
    bool exhausted = l.attempts >= l.max_attempts;
    std::string error = "attempt " + std::to_string(l.attempts) + " failed: worker lost (" + worker +
                        " stopped sending heartbeats)";
    auto stmt = db.prepare(sql);
    if (!stmt) return stmt.status();
    (*stmt)->bind(1, l.id).bind(2, exhausted ? "failed" : "queued").bind(3, error).bind(4, iso(now)).bind(5, worker);
    auto row = (*stmt)->step();
    if (!row) return row.status();
    if (!*row) continue;
    rescued.push_back(readJob(**stmt));
    (void)(*stmt)->step();
    requeued = requeued || !exhausted;
    if (Status s = insertEvent(db, l.id, now, "rescued", error, Actor::system()); !s) return s;
    if (exhausted && on_failed) {
      SqliteTxn txn(db);
      if (Status s = on_failed(txn, rescued.back()); !s) return s;
    }
    if (Status s = insertFollowUps(db, follow_ups, rescued.back(), now, requeued); !s) return s;
  }
  return Status::ok();
}

}  // namespace

Status SqliteStore::ping() {
  auto db = reader();
  auto stmt = db->prepare("SELECT count(*) FROM sqlite_master");
  if (!stmt) return stmt.status();
  auto row = (*stmt)->step();
  (*stmt)->reset();
  return row.status();
}

Status SqliteStore::heartbeatWorker(const WorkerRecord& w) {
  return writer_->runStatus([&w](Db& db) -> Status {
    auto stmt = db.prepare(
        "INSERT INTO workers (id, host, pid, started_at, heartbeat_at, running_jobs, queues, version) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at, "
        "running_jobs = excluded.running_jobs, queues = excluded.queues");
    if (!stmt) return stmt.status();
    (*stmt)->bind(1, w.id).bind(2, w.host).bind(3, w.pid).bind(4, iso(w.started_at)).bind(5, iso(w.heartbeat_at))
        .bind(6, w.running_jobs).bind(7, joinQueues(w.queues)).bind(8, w.version);
    return (*stmt)->run();
  });
}

Status SqliteStore::removeWorker(const std::string& worker_id) {
  return writer_->runStatus([&worker_id](Db& db) -> Status {
    auto stmt = db.prepare("DELETE FROM workers WHERE id = ?1");
    if (!stmt) return stmt.status();
    (*stmt)->bind(1, worker_id);
    return (*stmt)->run();
  });
}

Result<std::vector<WorkerRecord>> SqliteStore::listWorkers() {
  auto db = reader();
  auto stmt = db->prepare(
      "SELECT id, host, pid, started_at, heartbeat_at, running_jobs, queues, version FROM workers ORDER BY id");
  if (!stmt) return stmt.status();
  std::vector<WorkerRecord> out;
  while (true) {
    auto row = (*stmt)->step();
    if (!row) return row.status();
    if (!*row) break;
    Stmt& s = **stmt;
    WorkerRecord w;
    w.id = s.text(0);
    w.host = s.text(1);
    w.pid = s.int64(2);
    w.started_at = parseIso(s.text(3)).value_or(TimePoint{});
    w.heartbeat_at = parseIso(s.text(4)).value_or(TimePoint{});
    w.running_jobs = static_cast<int>(s.int64(5));
    w.queues = splitQueues(s.text(6));
    w.version = s.text(7);
    out.push_back(std::move(w));
  }
  return out;
}

Result<DeadWorkerRescue> SqliteStore::rescueDeadWorkers(const DeadWorkerRequest& r) {
  return writer_->run<DeadWorkerRescue>([this, &r](Db& db) -> Result<DeadWorkerRescue> {
    auto dead = db.prepare("SELECT id FROM workers WHERE heartbeat_at < ?1 ORDER BY heartbeat_at LIMIT ?2");
    if (!dead) return dead.status();
    (*dead)->bind(1, iso(r.heartbeat_before)).bind(2, r.limit);
    DeadWorkerRescue out;
    while (true) {
      auto row = (*dead)->step();
      if (!row) return row.status();
      if (!*row) break;
      out.workers.push_back((*dead)->text(0));
    }
    bool requeued = false;
    for (const std::string& w : out.workers) {
      if (Status s = rescueJobsOf(db, w, r.now, r.on_failed, r.follow_ups, out.jobs, requeued); !s) return s;
      auto gone = db.prepare("DELETE FROM workers WHERE id = ?1");
      if (!gone) return gone.status();
      (*gone)->bind(1, w);
      if (Status s = (*gone)->run(); !s) return s;
    }
    if (requeued) writer_->requestWake();
    AuditChanges changes;
    for (const Job& job : out.jobs) {
      if (job.status == JobStatus::failed) changes.finished(job.id);
    }
    audit_.add(std::move(changes));
    return out;
  });
}

Result<bool> SqliteStore::tryLeadership(const LeadershipRequest& r) {
  if (r.name.empty() || r.holder.empty()) return Status::invalidArgument("a lease needs a name and a holder");
  if (r.lease_until <= r.now) return Status::invalidArgument("lease_until must be after now");
  return writer_->run<bool>([&r](Db& db) -> Result<bool> {
    // One statement: the row is taken when missing, expired or already ours;
    // the writer serialises it against every other write to this file.
    auto stmt = db.prepare(
        "INSERT INTO leader_leases (name, holder, lease_until) VALUES (?1, ?2, ?4) "
        "ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, lease_until = excluded.lease_until "
        "WHERE leader_leases.lease_until <= ?3 OR leader_leases.holder = excluded.holder");
    if (!stmt) return stmt.status();
    (*stmt)->bind(1, r.name).bind(2, r.holder).bind(3, iso(r.now)).bind(4, iso(r.lease_until));
    if (Status s = (*stmt)->run(); !s) return s;
    return db.changes() > 0;
  });
}

Status SqliteStore::releaseLeadership(const std::string& name, const std::string& holder) {
  return writer_->runStatus([&name, &holder](Db& db) -> Status {
    auto stmt = db.prepare("DELETE FROM leader_leases WHERE name = ?1 AND holder = ?2");
    if (!stmt) return stmt.status();
    (*stmt)->bind(1, name).bind(2, holder);
    return (*stmt)->run();
  });
}

}  // namespace snapq::sqlite
