// policy:, auth: and headers: of a service or an instance.
#include <algorithm>
#include <cctype>
#include <cmath>

#include "config/loader.h"

namespace snapq::config {
namespace {

constexpr int64_t kMaxConcurrency = 1024;
constexpr int64_t kMaxAttempts = 1000;

}  // namespace

void readRetry(const Value& node, RetryPolicy& retry) {
  MapReader m(node, {"attempts", "backoff", "base", "factor", "cap", "jitter"});
  if (!m.ok()) return;
  if (auto v = m.get("attempts")) {
    if (auto n = v->integer(1, kMaxAttempts)) retry.max_attempts = static_cast<int>(*n);
  }
  const bool exponential = m.has("base") || m.has("factor") || m.has("cap") || m.has("jitter");
  if (auto v = m.get("backoff")) {
    if (exponential) {
      v->problem("an explicit backoff list excludes base, factor, cap and jitter (exponential backoff)");
    } else if (auto items = v->items()) {
      std::vector<Duration> waits;
      bool good = true;
      for (const Value& item : *items) {
        auto d = item.duration();
        if (d) waits.push_back(*d);
        good = good && d.has_value();
      }
      if (good) retry.backoff = std::move(waits);
    }
  } else if (exponential) {
    // Exponential keys at this level replace an inherited backoff list.
    retry.backoff.clear();
  }
  if (auto v = m.get("base")) {
    if (auto d = v->duration()) retry.base = *d;
  }
  if (auto v = m.get("factor")) {
    if (auto f = v->number(1.0, 100.0)) retry.factor = *f;
  }
  if (auto v = m.get("cap")) {
    if (auto d = v->duration()) retry.cap = *d;
  }
  if (auto v = m.get("jitter")) {
    if (auto j = v->number(0.0, 1.0)) retry.jitter = *j;
  }
  if (retry.backoff.empty() && retry.cap < retry.base) {
    m.problemAt("cap", "the cap is shorter than the base wait");
  }
}

namespace {

void readCircuitBreaker(const Value& node, CircuitBreakerPolicy& breaker) {
  MapReader m(node, {"failures", "cool_down"});
  if (!m.ok()) return;
  if (auto v = m.get("failures")) {
    if (auto n = v->integer(0, 1'000'000)) breaker.failures = static_cast<int>(*n);
  }
  if (auto v = m.get("cool_down")) {
    if (auto d = v->duration()) breaker.cool_down = *d;
  }
}

}  // namespace

Policy readPolicy(const Value& node, Policy base) {
  MapReader m(node, {"concurrency", "rate_limit", "burst", "timeout", "retry", "circuit_breaker"});
  if (!m.ok()) return base;
  if (auto v = m.get("concurrency")) {
    if (auto n = v->integer(1, kMaxConcurrency)) base.concurrency = static_cast<int>(*n);
  }
  if (auto v = m.get("rate_limit")) {
    if (auto r = v->number(0.0, 1e6)) {
      base.rate_limit = *r;
      // A new rate at this level brings its own automatic burst unless one is given.
      if (!m.has("burst")) base.burst = 0;
    }
  }
  if (auto v = m.get("burst")) {
    if (auto n = v->integer(1, 1'000'000)) base.burst = static_cast<int>(*n);
  }
  if (auto v = m.get("timeout")) {
    if (auto d = v->duration()) base.timeout = *d;
  }
  if (auto v = m.get("retry")) readRetry(*v, base.retry);
  if (auto v = m.get("circuit_breaker")) readCircuitBreaker(*v, base.circuit_breaker);
  return base;
}

void finalizePolicy(Policy& policy) {
  if (policy.rate_limit > 0 && policy.burst == 0) {
    policy.burst = std::max(1, static_cast<int>(std::ceil(policy.rate_limit)));
  }
}

std::optional<AuthSpec> readAuth(const Value& node) {
  static const std::vector<std::string> kinds = {"none", "header", "bearer", "basic", "oauth2_client_credentials"};
  // The keys each kind takes, besides `kind`.
  static const std::vector<std::vector<std::string>> keys = {
      {},
      {"header", "value"},
      {"token"},
      {"username", "password"},
      {"token_url", "client_id", "client_secret", "scope", "client_auth"}};
  std::vector<std::string> all = {"kind"};
  for (const auto& k : keys) all.insert(all.end(), k.begin(), k.end());

  MapReader m(node, all);
  if (!m.ok()) return std::nullopt;
  auto kind_value = m.get("kind");
  if (!kind_value) {
    m.missing("kind", "needs a kind (" + listWords(kinds) + ")");
    return std::nullopt;
  }
  auto kind_name = kind_value->oneOf(kinds);
  if (!kind_name) return std::nullopt;
  const size_t kind_index = static_cast<size_t>(std::find(kinds.begin(), kinds.end(), *kind_name) - kinds.begin());
  const std::vector<std::string>& wanted = keys[kind_index];

  bool good = true;
  for (const std::string& key : all) {
    if (key == "kind" || !m.has(key)) continue;
    if (std::find(wanted.begin(), wanted.end(), key) == wanted.end()) {
      m.problemAt(key, "is not used by auth kind " + *kind_name +
                           (wanted.empty() ? std::string() : " (it takes " + listWords(wanted, " and ") + ")"));
      good = false;
    }
  }
  auto required = [&](const std::string& key) -> std::optional<Value> {
    auto v = m.get(key);
    if (!v) {
      m.missing(key, "auth kind " + *kind_name + " needs " + key);
      good = false;
    }
    return v;
  };
  auto secret = [&](const std::string& key) -> Secret {
    auto v = required(key);
    if (!v) return {};
    auto s = v->secret();
    if (!s) {
      good = false;
      return {};
    }
    if (s->empty()) {
      v->problem("is empty");
      good = false;
    }
    return *s;
  };
  auto text = [&](const std::string& key) -> std::string {
    auto v = required(key);
    if (!v) return {};
    auto t = v->text();
    if (!t) {
      good = false;
      return {};
    }
    return *t;
  };

  AuthSpec auth;
  auth.kind = static_cast<AuthKind>(kind_index);
  switch (auth.kind) {
    case AuthKind::none: break;
    case AuthKind::header:
      auth.header_name = text("header");
      auth.header_value = secret("value");
      break;
    case AuthKind::bearer: auth.token = secret("token"); break;
    case AuthKind::basic:
      auth.username = text("username");
      auth.password = secret("password");
      break;
    case AuthKind::oauth2_client_credentials: {
      auth.token_url = text("token_url");
      if (!auth.token_url.empty() && !auth.token_url.starts_with("/") && !auth.token_url.starts_with("http://") &&
          !auth.token_url.starts_with("https://")) {
        m.problemAt("token_url", "must be an http(s):// URL or a path starting with /");
        good = false;
      }
      auth.client_id = text("client_id");
      auth.client_secret = secret("client_secret");
      if (auto v = m.get("scope")) {
        if (auto t = v->text()) auth.scope = *t;
      }
      if (auto v = m.get("client_auth")) {
        if (auto how = v->oneOf({"basic", "body"})) auth.client_auth_basic = *how == "basic";
      }
      break;
    }
  }
  if (!good) return std::nullopt;
  return auth;
}

std::vector<HeaderSpec> readHeaders(const Value& node) {
  std::vector<HeaderSpec> out;
  for (const NamedValue& entry : namedEntries(node)) {
    const bool token_chars = !entry.name.empty() && std::all_of(entry.name.begin(), entry.name.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
    });
    if (!token_chars) {
      node.ctx().problem(entry.at, node.path(), "'" + entry.name + "' is not a valid header name");
      continue;
    }
    if (auto value = entry.value.secret()) out.push_back({entry.name, std::move(*value)});
  }
  return out;
}

}  // namespace snapq::config
