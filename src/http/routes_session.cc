// Sign-in and sign-out of the web UI, and who the caller is:
//   POST /api/v1/session, DELETE /api/v1/session, GET /api/v1/me
#include "http/api_auth.h"
#include "http/routes.h"

namespace snapq::http {

namespace {

using json = nlohmann::json;

json principalJson(const auth::Principal& p) {
  json permissions = json::array();
  for (Permission perm : p.permissions.list()) permissions.push_back(toString(perm));
  json out = {{"user", {{"name", p.user}, {"role", toString(p.role)}}}, {"permissions", std::move(permissions)}};
  if (p.token_id) out["token"] = {{"id", *p.token_id}, {"name", p.token_name}};
  return out;
}

Reply login(ApiContext& ctx, ApiRequest& request, bool secure) {
  auto body = jsonObjectBody(request, {"username", "password"});
  if (failed(body)) return std::get<Reply>(body);
  const json& b = std::get<json>(body);
  if (!b.contains("username") || !b["username"].is_string()) return badMember("username", "a string");
  if (!b.contains("password") || !b["password"].is_string()) return badMember("password", "a string");
  auto outcome = ctx.auth.login(b["username"], b["password"], request.address, request.now);
  if (!outcome) return Reply::fromStatus(outcome.status());
  switch (outcome->refusal) {
    case auth::LoginRefusal::none: break;
    case auth::LoginRefusal::bad_credentials:
      return Reply::error(401, "invalid_credentials", "the user name or the password is wrong");
    case auth::LoginRefusal::disabled: return Reply::error(403, "user_disabled", "this user is disabled");
    case auth::LoginRefusal::rate_limited: {
      const auto wait = std::chrono::duration_cast<std::chrono::seconds>(outcome->retry_after).count() + 1;
      Reply r = Reply::error(429, "too_many_attempts",
                             "too many failed sign-ins; try again in " + std::to_string(wait) + " s",
                             {{"retry_after_s", wait}});
      r.headers.set("Retry-After", std::to_string(wait));
      return r;
    }
  }
  const auth::LoginSession& session = *outcome->session;
  json out = principalJson(session.principal);
  out["csrf_token"] = session.csrf_token;
  Reply r = Reply::json(200, std::move(out));
  r.headers.add("Set-Cookie", sessionCookie(session.session_id, session.expires_at - request.now, secure));
  return r;
}

}  // namespace

void addSessionRoutes(Router& router, ApiContext& ctx, bool secure_cookie) {
  router.add("POST", "/api/v1/session", Access::open,
             [&ctx, secure_cookie](ApiRequest& r) { return login(ctx, r, secure_cookie); });
  router.add("DELETE", "/api/v1/session", Access::authenticated, [&ctx, secure_cookie](ApiRequest& r) {
    if (!r.session_id.empty()) {
      if (Status s = ctx.auth.logout(r.session_id); !s) return Reply::fromStatus(s);
    }
    Reply reply = Reply::noContent();
    reply.headers.add("Set-Cookie", clearedSessionCookie(secure_cookie));
    return reply;
  });
  router.add("GET", "/api/v1/me", Access::authenticated,
             [](ApiRequest& r) { return Reply::json(200, principalJson(*r.principal)); });
}

}  // namespace snapq::http
