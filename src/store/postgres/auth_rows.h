// Row mapping shared by the PostgreSQL driver's auth files.
#pragma once

#include <string>

#include "snapq/auth.h"
#include "store/postgres/pg_conn.h"

namespace snapq::pg {

// id, name, role, disabled, created_at, updated_at of `alias` (never the password hash).
std::string userColumns(const std::string& alias);
inline constexpr int kUserColumnCount = 6;
User readUser(const Rows& rows, int row, int first = 0);

// id, user_id, user name, name, permissions, created_at, last_used_at, expires_at, revoked_at;
// from api_tokens t JOIN users u.
extern const std::string kTokenColumns;
inline constexpr int kTokenColumnCount = 9;
ApiToken readToken(const Rows& rows, int row);

// id_hash, user_id, csrf_hash, created_at, last_seen_at, expires_at, address of sessions s.
extern const std::string kSessionColumns;
inline constexpr int kSessionColumnCount = 7;
Session readSession(const Rows& rows, int row);

// Deletes every session of the user (a new password, disabling, removal).
Status endSessions(Conn& conn, int64_t user_id);

}  // namespace snapq::pg
