// The model's small helpers: names of enum values, lookups, key strings.
#include <algorithm>

#include "snapq/config.h"

namespace snapq {

const char* fieldTypeName(FieldType type) {
  switch (type) {
    case FieldType::string: return "string";
    case FieldType::integer: return "integer";
    case FieldType::number: return "number";
    case FieldType::boolean: return "boolean";
    case FieldType::json: return "json";
  }
  return "?";
}

const char* httpMethodName(HttpMethod method) {
  switch (method) {
    case HttpMethod::get: return "GET";
    case HttpMethod::post: return "POST";
    case HttpMethod::put: return "PUT";
    case HttpMethod::patch: return "PATCH";
    case HttpMethod::delete_: return "DELETE";
  }
  return "?";
}

const char* paginationKindName(Pagination::Kind kind) {
  switch (kind) {
    case Pagination::Kind::none: return "none";
    case Pagination::Kind::page: return "page";
    case Pagination::Kind::offset: return "offset";
    case Pagination::Kind::cursor: return "cursor";
    case Pagination::Kind::link: return "link";
  }
  return "?";
}

const char* conflictStrategyName(ConflictStrategy strategy) {
  return strategy == ConflictStrategy::conflict ? "conflict" : "last_write_wins";
}

const char* writeReturnsName(WriteReturns returns) {
  switch (returns) {
    case WriteReturns::none: return "none";
    case WriteReturns::object: return "object";
    case WriteReturns::location: return "location";
  }
  return "?";
}

const char* authKindName(AuthKind kind) {
  switch (kind) {
    case AuthKind::none: return "none";
    case AuthKind::header: return "header";
    case AuthKind::bearer: return "bearer";
    case AuthKind::basic: return "basic";
    case AuthKind::oauth2_client_credentials: return "oauth2_client_credentials";
  }
  return "?";
}

RetryPolicy defaultWebhookRetry() {
  RetryPolicy retry;
  retry.max_attempts = 8;
  retry.base = std::chrono::seconds(5);
  retry.factor = 2.0;
  retry.cap = std::chrono::minutes(5);
  return retry;
}

const char* webhookEventName(WebhookEvent event) {
  switch (event) {
    case WebhookEvent::failed: return "failed";
    case WebhookEvent::conflict: return "conflict";
    case WebhookEvent::success: return "success";
  }
  return "?";
}

const std::vector<std::string>& reservedFieldNames() {
  static const std::vector<std::string> names = {
      "instance",     "key",         "scope",          "doc",
      "content_hash", "sync_status", "sync_error",     "last_synced_at",
      "updated_at",   "created_at",  "pending_job_id", "pending_data",
  };
  return names;
}

std::string joinKey(const std::vector<std::string>& parts) {
  if (parts.size() == 1) return parts.front();
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += '/';
    for (char c : parts[i]) {
      if (c == '%') {
        out += "%25";
      } else if (c == '/') {
        out += "%2F";
      } else {
        out += c;
      }
    }
  }
  return out;
}

std::optional<std::vector<std::string>> splitKey(std::string_view key, size_t count) {
  if (count == 0) return std::nullopt;
  if (count == 1) return std::vector<std::string>{std::string(key)};
  std::vector<std::string> parts(1);
  for (size_t i = 0; i < key.size(); ++i) {
    const char c = key[i];
    if (c == '/') {
      parts.emplace_back();
    } else if (c == '%') {
      const std::string_view escape = key.substr(i, 3);
      if (escape == "%25") {
        parts.back() += '%';
      } else if (escape == "%2F" || escape == "%2f") {
        parts.back() += '/';
      } else {
        return std::nullopt;
      }
      i += 2;
    } else {
      parts.back() += c;
    }
  }
  if (parts.size() != count) return std::nullopt;
  return parts;
}

std::string snapshotTableName(std::string_view service, std::string_view resource) {
  return "snap_" + std::string(service) + "_" + std::string(resource);
}

const FieldSpec* ResourceSpec::field(std::string_view field_name) const {
  for (const FieldSpec& f : fields) {
    if (f.name == field_name) return &f;
  }
  return nullptr;
}

bool ResourceSpec::isKeyField(std::string_view field_name) const {
  return std::find(key.begin(), key.end(), field_name) != key.end();
}

const WriteSpec* ResourceSpec::write(std::string_view action) const {
  if (action == "create") return create ? &*create : nullptr;
  if (action == "update") return update ? &*update : nullptr;
  if (action == "delete") return remove ? &*remove : nullptr;
  for (const WriteSpec& a : actions) {
    if (a.name == action) return &a;
  }
  return nullptr;
}

const ResourceSpec* ServiceSpec::resource(std::string_view resource_name) const {
  for (const ResourceSpec& r : resources) {
    if (r.name == resource_name) return &r;
  }
  return nullptr;
}

const InstanceSpec* ServiceSpec::instance(std::string_view instance_name) const {
  for (const InstanceSpec& i : instances) {
    if (i.name == instance_name) return &i;
  }
  return nullptr;
}

std::vector<const ResourceSpec*> ServiceSpec::ancestors(const ResourceSpec& r) const {
  std::vector<const ResourceSpec*> out;
  const ResourceSpec* current = &r;
  // Bounded by the number of resources, so even an unchecked cycle ends.
  while (current->scope && out.size() < resources.size()) {
    const ResourceSpec* parent = resource(current->scope->parent);
    if (parent == nullptr) break;
    out.push_back(parent);
    current = parent;
  }
  return out;
}

std::vector<std::string> ServiceSpec::scopeVariables(const ResourceSpec& r) const {
  std::vector<std::string> out;
  if (!r.scope) return out;
  out.push_back(r.scope->var);
  for (const ResourceSpec* parent : ancestors(r)) {
    if (parent->scope) out.push_back(parent->scope->var);
  }
  return out;
}

const ServiceSpec* Config::service(std::string_view service_name) const {
  for (const ServiceSpec& s : services) {
    if (s.name == service_name) return &s;
  }
  return nullptr;
}

size_t Config::resourceCount() const {
  size_t n = 0;
  for (const ServiceSpec& s : services) n += s.resources.size();
  return n;
}

}  // namespace snapq
