// The simulated service's data: accounts, zones and the records of each zone,
// generated deterministically from a seed, held in memory and guarded by one
// lock. Every operation answers the way the HTTP API will (a status and a
// JSON body), so the routes only translate paths.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "snapq/clock.h"

namespace snapq::sim {

enum class Kind { accounts, zones, records };
// "accounts" -> Kind::accounts; nullopt for anything else.
std::optional<Kind> kindFromName(std::string_view name);
const char* kindName(Kind kind);

struct Reply {
  int status = 200;
  nlohmann::json body;  // null for 204
};

// {"error":{"code","message"[,"details"]}}: the error shape of every answer.
Reply errorReply(int status, std::string code, std::string message, nlohmann::json details = nullptr);

struct Account {
  int64_t id = 0;
  std::string email;
  std::string domain;
  int64_t quota_mb = 1024;
  bool suspended = false;
  TimePoint updated_at;
  std::string password;  // write-only: never in a reply
};

struct Zone {
  int64_t id = 0;
  std::string name;
};

struct Record {
  int64_t id = 0;
  int64_t zone_id = 0;
  std::string name;
  std::string type;
  std::string content;
  int64_t ttl = 3600;
};

struct DataShape {
  int64_t accounts = 200;
  int64_t zones = 10;
  int64_t records_per_zone = 20;
  uint64_t seed = 1;
};

// Rows of one kind ordered by id (ids only grow), so a page is a slice.
template <typename T>
class Table {
 public:
  const T* find(int64_t id) const {
    auto it = std::lower_bound(rows_.begin(), rows_.end(), id, [](const T& r, int64_t v) { return r.id < v; });
    return it != rows_.end() && it->id == id ? &*it : nullptr;
  }
  T* find(int64_t id) { return const_cast<T*>(std::as_const(*this).find(id)); }
  void append(T row) { rows_.push_back(std::move(row)); }
  void reserve(size_t n) { rows_.reserve(n); }
  void erase(int64_t id) {
    if (const T* row = find(id)) rows_.erase(rows_.begin() + (row - rows_.data()));
  }
  const std::vector<T>& rows() const { return rows_; }

 private:
  std::vector<T> rows_;
};

class SimStore {
 public:
  SimStore(const DataShape& shape, std::shared_ptr<const Clock> clock);

  // `zone_id` scopes records (and must name an existing zone); ignored for
  // accounts and zones. `empty` answers an empty listing (chaos).
  Reply list(Kind kind, std::optional<int64_t> zone_id, int64_t page, int64_t per_page, bool empty) const;
  Reply get(Kind kind, std::optional<int64_t> zone_id, int64_t id) const;
  Reply create(Kind kind, std::optional<int64_t> zone_id, const nlohmann::json& body);
  Reply update(Kind kind, std::optional<int64_t> zone_id, int64_t id, const nlohmann::json& body);
  Reply remove(Kind kind, std::optional<int64_t> zone_id, int64_t id);
  // Changes an object as someone else would, behind the API: not a write in
  // the stats, but it bumps updated_at like one.
  Reply drift(Kind kind, int64_t id, const nlohmann::json& changes);

  // {"accounts/17": 2, ...}: API writes (create, update, delete) applied per object.
  nlohmann::json writes() const;
  nlohmann::json drifts() const;
  // Writes that carried a password, per object (the value itself is never shown).
  nlohmann::json passwordWrites() const;
  void resetCounters();
  size_t count(Kind kind) const;

 private:
  // update() and drift(), under the write lock.
  Reply change(Kind kind, std::optional<int64_t> zone_id, int64_t id, const nlohmann::json& changes, bool drift);
  Table<Record>* zoneRecords(int64_t zone_id);
  Reply notFound(Kind kind, int64_t id) const;
  std::optional<Reply> zoneMissing(std::optional<int64_t> zone_id) const;
  TimePoint nextUpdatedAt(TimePoint previous) const;
  void counted(std::map<std::string, int64_t>& counter, Kind kind, int64_t id);

  std::shared_ptr<const Clock> clock_;
  mutable std::shared_mutex mu_;
  Table<Account> accounts_;
  Table<Zone> zones_;
  std::map<int64_t, Table<Record>> records_;  // by zone id
  std::unordered_map<int64_t, int64_t> record_zone_;
  std::unordered_map<std::string, int64_t> account_by_email_;  // lower-cased email
  std::unordered_map<std::string, int64_t> zone_by_name_;      // lower-cased name
  int64_t next_id_[3] = {1, 1, 1};
  std::map<std::string, int64_t> writes_, drifts_, password_writes_;
};

}  // namespace snapq::sim
