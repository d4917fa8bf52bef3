#include "connectors/sim/sim_fields.h"

#include <arpa/inet.h>

#include <set>

#include "core/time_format.h"

namespace snapq::sim {
namespace {

using nlohmann::json;

bool isLabelChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

// "mail.example.test" or "mail.example.test."; a leading "*" label when
// `wildcard` (records).
bool isDnsName(std::string_view s, bool wildcard = false) {
  if (s.ends_with('.')) s.remove_suffix(1);
  if (s.empty() || s.size() > 253) return false;
  bool first = true;
  while (true) {
    const size_t dot = s.find('.');
    const std::string_view label = s.substr(0, dot);
    const bool star = wildcard && first && label == "*";
    if (!star && (label.empty() || label.size() > 63 || !std::all_of(label.begin(), label.end(), isLabelChar))) {
      return false;
    }
    if (dot == std::string_view::npos) return true;
    s.remove_prefix(dot + 1);
    first = false;
  }
}

bool isEmail(const json& v) {
  if (!v.is_string()) return false;
  const std::string& s = v.get_ref<const std::string&>();
  const size_t at = s.find('@');
  if (at == std::string::npos || at == 0 || at > 64 || s.size() > 254 || s.find('@', at + 1) != std::string::npos) {
    return false;
  }
  for (size_t i = 0; i < at; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c <= ' ' || c == 0x7f || c == '"' || c == ',' || c == '<' || c == '>') return false;
  }
  const std::string_view domain = std::string_view(s).substr(at + 1);
  return domain.find('.') != std::string_view::npos && isDnsName(domain);
}

bool isString(const json& v, size_t min, size_t max) {
  return v.is_string() && v.get_ref<const std::string&>().size() >= min &&
         v.get_ref<const std::string&>().size() <= max;
}

bool isInteger(const json& v, int64_t min, int64_t max) {
  if (v.is_number_unsigned()) {
    const auto n = v.get<uint64_t>();
    return n <= static_cast<uint64_t>(max) && static_cast<int64_t>(n) >= min;
  }
  if (!v.is_number_integer()) return false;
  const auto n = v.get<int64_t>();
  return n >= min && n <= max;
}

bool isAddress(int family, const std::string& text) {
  unsigned char buf[16];
  return inet_pton(family, text.c_str(), buf) == 1;
}

const std::set<std::string>& recordTypes() {
  static const std::set<std::string> types = {"A", "AAAA", "CAA", "CNAME", "MX", "NS", "SRV", "TXT"};
  return types;
}

void requireOnCreate(json& errors, const json& changes, bool creating, std::initializer_list<const char*> names) {
  if (!creating) return;
  for (const char* name : names) {
    if (!changes.contains(name) && !errors.contains(name)) errors[name] = "is required";
  }
}

}  // namespace

json toJson(const Account& a) {
  return {{"id", a.id},
          {"email", a.email},
          {"domain", a.domain},
          {"quota_mb", a.quota_mb},
          {"suspended", a.suspended},
          {"updated_at", formatIso(a.updated_at)}};
}

json toJson(const Zone& z) { return {{"id", z.id}, {"name", z.name}}; }

json toJson(const Record& r) {
  return {{"id", r.id},     {"zone_id", r.zone_id}, {"name", r.name},
          {"type", r.type}, {"content", r.content}, {"ttl", r.ttl}};
}

json applyFields(Account& row, const json& changes, bool creating) {
  json errors = json::object();
  bool domain_given = false;
  for (const auto& [key, value] : changes.items()) {
    if (key == "id" || key == "updated_at") continue;
    if (key == "email") {
      if (isEmail(value))
        row.email = value.get<std::string>();
      else
        errors[key] = "must be an email address";
    } else if (key == "domain") {
      domain_given = true;
      if (value.is_string() && isDnsName(value.get_ref<const std::string&>()))
        row.domain = value.get<std::string>();
      else
        errors[key] = "must be a domain name";
    } else if (key == "quota_mb") {
      if (isInteger(value, 0, 10'000'000))
        row.quota_mb = value.get<int64_t>();
      else
        errors[key] = "must be an integer from 0 to 10000000";
    } else if (key == "suspended") {
      if (value.is_boolean())
        row.suspended = value.get<bool>();
      else
        errors[key] = "must be true or false";
    } else if (key == "password") {
      if (isString(value, 8, 1024))
        row.password = value.get<std::string>();
      else
        errors[key] = "must be a string of 8 to 1024 characters";
    } else {
      errors[key] = "unknown field";
    }
  }
  requireOnCreate(errors, changes, creating, {"email"});
  if (creating && !domain_given && !errors.contains("email")) row.domain = row.email.substr(row.email.find('@') + 1);
  return errors;
}

json applyFields(Zone& row, const json& changes, bool creating) {
  json errors = json::object();
  for (const auto& [key, value] : changes.items()) {
    if (key == "id") continue;
    if (key == "name") {
      if (value.is_string() && isDnsName(value.get_ref<const std::string&>()))
        row.name = value.get<std::string>();
      else
        errors[key] = "must be a domain name";
    } else {
      errors[key] = "unknown field";
    }
  }
  requireOnCreate(errors, changes, creating, {"name"});
  return errors;
}

json applyFields(Record& row, const json& changes, bool creating) {
  json errors = json::object();
  for (const auto& [key, value] : changes.items()) {
    if (key == "id" || key == "zone_id") continue;
    if (key == "name") {
      if (value.is_string() && isDnsName(value.get_ref<const std::string&>(), true))
        row.name = value.get<std::string>();
      else
        errors[key] = "must be a domain name";
    } else if (key == "type") {
      if (value.is_string() && recordTypes().contains(value.get<std::string>()))
        row.type = value.get<std::string>();
      else
        errors[key] = "must be one of A, AAAA, CAA, CNAME, MX, NS, SRV, TXT";
    } else if (key == "content") {
      if (isString(value, 1, 4096))
        row.content = value.get<std::string>();
      else
        errors[key] = "must be a string of 1 to 4096 characters";
    } else if (key == "ttl") {
      if (isInteger(value, 1, 604800))
        row.ttl = value.get<int64_t>();
      else
        errors[key] = "must be an integer from 1 to 604800";
    } else {
      errors[key] = "unknown field";
    }
  }
  requireOnCreate(errors, changes, creating, {"name", "type", "content"});
  // The content must suit the type, whichever of the two changed.
  if (!errors.contains("type") && !errors.contains("content") && !row.type.empty()) {
    if ((row.type == "A" && !isAddress(AF_INET, row.content)) ||
        (row.type == "AAAA" && !isAddress(AF_INET6, row.content))) {
      errors["content"] =
          "must be an IPv" + std::string(row.type == "A" ? "4" : "6") + " address for a " + row.type + " record";
    }
  }
  return errors;
}

}  // namespace snapq::sim
