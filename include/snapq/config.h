// snapq's configuration: one YAML file (docs/CONFIG.md) loaded into plain,
// typed structs. The loader checks everything it can on its own (names,
// types, references between resources, templates) and reports every problem
// at once with its line; whoever gets a Config may rely on it being
// consistent. Credentials come from ${ENV} references, are resolved at load
// and held as Secret, so they never show up in a message or a dump.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "snapq/clock.h"
#include "snapq/log.h"
#include "snapq/resource_spec.h"
#include "snapq/retry.h"
#include "snapq/secret.h"
#include "snapq/status.h"

namespace snapq {

// ---------------------------------------------------------------- instances

enum class AuthKind { none, header, bearer, basic, oauth2_client_credentials };
const char* authKindName(AuthKind kind);

struct AuthSpec {
  AuthKind kind = AuthKind::none;
  // header: `<header_name>: <header_value>` on every request ("X-API-Key").
  std::string header_name;
  Secret header_value;
  // bearer: `Authorization: Bearer <token>`.
  Secret token;
  // basic: `Authorization: Basic base64(username:password)`.
  std::string username;
  Secret password;
  // oauth2_client_credentials (RFC 6749 4.4): POST grant_type=client_credentials
  // (and scope, when set) to token_url, then `Authorization: Bearer <access_token>`
  // until expires_in runs out. token_url is absolute, or a path starting with
  // '/' taken relative to the origin (scheme://host:port) of base_url.
  std::string token_url;
  std::string client_id;
  Secret client_secret;
  std::string scope;
  bool client_auth_basic = true;  // client_id/secret as HTTP Basic (RFC 6749 2.3.1); false: in the form body
};

struct CircuitBreakerPolicy {
  int failures = 5;                               // consecutive failed requests that open the circuit; 0: never opens
  Duration cool_down = std::chrono::seconds(30);  // how long it stays open before one trial request
};

// How snapq treats one service instance (one credential, one request budget).
struct Policy {
  int concurrency = 4;    // jobs running at once against the instance
  double rate_limit = 0;  // requests per second; 0: no limit of our own (429s are still obeyed)
  int burst = 0;          // token-bucket size; the loader sets max(1, ceil(rate_limit)) when not given
  Duration timeout = std::chrono::seconds(30);  // per HTTP request
  RetryPolicy retry;                            // attempts and waits of a failed job
  CircuitBreakerPolicy circuit_breaker;
};

struct HeaderSpec {
  std::string name;
  Secret value;  // static headers often carry keys, so their values are secrets
};

struct InstanceSpec {
  std::string name;      // "default" when the service lists no instances
  std::string base_url;  // http:// or https://, no trailing '/'; empty only for C++ connectors
  AuthSpec auth;
  std::vector<HeaderSpec> headers;  // sent with every request
  Policy policy;                    // the service's policy with this instance's overrides applied
};

// ---------------------------------------------------------------- services

enum class WebhookEvent { failed, conflict, success };
const char* webhookEventName(WebhookEvent event);

// A delivery's retry policy unless the webhook says otherwise: 8 attempts,
// waits from 5 s doubling up to 5 min (about 10 minutes in all).
RetryPolicy defaultWebhookRetry();

struct WebhookSpec {
  Secret url;                        // hooks URLs often embed a token (Slack, Teams)
  std::vector<WebhookEvent> events;  // default {failed, conflict}
  Duration timeout = std::chrono::seconds(10);  // per delivery attempt
  RetryPolicy retry = defaultWebhookRetry();
};

inline constexpr std::string_view kRestConnector = "rest";

struct ServiceSpec {
  std::string name;                     // [a-z][a-z0-9_]*
  std::string connector;                // "rest" or the name a C++ connector is registered under
  std::vector<InstanceSpec> instances;  // never empty
  Policy policy;                        // the service's defaults, before instance overrides
  std::vector<ResourceSpec> resources;  // in the file's order
  std::vector<WebhookSpec> webhooks;

  bool isRest() const { return connector == kRestConnector; }
  const ResourceSpec* resource(std::string_view name) const;
  const InstanceSpec* instance(std::string_view name) const;
  // The resource's scope parent, its parent, ... (nearest first); empty when
  // unscoped. The loader guarantees the chain ends.
  std::vector<const ResourceSpec*> ancestors(const ResourceSpec& resource) const;
  // The template variables a scope provides: `var` of the resource's scope
  // and of every ancestor's (nearest first).
  std::vector<std::string> scopeVariables(const ResourceSpec& resource) const;
};

// ---------------------------------------------------------------- config

enum class Durability { full, relaxed };

struct Retention {
  Duration success = std::chrono::hours(14 * 24);  // success and skipped jobs
  Duration failed = std::chrono::hours(90 * 24);   // failed, conflict and cancelled jobs
};

struct Config {
  // Unset when the file does not say; then the command line, the environment
  // ($SNAPQ_DB, $SNAPQ_LISTEN) or the program's default decides. A command-
  // line flag wins over the environment, which wins over the file.
  std::optional<std::string> database;  // "sqlite:PATH" or "postgres://..."
  std::optional<std::string> listen;    // "HOST:PORT"
  std::optional<int> workers;
  Durability durability = Durability::full;
  Retention retention;
  std::vector<std::string> mask_patterns;  // the file's list, or Masker::defaultPatterns()
  std::vector<ServiceSpec> services;       // in the file's order
  // `log: {format, level}`; unset: the flags, the environment or text at info decide.
  std::optional<LogFormat> log_format;
  std::optional<LogLevel> log_level;

  const ServiceSpec* service(std::string_view name) const;
  size_t resourceCount() const;
};

// ---------------------------------------------------------------- loading

// The value of an environment variable, or nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
std::optional<std::string> processEnv(const std::string& name);

struct LoadOptions {
  EnvLookup env = processEnv;
  // Connector names the program knows ("rest" and its registered C++
  // connectors); empty: any well-formed name is accepted.
  std::vector<std::string> connectors;
  // Checks a sync schedule; returns why it is invalid, or nullopt. Unset:
  // schedules are stored unchecked (the scheduler checks them at start).
  std::function<std::optional<std::string>(std::string_view)> check_schedule;
};

struct ConfigProblem {
  int line = 0;    // 1-based; 0 when the problem concerns the whole file
  int column = 0;  // 1-based; 0 with line 0
  // "services.sim.resources.accounts.fields.quota_mb.type: 'int' is not one of ..."
  std::string message;
};

struct ConfigCheck {
  std::optional<Config> config;         // set only when there is no problem
  std::vector<ConfigProblem> problems;  // in file order
  bool ok() const { return problems.empty(); }
};

// Reads and checks a config file and reports every problem, not only the
// first. Never throws. Messages quote what the file says, never the value an
// ${ENV} reference resolved to.
ConfigCheck checkConfig(const std::string& path, const LoadOptions& options = {});
ConfigCheck checkConfigText(std::string_view yaml, const LoadOptions& options = {});

// checkConfig as a Result: invalid_argument whose message is every problem
// formatted by formatProblem, one per line.
Result<Config> loadConfig(const std::string& path, EnvLookup env = processEnv);
Result<Config> loadConfig(const std::string& path, const LoadOptions& options);

// "FILE:LINE:COL: message", or "FILE: message" for a whole-file problem.
std::string formatProblem(std::string_view file, const ConfigProblem& problem);

// The effective configuration (defaults filled in) as pretty JSON, every
// Secret shown as "***" and the password of a database URL hidden. For
// `snapq config check --dump`, logs and the services API.
std::string configToJson(const Config& config);

}  // namespace snapq
