// API tokens and sessions. Only hashes of their secrets are stored; a lookup
// by hash finds the row, and nothing here ever sees the raw secret.
#include <nlohmann/json.hpp>

#include "core/permissions.h"
#include "store/sqlite/auth.h"
#include "store/sqlite/auth_rows.h"
#include "store/sqlite/job_rows.h"

namespace snapq::sqlite {
namespace {

// last_used_at moves at most once a minute per token: a busy API client costs
// one write a minute, not one per request.
constexpr Duration kTouchEvery{60000};

Result<std::optional<ApiToken>> tokenWhere(Db& db, const std::string& where, const std::function<void(Stmt&)>& bind) {
  auto stmt =
      db.prepare("SELECT " + kTokenColumns + " FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE " + where);
  if (!stmt) return stmt.status();
  bind(**stmt);
  auto row = (*stmt)->step();
  if (!row) return row.status();
  if (!*row) return std::optional<ApiToken>();
  ApiToken token = readToken(**stmt);
  (*stmt)->reset();
  return std::optional<ApiToken>(std::move(token));
}

}  // namespace

Result<ApiToken> SqliteAuth::createToken(const CreateTokenRequest& r) {
  return writer_.run<ApiToken>([&r](Db& db) -> Result<ApiToken> {
    auto stmt = db.prepare(
        "INSERT INTO api_tokens (user_id, name, token_hash, permissions, created_at, expires_at) "
        "SELECT id, ?2, ?3, ?4, ?5, ?6 FROM users WHERE name = ?1 RETURNING id");
    if (!stmt) return stmt.status();
    (*stmt)->bind(1, r.user_name).bind(2, r.name).bind(3, r.token_hash);
    (*stmt)->bind(4, r.permissions ? formatPermissionList(*r.permissions) : std::string());
    (*stmt)->bind(5, iso(r.by.now));
    if (r.expires_at)
      (*stmt)->bind(6, iso(*r.expires_at));
    else
      (*stmt)->bindNull(6);
    auto row = (*stmt)->step();
    if (!row) return row.status();
    if (!*row) return Status::notFound("user '" + r.user_name + "' does not exist");
    int64_t id = (*stmt)->int64(0);
    (void)(*stmt)->step();
    auto token = tokenWhere(db, "t.id = ?1", [id](Stmt& s) { s.bind(1, id); });
    if (!token) return token.status();
    if (!*token) return Status::internal("token " + std::to_string(id) + " vanished after its insert");
    nlohmann::json details = {{"user", r.user_name}, {"name", r.name}};
    if (r.permissions) details["permissions"] = formatPermissionList(*r.permissions);
    if (Status s = insertAdminAction(db, r.by.now, r.by.actor, "token.create", "token", std::to_string(id),
                                     details.dump(), r.by.address);
        !s)
      return s;
    return std::move(**token);
  });
}

Result<std::vector<ApiToken>> SqliteAuth::listTokens(const std::optional<std::string>& user_name) {
  return read<std::vector<ApiToken>>([&user_name](Db& db) -> Result<std::vector<ApiToken>> {
    auto stmt = db.prepare("SELECT " + kTokenColumns +
                           " FROM api_tokens t JOIN users u ON u.id = t.user_id "
                           "WHERE ?1 IS NULL OR u.name = ?1 ORDER BY t.id");
    if (!stmt) return stmt.status();
    if (user_name)
      (*stmt)->bind(1, *user_name);
    else
      (*stmt)->bindNull(1);
    std::vector<ApiToken> tokens;
    while (true) {
      auto row = (*stmt)->step();
      if (!row) return row.status();
      if (!*row) break;
      tokens.push_back(readToken(**stmt));
    }
    return tokens;
  });
}

Status SqliteAuth::revokeToken(const RevokeTokenRequest& r) {
  return writer_.runStatus([&r](Db& db) -> Status {
    auto token = tokenWhere(db, "t.id = ?1", [&r](Stmt& s) { s.bind(1, r.id); });
    if (!token) return token.status();
    if (!*token) return Status::notFound("token " + std::to_string(r.id) + " does not exist");
    if ((*token)->revoked_at) return Status::invalidState("token " + std::to_string(r.id) + " is already revoked");
    auto stmt = db.prepare("UPDATE api_tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL");
    if (!stmt) return stmt.status();
    (*stmt)->bind(1, r.id).bind(2, iso(r.by.now));
    if (Status s = (*stmt)->run(); !s) return s;
    nlohmann::json details = {{"user", (*token)->user_name}, {"name", (*token)->name}};
    return insertAdminAction(db, r.by.now, r.by.actor, "token.revoke", "token", std::to_string(r.id), details.dump(),
                             r.by.address);
  });
}

Result<std::optional<TokenMatch>> SqliteAuth::findTokenByHash(const FindTokenRequest& r) {
  auto found = read<std::optional<TokenMatch>>([&r](Db& db) -> Result<std::optional<TokenMatch>> {
    auto stmt = db.prepare("SELECT " + kTokenColumns + ", " + userColumnsOf("u") +
                           " FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?1");
    if (!stmt) return stmt.status();
    (*stmt)->bind(1, r.token_hash);
    auto row = (*stmt)->step();
    if (!row) return row.status();
    if (!*row) return std::optional<TokenMatch>();
    TokenMatch match{readToken(**stmt), readUser(**stmt, kTokenColumnCount)};
    (*stmt)->reset();
    return std::optional<TokenMatch>(std::move(match));
  });
  if (!found || !*found) return found;
  const ApiToken& t = (*found)->token;
  bool usable = !t.revoked_at && (!t.expires_at || r.now < *t.expires_at);
  if (usable && (!t.last_used_at || r.now - *t.last_used_at >= kTouchEvery)) {
    Status touched = writer_.runStatus([&r, id = t.id](Db& db) -> Status {
      auto stmt = db.prepare("UPDATE api_tokens SET last_used_at = ?2 WHERE id = ?1");
      if (!stmt) return stmt.status();
      (*stmt)->bind(1, id).bind(2, iso(r.now));
      return (*stmt)->run();
    });
    if (!touched) return touched;
    (*found)->token.last_used_at = r.now;
  }
  return found;
}

Status SqliteAuth::createSession(const CreateSessionRequest& r) {
  return writer_.runStatus([&r](Db& db) -> Status {
    auto stmt = db.prepare(
        "INSERT INTO sessions (id_hash, user_id, csrf_hash, created_at, last_seen_at, expires_at, address) "
        "SELECT ?2, id, ?3, ?4, ?4, ?5, ?6 FROM users WHERE name = ?1");
    if (!stmt) return stmt.status();
    (*stmt)->bind(1, r.user_name).bind(2, r.id_hash).bind(3, r.csrf_hash).bind(4, iso(r.now));
    (*stmt)->bind(5, iso(r.expires_at)).bind(6, r.address);
    if (Status s = (*stmt)->run(); !s) return s;
    if (db.changes() == 0) return Status::notFound("user '" + r.user_name + "' does not exist");
    return Status::ok();
  });
}

Result<std::optional<SessionMatch>> SqliteAuth::findSession(const FindSessionRequest& r) {
  return read<std::optional<SessionMatch>>([&r](Db& db) -> Result<std::optional<SessionMatch>> {
    auto stmt =
        db.prepare("SELECT s.id_hash, s.user_id, s.csrf_hash, s.created_at, s.last_seen_at, s.expires_at, s.address, " +
                   userColumnsOf("u") +
                   " FROM sessions s JOIN users u ON u.id = s.user_id "
                   "WHERE s.id_hash = ?1 AND s.expires_at > ?2 AND s.last_seen_at > ?3");
    if (!stmt) return stmt.status();
    (*stmt)->bind(1, r.id_hash).bind(2, iso(r.now)).bind(3, iso(r.now - r.idle));
    auto row = (*stmt)->step();
    if (!row) return row.status();
    if (!*row) return std::optional<SessionMatch>();
    Stmt& s = **stmt;
    SessionMatch match;
    match.session = readSession(s);
    match.user = readUser(s, 7);
    s.reset();
    return std::optional<SessionMatch>(std::move(match));
  });
}

Status SqliteAuth::touchSession(const std::string& id_hash, TimePoint now) {
  return writer_.runStatus([&](Db& db) -> Status {
    auto stmt = db.prepare("UPDATE sessions SET last_seen_at = ?2 WHERE id_hash = ?1 AND last_seen_at < ?2");
    if (!stmt) return stmt.status();
    (*stmt)->bind(1, id_hash).bind(2, iso(now));
    return (*stmt)->run();
  });
}

Status SqliteAuth::deleteSession(const std::string& id_hash) {
  return writer_.runStatus([&](Db& db) -> Status {
    auto stmt = db.prepare("DELETE FROM sessions WHERE id_hash = ?1");
    if (!stmt) return stmt.status();
    (*stmt)->bind(1, id_hash);
    return (*stmt)->run();
  });
}

Result<int64_t> SqliteAuth::deleteExpiredSessions(TimePoint now, Duration idle) {
  return writer_.run<int64_t>([&](Db& db) -> Result<int64_t> {
    auto stmt = db.prepare("DELETE FROM sessions WHERE expires_at <= ?1 OR last_seen_at <= ?2");
    if (!stmt) return stmt.status();
    (*stmt)->bind(1, iso(now)).bind(2, iso(now - idle));
    if (Status s = (*stmt)->run(); !s) return s;
    return db.changes();
  });
}

}  // namespace snapq::sqlite
