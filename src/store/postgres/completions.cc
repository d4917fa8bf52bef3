// Completions: what workers report when attempts end. Each transition is one
// UPDATE over arrays for all the batch's jobs that made it, guarded by the state
// machine and by the worker still holding the job; completions carrying
// caller-supplied writes run alone in a savepoint of their own.
#include "store/postgres/completions.h"

#include <set>

#include "store/postgres/job_rows.h"
#include "store/postgres/postgres_store.h"

namespace snapq::pg {
namespace {

using Group = std::vector<const JobCompletion*>;

bool finishes(Transition t) {
  return t == Transition::succeed || t == Transition::skip || t == Transition::conflict || t == Transition::fail;
}

const std::string& transitionSql(Transition t) {
  static const std::string guard = " WHERE j.id = c.id AND j.locked_by = c.worker AND ";
  static const std::string finish =
      "UPDATE sync_jobs AS j SET status = $3, result = c.result, error = c.error, started_at = c.started_at, "
      "finished_at = c.finished_at, duration_ms = c.duration_ms, locked_by = NULL, lease_until = NULL";
  static const std::string finish_from =
      " FROM unnest($1, $2, $4, $5, $6, $7, $8) AS c(id, worker, result, error, started_at, finished_at, duration_ms)";
  static const std::map<Transition, std::string> sql = {
      {Transition::succeed,
       finish + ", sealed_payload = NULL" + finish_from + guard + byIdGuardSql(Transition::succeed, "j.")},
      {Transition::skip,
       finish + ", sealed_payload = NULL" + finish_from + guard + byIdGuardSql(Transition::skip, "j.")},
      {Transition::conflict, finish + finish_from + guard + byIdGuardSql(Transition::conflict, "j.")},
      {Transition::fail, finish + finish_from + guard + byIdGuardSql(Transition::fail, "j.")},
      {Transition::retry_later,
       "UPDATE sync_jobs AS j SET status = 'queued', error = c.error, started_at = c.started_at, run_at = c.run_at, "
       "locked_by = NULL, lease_until = NULL FROM unnest($1, $2, $3, $4, $5) AS c(id, worker, error, started_at, "
       "run_at)" +
           guard + byIdGuardSql(Transition::retry_later, "j.")},
      {Transition::release,
       "UPDATE sync_jobs AS j SET status = 'queued', attempts = greatest(j.attempts - 1, 0), run_at = c.run_at, "
       "locked_by = NULL, lease_until = NULL FROM unnest($1, $2, $3) AS c(id, worker, run_at)" +
           guard + byIdGuardSql(Transition::release, "j.")},
  };
  static const std::string none;
  auto it = sql.find(t);
  return it == sql.end() ? none : it->second;
}

}  // namespace

Statement transitionStatement(Transition t, const std::vector<const JobCompletion*>& group) {
  std::vector<int64_t> ids;
  std::vector<std::string> workers, results, errors;
  std::vector<bool> has_result, has_error;
  std::vector<TimePoint> started, finished, run_at;
  std::vector<int64_t> durations;
  for (const JobCompletion* c : group) {
    ids.push_back(c->job_id);
    workers.push_back(c->worker_id);
    results.push_back(c->result);
    has_result.push_back(!c->result.empty());
    errors.push_back(c->error);
    has_error.push_back(!c->error.empty());
    started.push_back(c->started_at);
    finished.push_back(c->finished_at);
    run_at.push_back(c->run_at);
    durations.push_back((c->finished_at - c->started_at).count());
  }
  Params p;
  p.int64Array(ids).textArray(workers);
  if (finishes(t)) {
    p.text(toString(transitionTarget(t)))
        .textArray(results, has_result)
        .textArray(errors, has_error)
        .timeArray(started)
        .timeArray(finished)
        .int64Array(durations);
  } else if (t == Transition::retry_later) {
    p.textArray(errors, has_error).timeArray(started).timeArray(run_at);
  } else {
    p.timeArray(run_at);
  }
  return {transitionSql(t) + " RETURNING j.id", std::move(p)};
}

namespace {

// Applies one transition to a group of completions; returns the ids it changed.
Result<std::set<int64_t>> applyTransition(Conn& conn, Transition t, const Group& group) {
  Statement update = transitionStatement(t, group);
  auto rows = conn.query(update.sql, update.params);
  if (!rows) return rows.status();
  std::set<int64_t> changed;
  for (int r = 0; r < rows->size(); ++r) changed.insert(rows->int64(r, 0));
  if (!changed.empty() && !finishes(t)) conn.requestNotify();  // re-queued: idle workers may take them
  return changed;
}

Status insertEvents(Conn& conn, const Group& applied) {
  std::vector<int64_t> ids;
  std::vector<TimePoint> at;
  std::vector<std::string> types, messages;
  for (const JobCompletion* c : applied) {
    if (!c->event) continue;
    ids.push_back(c->job_id);
    at.push_back(c->finished_at);
    types.push_back(c->event->type);
    messages.push_back(c->event->message);
  }
  if (ids.empty()) return Status::ok();
  static const std::string sql =
      "INSERT INTO sync_job_events (job_id, at, type, message, actor_type, actor_name) "
      "SELECT job_id, at, type, message, $5, $6 FROM unnest($1, $2, $3, $4) WITH ORDINALITY "
      "AS e(job_id, at, type, message, ord) ORDER BY ord";
  Params p;
  p.int64Array(ids)
      .timeArray(at)
      .textArray(types)
      .textArray(messages)
      .text(toString(ActorType::system))
      .text(Actor::system().name);
  return conn.query(sql, p).status();
}

// Completions of one group, in one statement per transition, then their events.
Result<std::vector<bool>> applyPlain(Conn& conn, const Group& group) {
  std::map<Transition, Group> by_transition;
  for (const JobCompletion* c : group) by_transition[c->transition].push_back(c);
  std::set<int64_t> changed;
  for (const auto& [t, members] : by_transition) {
    auto ids = applyTransition(conn, t, members);
    if (!ids) return ids.status();
    changed.insert(ids->begin(), ids->end());
  }
  std::vector<bool> applied;
  Group with_effect;
  for (const JobCompletion* c : group) {
    applied.push_back(changed.count(c->job_id) > 0);
    if (applied.back()) with_effect.push_back(c);
  }
  if (Status s = insertEvents(conn, with_effect); !s) return s;
  for (const JobCompletion* c : with_effect) {
    if (c->follow_ups.empty()) continue;
    if (Status s = insertNewJobs(conn, c->follow_ups, c->finished_at).status(); !s) return s;
  }
  return applied;
}

// A completion with caller-supplied writes: if those writes fail, this job's
// completion is undone (its lease then runs out and it is rescued) while the
// rest of the batch commits.
Result<bool> applyIsolated(Conn& conn, const JobCompletion& c) {
  if (Status s = conn.exec("SAVEPOINT completion"); !s) return s;
  auto applied = applyPlain(conn, {&c});
  bool ok = applied && applied->front();
  if (ok) {
    PgTxn txn(conn);
    if (Status s = c.extra(txn); !s) ok = false;
  }
  if (!ok) {
    if (Status s = conn.exec("ROLLBACK TO SAVEPOINT completion"); !s) return s;
  }
  if (Status s = conn.exec("RELEASE SAVEPOINT completion"); !s) return s;
  return ok;
}

Result<std::vector<bool>> applyAll(Conn& conn, const std::vector<JobCompletion>& all) {
  std::set<int64_t> seen;
  bool repeats = false;
  for (const JobCompletion& c : all) {
    if (transitionSql(c.transition).empty()) {
      return Status::invalidArgument(std::string("a worker cannot complete a job with transition ") +
                                     toString(c.transition));
    }
    repeats = repeats || !seen.insert(c.job_id).second;
  }
  std::vector<bool> applied(all.size(), false);
  Group plain;
  std::vector<size_t> plain_index;
  for (size_t i = 0; i < all.size(); ++i) {
    // A job reported twice in one batch is applied in order, one at a time, so
    // the second report finds the first one's effect as a sequence would.
    if (all[i].extra || repeats) {
      Result<bool> r = false;
      if (all[i].extra) {
        r = applyIsolated(conn, all[i]);
      } else {
        auto one = applyPlain(conn, {&all[i]});
        if (!one) return one.status();
        r = static_cast<bool>(one->front());
      }
      if (!r) return r.status();
      applied[i] = *r;
      continue;
    }
    plain.push_back(&all[i]);
    plain_index.push_back(i);
  }
  if (!plain.empty()) {
    auto r = applyPlain(conn, plain);
    if (!r) return r.status();
    for (size_t k = 0; k < plain.size(); ++k) applied[plain_index[k]] = (*r)[k];
  }
  return applied;
}

}  // namespace

void PostgresStore::completeJobs(std::vector<JobCompletion> completions, CompletionCallback done) {
  auto applied = std::make_shared<std::vector<bool>>();
  auto shared = std::make_shared<std::vector<JobCompletion>>(std::move(completions));
  writer_->submit(
      [shared, applied](Conn& conn) -> Status {
        auto r = applyAll(conn, *shared);
        if (!r) return r.status();
        *applied = std::move(*r);
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

}  // namespace snapq::pg
