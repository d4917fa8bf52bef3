#include "http/api_auth.h"

namespace snapq::http {

namespace {

bool writes(const std::string& method) { return method != "GET" && method != "HEAD" && method != "OPTIONS"; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

Reply unauthenticated(std::string code, std::string message) {
  Reply r = Reply::error(401, std::move(code), std::move(message));
  r.headers.set("WWW-Authenticate", "Bearer realm=\"snapq\"");
  return r;
}

}  // namespace

std::optional<std::string> cookieValue(const net::Headers& headers, std::string_view name) {
  for (const std::string& header : headers.getAll("Cookie")) {
    std::string_view rest = header;
    while (!rest.empty()) {
      size_t end = rest.find(';');
      std::string_view pair = trim(rest.substr(0, end));
      rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
      size_t eq = pair.find('=');
      if (eq != std::string_view::npos && trim(pair.substr(0, eq)) == name) return std::string(trim(pair.substr(eq + 1)));
    }
  }
  return std::nullopt;
}

std::string sessionCookie(const std::string& session_id, Duration max_age, bool secure) {
  return std::string(kSessionCookie) + "=" + session_id + "; Path=/; Max-Age=" +
         std::to_string(std::chrono::duration_cast<std::chrono::seconds>(max_age).count()) +
         "; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "");
}

std::string clearedSessionCookie(bool secure) {
  return std::string(kSessionCookie) + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "");
}

std::optional<Reply> authenticate(ApiRequest& request, auth::Auth& auth, bool required) {
  const net::Headers& headers = request.http.headers;
  if (std::optional<std::string> authorization = headers.get("Authorization")) {
    std::string_view value = trim(*authorization);
    if (value.size() < 7 || !net::equalsIgnoreCase(value.substr(0, 7), "Bearer ")) {
      return unauthenticated("unauthenticated", "the Authorization header must be 'Bearer <token>'");
    }
    auto principal = auth.authenticateToken(std::string(trim(value.substr(7))), request.now);
    if (!principal) return Reply::fromStatus(principal.status());
    if (!*principal) return unauthenticated("invalid_token", "the bearer token is unknown, revoked or expired");
    request.principal = std::move(**principal);
    return std::nullopt;
  }
  if (std::optional<std::string> session_id = cookieValue(headers, kSessionCookie); session_id && !session_id->empty()) {
    auto session = auth.authenticateSession(*session_id, request.now);
    if (!session) return Reply::fromStatus(session.status());
    if (!*session) {
      if (!required) return std::nullopt;
      return unauthenticated("session_expired", "the session has expired or was ended; sign in again");
    }
    if (writes(request.http.method)) {
      std::optional<std::string> csrf = headers.get("X-CSRF-Token");
      if (!csrf || !auth::Auth::csrfMatches(**session, *csrf)) {
        return Reply::error(403, "csrf_token_invalid",
                            "a request that changes something must carry this session's X-CSRF-Token header");
      }
    }
    request.principal = std::move((*session)->principal);
    request.session_id = std::move(*session_id);
    return std::nullopt;
  }
  if (required) return unauthenticated("unauthenticated", "sign in, or send 'Authorization: Bearer <token>'");
  return std::nullopt;
}

}  // namespace snapq::http
