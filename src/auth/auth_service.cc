// Logins, sessions and token authentication.
#include "auth/auth_service.h"

#include "auth/token_cache.h"
#include "core/passwords.h"
#include "core/permissions.h"
#include "core/secrets.h"

namespace snapq::auth {
namespace {

// A session's last_seen_at moves at most once a minute: one write a minute per
// active browser, at the cost of a minute's precision in the idle expiry.
constexpr Duration kTouchEvery{60000};

Principal principalOf(const User& user) {
  Principal p;
  p.user = user.name;
  p.role = user.role;
  p.permissions = rolePermissions(user.role);
  return p;
}

}  // namespace

Actor Principal::actor() const {
  if (!token_id) return Actor::user(user);
  return Actor::token(user + "/" + (token_name.empty() ? "token-" + std::to_string(*token_id) : token_name));
}

Auth::Auth(AuthStore& store, AuthOptions options)
    : store_(store),
      options_(options),
      limiter_(options.max_login_failures, options.login_window),
      tokens_(std::make_unique<TokenCache>(options.token_cache_ttl, 1024)) {}

Auth::~Auth() = default;

void Auth::forgetTokens() { tokens_->forget(); }

Result<LoginOutcome> Auth::login(const std::string& name, const std::string& password, const std::string& address,
                                 TimePoint now) {
  const std::string user_key = "user:" + name;
  const std::string address_key = "address:" + address;
  LoginOutcome outcome;
  Duration wait = std::max(limiter_.wait(user_key, now), limiter_.wait(address_key, now));
  if (wait > Duration(0)) {
    outcome.refusal = LoginRefusal::rate_limited;
    outcome.retry_after = wait;
    return outcome;
  }
  auto user = store_.findUser(name);
  if (!user) return user.status();
  // An unknown name costs a full verification too, so timing does not tell
  // which names exist.
  bool verified = verifyPassword(password, *user ? (*user)->password_hash : dummyPasswordHash());
  if (!*user || !verified) {
    limiter_.recordFailure(user_key, now);
    limiter_.recordFailure(address_key, now);
    outcome.refusal = LoginRefusal::bad_credentials;
    return outcome;
  }
  if ((*user)->disabled) {
    outcome.refusal = LoginRefusal::disabled;
    return outcome;
  }
  limiter_.clear(user_key);

  LoginSession session;
  session.session_id = randomSecret();
  session.csrf_token = randomSecret();
  session.expires_at = now + options_.session_lifetime;
  session.principal = principalOf(**user);
  CreateSessionRequest request{
      name, secretHash(session.session_id), secretHash(session.csrf_token), now, session.expires_at, address};
  if (Status s = store_.createSession(request); !s) return s;
  outcome.session = std::move(session);
  return outcome;
}

Status Auth::logout(const std::string& session_id) { return store_.deleteSession(secretHash(session_id)); }

Result<int64_t> Auth::sweepSessions(TimePoint now) { return store_.deleteExpiredSessions(now, options_.session_idle); }

Result<std::optional<SessionAuth>> Auth::authenticateSession(const std::string& session_id, TimePoint now) {
  if (session_id.empty()) return std::optional<SessionAuth>();
  std::string id_hash = secretHash(session_id);
  auto found = store_.findSession({id_hash, now, options_.session_idle});
  if (!found) return found.status();
  if (!*found || (*found)->user.disabled) return std::optional<SessionAuth>();
  if (now - (*found)->session.last_seen_at >= kTouchEvery) {
    if (Status s = store_.touchSession(id_hash, now); !s) return s;
  }
  return std::optional<SessionAuth>(SessionAuth{principalOf((*found)->user), id_hash, (*found)->session.csrf_hash});
}

bool Auth::csrfMatches(const SessionAuth& session, const std::string& header) {
  if (header.empty()) return false;
  return constantTimeEquals(secretHash(header), session.csrf_hash);
}

Result<std::optional<Principal>> Auth::authenticateToken(const std::string& token, TimePoint now) {
  // The lookup is by hash, so the comparison itself never touches the secret.
  if (!token.starts_with(kTokenPrefix) || token.size() > 200) return std::optional<Principal>();
  const std::string hash = secretHash(token);
  if (auto cached = tokens_->find(hash, now)) return cached;
  const uint64_t epoch = tokens_->epoch();
  auto found = store_.findTokenByHash({hash, now});
  if (!found) return found.status();
  if (!*found) return std::optional<Principal>();
  const ApiToken& t = (*found)->token;
  const User& user = (*found)->user;
  if (t.revoked_at || (t.expires_at && now >= *t.expires_at) || user.disabled) return std::optional<Principal>();
  Principal p = principalOf(user);
  p.permissions = effectivePermissions(user.role, t.permissions);
  p.token_id = t.id;
  p.token_name = t.name;
  tokens_->put(hash, p, t.expires_at, now, epoch);
  return std::optional<Principal>(std::move(p));
}

}  // namespace snapq::auth
