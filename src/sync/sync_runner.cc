#include "sync/sync_runner.h"

#include <algorithm>
#include <unordered_set>

#include "sync/remote_outcome.h"
#include "sync/sync_plan.h"

namespace snapq {

nlohmann::json SyncStats::toJson() const {
  nlohmann::json j = {{"fetched", fetched}, {"created", created},           {"updated", updated},
                      {"unchanged", unchanged}, {"deleted", deleted}, {"kept_pending", kept_pending},
                      {"pages", pages}};
  if (invalid > 0) {
    j["invalid"] = invalid;
    j["first_invalid"] = first_invalid;
  }
  return j;
}

Status SyncRunner::flush(const SyncTarget& target, SyncBatch& batch, SyncStats& stats, TimePoint now) {
  if (batch.upserts.empty() && batch.deletes.empty()) return Status::ok();
  batch.instance = target.instance;
  batch.scope = target.scope_key;
  batch.now = now;
  auto applied = snapshots_.applySync(target.table, std::move(batch));
  batch = SyncBatch{};
  if (!applied) return applied.status();
  stats.created += applied->inserted;
  stats.updated += applied->updated;
  stats.deleted += applied->deleted;
  stats.kept_pending += applied->kept_pending;
  return Status::ok();
}

Outcome SyncRunner::run(const SyncTarget& target, JobContext& ctx) {
  auto stored = snapshots_.rowStates(target.table, target.instance, target.scope_key);
  if (!stored) return Outcome::retry("reading the snapshot: " + stored.status().message());
  const std::string& resource = target.table.resource->name;
  SyncStats stats;
  std::unordered_set<std::string> seen;
  seen.reserve(stored->size() + 64);
  SyncBatch batch;
  std::string cursor;
  while (true) {
    if (ctx.stopToken().stop_requested()) return Outcome::retry("stopped before the listing was complete");
    auto page = connector_.list(resource, target.scope, cursor);
    if (!page) return outcomeOf(page.error(), "listing " + resource + " (page " + std::to_string(stats.pages + 1) + ")");
    ++stats.pages;
    TimePoint now = clock_.now();
    for (const nlohmann::json& object : page->objects) {
      ++stats.fetched;
      auto row = rows_.build(object, target.instance, target.scope_key);
      if (!row) {
        if (stats.invalid++ == 0) stats.first_invalid = row.status().message();
        continue;
      }
      if (!seen.insert(row->key).second) continue;  // listed twice (pages shifted): the first copy counts
      auto it = stored->find(row->key);
      std::optional<RowState> state;
      if (it != stored->end()) state = it->second;
      if (decideSeen(state, row->content_hash) == RowDecision::unchanged) {
        ++stats.unchanged;
        continue;
      }
      batch.upserts.push_back(std::move(*row));
      if (batch.upserts.size() >= target.batch_rows) {
        if (Status s = flush(target, batch, stats, now); !s) return Outcome::retry("writing the snapshot: " + s.message());
      }
    }
    ctx.progress(nlohmann::json{{"pages", stats.pages}, {"fetched", stats.fetched}}.dump());
    if (!page->next_cursor) break;
    cursor = *page->next_cursor;
  }
  if (Status s = flush(target, batch, stats, clock_.now()); !s) return Outcome::retry("writing the snapshot: " + s.message());

  // The listing is complete: what it did not contain is gone remotely.
  std::vector<std::string> gone;
  for (const auto& [key, state] : *stored) {
    if (!seen.contains(key) && deleteUnseen(state.status)) gone.push_back(key);
  }
  DeletionGuard guard{target.table.resource->deletion_guard, target.force};
  if (!guard.allows(static_cast<long long>(gone.size()), static_cast<long long>(stored->size()))) {
    Outcome refused = Outcome::reject(guard.refusal(static_cast<long long>(gone.size()),
                                                    static_cast<long long>(stored->size())));
    refused.result = stats.toJson().dump();
    return refused;
  }
  for (size_t i = 0; i < gone.size(); i += target.batch_rows) {
    size_t end = std::min(gone.size(), i + target.batch_rows);
    batch.deletes.assign(gone.begin() + static_cast<long>(i), gone.begin() + static_cast<long>(end));
    if (Status s = flush(target, batch, stats, clock_.now()); !s) return Outcome::retry("deleting rows: " + s.message());
  }
  stats.kept_pending += static_cast<int64_t>(std::count_if(stored->begin(), stored->end(), [&](const auto& kv) {
    return !seen.contains(kv.first) && !deleteUnseen(kv.second.status);
  }));
  Outcome done = Outcome::ok(stats.toJson().dump());
  // The job's success is the resource's new last_synced_at, which listings
  // show beside the rows: the table's generation moves with it, even when no
  // row changed (snapshot.h, generation).
  done.on_commit = [store = &snapshots_, table = target.table](Txn& txn, const Job&) {
    return store->touchTable(txn, table);
  };
  return done;
}

}  // namespace snapq
