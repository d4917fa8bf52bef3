#include "connectors/sim/sim_store.h"

#include <mutex>

#include "connectors/sim/sim_fields.h"

namespace snapq::sim {
namespace {

using nlohmann::json;

// A fixed function of (seed, kind, id, field): the generated data does not
// depend on generation order, the standard library or the platform.
uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}
uint64_t roll(uint64_t seed, Kind kind, int64_t id, int field) {
  return mix(seed ^ mix((static_cast<uint64_t>(kind) << 56) ^ (static_cast<uint64_t>(id) << 8) ^
                        static_cast<uint64_t>(field)));
}

std::string lowerCase(std::string s) {
  for (char& c : s) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  return s;
}

// Generated objects were last changed during the 90 days before 2026-01-01.
constexpr TimePoint kGeneratedBefore{Duration(1'767'225'600'000)};
constexpr int64_t kNinetyDaysMs = 90LL * 86'400'000;

Reply invalid(json errors) {
  std::string names;
  for (const auto& [name, _] : errors.items()) names += (names.empty() ? "" : ", ") + name;
  return errorReply(422, "validation_failed", "invalid fields: " + names, std::move(errors));
}

Account generateAccount(uint64_t seed, int64_t id) {
  static constexpr int64_t kQuotas[] = {256, 512, 1024, 2048, 5120, 10240};
  Account a;
  a.id = id;
  a.domain = "example" + std::to_string(1 + roll(seed, Kind::accounts, id, 0) % 40) + ".test";
  a.email = "user" + std::to_string(id) + "@" + a.domain;
  a.quota_mb = kQuotas[roll(seed, Kind::accounts, id, 1) % 6];
  a.suspended = roll(seed, Kind::accounts, id, 2) % 20 == 0;
  a.updated_at = kGeneratedBefore - Duration(static_cast<int64_t>(roll(seed, Kind::accounts, id, 3) % kNinetyDaysMs));
  return a;
}

Record generateRecord(uint64_t seed, const Zone& zone, int64_t id, int64_t n) {
  static constexpr int64_t kTtls[] = {300, 600, 3600, 86400};
  const uint64_t r = roll(seed, Kind::records, id, 0);
  Record rec;
  rec.id = id;
  rec.zone_id = zone.id;
  rec.name = "host" + std::to_string(n) + "." + zone.name;
  rec.ttl = kTtls[roll(seed, Kind::records, id, 1) % 4];
  switch (r % 10) {
    case 5:
    case 6:
      rec.type = "AAAA";
      rec.content = "2001:db8::" + std::to_string(1 + (r >> 8) % 9999);
      break;
    case 7:
      rec.type = "CNAME";
      rec.content = "www." + zone.name + ".";
      break;
    case 8:
      rec.type = "MX";
      rec.content = std::to_string(10 * (1 + (r >> 8) % 3)) + " mail." + zone.name + ".";
      break;
    case 9:
      rec.type = "TXT";
      rec.content = "\"v=spf1 include:" + zone.name + " -all\"";
      break;
    default:
      rec.type = "A";
      rec.content = "10." + std::to_string((r >> 8) % 256) + "." + std::to_string((r >> 16) % 256) + "." +
                    std::to_string(1 + (r >> 24) % 254);
  }
  return rec;
}

template <typename T>
json page(const std::vector<T>& rows, int64_t page_number, int64_t per_page, bool empty) {
  const int64_t total = empty ? 0 : static_cast<int64_t>(rows.size());
  json data = json::array();
  if (page_number - 1 < (total + per_page - 1) / per_page) {
    const int64_t start = (page_number - 1) * per_page;
    for (int64_t i = start; i < std::min(total, start + per_page); ++i) data.push_back(toJson(rows[i]));
  }
  return {{"data", std::move(data)},
          {"meta",
           {{"page", page_number},
            {"per_page", per_page},
            {"total", total},
            {"total_pages", (total + per_page - 1) / per_page}}}};
}

}  // namespace

std::optional<Kind> kindFromName(std::string_view name) {
  if (name == "accounts") return Kind::accounts;
  if (name == "zones") return Kind::zones;
  if (name == "records") return Kind::records;
  return std::nullopt;
}

const char* kindName(Kind kind) {
  switch (kind) {
    case Kind::accounts: return "accounts";
    case Kind::zones: return "zones";
    case Kind::records: return "records";
  }
  return "unknown";
}

Reply errorReply(int status, std::string code, std::string message, json details) {
  json error = {{"code", std::move(code)}, {"message", std::move(message)}};
  if (!details.is_null()) error["details"] = std::move(details);
  return {status, {{"error", std::move(error)}}};
}

SimStore::SimStore(const DataShape& shape, std::shared_ptr<const Clock> clock)
    : clock_(clock ? std::move(clock) : std::make_shared<SystemClock>()) {
  accounts_.reserve(static_cast<size_t>(shape.accounts));
  for (int64_t id = 1; id <= shape.accounts; ++id) {
    Account a = generateAccount(shape.seed, id);
    account_by_email_.emplace(lowerCase(a.email), id);
    accounts_.append(std::move(a));
  }
  int64_t record_id = 1;
  for (int64_t id = 1; id <= shape.zones; ++id) {
    Zone z{id, "zone" + std::to_string(id) + ".test"};
    zone_by_name_.emplace(lowerCase(z.name), id);
    Table<Record>& records = records_[id];
    records.reserve(static_cast<size_t>(shape.records_per_zone));
    for (int64_t n = 1; n <= shape.records_per_zone; ++n, ++record_id) {
      records.append(generateRecord(shape.seed, z, record_id, n));
      record_zone_.emplace(record_id, id);
    }
    zones_.append(std::move(z));
  }
  next_id_[0] = shape.accounts + 1;
  next_id_[1] = shape.zones + 1;
  next_id_[2] = record_id;
}

Reply SimStore::list(Kind kind, std::optional<int64_t> zone_id, int64_t page_number, int64_t per_page,
                     bool empty) const {
  std::shared_lock lock(mu_);
  switch (kind) {
    case Kind::accounts: return {200, page(accounts_.rows(), page_number, per_page, empty)};
    case Kind::zones: return {200, page(zones_.rows(), page_number, per_page, empty)};
    case Kind::records:
      if (auto missing = zoneMissing(zone_id)) return *missing;
      return {200, page(records_.at(*zone_id).rows(), page_number, per_page, empty)};
  }
  return notFound(kind, 0);
}

Reply SimStore::get(Kind kind, std::optional<int64_t> zone_id, int64_t id) const {
  std::shared_lock lock(mu_);
  switch (kind) {
    case Kind::accounts:
      if (const Account* a = accounts_.find(id)) return {200, toJson(*a)};
      break;
    case Kind::zones:
      if (const Zone* z = zones_.find(id)) return {200, toJson(*z)};
      break;
    case Kind::records:
      if (auto missing = zoneMissing(zone_id)) return *missing;
      if (const Record* r = records_.at(*zone_id).find(id)) return {200, toJson(*r)};
      break;
  }
  return notFound(kind, id);
}

Reply SimStore::create(Kind kind, std::optional<int64_t> zone_id, const json& body) {
  std::unique_lock lock(mu_);
  const int k = static_cast<int>(kind);
  switch (kind) {
    case Kind::accounts: {
      Account a;
      if (json errors = applyFields(a, body, true); !errors.empty()) return invalid(std::move(errors));
      if (!account_by_email_.emplace(lowerCase(a.email), next_id_[k]).second) {
        return errorReply(409, "conflict", "an account with this email already exists", {{"email", a.email}});
      }
      a.id = next_id_[k]++;
      a.updated_at = nextUpdatedAt(TimePoint{});
      if (!a.password.empty()) counted(password_writes_, kind, a.id);
      counted(writes_, kind, a.id);
      accounts_.append(a);
      return {201, toJson(a)};
    }
    case Kind::zones: {
      Zone z;
      if (json errors = applyFields(z, body, true); !errors.empty()) return invalid(std::move(errors));
      if (!zone_by_name_.emplace(lowerCase(z.name), next_id_[k]).second) {
        return errorReply(409, "conflict", "a zone with this name already exists", {{"name", z.name}});
      }
      z.id = next_id_[k]++;
      records_[z.id];
      counted(writes_, kind, z.id);
      zones_.append(z);
      return {201, toJson(z)};
    }
    case Kind::records: {
      if (auto missing = zoneMissing(zone_id)) return *missing;
      Record r;
      if (json errors = applyFields(r, body, true); !errors.empty()) return invalid(std::move(errors));
      r.id = next_id_[k]++;
      r.zone_id = *zone_id;
      record_zone_.emplace(r.id, r.zone_id);
      counted(writes_, kind, r.id);
      records_.at(r.zone_id).append(r);
      return {201, toJson(r)};
    }
  }
  return notFound(kind, 0);
}

Reply SimStore::update(Kind kind, std::optional<int64_t> zone_id, int64_t id, const json& body) {
  std::unique_lock lock(mu_);
  return change(kind, zone_id, id, body, false);
}

Reply SimStore::drift(Kind kind, int64_t id, const json& changes) {
  std::unique_lock lock(mu_);
  std::optional<int64_t> zone_id;
  if (kind == Kind::records) {
    auto it = record_zone_.find(id);
    if (it == record_zone_.end()) return notFound(kind, id);
    zone_id = it->second;
  }
  return change(kind, zone_id, id, changes, true);
}

Reply SimStore::change(Kind kind, std::optional<int64_t> zone_id, int64_t id, const json& changes, bool drift) {
  Reply reply = notFound(kind, id);
  if (kind == Kind::accounts) {
    Account* row = accounts_.find(id);
    if (!row) return reply;
    Account next = *row;
    if (json errors = applyFields(next, changes, false); !errors.empty()) return invalid(std::move(errors));
    const std::string old_key = lowerCase(row->email), new_key = lowerCase(next.email);
    if (new_key != old_key) {
      if (!account_by_email_.emplace(new_key, id).second) {
        return errorReply(409, "conflict", "an account with this email already exists", {{"email", next.email}});
      }
      account_by_email_.erase(old_key);
    }
    next.updated_at = nextUpdatedAt(row->updated_at);
    *row = std::move(next);
    if (!drift && changes.contains("password")) counted(password_writes_, kind, id);
    reply = {200, toJson(*row)};
  } else if (kind == Kind::zones) {
    Zone* row = zones_.find(id);
    if (!row) return reply;
    Zone next = *row;
    if (json errors = applyFields(next, changes, false); !errors.empty()) return invalid(std::move(errors));
    const std::string old_key = lowerCase(row->name), new_key = lowerCase(next.name);
    if (new_key != old_key) {
      if (!zone_by_name_.emplace(new_key, id).second) {
        return errorReply(409, "conflict", "a zone with this name already exists", {{"name", next.name}});
      }
      zone_by_name_.erase(old_key);
    }
    *row = std::move(next);
    reply = {200, toJson(*row)};
  } else {
    if (auto missing = zoneMissing(zone_id)) return *missing;
    Record* row = records_.at(*zone_id).find(id);
    if (!row) return reply;
    Record next = *row;
    if (json errors = applyFields(next, changes, false); !errors.empty()) return invalid(std::move(errors));
    *row = std::move(next);
    reply = {200, toJson(*row)};
  }
  counted(drift ? drifts_ : writes_, kind, id);
  return reply;
}

Reply SimStore::remove(Kind kind, std::optional<int64_t> zone_id, int64_t id) {
  std::unique_lock lock(mu_);
  if (kind == Kind::accounts) {
    const Account* row = accounts_.find(id);
    if (!row) return notFound(kind, id);
    account_by_email_.erase(lowerCase(row->email));
    accounts_.erase(id);
  } else if (kind == Kind::zones) {
    const Zone* row = zones_.find(id);
    if (!row) return notFound(kind, id);
    zone_by_name_.erase(lowerCase(row->name));
    for (const Record& r : records_.at(id).rows()) record_zone_.erase(r.id);  // a zone takes its records along
    records_.erase(id);
    zones_.erase(id);
  } else {
    if (auto missing = zoneMissing(zone_id)) return *missing;
    Table<Record>& records = records_.at(*zone_id);
    if (!records.find(id)) return notFound(kind, id);
    records.erase(id);
    record_zone_.erase(id);
  }
  counted(writes_, kind, id);
  return {204, nullptr};
}

Reply SimStore::notFound(Kind kind, int64_t id) const {
  static constexpr const char* kSingular[] = {"account", "zone", "record"};
  return errorReply(404, "not_found",
                    std::string(kSingular[static_cast<int>(kind)]) + " " + std::to_string(id) + " does not exist");
}

std::optional<Reply> SimStore::zoneMissing(std::optional<int64_t> zone_id) const {
  if (zone_id && records_.contains(*zone_id)) return std::nullopt;
  return notFound(Kind::zones, zone_id.value_or(0));
}

TimePoint SimStore::nextUpdatedAt(TimePoint previous) const {
  // Strictly increasing per object, even when two writes share a millisecond.
  const TimePoint now = clock_->now();
  return now > previous ? now : previous + Duration(1);
}

void SimStore::counted(std::map<std::string, int64_t>& counter, Kind kind, int64_t id) {
  ++counter[std::string(kindName(kind)) + "/" + std::to_string(id)];
}

json SimStore::writes() const {
  std::shared_lock lock(mu_);
  return json(writes_);
}

json SimStore::drifts() const {
  std::shared_lock lock(mu_);
  return json(drifts_);
}

json SimStore::passwordWrites() const {
  std::shared_lock lock(mu_);
  return json(password_writes_);
}

void SimStore::resetCounters() {
  std::unique_lock lock(mu_);
  writes_.clear();
  drifts_.clear();
  password_writes_.clear();
}

size_t SimStore::count(Kind kind) const {
  std::shared_lock lock(mu_);
  switch (kind) {
    case Kind::accounts: return accounts_.rows().size();
    case Kind::zones: return zones_.rows().size();
    case Kind::records: return record_zone_.size();
  }
  return 0;
}

}  // namespace snapq::sim
