#include "store/sqlite/audit_index.h"

#include <algorithm>

#include "store/job_list_plan.h"
#include "store/sqlite/job_rows.h"

namespace snapq::sqlite {
namespace {

int finishedIndex(JobStatus s) {
  const auto& all = joblist::kFinishedStatuses;
  auto it = std::find(all.begin(), all.end(), s);
  return it == all.end() ? -1 : static_cast<int>(it - all.begin());
}

}  // namespace

void AuditChanges::countAt(const std::string& created_at, const Job& job, int sign) {
  int column = finishedIndex(job.status);
  if (column < 0) return;
  for (auto [span, prefix] : {std::pair<const char*, size_t>{"day", 10}, {"hour", 13}}) {
    counts_[Key{span, created_at.substr(0, prefix), job.service, job.actor.name}][static_cast<size_t>(column)] += sign;
  }
}

void AuditChanges::count(const Job& job, int sign) { countAt(iso(job.created_at), job, sign); }

void AuditChanges::countRemoved(const Removed& r, int sign) {
  Job job;
  job.status = r.status;
  job.service = r.service;
  job.actor.name = r.actor;
  countAt(r.created_at, job, sign);
}

void AuditChanges::unfinished(const Job& before) {
  if (finishedIndex(before.status) < 0) return;
  // Finished and taken back within one transaction: never counted nor indexed.
  if (added_.erase(before.id) > 0) return;
  count(before, -1);
  removed_.push_back({before.id, before.target_id, before.action, before.error, before.status, before.service,
                      before.actor.name, iso(before.created_at)});
}

void AuditIndex::add(AuditChanges&& c) {
  // In the order the writes happened: a removal cancels an addition still
  // pending from an earlier write of this transaction, count included.
  for (const AuditChanges::Removed& r : c.removed_) {
    if (pending_.added_.count(r.id) > 0) {
      pending_.added_.erase(r.id);
      c.countRemoved(r, +1);
    } else {
      pending_.removed_.push_back(r);
    }
  }
  for (const auto& [key, delta] : c.counts_) {
    auto& sum = pending_.counts_[key];
    for (size_t i = 0; i < sum.size(); ++i) sum[i] += delta[i];
  }
  pending_.added_.insert(c.added_.begin(), c.added_.end());
}

Status AuditIndex::flush(Db& db) {
  if (pending_.empty()) return Status::ok();
  AuditChanges changes = std::move(pending_);
  pending_ = AuditChanges();
  for (const AuditChanges::Removed& r : changes.removed_) {
    auto stmt = db.prepare(
        "INSERT INTO sync_jobs_search (sync_jobs_search, rowid, target_id, action, error) "
        "VALUES ('delete', ?1, ?2, ?3, ?4)");
    if (!stmt) return stmt.status();
    (*stmt)->bind(1, r.id).bind(2, r.target_id).bind(3, r.action).bindTextOrNull(4, r.error);
    if (Status s = (*stmt)->run(); !s) return s;
  }
  if (!changes.added_.empty()) {
    const std::string ids = jsonArray(std::vector<int64_t>(changes.added_.begin(), changes.added_.end()));
    const std::string finished = " FROM sync_jobs WHERE id IN (SELECT value FROM json_each(?1)) "
                                 "AND status != 'queued' AND status != 'running'";
    auto facts = db.prepare("SELECT status, service, actor_name, created_at" + finished);
    if (!facts) return facts.status();
    (*facts)->bind(1, ids);
    while (true) {
      auto row = (*facts)->step();
      if (!row) {
        (*facts)->reset();
        return row.status();
      }
      if (!*row) break;
      Job job;
      job.status = parseJobStatus((*facts)->text(0)).value_or(JobStatus::queued);
      job.service = (*facts)->text(1);
      job.actor.name = (*facts)->text(2);
      changes.countAt((*facts)->text(3), job, +1);
    }
    (*facts)->reset();
    auto index = db.prepare("INSERT INTO sync_jobs_search (rowid, target_id, action, error) "
                            "SELECT id, target_id, action, error" + finished);
    if (!index) return index.status();
    (*index)->bind(1, ids);
    if (Status s = (*index)->run(); !s) return s;
  }
  for (const auto& [key, d] : changes.counts_) {
    if (std::all_of(d.begin(), d.end(), [](int64_t n) { return n == 0; })) continue;
    const auto& [span, bucket, service, actor] = key;
    auto upsert = db.prepare(
        "INSERT INTO sync_job_counts VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT DO UPDATE SET "
        "success = success + excluded.success, failed = failed + excluded.failed, conflict = conflict + "
        "excluded.conflict, skipped = skipped + excluded.skipped, cancelled = cancelled + excluded.cancelled");
    if (!upsert) return upsert.status();
    (*upsert)->bind(1, span).bind(2, bucket).bind(3, service).bind(4, actor);
    for (size_t i = 0; i < d.size(); ++i) (*upsert)->bind(static_cast<int>(5 + i), d[i]);
    if (Status s = (*upsert)->run(); !s) return s;
    if (std::none_of(d.begin(), d.end(), [](int64_t n) { return n < 0; })) continue;
    // Rows whose jobs are all gone (pruned, deleted, retried) would only slow the sums down.
    auto empty = db.prepare(
        "DELETE FROM sync_job_counts WHERE span = ?1 AND bucket = ?2 AND service = ?3 AND actor_name = ?4 "
        "AND success = 0 AND failed = 0 AND conflict = 0 AND skipped = 0 AND cancelled = 0");
    if (!empty) return empty.status();
    (*empty)->bind(1, span).bind(2, bucket).bind(3, service).bind(4, actor);
    if (Status s = (*empty)->run(); !s) return s;
  }
  return Status::ok();
}

}  // namespace snapq::sqlite
