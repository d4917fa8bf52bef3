// Users and API tokens, for admins (API.md "Live and operations"):
//   GET/POST /api/v1/users, PATCH/DELETE /api/v1/users/{name},
//   GET/POST /api/v1/tokens, DELETE /api/v1/tokens/{id}
// Every change lands in admin_actions with the caller and their address.
#include <charconv>

#include "core/time_format.h"
#include "http/routes.h"

namespace snapq::http {

namespace {

using json = nlohmann::json;

json timeOrNull(const std::optional<TimePoint>& t) { return t ? json(formatIso(*t)) : json(nullptr); }

json userJson(const User& u) {
  return {{"id", u.id},
          {"name", u.name},
          {"role", toString(u.role)},
          {"disabled", u.disabled},
          {"created_at", formatIso(u.created_at)},
          {"updated_at", formatIso(u.updated_at)}};
}

json tokenJson(const ApiToken& t) {
  json permissions = nullptr;
  if (t.permissions) {
    permissions = json::array();
    for (Permission p : t.permissions->list()) permissions.push_back(toString(p));
  }
  return {{"id", t.id},
          {"user", t.user_name},
          {"name", t.name},
          {"permissions", std::move(permissions)},
          {"created_at", formatIso(t.created_at)},
          {"last_used_at", timeOrNull(t.last_used_at)},
          {"expires_at", timeOrNull(t.expires_at)},
          {"revoked_at", timeOrNull(t.revoked_at)}};
}

// A password the policy refuses is a 422 on the field, never echoing it.
Reply refused(const Status& s, const char* field) {
  if (s.code() == ErrorCode::invalid_argument) {
    return Reply::error(422, "validation_failed", s.message(), {{field, s.message()}});
  }
  return Reply::fromStatus(s);
}

Parsed<Role> roleOf(const json& value) {
  std::optional<Role> role = value.is_string() ? parseRole(value.get<std::string>()) : std::nullopt;
  if (!role) return badMember("role", "one of viewer, operator, admin");
  return *role;
}

Reply listUsers(ApiContext& ctx, ApiRequest& r) {
  if (auto bad = rejectUnknownParams(r, {})) return *bad;
  auto users = ctx.auth.store().listUsers();
  if (!users) return Reply::fromStatus(users.status());
  json out = json::array();
  for (const User& u : *users) out.push_back(userJson(u));
  return Reply::json(200, {{"users", std::move(out)}});
}

Reply addUser(ApiContext& ctx, ApiRequest& r) {
  auto body = jsonObjectBody(r, {"name", "role", "password"});
  if (failed(body)) return std::get<Reply>(body);
  const json& b = std::get<json>(body);
  if (!b.contains("name") || !b["name"].is_string()) return badMember("name", "a string");
  if (!b.contains("password") || !b["password"].is_string()) return badMember("password", "a string");
  auto role = roleOf(b.value("role", json("viewer")));
  if (failed(role)) return std::get<Reply>(role);
  const std::string name = b["name"];
  if (Status s = auth::checkUserName(name); !s) return refused(s, "name");
  auto user = ctx.auth.addUser(name, std::get<Role>(role), b["password"], r.change());
  if (!user) return refused(user.status(), "password");
  return Reply::json(201, {{"user", userJson(*user)}});
}

Reply changeUser(ApiContext& ctx, ApiRequest& r) {
  auto body = jsonObjectBody(r, {"role", "disabled", "password"});
  if (failed(body)) return std::get<Reply>(body);
  const json& b = std::get<json>(body);
  const std::string& name = r.param("name");
  const bool self = r.principal->user == name;
  std::optional<Role> role;
  if (b.contains("role")) {
    auto parsed = roleOf(b["role"]);
    if (failed(parsed)) return std::get<Reply>(parsed);
    role = std::get<Role>(parsed);
  }
  if (b.contains("disabled") && !b["disabled"].is_boolean()) return badMember("disabled", "true or false");
  if (b.contains("password") && !b["password"].is_string()) return badMember("password", "a string");
  // An admin cannot lock themselves out; another admin can.
  if (self && ((role && *role != Role::admin) || b.value("disabled", false))) {
    return Reply::error(409, "invalid_state", "you cannot take your own admin rights away; ask another admin");
  }
  AuthStore& store = ctx.auth.store();
  if (b.contains("password")) {
    if (Status s = ctx.auth.setPassword(name, b["password"], r.change()); !s) return refused(s, "password");
  }
  if (role) {
    if (Status s = store.setRole({name, *role, r.change()}); !s) return Reply::fromStatus(s);
  }
  if (b.contains("disabled")) {
    if (Status s = store.setDisabled({name, b["disabled"].get<bool>(), r.change()}); !s) return Reply::fromStatus(s);
  }
  if (role || b.contains("disabled")) ctx.auth.forgetTokens();  // the user's tokens may do less now
  auto user = store.findUser(name);
  if (!user) return Reply::fromStatus(user.status());
  if (!*user) return Reply::error(404, "not_found", "user '" + name + "' does not exist");
  return Reply::json(200, {{"user", userJson(**user)}});
}

Reply removeUser(ApiContext& ctx, ApiRequest& r) {
  const std::string& name = r.param("name");
  if (r.principal->user == name) {
    return Reply::error(409, "invalid_state", "you cannot remove yourself; ask another admin");
  }
  if (Status s = ctx.auth.store().removeUser({name, r.change()}); !s) return Reply::fromStatus(s);
  ctx.auth.forgetTokens();
  return Reply::noContent();
}

Reply listTokens(ApiContext& ctx, ApiRequest& r) {
  if (auto bad = rejectUnknownParams(r, {"user"})) return *bad;
  auto tokens = ctx.auth.store().listTokens(r.http.query.get("user"));
  if (!tokens) return Reply::fromStatus(tokens.status());
  json out = json::array();
  for (const ApiToken& t : *tokens) out.push_back(tokenJson(t));
  return Reply::json(200, {{"tokens", std::move(out)}});
}

Reply createToken(ApiContext& ctx, ApiRequest& r) {
  auto body = jsonObjectBody(r, {"user", "name", "permissions", "expires_in"});
  if (failed(body)) return std::get<Reply>(body);
  const json& b = std::get<json>(body);
  auth::NewTokenSpec spec;
  if (b.contains("user") && !b["user"].is_string()) return badMember("user", "a user name");
  spec.user = b.value("user", r.principal->user);
  if (!b.contains("name") || !b["name"].is_string()) return badMember("name", "a string (a label for the token)");
  spec.name = b["name"];
  if (b.contains("permissions")) {
    if (!b["permissions"].is_array()) return badMember("permissions", "an array of permission names");
    PermissionSet set;
    for (const json& p : b["permissions"]) {
      std::optional<Permission> perm = p.is_string() ? parsePermission(p.get<std::string>()) : std::nullopt;
      if (!perm) {
        return badMember("permissions",
                         "names among sync.job.view, sync.job.manage, snapshot.view, snapshot.write, admin");
      }
      set.add(*perm);
    }
    spec.permissions = set;
  }
  if (b.contains("expires_in")) {
    std::optional<Duration> lifetime =
        b["expires_in"].is_string() ? parseDuration(b["expires_in"].get<std::string>()) : std::nullopt;
    if (!lifetime) return badMember("expires_in", "a duration such as \"90d\" or \"12h\"");
    spec.lifetime = lifetime;
  }
  auto issued = ctx.auth.createToken(spec, r.change());
  if (!issued) return Reply::fromStatus(issued.status());
  json out = tokenJson(issued->record);
  out["token"] = issued->token;  // shown this once; only its hash is kept
  return Reply::json(201, std::move(out));
}

Reply revokeToken(ApiContext& ctx, ApiRequest& r) {
  const std::string& text = r.param("id");
  int64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id <= 0) {
    return Reply::error(400, "bad_request", "a token id is a positive integer, not '" + text + "'");
  }
  if (Status s = ctx.auth.store().revokeToken({id, r.change()}); !s) return Reply::fromStatus(s);
  ctx.auth.forgetTokens();
  return Reply::noContent();
}

}  // namespace

void addAdminRoutes(Router& router, ApiContext& ctx) {
  router.add("GET", "/api/v1/users", Permission::admin, [&ctx](ApiRequest& r) { return listUsers(ctx, r); });
  router.add("POST", "/api/v1/users", Permission::admin, [&ctx](ApiRequest& r) { return addUser(ctx, r); });
  router.add("PATCH", "/api/v1/users/{name}", Permission::admin, [&ctx](ApiRequest& r) { return changeUser(ctx, r); });
  router.add("DELETE", "/api/v1/users/{name}", Permission::admin, [&ctx](ApiRequest& r) { return removeUser(ctx, r); });
  router.add("GET", "/api/v1/tokens", Permission::admin, [&ctx](ApiRequest& r) { return listTokens(ctx, r); });
  router.add("POST", "/api/v1/tokens", Permission::admin, [&ctx](ApiRequest& r) { return createToken(ctx, r); });
  router.add("DELETE", "/api/v1/tokens/{id}", Permission::admin, [&ctx](ApiRequest& r) { return revokeToken(ctx, r); });
}

}  // namespace snapq::http
