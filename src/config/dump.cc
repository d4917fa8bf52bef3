// The effective configuration as JSON, with every secret hidden.
#include <nlohmann/json.hpp>

#include "core/masking.h"
#include "snapq/config.h"

namespace snapq {
namespace {

using ordered_json = nlohmann::ordered_json;

ordered_json secret(const Secret& s) { return s.empty() ? "" : kSecretMask; }

// "postgres://user:pw@host/db" -> "postgres://user:***@host/db".
std::string hideUrlPassword(const std::string& url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  const size_t at = url.find('@', scheme + 3);
  const size_t slash = url.find('/', scheme + 3);
  if (at == std::string::npos || (slash != std::string::npos && slash < at)) return url;
  const size_t colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + kSecretMask + url.substr(at);
}

ordered_json duration(Duration d) { return std::to_string(d.count()) + "ms"; }

ordered_json retryJson(const RetryPolicy& r) {
  ordered_json retry = {{"attempts", r.max_attempts}};
  if (!r.backoff.empty()) {
    retry["backoff"] = ordered_json::array();
    for (Duration d : r.backoff) retry["backoff"].push_back(duration(d));
  } else {
    retry["base"] = duration(r.base);
    retry["factor"] = r.factor;
    retry["cap"] = duration(r.cap);
    retry["jitter"] = r.jitter;
  }
  return retry;
}

ordered_json policyJson(const Policy& p) {
  ordered_json retry = retryJson(p.retry);
  return {{"concurrency", p.concurrency},
          {"rate_limit", p.rate_limit},
          {"burst", p.burst},
          {"timeout", duration(p.timeout)},
          {"retry", retry},
          {"circuit_breaker",
           {{"failures", p.circuit_breaker.failures}, {"cool_down", duration(p.circuit_breaker.cool_down)}}}};
}

ordered_json authJson(const AuthSpec& a) {
  ordered_json out = {{"kind", authKindName(a.kind)}};
  switch (a.kind) {
    case AuthKind::none: break;
    case AuthKind::header:
      out["header"] = a.header_name;
      out["value"] = secret(a.header_value);
      break;
    case AuthKind::bearer: out["token"] = secret(a.token); break;
    case AuthKind::basic:
      out["username"] = a.username;
      out["password"] = secret(a.password);
      break;
    case AuthKind::oauth2_client_credentials:
      out["token_url"] = a.token_url;
      out["client_id"] = a.client_id;
      out["client_secret"] = secret(a.client_secret);
      out["scope"] = a.scope;
      out["client_auth"] = a.client_auth_basic ? "basic" : "body";
      break;
  }
  return out;
}

ordered_json requestJson(const RequestSpec& r, const Masker& masker) {
  ordered_json out = {{"method", httpMethodName(r.method)}, {"path", r.path.text}};
  if (!r.query.empty()) {
    out["query"] = ordered_json::object();
    for (const QueryParam& q : r.query)
      out["query"][q.name] = masker.isSensitiveKey(q.name) ? kSecretMask : q.value.text;
  }
  if (!r.body.empty()) {
    // Constants in a body may be credentials: mask them like payloads.
    out["body"] = masker.mask(nlohmann::json::parse(r.body));
    out["encoding"] = r.encoding == BodyEncoding::json ? "json" : "form";
  }
  if (!r.success.empty()) out["success"] = r.success;
  return out;
}

ordered_json paginationJson(const Pagination& p) {
  ordered_json out = {{"kind", paginationKindName(p.kind)}};
  switch (p.kind) {
    case Pagination::Kind::page:
      out.update({{"page_param", p.page_param},
                  {"per_page_param", p.per_page_param},
                  {"per_page", p.per_page},
                  {"start", p.start},
                  {"total_pages", p.total_pages.text}});
      break;
    case Pagination::Kind::offset:
      out.update({{"offset_param", p.offset_param}, {"limit_param", p.limit_param}, {"limit", p.limit}});
      break;
    case Pagination::Kind::cursor:
      out.update({{"cursor_param", p.cursor_param}, {"next_cursor", p.next_cursor.text}});
      break;
    case Pagination::Kind::none:
    case Pagination::Kind::link: break;
  }
  return out;
}

ordered_json writeJson(const WriteSpec& w, const Masker& masker) {
  ordered_json out = {{"label", w.label}, {"conflict", conflictStrategyName(w.conflict)}};
  if (w.request) {
    out["request"] = requestJson(*w.request, masker);
    out["returns"] = writeReturnsName(w.returns);
    if (w.returns == WriteReturns::object) out["item"] = w.item.text;
  }
  return out;
}

ordered_json resourceJson(const ResourceSpec& r, const Masker& masker) {
  ordered_json fields = ordered_json::object();
  for (const FieldSpec& f : r.fields) {
    fields[f.name] = {{"type", fieldTypeName(f.type)},
                      {"path", f.path.text},
                      {"indexed", f.indexed},
                      {"searchable", f.searchable},
                      {"hashed", f.hashed},
                      {"write_only", f.write_only},
                      {"required_on_create", f.required_on_create}};
  }
  ordered_json out = {{"key", r.key}, {"fields", fields}};
  if (r.scope) {
    out["scope"] = {{"parent", r.scope->parent}, {"var", r.scope->var}, {"field", r.scope->parent_field}};
  }
  if (r.list) {
    out["list"] = {{"request", requestJson(r.list->request, masker)},
                   {"items", r.list->items.text},
                   {"pagination", paginationJson(r.list->pagination)}};
  }
  if (r.get) out["get"] = {{"request", requestJson(r.get->request, masker)}, {"item", r.get->item.text}};
  if (r.create) out["create"] = writeJson(*r.create, masker);
  if (r.update) out["update"] = writeJson(*r.update, masker);
  if (r.remove) out["delete"] = writeJson(*r.remove, masker);
  if (!r.actions.empty()) {
    out["actions"] = ordered_json::object();
    for (const WriteSpec& a : r.actions) out["actions"][a.name] = writeJson(a, masker);
  }
  out["sync"] = {{"schedule", r.schedule}, {"deletion_guard", r.deletion_guard}};
  return out;
}

ordered_json serviceJson(const ServiceSpec& s, const Masker& masker) {
  ordered_json instances = ordered_json::object();
  for (const InstanceSpec& i : s.instances) {
    ordered_json headers = ordered_json::object();
    for (const HeaderSpec& h : i.headers) headers[h.name] = secret(h.value);
    instances[i.name] = {
        {"base_url", i.base_url}, {"auth", authJson(i.auth)}, {"headers", headers}, {"policy", policyJson(i.policy)}};
  }
  ordered_json resources = ordered_json::object();
  for (const ResourceSpec& r : s.resources) resources[r.name] = resourceJson(r, masker);
  ordered_json webhooks = ordered_json::array();
  for (const WebhookSpec& w : s.webhooks) {
    ordered_json events = ordered_json::array();
    for (WebhookEvent e : w.events) events.push_back(webhookEventName(e));
    webhooks.push_back(
        {{"url", secret(w.url)}, {"events", events}, {"timeout", duration(w.timeout)}, {"retry", retryJson(w.retry)}});
  }
  return {{"connector", s.connector},
          {"policy", policyJson(s.policy)},
          {"instances", instances},
          {"resources", resources},
          {"webhooks", webhooks}};
}

}  // namespace

std::string configToJson(const Config& config) {
  const Masker masker(config.mask_patterns.empty() ? Masker::defaultPatterns() : config.mask_patterns);
  ordered_json out;
  out["database"] = config.database ? ordered_json(hideUrlPassword(*config.database)) : ordered_json(nullptr);
  out["listen"] = config.listen ? ordered_json(*config.listen) : ordered_json(nullptr);
  out["workers"] = config.workers ? ordered_json(*config.workers) : ordered_json(nullptr);
  out["durability"] = config.durability == Durability::full ? "full" : "relaxed";
  out["retention"] = {{"success", duration(config.retention.success)}, {"failed", duration(config.retention.failed)}};
  out["mask_patterns"] = config.mask_patterns;
  if (config.log_format || config.log_level) {
    out["log"] = {{"format", config.log_format ? ordered_json(toString(*config.log_format)) : ordered_json(nullptr)},
                  {"level", config.log_level ? ordered_json(toString(*config.log_level)) : ordered_json(nullptr)}};
  }
  out["services"] = ordered_json::object();
  for (const ServiceSpec& s : config.services) out["services"][s.name] = serviceJson(s, masker);
  return out.dump(2);
}

}  // namespace snapq
