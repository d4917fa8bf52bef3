#include "store/sqlite/count_cache.h"

#include "core/time_format.h"

namespace snapq::sqlite {
namespace {

// Each part with its length first, so no two filters share a key.
void add(std::string& key, std::string_view part) {
  key += std::to_string(part.size());
  key += ':';
  key += part;
}

void addList(std::string& key, const std::vector<std::string>& parts) {
  add(key, std::to_string(parts.size()));
  for (const std::string& p : parts) add(key, p);
}

std::string entryKey(const Db* db, const std::string& key) {
  return std::to_string(reinterpret_cast<uintptr_t>(db)) + '/' + key;
}

}  // namespace

std::string StatusCountCache::keyOf(const JobFilter& f) {
  std::string key;
  addList(key, f.services);
  addList(key, f.instances);
  addList(key, f.actions);
  addList(key, f.actors);
  std::vector<std::string> triggers;
  for (TriggerSource t : f.triggers) triggers.emplace_back(toString(t));
  addList(key, triggers);
  add(key, f.target_type);
  add(key, f.target_id);
  add(key, f.q);
  add(key, f.idempotency_key);
  add(key, f.since ? formatIso(*f.since) : "-");
  add(key, f.until ? formatIso(*f.until) : "-");
  return key;
}

std::optional<KeptCounts> StatusCountCache::find(const Db* db, int64_t version, const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(entryKey(db, key));
  if (it == entries_.end() || it->second.version != version) return std::nullopt;
  return it->second.counts;
}

void StatusCountCache::put(const Db* db, int64_t version, const std::string& key, KeptCounts counts) {
  std::lock_guard lock(mu_);
  if (entries_.size() >= kMaxEntries) entries_.clear();
  entries_[entryKey(db, key)] = Entry{version, std::move(counts)};
}

}  // namespace snapq::sqlite
