// One entry of services: connector, instances (each with the service's
// settings as defaults), webhooks, and its resources.
#include <algorithm>
#include <cctype>

#include "config/loader.h"

namespace snapq::config {
namespace {

// What an instance takes from its service unless it says otherwise.
struct InstanceDefaults {
  std::optional<std::string> base_url;
  std::optional<AuthSpec> auth;
  std::vector<HeaderSpec> headers;
  Policy policy;
};

std::optional<std::string> readBaseUrl(const Value& v) {
  auto url = v.text();
  if (!url) return std::nullopt;
  if (!url->starts_with("http://") && !url->starts_with("https://")) {
    // The raw text, not the resolved one: it may have come from the environment.
    v.problem(v.quoted() + " is not an http:// or https:// URL");
    return std::nullopt;
  }
  while (url->ends_with("/")) url->pop_back();
  return url;
}

std::vector<HeaderSpec> mergeHeaders(std::vector<HeaderSpec> base, std::vector<HeaderSpec> own) {
  for (HeaderSpec& h : own) {
    auto same = [&](const HeaderSpec& b) {
      return std::equal(b.name.begin(), b.name.end(), h.name.begin(), h.name.end(),
                        [](char x, char y) { return std::tolower(x) == std::tolower(y); });
    };
    base.erase(std::remove_if(base.begin(), base.end(), same), base.end());
    base.push_back(std::move(h));
  }
  return base;
}

InstanceSpec readInstance(const NamedValue& entry, const InstanceDefaults& defaults, bool rest) {
  InstanceSpec inst;
  inst.name = entry.name;
  MapReader m(entry.value, {"base_url", "auth", "headers", "policy"});
  std::optional<std::string> base_url = defaults.base_url;
  std::optional<AuthSpec> auth = defaults.auth;
  std::vector<HeaderSpec> headers = defaults.headers;
  inst.policy = defaults.policy;
  if (m.ok()) {
    if (auto v = m.get("base_url")) base_url = readBaseUrl(*v);
    if (auto v = m.get("auth")) auth = readAuth(*v);
    if (auto v = m.get("headers")) headers = mergeHeaders(std::move(headers), readHeaders(*v));
    if (auto v = m.get("policy")) inst.policy = readPolicy(*v, inst.policy);
  }
  if (rest && !base_url && m.ok() && !m.has("base_url")) {
    m.missing("base_url", "needs a base_url (on the instance or on the service)");
  }
  inst.base_url = base_url.value_or("");
  inst.auth = auth.value_or(AuthSpec{});
  inst.headers = std::move(headers);
  finalizePolicy(inst.policy);
  return inst;
}

std::vector<WebhookSpec> readWebhooks(const Value& node) {
  std::vector<WebhookSpec> out;
  auto items = node.items();
  if (!items) return out;
  for (const Value& item : *items) {
    MapReader m(item, {"url", "events", "timeout", "retry"});
    if (!m.ok()) continue;
    WebhookSpec hook;
    hook.events = {WebhookEvent::failed, WebhookEvent::conflict};
    if (auto v = m.get("url")) {
      if (auto url = v->secret()) {
        if (url->reveal().starts_with("http://") || url->reveal().starts_with("https://")) {
          hook.url = std::move(*url);
        } else {
          v->problem("is not an http:// or https:// URL");
        }
      }
    } else {
      m.missing("url", "needs a url");
    }
    if (auto v = m.get("events")) {
      hook.events.clear();
      if (auto events = v->items()) {
        for (const Value& e : *events) {
          if (auto name = e.oneOf({"failed", "conflict", "success"})) {
            const WebhookEvent event = *name == "failed"     ? WebhookEvent::failed
                                       : *name == "conflict" ? WebhookEvent::conflict
                                                             : WebhookEvent::success;
            if (std::find(hook.events.begin(), hook.events.end(), event) == hook.events.end()) {
              hook.events.push_back(event);
            }
          }
        }
        if (events->empty()) v->problem("names no event (failed, conflict, success)");
      }
    }
    if (auto v = m.get("timeout")) {
      if (auto d = v->duration()) hook.timeout = *d;
    }
    if (auto v = m.get("retry")) readRetry(*v, hook.retry);
    out.push_back(std::move(hook));
  }
  return out;
}

}  // namespace

bool checkName(const NamedValue& entry, std::string_view what, std::string_view why) {
  const std::string& s = entry.name;
  const bool ok = !s.empty() && s.size() <= 63 && s[0] >= 'a' && s[0] <= 'z' &&
                  std::all_of(s.begin(), s.end(),
                              [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
  if (!ok) {
    const std::string& path = entry.value.path();
    const std::string parent = path.substr(0, path.size() - std::min(path.size(), s.size() + 1));
    entry.value.ctx().problem(entry.at, parent,
                              "'" + s + "' is not a valid " + std::string(what) +
                                  " name: use lower-case letters, digits and _, starting with a letter (at most 63), "
                                  "because " +
                                  std::string(why));
  }
  return ok;
}

std::optional<ServiceSpec> readService(const NamedValue& entry) {
  Context& ctx = entry.value.ctx();
  checkName(entry, "service", kTableNameReason);
  if (entry.name == "webhook") {
    // The service name of snapq's own webhook deliveries in the job log.
    entry.value.ctx().problem(entry.at, entry.value.path(),
                              "the service name 'webhook' is reserved for snapq's webhook deliveries");
  }
  MapReader m(entry.value,
              {"connector", "base_url", "auth", "headers", "policy", "instances", "resources", "webhooks"});
  if (!m.ok()) return std::nullopt;

  ServiceSpec service;
  service.name = entry.name;
  service.connector = std::string(kRestConnector);
  if (auto v = m.get("connector")) {
    if (auto name = v->identifier("connector name")) {
      const auto& known = ctx.options().connectors;
      if (!known.empty() && std::find(known.begin(), known.end(), *name) == known.end()) {
        std::string message = v->quoted() + " is not a known connector (known: " + listWords(known, ", ") + ")";
        if (auto guess = closest(*name, known)) message += "; did you mean " + *guess + "?";
        v->problem(message);
      }
      service.connector = *name;
    }
  }
  const bool rest = service.isRest();

  InstanceDefaults defaults;
  if (auto v = m.get("base_url")) defaults.base_url = readBaseUrl(*v);
  if (auto v = m.get("auth")) defaults.auth = readAuth(*v);
  if (auto v = m.get("headers")) defaults.headers = readHeaders(*v);
  if (auto v = m.get("policy")) defaults.policy = readPolicy(*v, Policy{});
  service.policy = defaults.policy;
  finalizePolicy(service.policy);

  if (auto v = m.get("instances")) {
    for (const NamedValue& inst : namedEntries(*v)) {
      if (!checkName(inst, "instance", "it is stored in every job and snapshot row and typed on command lines"))
        continue;
      service.instances.push_back(readInstance(inst, defaults, rest));
    }
    if (service.instances.empty() && !v->isMap()) {
      // Reported by namedEntries already.
    } else if (service.instances.empty()) {
      v->problem("lists no instance (leave instances out for one instance named default)");
    }
  } else {
    InstanceSpec inst;
    inst.name = "default";
    inst.base_url = defaults.base_url.value_or("");
    inst.auth = defaults.auth.value_or(AuthSpec{});
    inst.headers = defaults.headers;
    inst.policy = service.policy;
    if (rest && !m.has("base_url")) m.missing("base_url", "needs a base_url (or instances, each with its base_url)");
    service.instances.push_back(std::move(inst));
  }

  if (auto v = m.get("webhooks")) service.webhooks = readWebhooks(*v);
  if (auto v = m.get("resources")) {
    service.resources = readResources(*v, service);
  }
  return service;
}

}  // namespace snapq::config
