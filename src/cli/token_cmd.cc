// snapq token create|list|revoke: API tokens for HTTP clients. A new token is
// printed once, alone on stdout, so scripts can capture it; only its SHA-256
// is stored, and listings never show either.
#include <CLI/CLI.hpp>
#include <charconv>
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "auth/auth_service.h"
#include "cli/cli_common.h"
#include "core/permissions.h"
#include "core/time_format.h"

namespace snapq::cli {
namespace {

// "90m", "12h", "30d".
Result<Duration> parseLifetime(const std::string& text) {
  int64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  std::string unit(end, text.data() + text.size());
  int64_t unit_ms = unit == "m" ? 60'000 : unit == "h" ? 3'600'000 : unit == "d" ? 86'400'000 : 0;
  if (ec != std::errc() || n <= 0 || unit_ms == 0 || n > 100 * 365 * (86'400'000 / unit_ms)) {
    return Status::invalidArgument(
        "--expires must be a positive number of minutes, hours or days (90m, 12h, 30d), not '" + text.substr(0, 50) +
        "'");
  }
  return Duration(n * unit_ms);
}

std::string optIso(const std::optional<TimePoint>& t) { return t ? formatIso(*t) : std::string(); }

int runCreate(const std::string& db, const std::string& user, const std::string& name,
              const std::optional<std::string>& permissions, const std::optional<std::string>& expires) {
  auth::NewTokenSpec spec{user, name, std::nullopt, std::nullopt};
  if (permissions) {
    auto set = parsePermissionList(*permissions);
    if (!set) return reportStatus(set.status());
    if (set->empty()) return usageError("--permissions needs at least one permission");
    spec.permissions = *set;
  }
  if (expires) {
    auto lifetime = parseLifetime(*expires);
    if (!lifetime) return reportStatus(lifetime.status());
    spec.lifetime = *lifetime;
  }
  int code = kExitOk;
  auto store = openReadyStore(db, code);
  if (!store) return code;
  auth::Auth auth(store->auth());
  auto issued = auth.createToken(spec, {cliActor(), "cli", SystemClock().now()});
  if (!issued) return reportStatus(issued.status());
  std::cout << issued->token << '\n';
  std::cerr << "token " << issued->record.id << " for " << user << " created; it is shown only this once\n";
  return kExitOk;
}

int runList(const std::string& db, const std::optional<std::string>& user, bool json) {
  int code = kExitOk;
  auto store = openReadyStore(db, code);
  if (!store) return code;
  auto tokens = store->auth().listTokens(user);
  if (!tokens) return reportStatus(tokens.status());
  if (json) {
    nlohmann::json out = nlohmann::json::array();
    for (const ApiToken& t : *tokens) {
      nlohmann::json item = {{"id", t.id},
                             {"user", t.user_name},
                             {"name", t.name},
                             {"permissions", t.permissions ? nlohmann::json(formatPermissionList(*t.permissions))
                                                           : nlohmann::json(nullptr)},
                             {"created_at", formatIso(t.created_at)}};
      for (auto [key, value] : {std::pair{"last_used_at", &t.last_used_at}, std::pair{"expires_at", &t.expires_at},
                                std::pair{"revoked_at", &t.revoked_at}}) {
        item[key] = *value ? nlohmann::json(formatIso(**value)) : nlohmann::json(nullptr);
      }
      out.push_back(std::move(item));
    }
    std::cout << nlohmann::json{{"tokens", out}}.dump() << '\n';
    return kExitOk;
  }
  std::printf("%-6s %-16s %-16s %-8s %-24s %s\n", "ID", "USER", "NAME", "STATE", "EXPIRES", "PERMISSIONS");
  TimePoint now = SystemClock().now();
  for (const ApiToken& t : *tokens) {
    const char* state = t.revoked_at ? "revoked" : (t.expires_at && now >= *t.expires_at) ? "expired" : "active";
    std::string perms = t.permissions ? formatPermissionList(*t.permissions) : "(role)";
    std::printf("%-6lld %-16s %-16s %-8s %-24s %s\n", static_cast<long long>(t.id), t.user_name.c_str(), t.name.c_str(),
                state, optIso(t.expires_at).c_str(), perms.c_str());
  }
  return kExitOk;
}

int runRevoke(const std::string& db, int64_t id) {
  int code = kExitOk;
  auto store = openReadyStore(db, code);
  if (!store) return code;
  if (Status s = store->auth().revokeToken({id, {cliActor(), "cli", SystemClock().now()}}); !s) return reportStatus(s);
  std::cout << "token " << id << " revoked\n";
  return kExitOk;
}

}  // namespace

void addTokenCommand(CLI::App& app, Action& chosen) {
  CLI::App* token = app.add_subcommand("token", "manage API tokens");
  token->require_subcommand(0, 1);

  struct Options {
    std::string db, user, name;
    std::optional<std::string> permissions, expires, filter_user;
    int64_t id = 0;
    bool json = false;
  };
  auto o = std::make_shared<Options>();

  CLI::App* create = token->add_subcommand("create", "create a token; prints only the token, once");
  addDbOption(*create, o->db);
  create->add_option("--user", o->user, "the user the token acts as")->required();
  create->add_option("--name", o->name, "a label, e.g. what uses the token");
  create->add_option("--permissions", o->permissions, "comma list limiting the token (default: the user's role)");
  create->add_option("--expires", o->expires, "lifetime: 90m, 12h, 30d (default: none)");
  create->callback(
      [o, &chosen] { chosen = [o] { return runCreate(o->db, o->user, o->name, o->permissions, o->expires); }; });

  CLI::App* list = token->add_subcommand("list", "list tokens (never the tokens themselves)");
  addDbOption(*list, o->db);
  list->add_option("--user", o->filter_user, "only this user's tokens");
  list->add_flag("--json", o->json, "print JSON");
  list->callback([o, &chosen] { chosen = [o] { return runList(o->db, o->filter_user, o->json); }; });

  CLI::App* revoke = token->add_subcommand("revoke", "revoke a token by id");
  addDbOption(*revoke, o->db);
  revoke->add_option("ID", o->id, "token id (see snapq token list)")->required()->check(CLI::PositiveNumber);
  revoke->callback([o, &chosen] { chosen = [o] { return runRevoke(o->db, o->id); }; });
}

}  // namespace snapq::cli
