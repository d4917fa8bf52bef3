// Row mapping shared by the SQLite driver's auth files.
#pragma once

#include <string>

#include "snapq/auth.h"
#include "store/sqlite/sqlite_db.h"

namespace snapq::sqlite {

// id, name, role, disabled, created_at, updated_at (never the password hash).
extern const std::string kUserColumns;
inline constexpr int kUserColumnCount = 6;
User readUser(const Stmt& row, int first = 0);
// The same columns of a table aliased `alias`.
std::string userColumnsOf(const std::string& alias);

// id_hash, user_id, csrf_hash, created_at, last_seen_at, expires_at, address.
Session readSession(const Stmt& row);

// id, user_id, user name, name, permissions, created_at, last_used_at, expires_at, revoked_at;
// from api_tokens t JOIN users u.
extern const std::string kTokenColumns;
inline constexpr int kTokenColumnCount = 9;
ApiToken readToken(const Stmt& row);

// Deletes every session of the user (a new password, disabling, removal).
Status endSessions(Db& db, int64_t user_id);

}  // namespace snapq::sqlite
