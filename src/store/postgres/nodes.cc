// What several nodes sharing one database need: health, the worker registry,
// the rescue of dead workers' jobs, and named leader leases.
#include "store/postgres/job_rows.h"
#include "store/postgres/postgres_store.h"

namespace snapq::pg {
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

}  // namespace

Status PostgresStore::ping() {
  return read<int>([](Conn& conn) -> Result<int> {
    auto rows = conn.query("SELECT 1");
    if (!rows) return rows.status();
    return 1;
  }).status();
}

Status PostgresStore::heartbeatWorker(const WorkerRecord& w) {
  return writer_->runStatus([&w](Conn& conn) -> Status {
    Params p;
    p.text(w.id).text(w.host).int64(w.pid).time(w.started_at).time(w.heartbeat_at).int64(w.running_jobs)
        .text(joinQueues(w.queues)).text(w.version);
    return conn
        .query("INSERT INTO workers (id, host, pid, started_at, heartbeat_at, running_jobs, queues, version) "
               "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO UPDATE SET "
               "heartbeat_at = EXCLUDED.heartbeat_at, running_jobs = EXCLUDED.running_jobs, queues = EXCLUDED.queues",
               p)
        .status();
  });
}

Status PostgresStore::removeWorker(const std::string& worker_id) {
  return writer_->runStatus([&worker_id](Conn& conn) -> Status {
    return conn.query("DELETE FROM workers WHERE id = $1", Params().text(worker_id)).status();
  });
}

Result<std::vector<WorkerRecord>> PostgresStore::listWorkers() {
  return read<std::vector<WorkerRecord>>([](Conn& conn) -> Result<std::vector<WorkerRecord>> {
    static const std::string sql = "SELECT id, host, pid, " + epochMs("started_at") + ", " + epochMs("heartbeat_at") +
                                   ", running_jobs, queues, version FROM workers ORDER BY id";
    auto rows = conn.query(sql);
    if (!rows) return rows.status();
    std::vector<WorkerRecord> out;
    for (int r = 0; r < rows->size(); ++r) {
      WorkerRecord w;
      w.id = rows->text(r, 0);
      w.host = rows->text(r, 1);
      w.pid = rows->int64(r, 2);
      w.started_at = rows->time(r, 3);
      w.heartbeat_at = rows->time(r, 4);
      w.running_jobs = static_cast<int>(rows->int64(r, 5));
      w.queues = splitQueues(rows->text(r, 6));
      w.version = rows->text(r, 7);
      out.push_back(std::move(w));
    }
    return out;
  });
}

Result<DeadWorkerRescue> PostgresStore::rescueDeadWorkers(const DeadWorkerRequest& r) {
  return writer_->run<DeadWorkerRescue>([&r](Conn& conn) -> Result<DeadWorkerRescue> {
    // Rows another node is rescuing right now are skipped, not waited for.
    auto dead = conn.query(
        "DELETE FROM workers WHERE id IN (SELECT id FROM workers WHERE heartbeat_at < $1 ORDER BY heartbeat_at "
        "LIMIT $2 FOR UPDATE SKIP LOCKED) RETURNING id",
        Params().time(r.heartbeat_before).int64(r.limit));
    if (!dead) return dead.status();
    DeadWorkerRescue out;
    for (int i = 0; i < dead->size(); ++i) out.workers.push_back(dead->text(i, 0));
    if (out.workers.empty()) return out;
    // Their running jobs, re-queued (or failed once their attempts are used up)
    // whatever their lease says: the worker that held them is gone.
    static const std::string sql =
        "UPDATE sync_jobs SET status = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END, "
        "error = 'attempt ' || attempts || ' failed: worker lost (' || locked_by || ' stopped sending heartbeats)', "
        "run_at = $2, finished_at = CASE WHEN attempts >= max_attempts THEN $2 END, locked_by = NULL, "
        "lease_until = NULL WHERE id IN (SELECT id FROM sync_jobs WHERE status = 'running' AND locked_by = ANY($1) "
        "FOR UPDATE SKIP LOCKED) AND status IN " +
        allowedFromSql(Transition::rescue) + " RETURNING " + kJobColumns;
    auto rows = conn.query(sql, Params().textArray(out.workers).time(r.now));
    if (!rows) return rows.status();
    for (int i = 0; i < rows->size(); ++i) {
      Job job = readJob(*rows, i);
      if (job.status == JobStatus::queued) conn.requestNotify();
      if (Status s = insertEvent(conn, job.id, r.now, "rescued", job.error, Actor::system()); !s) return s;
      if (job.status == JobStatus::failed && r.on_failed) {
        PgTxn txn(conn);
        if (Status s = r.on_failed(txn, job); !s) return s;
      }
      if (Status s = insertFollowUps(conn, r.follow_ups, job, r.now); !s) return s;
      out.jobs.push_back(std::move(job));
    }
    return out;
  });
}

Result<bool> PostgresStore::tryLeadership(const LeadershipRequest& r) {
  if (r.name.empty() || r.holder.empty()) return Status::invalidArgument("a lease needs a name and a holder");
  if (r.lease_until <= r.now) return Status::invalidArgument("lease_until must be after now");
  return writer_->run<bool>([&r](Conn& conn) -> Result<bool> {
    // One statement decides: nodes racing for the row serialise on it, and the
    // loser's update finds the winner's unexpired lease and changes nothing.
    auto rows = conn.query(
        "INSERT INTO leader_leases (name, holder, lease_until) VALUES ($1, $2, $4) "
        "ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, lease_until = EXCLUDED.lease_until "
        "WHERE leader_leases.lease_until <= $3 OR leader_leases.holder = EXCLUDED.holder RETURNING holder",
        Params().text(r.name).text(r.holder).time(r.now).time(r.lease_until));
    if (!rows) return rows.status();
    return !rows->empty();
  });
}

Status PostgresStore::releaseLeadership(const std::string& name, const std::string& holder) {
  return writer_->runStatus([&name, &holder](Conn& conn) -> Status {
    return conn.query("DELETE FROM leader_leases WHERE name = $1 AND holder = $2", Params().text(name).text(holder))
        .status();
  });
}

}  // namespace snapq::pg
