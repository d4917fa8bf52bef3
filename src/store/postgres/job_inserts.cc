// Inserting jobs: dispatches, follow-ups. Jobs without keys go in one
// statement over arrays (unnest), also across the dispatches of several
// threads that share a transaction (PlainInsert); keyed jobs one at a time.
#include <algorithm>

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

// Jobs without keys, all in one statement; `created[i]` is jobs[i]'s creation
// time (they may come from several dispatches). Ids come from the identity in
// the order the rows are inserted (the input order), so sorting them restores it.
Result<std::vector<int64_t>> insertBulk(Conn& conn, const std::vector<const NewJob*>& jobs,
                                        const std::vector<TimePoint>& created) {
  static const std::string sql =
      "WITH ins AS (INSERT INTO sync_jobs (service, instance, action, kind, target_type, target_id, status, "
      "attempts, max_attempts, priority, queue, trigger_source, actor_type, actor_name, payload, sealed_payload, "
      "expected_hash, created_at, run_at) "
      "SELECT service, instance, action, kind, target_type, target_id, 'queued', 0, max_attempts, priority, queue, "
      "trigger_source, actor_type, actor_name, payload, decode(sealed, 'hex'), expected_hash, created, run_at "
      "FROM unnest($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) WITH ORDINALITY "
      "AS j(service, instance, action, kind, target_type, target_id, max_attempts, priority, queue, "
      "trigger_source, actor_type, actor_name, payload, sealed, expected_hash, run_at, created, ord) ORDER BY ord "
      "RETURNING id) SELECT id FROM ins ORDER BY id";
  size_t n = jobs.size();
  std::vector<std::vector<std::string>> text(14);
  for (auto& column : text) column.reserve(n);
  std::vector<bool> sealed_present, hash_present;
  std::vector<int64_t> max_attempts, priority;
  std::vector<TimePoint> run_at;
  for (size_t i = 0; i < n; ++i) {
    const NewJob* j = jobs[i];
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
    run_at.push_back(j->run_at.value_or(created[i]));
  }
  Params p;
  for (int i = 0; i < 6; ++i) p.textArray(text[i]);
  p.int64Array(max_attempts).int64Array(priority);
  for (int i = 6; i < 11; ++i) p.textArray(text[i]);
  p.textArray(text[11], sealed_present).textArray(text[12], hash_present).timeArray(run_at).timeArray(created);
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
    auto ids = insertBulk(conn, plain, std::vector<TimePoint>(plain.size(), now));
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

namespace {

Result<std::vector<InsertedJob>> insertWithHook(Conn& conn, const InsertJobsRequest& request) {
  auto inserted = insertNewJobs(conn, request.jobs, request.now);
  if (!inserted) return inserted.status();
  if (request.extra) {
    PgTxn txn(conn);
    if (Status s = request.extra(txn, *inserted); !s) return s;
  }
  if (request.on_written) request.on_written();
  return inserted;
}

// A dispatch of jobs without keys, which may share its INSERT with the other
// such dispatches of the transaction (Combinable). Their hooks then run after
// the shared INSERT, each with its own jobs; if anything fails, the whole is
// rolled back and each dispatch runs alone, so a hook may run twice (the first
// time in a rolled-back savepoint).
class PlainInsert final : public Combinable {
 public:
  explicit PlainInsert(InsertJobsRequest request) : request_(std::move(request)) {}

  static bool fits(const InsertJobsRequest& request) {
    return std::all_of(request.jobs.begin(), request.jobs.end(),
                       [](const NewJob& j) { return j.unique_key.empty() && j.idempotency_key.empty(); });
  }

  Status runAlone(Conn& conn) {
    out_ = insertWithHook(conn, request_);
    return out_.status();
  }

  Status runTogether(Conn& conn, const std::vector<Combinable*>& all) override {
    std::vector<const NewJob*> jobs;
    std::vector<TimePoint> created;
    for (Combinable* c : all) {
      for (const NewJob& job : static_cast<PlainInsert*>(c)->request_.jobs) {
        jobs.push_back(&job);
        created.push_back(static_cast<PlainInsert*>(c)->request_.now);
      }
    }
    auto ids = insertBulk(conn, jobs, created);
    if (!ids) return ids.status();
    conn.requestNotify();
    size_t next = 0;
    for (Combinable* c : all) {
      auto* insert = static_cast<PlainInsert*>(c);
      std::vector<InsertedJob> mine;
      for (size_t k = 0; k < insert->request_.jobs.size(); ++k) mine.push_back({(*ids)[next++], false});
      if (insert->request_.extra) {
        PgTxn txn(conn);
        if (Status s = insert->request_.extra(txn, mine); !s) return s;
      }
      if (insert->request_.on_written) insert->request_.on_written();
      insert->out_ = std::move(mine);
    }
    return Status::ok();
  }

  // One INSERT for all, when no dispatch has a hook to run after it.
  bool oneStatement() const override { return !request_.extra; }

  Result<std::vector<InsertedJob>> take() { return std::move(out_); }

 private:
  InsertJobsRequest request_;
  Result<std::vector<InsertedJob>> out_ = Status::internal("the insert did not run");
};

}  // namespace

Result<std::vector<InsertedJob>> PostgresStore::insertJobs(InsertJobsRequest request) {
  if (request.jobs.empty() || !PlainInsert::fits(request)) {
    return writer_->run<std::vector<InsertedJob>>(
        [&request](Conn& conn) -> Result<std::vector<InsertedJob>> { return insertWithHook(conn, request); });
  }
  auto insert = std::make_shared<PlainInsert>(std::move(request));
  if (Status s = writer_->runStatus([insert](Conn& conn) { return insert->runAlone(conn); }, insert); !s) return s;
  return insert->take();
}

}  // namespace snapq::pg
