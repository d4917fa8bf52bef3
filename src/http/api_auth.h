// Who sent a request: the bearer token of an API client, or the session
// cookie of a browser (whose state-changing requests must also carry the
// session's CSRF token in X-CSRF-Token).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "http/api_reply.h"
#include "http/api_request.h"

namespace snapq::http {

inline constexpr std::string_view kSessionCookie = "snapq_session";

// The value of cookie `name` in a Cookie header ("a=1; snapq_session=x").
std::optional<std::string> cookieValue(const net::Headers& headers, std::string_view name);

// Set-Cookie for a new session, and for clearing it.
std::string sessionCookie(const std::string& session_id, Duration max_age, bool secure);
std::string clearedSessionCookie(bool secure);

// Sets request.principal (and session_id) from the request's credentials.
// Returns the 401/403 reply when they are present but invalid, or when
// `required` and there are none; a store failure is a 503.
std::optional<Reply> authenticate(ApiRequest& request, auth::Auth& auth, bool required);

}  // namespace snapq::http
