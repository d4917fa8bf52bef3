// The queue's write path: insert, claim, leases and rescue (completions are in
// completions.cc). Every statement runs on the writer thread, batched with
// whatever else is pending; multi-row work is one statement over arrays
// (unnest), not one round trip per job.
#include <algorithm>
#include <map>

#include "store/postgres/job_rows.h"
#include "store/postgres/postgres_store.h"

namespace snapq::pg {
namespace {

std::string hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

Result<std::optional<int64_t>> findExisting(Conn& conn, const NewJob& job) {
  auto lookup = [&conn](const std::string& sql, const std::string& key) -> Result<std::optional<int64_t>> {
    auto rows = conn.query(sql, Params().text(key));
    if (!rows) return rows.status();
    if (rows->empty()) return std::optional<int64_t>();
    return std::optional<int64_t>(rows->int64(0, 0));
  };
  if (!job.idempotency_key.empty()) {
    auto found = lookup("SELECT id FROM sync_jobs WHERE idempotency_key = $1", job.idempotency_key);
    if (!found || *found) return found;
  }
  if (!job.unique_key.empty()) {
    return lookup("SELECT id FROM sync_jobs WHERE unique_key = $1 AND status IN ('queued', 'running')", job.unique_key);
  }
  return std::optional<int64_t>();
}

// A job with a unique or idempotency key, alone: another node may insert the
// same key at the same moment, so a conflict means "theirs is the job".
Result<InsertedJob> insertKeyed(Conn& conn, const NewJob& job, TimePoint now) {
  auto existing = findExisting(conn, job);
  if (!existing) return existing.status();
  if (*existing) return InsertedJob{**existing, true};
  static const std::string sql =
      "INSERT INTO sync_jobs (service, instance, action, kind, target_type, target_id, status, attempts, "
      "max_attempts, priority, queue, trigger_source, actor_type, actor_name, payload, sealed_payload, "
      "expected_hash, unique_key, idempotency_key, created_at, run_at) VALUES "
      "($1, $2, $3, $4, $5, $6, 'queued', 0, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) "
      "ON CONFLICT DO NOTHING RETURNING id";
  Params p;
  p.text(job.service)
      .text(job.instance)
      .text(job.action)
      .text(toString(job.kind))
      .text(job.target_type)
      .text(job.target_id)
      .int64(job.max_attempts)
      .int64(job.priority)
      .text(job.queue)
      .text(toString(job.trigger_source))
      .text(toString(job.actor.type))
      .text(job.actor.name)
      .text(job.payload)
      .bytesOrNull(job.sealed_payload)
      .textOrNull(job.expected_hash)
      .textOrNull(job.unique_key)
      .textOrNull(job.idempotency_key)
      .time(now)
      .time(job.run_at.value_or(now));
  auto rows = conn.query(sql, p);
  if (!rows) return rows.status();
  if (!rows->empty()) return InsertedJob{rows->int64(0, 0), false};
  existing = findExisting(conn, job);
  if (!existing) return existing.status();
  if (*existing) return InsertedJob{**existing, true};
  return Status::unavailable("a job with the same key was inserted and finished concurrently; dispatch again");
}

// Jobs without keys, all in one statement. Ids come from the identity in the
// order the rows are inserted (the input order), so sorting them restores it.
Result<std::vector<int64_t>> insertBulk(Conn& conn, const std::vector<const NewJob*>& jobs, TimePoint now) {
  static const std::string sql =
      "WITH ins AS (INSERT INTO sync_jobs (service, instance, action, kind, target_type, target_id, status, "
      "attempts, max_attempts, priority, queue, trigger_source, actor_type, actor_name, payload, sealed_payload, "
      "expected_hash, created_at, run_at) "
      "SELECT service, instance, action, kind, target_type, target_id, 'queued', 0, max_attempts, priority, queue, "
      "trigger_source, actor_type, actor_name, payload, decode(sealed, 'hex'), expected_hash, $17, run_at "
      "FROM unnest($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) WITH ORDINALITY "
      "AS j(service, instance, action, kind, target_type, target_id, max_attempts, priority, queue, "
      "trigger_source, actor_type, actor_name, payload, sealed, expected_hash, run_at, ord) ORDER BY ord "
      "RETURNING id) SELECT id FROM ins ORDER BY id";
  size_t n = jobs.size();
  std::vector<std::vector<std::string>> text(14);
  for (auto& column : text) column.reserve(n);
  std::vector<bool> sealed_present, hash_present;
  std::vector<int64_t> max_attempts, priority;
  std::vector<TimePoint> run_at;
  for (const NewJob* j : jobs) {
    text[0].push_back(j->service);
    text[1].push_back(j->instance);
    text[2].push_back(j->action);
    text[3].push_back(toString(j->kind));
    text[4].push_back(j->target_type);
    text[5].push_back(j->target_id);
    text[6].push_back(j->queue);
    text[7].push_back(toString(j->trigger_source));
    text[8].push_back(toString(j->actor.type));
    text[9].push_back(j->actor.name);
    text[10].push_back(j->payload);
    text[11].push_back(hex(j->sealed_payload));
    sealed_present.push_back(!j->sealed_payload.empty());
    text[12].push_back(j->expected_hash);
    hash_present.push_back(!j->expected_hash.empty());
    max_attempts.push_back(j->max_attempts);
    priority.push_back(j->priority);
    run_at.push_back(j->run_at.value_or(now));
  }
  Params p;
  for (int i = 0; i < 6; ++i) p.textArray(text[i]);
  p.int64Array(max_attempts).int64Array(priority);
  for (int i = 6; i < 11; ++i) p.textArray(text[i]);
  p.textArray(text[11], sealed_present).textArray(text[12], hash_present).timeArray(run_at).time(now);
  auto rows = conn.query(sql, p);
  if (!rows) return rows.status();
  if (rows->size() != static_cast<int>(n)) return Status::internal("bulk insert returned a wrong number of ids");
  std::vector<int64_t> ids;
  ids.reserve(n);
  for (int r = 0; r < rows->size(); ++r) ids.push_back(rows->int64(r, 0));
  return ids;
}

}  // namespace

Result<std::vector<InsertedJob>> insertNewJobs(Conn& conn, const std::vector<NewJob>& jobs, TimePoint now) {
  std::vector<InsertedJob> out;
  out.reserve(jobs.size());
  std::vector<const NewJob*> plain;
  auto flush = [&]() -> Status {
    if (plain.empty()) return Status::ok();
    auto ids = insertBulk(conn, plain, now);
    if (!ids) return ids.status();
    for (int64_t id : *ids) out.push_back({id, false});
    plain.clear();
    return Status::ok();
  };
  for (const NewJob& job : jobs) {
    if (job.unique_key.empty() && job.idempotency_key.empty()) {
      plain.push_back(&job);
      continue;
    }
    if (Status s = flush(); !s) return s;
    auto inserted = insertKeyed(conn, job, now);
    if (!inserted) return inserted.status();
    out.push_back(*inserted);
  }
  if (Status s = flush(); !s) return s;
  if (std::any_of(out.begin(), out.end(), [](const InsertedJob& j) { return !j.existing; })) conn.requestNotify();
  return out;
}

Status insertFollowUps(Conn& conn, const FollowUps& follow_ups, const Job& after, TimePoint now) {
  if (!follow_ups || !isTerminal(after.status)) return Status::ok();
  std::vector<NewJob> jobs = follow_ups(after);
  if (jobs.empty()) return Status::ok();
  return insertNewJobs(conn, jobs, now).status();
}

Result<std::vector<InsertedJob>> PostgresStore::insertJobs(InsertJobsRequest request) {
  return writer_->run<std::vector<InsertedJob>>([&request](Conn& conn) -> Result<std::vector<InsertedJob>> {
    auto inserted = insertNewJobs(conn, request.jobs, request.now);
    if (!inserted) return inserted.status();
    std::vector<InsertedJob> out = std::move(*inserted);
    if (request.extra) {
      PgTxn txn(conn);
      if (Status s = request.extra(txn, out); !s) return s;
    }
    return out;
  });
}

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
    // open. Rows another node is claiming right now are skipped, not waited for.
    std::string sql =
        "SELECT id, service FROM sync_jobs AS j WHERE status = 'queued' AND run_at <= $1"
        " AND (target_id = '' OR NOT EXISTS (SELECT 1 FROM sync_jobs AS p WHERE p.status IN ('queued', 'running')"
        " AND p.target_id <> '' AND p.service = j.service AND p.instance = j.instance"
        " AND p.target_type = j.target_type AND p.target_id = j.target_id AND p.id < j.id))";
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
    std::map<int64_t, size_t> position;
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
    // are put back in claim order.
    static const std::string claim_sql =
        "UPDATE sync_jobs SET status = 'running', attempts = attempts + 1, locked_by = $1, lease_until = $2, "
        "started_at = $3 WHERE id = ANY($4) AND status IN " +
        allowedFromSql(Transition::claim) + " RETURNING " + kJobColumns;
    Params up;
    up.text(request.worker_id).time(request.now + request.lease).time(request.now).int64Array(ids);
    auto rows = conn.query(claim_sql, up);
    if (!rows) return rows.status();
    std::vector<Job> claimed;
    claimed.reserve(ids.size());
    for (int r = 0; r < rows->size(); ++r) claimed.push_back(readJob(*rows, r));
    std::sort(claimed.begin(), claimed.end(),
              [&position](const Job& a, const Job& b) { return position[a.id] < position[b.id]; });
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
        "WHERE id = $1 AND status IN " +
        allowedFromSql(Transition::rescue) + " RETURNING " + kJobColumns;
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
