#include "store/snapshot_plan.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>

namespace snapq::snap {
namespace {

// ---------------------------------------------------------------- base64url

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string base64url(std::string_view in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : in) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kAlphabet[(acc >> bits) & 0x3f];
    }
  }
  if (bits > 0) out += kAlphabet[(acc << (6 - bits)) & 0x3f];
  return out;  // unpadded
}

std::optional<std::string> unbase64url(std::string_view in) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    const char* p = std::strchr(kAlphabet, c);
    if (c == '\0' || p == nullptr) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(p - kAlphabet);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  if (bits >= 6) return std::nullopt;  // a length no encoding produces
  return out;
}

// ---------------------------------------------------------------- filters

Result<nlohmann::json> parseFilterValue(const FieldSpec& f, const std::string& text) {
  auto bad = [&](const char* what) {
    return Status::invalidArgument("filter " + f.name + ": '" + text + "' is not " + what);
  };
  switch (f.type) {
    case FieldType::string: return nlohmann::json(text);
    case FieldType::integer: {
      int64_t v = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return bad("an integer");
      return nlohmann::json(v);
    }
    case FieldType::number: {
      char* end = nullptr;
      double v = std::strtod(text.c_str(), &end);
      if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(v)) return bad("a number");
      return nlohmann::json(v);
    }
    case FieldType::boolean:
      if (text == "true" || text == "1") return nlohmann::json(true);
      if (text == "false" || text == "0") return nlohmann::json(false);
      return bad("a boolean (true or false)");
    case FieldType::json: break;
  }
  return Status::invalidArgument("filter " + f.name + ": json fields cannot be filtered");
}

Result<Sort> resolveSort(const ResourceSpec& resource, const std::string& name) {
  if (name.empty() || name == "key") {
    // Sorted as the numbers they are, through the key field's index; a row
    // whose field is missing would sort as NULL, but a key field is always set.
    if (const FieldSpec* f = integerKeyField(resource)) return Sort{"key", f->name, ValueKind::integer, true};
    return Sort{"key", "key", ValueKind::text, false};
  }
  if (name == "last_synced_at") return Sort{name, name, ValueKind::time, true};
  if (name == "updated_at") return Sort{name, name, ValueKind::time, false};
  const FieldSpec* f = storedField(resource, name);
  if (f == nullptr) {
    return Status::invalidArgument("cannot sort by '" + name + "': not a stored field of " + resource.name +
                                   " (nor key, last_synced_at, updated_at)");
  }
  if (f->type == FieldType::json) return Status::invalidArgument("cannot sort by json field " + name);
  return Sort{name, name, kindOf(f->type), true};
}

bool fitsSort(const Sort& sort, const nlohmann::json& v) {
  if (v.is_null()) return sort.nullable;
  switch (sort.kind) {
    case ValueKind::text: return v.is_string();
    case ValueKind::integer:
    case ValueKind::time: return v.is_number_integer();
    case ValueKind::real: return v.is_number();
    case ValueKind::boolean: return v.is_boolean();
    case ValueKind::json: return false;
  }
  return false;
}

std::optional<Cursor> decodeCursor(const QueryPlan& plan, const std::string& text) {
  auto raw = unbase64url(text);
  if (!raw) return std::nullopt;
  nlohmann::json a = nlohmann::json::parse(*raw, nullptr, false);
  if (a.is_discarded() || !a.is_array() || a.size() != 6) return std::nullopt;
  if (!a[0].is_string() || a[0].get<std::string>() != plan.sort.name) return std::nullopt;
  if (!a[1].is_boolean() || a[1].get<bool>() != plan.descending) return std::nullopt;
  if (!fitsSort(plan.sort, a[2])) return std::nullopt;
  if (!a[3].is_string() || !a[4].is_string() || !a[5].is_string()) return std::nullopt;
  Cursor c;
  c.value = a[2];
  if (plan.sort.kind == ValueKind::real && c.value.is_number()) c.value = c.value.get<double>();
  c.instance = a[3].get<std::string>();
  c.scope = a[4].get<std::string>();
  c.key = a[5].get<std::string>();
  return c;
}

}  // namespace

std::string likePattern(std::string_view text) {
  std::string out = "%";
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  return out + "%";
}

Result<QueryPlan> planQuery(const SnapshotTable& table, const SnapshotQuery& query) {
  if (Status s = checkTable(table); !s) return s;
  const ResourceSpec& resource = *table.resource;
  if (query.limit < 1 || query.limit > 1000) return Status::invalidArgument("limit must be between 1 and 1000");
  QueryPlan plan;
  plan.limit = query.limit;
  plan.descending = query.descending;
  if (query.instance) plan.filters.push_back({"instance", nullptr, ValueKind::text, *query.instance});
  if (query.scope) plan.filters.push_back({"scope", nullptr, ValueKind::text, *query.scope});
  for (const auto& [name, text] : query.equals) {
    if (name == "instance" || name == "scope" || name == "key") {
      plan.filters.push_back({name, nullptr, ValueKind::text, text});
      continue;
    }
    const FieldSpec* f = storedField(resource, name);
    if (f == nullptr) return Status::invalidArgument("unknown field '" + name + "' of " + resource.name);
    auto value = parseFilterValue(*f, text);
    if (!value) return value.status();
    plan.filters.push_back({name, f, kindOf(f->type), std::move(*value)});
  }
  if (!query.q.empty()) {
    plan.like = likePattern(query.q);
    plan.search_columns = searchColumns(resource);
  }
  auto sort = resolveSort(resource, query.sort);
  if (!sort) return sort.status();
  plan.sort = std::move(*sort);
  if (!query.cursor.empty()) {
    plan.after = decodeCursor(plan, query.cursor);
    if (!plan.after) return Status::invalidArgument("invalid cursor");
  }
  return plan;
}

int64_t epochMs(TimePoint t) { return t.time_since_epoch().count(); }

std::string encodeCursor(const QueryPlan& plan, const SnapshotRow& row) {
  nlohmann::json value;
  if (plan.sort.column == "key") {
    value = row.key;
  } else if (plan.sort.column == "last_synced_at") {
    if (row.last_synced_at) value = epochMs(*row.last_synced_at);
  } else if (plan.sort.column == "updated_at") {
    value = epochMs(row.updated_at);
  } else if (auto it = row.fields.find(plan.sort.column); it != row.fields.end()) {
    value = *it;
  }
  nlohmann::json a = {plan.sort.name, plan.descending, value, row.instance, row.scope, row.key};
  return base64url(a.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace snapq::snap
