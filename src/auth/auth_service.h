// Authentication and the administration of users and tokens, written once
// above the store's AuthStore for the HTTP API and the CLI alike: password
// logins with sessions and CSRF tokens, bearer tokens, the first admin.
// Raw secrets (passwords, tokens, session ids, CSRF tokens) pass through here
// and are never stored, logged or put into an error message; the store sees
// their hashes only.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "auth/login_limiter.h"
#include "snapq/auth.h"
#include "snapq/job.h"
#include "snapq/status.h"

namespace snapq::auth {

struct AuthOptions {
  Duration session_idle{std::chrono::minutes(30)};
  Duration session_lifetime{std::chrono::hours(12)};  // absolute
  // Login attempts: this many failures inside the window, per user name and per
  // address, and further attempts are refused until the window moves on.
  int max_login_failures = 5;
  Duration login_window{std::chrono::minutes(15)};
  // How long a bearer token's principal is reused without a store lookup
  // (token_cache.h); 0: every request looks the token up.
  Duration token_cache_ttl{std::chrono::seconds(2)};
};

// Who a request is, and what it may do.
struct Principal {
  std::string user;
  Role role = Role::viewer;
  PermissionSet permissions;
  std::optional<int64_t> token_id;  // set when authenticated by an API token
  std::string token_name;
  bool can(Permission p) const { return permissions.has(p); }
  // The actor recorded on jobs and admin actions: the user for a session,
  // "user/label" (or "user/token-<id>") for a token.
  Actor actor() const;
};

enum class LoginRefusal {
  none,
  bad_credentials,  // unknown user or wrong password (the same answer for both)
  disabled,         // right password, disabled user
  rate_limited,     // too many failures; retry_after says how long to wait
};

struct LoginSession {
  std::string session_id;  // raw: for the cookie only
  std::string csrf_token;  // raw: for the client, which sends it back in X-CSRF-Token
  TimePoint expires_at{};
  Principal principal;
};

struct LoginOutcome {
  std::optional<LoginSession> session;  // set when the login succeeded
  LoginRefusal refusal = LoginRefusal::none;
  Duration retry_after{0};
};

struct SessionAuth {
  Principal principal;
  std::string id_hash;
  std::string csrf_hash;
};

struct NewTokenSpec {
  std::string user;
  std::string name;
  std::optional<PermissionSet> permissions;  // must be within the user's role
  std::optional<Duration> lifetime;
};

struct IssuedToken {
  std::string token;  // raw: shown once
  ApiToken record;
};

struct BootstrapResult {
  bool created = false;
  // Set only when the password was generated here: print it once.
  std::string generated_password;
};

// 1-64 characters of letters, digits, '_', '.', '@', '-'; invalid_argument otherwise.
Status checkUserName(const std::string& name);

class TokenCache;

class Auth {
 public:
  explicit Auth(AuthStore& store, AuthOptions options = {});
  ~Auth();

  // Store failures are errors; a refused login is an outcome with a reason.
  Result<LoginOutcome> login(const std::string& name, const std::string& password, const std::string& address,
                             TimePoint now);
  Status logout(const std::string& session_id);
  // Deletes sessions that expired (idle or absolute); returns how many.
  Result<int64_t> sweepSessions(TimePoint now);
  // nullopt: no such session, or expired (idle or absolute), or its user is disabled.
  Result<std::optional<SessionAuth>> authenticateSession(const std::string& session_id, TimePoint now);
  // Whether `header` (X-CSRF-Token) is the session's CSRF token; constant time.
  static bool csrfMatches(const SessionAuth& session, const std::string& header);
  // nullopt: malformed, unknown, revoked or expired token, or a disabled user.
  Result<std::optional<Principal>> authenticateToken(const std::string& token, TimePoint now);

  // Administration; `by` names who does it (admin_actions).
  Result<User> addUser(const std::string& name, Role role, const std::string& password, const AuthChange& by);
  Status setPassword(const std::string& name, const std::string& password, const AuthChange& by);
  Result<IssuedToken> createToken(const NewTokenSpec& spec, const AuthChange& by);

  // Creates user `admin` (role admin) when there is no user at all, with
  // `password` (from SNAPQ_ADMIN_PASSWORD) or a random 20-character one.
  Result<BootstrapResult> bootstrapAdmin(TimePoint now, const std::optional<std::string>& password);

  AuthStore& store() { return store_; }
  // Call after a change of users or tokens made through store() (revoke,
  // role, disable, remove) has committed: authenticateToken no longer answers
  // from what it remembers of the tokens.
  void forgetTokens();

 private:
  AuthStore& store_;
  AuthOptions options_;
  LoginLimiter limiter_;
  std::unique_ptr<TokenCache> tokens_;
};

}  // namespace snapq::auth
