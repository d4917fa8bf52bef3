// API tokens and sessions. Only hashes of their secrets are stored; a lookup
// by hash finds the row, and nothing here ever sees the raw secret.
#include <nlohmann/json.hpp>

#include "core/permissions.h"
#include "store/postgres/auth.h"
#include "store/postgres/auth_rows.h"
#include "store/postgres/job_rows.h"

namespace snapq::pg {
namespace {

// last_used_at moves at most once a minute per token: a busy API client costs
// one write a minute, not one per request.
constexpr Duration kTouchEvery{60000};

const std::string kTokenFrom = " FROM api_tokens t JOIN users u ON u.id = t.user_id ";

}  // namespace

Result<ApiToken> PgAuth::createToken(const CreateTokenRequest& r) {
  return writer_.run<ApiToken>([&r](Conn& conn) -> Result<ApiToken> {
    Params p;
    p.text(r.user_name).text(r.name).text(r.token_hash);
    p.text(r.permissions ? formatPermissionList(*r.permissions) : std::string());
    p.time(r.by.now).boolean(r.expires_at.has_value()).time(r.expires_at.value_or(TimePoint{}));
    auto inserted = conn.query(
        "INSERT INTO api_tokens (user_id, name, token_hash, permissions, created_at, expires_at) "
        "SELECT id, $2, $3, $4, $5, CASE WHEN $6 THEN $7 END FROM users WHERE name = $1 RETURNING id",
        p);
    if (!inserted) return inserted.status();
    if (inserted->empty()) return Status::notFound("user '" + r.user_name + "' does not exist");
    int64_t id = inserted->int64(0, 0);
    auto rows = conn.query("SELECT " + kTokenColumns + kTokenFrom + "WHERE t.id = $1", Params().int64(id));
    if (!rows) return rows.status();
    if (rows->empty()) return Status::internal("token " + std::to_string(id) + " vanished after its insert");
    nlohmann::json details = {{"user", r.user_name}, {"name", r.name}};
    if (r.permissions) details["permissions"] = formatPermissionList(*r.permissions);
    if (Status s = insertAdminAction(conn, r.by.now, r.by.actor, "token.create", "token", std::to_string(id),
                                     details.dump(), r.by.address);
        !s)
      return s;
    return readToken(*rows, 0);
  });
}

Result<std::vector<ApiToken>> PgAuth::listTokens(const std::optional<std::string>& user_name) {
  return read<std::vector<ApiToken>>([&user_name](Conn& conn) -> Result<std::vector<ApiToken>> {
    Params p;
    p.boolean(user_name.has_value()).text(user_name.value_or(""));
    auto rows = conn.query("SELECT " + kTokenColumns + kTokenFrom + "WHERE NOT $1 OR u.name = $2 ORDER BY t.id", p);
    if (!rows) return rows.status();
    std::vector<ApiToken> tokens;
    for (int i = 0; i < rows->size(); ++i) tokens.push_back(readToken(*rows, i));
    return tokens;
  });
}

Status PgAuth::revokeToken(const RevokeTokenRequest& r) {
  return writer_.runStatus([&r](Conn& conn) -> Status {
    auto rows =
        conn.query("SELECT " + kTokenColumns + kTokenFrom + "WHERE t.id = $1 FOR UPDATE OF t", Params().int64(r.id));
    if (!rows) return rows.status();
    if (rows->empty()) return Status::notFound("token " + std::to_string(r.id) + " does not exist");
    ApiToken token = readToken(*rows, 0);
    if (token.revoked_at) return Status::invalidState("token " + std::to_string(r.id) + " is already revoked");
    auto updated =
        conn.query("UPDATE api_tokens SET revoked_at = $2 WHERE id = $1", Params().int64(r.id).time(r.by.now));
    if (!updated) return updated.status();
    nlohmann::json details = {{"user", token.user_name}, {"name", token.name}};
    return insertAdminAction(conn, r.by.now, r.by.actor, "token.revoke", "token", std::to_string(r.id), details.dump(),
                             r.by.address);
  });
}

Result<std::optional<TokenMatch>> PgAuth::findTokenByHash(const FindTokenRequest& r) {
  auto found = read<std::optional<TokenMatch>>([&r](Conn& conn) -> Result<std::optional<TokenMatch>> {
    auto rows = conn.query("SELECT " + kTokenColumns + ", " + userColumns("u") + kTokenFrom + "WHERE t.token_hash = $1",
                           Params().text(r.token_hash));
    if (!rows) return rows.status();
    if (rows->empty()) return std::optional<TokenMatch>();
    return std::optional<TokenMatch>(TokenMatch{readToken(*rows, 0), readUser(*rows, 0, kTokenColumnCount)});
  });
  if (!found || !*found) return found;
  const ApiToken& t = (*found)->token;
  bool usable = !t.revoked_at && (!t.expires_at || r.now < *t.expires_at);
  if (usable && (!t.last_used_at || r.now - *t.last_used_at >= kTouchEvery)) {
    Status touched = writer_.runStatus([&r, id = t.id](Conn& conn) -> Status {
      return conn.query("UPDATE api_tokens SET last_used_at = $2 WHERE id = $1", Params().int64(id).time(r.now))
          .status();
    });
    if (!touched) return touched;
    (*found)->token.last_used_at = r.now;
  }
  return found;
}

Status PgAuth::createSession(const CreateSessionRequest& r) {
  return writer_.runStatus([&r](Conn& conn) -> Status {
    Params p;
    p.text(r.user_name).text(r.id_hash).text(r.csrf_hash).time(r.now).time(r.expires_at).text(r.address);
    auto rows = conn.query(
        "INSERT INTO sessions (id_hash, user_id, csrf_hash, created_at, last_seen_at, expires_at, address) "
        "SELECT $2, id, $3, $4, $4, $5, $6 FROM users WHERE name = $1 RETURNING user_id",
        p);
    if (!rows) return rows.status();
    if (rows->empty()) return Status::notFound("user '" + r.user_name + "' does not exist");
    return Status::ok();
  });
}

Result<std::optional<SessionMatch>> PgAuth::findSession(const FindSessionRequest& r) {
  return read<std::optional<SessionMatch>>([&r](Conn& conn) -> Result<std::optional<SessionMatch>> {
    auto rows = conn.query("SELECT " + kSessionColumns + ", " + userColumns("u") +
                               " FROM sessions s JOIN users u ON u.id = s.user_id "
                               "WHERE s.id_hash = $1 AND s.expires_at > $2 AND s.last_seen_at > $3",
                           Params().text(r.id_hash).time(r.now).time(r.now - r.idle));
    if (!rows) return rows.status();
    if (rows->empty()) return std::optional<SessionMatch>();
    return std::optional<SessionMatch>(SessionMatch{readSession(*rows, 0), readUser(*rows, 0, kSessionColumnCount)});
  });
}

Status PgAuth::touchSession(const std::string& id_hash, TimePoint now) {
  return writer_.runStatus([&](Conn& conn) -> Status {
    return conn
        .query("UPDATE sessions SET last_seen_at = $2 WHERE id_hash = $1 AND last_seen_at < $2",
               Params().text(id_hash).time(now))
        .status();
  });
}

Status PgAuth::deleteSession(const std::string& id_hash) {
  return writer_.runStatus([&](Conn& conn) -> Status {
    return conn.query("DELETE FROM sessions WHERE id_hash = $1", Params().text(id_hash)).status();
  });
}

Result<int64_t> PgAuth::deleteExpiredSessions(TimePoint now, Duration idle) {
  return writer_.run<int64_t>([&](Conn& conn) -> Result<int64_t> {
    auto rows = conn.query("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2",
                           Params().time(now).time(now - idle));
    if (!rows) return rows.status();
    return rows->affected();
  });
}

}  // namespace snapq::pg
