// The queue's write path: claim, leases and rescue (inserts are in
// job_inserts.cc, completions in completions.cc). Every statement runs on the
// writer thread, batched with whatever else is pending; multi-row work is one
// statement over arrays (unnest), not one round trip per job.
#include <map>
#include <optional>
#include <unordered_map>

#include "store/postgres/job_rows.h"
#include "store/postgres/postgres_store.h"

namespace snapq::pg {

Result<std::vector<Job>> PostgresStore::claimJobs(const ClaimRequest& request) {
  return writer_->run<std::vector<Job>>([&request](Conn& conn) -> Result<std::vector<Job>> {
    // Room left per limited service, counting what already runs on any node.
    std::map<std::string, int> room;
    std::vector<std::string> full;
    if (!request.service_limits.empty()) {
      room = request.service_limits;
      std::vector<std::string> limited;
      for (const auto& entry : room) limited.push_back(entry.first);
      auto running = conn.query(
          "SELECT service, count(*) FROM sync_jobs WHERE status = 'running' AND service = ANY($1) GROUP BY service",
          Params().textArray(limited));
      if (!running) return running.status();
      for (int r = 0; r < running->size(); ++r) room[running->text(r, 0)] -= static_cast<int>(running->int64(r, 1));
      for (const auto& [service, left] : room) {
        if (left <= 0) full.push_back(service);
      }
    }
    // Due jobs in claim order; a job waits while an older job of its target is
    // queued, or any job of its target runs: a retried job, or one whose
    // dispatch committed after another node's later-numbered one, may be older
    // than the job that runs. Rows another node is claiming right now are
    // skipped, not waited for.
    std::string sql =
        "SELECT id, service FROM sync_jobs AS j WHERE status = 'queued' AND run_at <= $1"
        " AND (target_id = '' OR NOT EXISTS (SELECT 1 FROM sync_jobs AS p WHERE p.status IN ('queued', 'running')"
        " AND p.target_id <> '' AND p.service = j.service AND p.instance = j.instance"
        " AND p.target_type = j.target_type AND p.target_id = j.target_id AND (p.id < j.id OR p.status = 'running')))";
    Params p;
    p.time(request.now).int64(request.limit);
    if (!request.queues.empty()) {
      sql += " AND queue = ANY($" + std::to_string(p.size() + 1) + ")";
      p.textArray(request.queues);
    }
    if (!full.empty()) {
      sql += " AND service <> ALL($" + std::to_string(p.size() + 1) + ")";
      p.textArray(full);
    }
    sql += " ORDER BY priority, run_at, id LIMIT $2 FOR UPDATE OF j SKIP LOCKED";
    auto candidates = conn.query(sql, p);
    if (!candidates) return candidates.status();
    std::vector<int64_t> ids;
    std::unordered_map<int64_t, size_t> position;
    for (int r = 0; r < candidates->size(); ++r) {
      auto it = room.find(candidates->text(r, 1));
      if (it != room.end()) {
        if (it->second <= 0) continue;
        --it->second;
      }
      position[candidates->int64(r, 0)] = ids.size();
      ids.push_back(candidates->int64(r, 0));
    }
    if (ids.empty()) return std::vector<Job>{};

    // One UPDATE claims the whole batch; the rows come back in any order and
    // each goes back to its place in claim order.
    static const std::string claim_sql =
        "UPDATE sync_jobs SET status = 'running', attempts = attempts + 1, locked_by = $1, lease_until = $2, "
        "started_at = $3 WHERE id = ANY($4) AND " +
        byIdGuardSql(Transition::claim) + " RETURNING " + kJobColumns;
    Params up;
    up.text(request.worker_id).time(request.now + request.lease).time(request.now).int64Array(ids);
    auto rows = conn.query(claim_sql, up);
    if (!rows) return rows.status();
    std::vector<std::optional<Job>> in_order(ids.size());
    for (int r = 0; r < rows->size(); ++r) {
      Job job = readJob(*rows, r);
      size_t at = position.at(job.id);
      in_order[at] = std::move(job);
    }
    std::vector<Job> claimed;
    claimed.reserve(rows->size());
    for (std::optional<Job>& job : in_order) {
      if (job) claimed.push_back(std::move(*job));
    }
    return claimed;
  });
}

Status PostgresStore::extendLeases(const std::string& worker_id, const std::vector<int64_t>& job_ids,
                                   TimePoint lease_until) {
  if (job_ids.empty()) return Status::ok();
  return writer_->runStatus([&](Conn& conn) -> Status {
    Params p;
    p.time(lease_until).text(worker_id).int64Array(job_ids);
    return conn
        .query("UPDATE sync_jobs SET lease_until = $1 WHERE id = ANY($3) AND status = 'running' AND locked_by = $2", p)
        .status();
  });
}

Status PostgresStore::setProgress(int64_t job_id, const std::string& worker_id, std::string progress) {
  writer_->submit(
      [job_id, worker_id, progress = std::move(progress)](Conn& conn) -> Status {
        Params p;
        p.text(progress).int64(job_id).text(worker_id);
        return conn
            .query("UPDATE sync_jobs SET progress = $1 WHERE id = $2 AND status = 'running' AND locked_by = $3", p)
            .status();
      },
      nullptr);
  return Status::ok();
}

Result<std::vector<Job>> PostgresStore::rescueExpired(const RescueRequest& request) {
  return writer_->run<std::vector<Job>>([&request](Conn& conn) -> Result<std::vector<Job>> {
    const TimePoint now = request.now;
    auto expired = conn.query(
        "SELECT id, attempts, max_attempts FROM sync_jobs WHERE status = 'running' AND lease_until < $1 "
        "ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED",
        Params().time(now).int64(request.limit));
    if (!expired) return expired.status();
    static const std::string sql =
        "UPDATE sync_jobs SET status = $2, error = $3, run_at = $4, finished_at = CASE WHEN $2 = 'failed' THEN $4 END, "
        "duration_ms = CASE WHEN $2 = 'failed' THEN duration_ms END, locked_by = NULL, lease_until = NULL "
        "WHERE id = $1 AND " +
        byIdGuardSql(Transition::rescue) + " RETURNING " + kJobColumns;
    std::vector<Job> rescued;
    for (int r = 0; r < expired->size(); ++r) {
      int64_t id = expired->int64(r, 0);
      int64_t attempts = expired->int64(r, 1);
      bool exhausted = attempts >= expired->int64(r, 2);
      std::string error = "attempt " + std::to_string(attempts) + " failed: worker lost (lease expired)";
      Params p;
      p.int64(id).text(exhausted ? "failed" : "queued").text(error).time(now);
      auto rows = conn.query(sql, p);
      if (!rows) return rows.status();
      if (rows->empty()) continue;
      rescued.push_back(readJob(*rows, 0));
      if (!exhausted) conn.requestNotify();
      if (Status s = insertEvent(conn, id, now, "rescued", error, Actor::system()); !s) return s;
      if (exhausted && request.on_failed) {
        PgTxn txn(conn);
        if (Status s = request.on_failed(txn, rescued.back()); !s) return s;
      }
      if (Status s = insertFollowUps(conn, request.follow_ups, rescued.back(), now); !s) return s;
    }
    return rescued;
  });
}

}  // namespace snapq::pg
