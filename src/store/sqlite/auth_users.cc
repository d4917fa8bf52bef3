// Users: each change writes its admin_actions row in the same transaction.
// Nothing secret goes into those rows: names, roles and ids only.
#include <nlohmann/json.hpp>

#include "core/time_format.h"
#include "store/sqlite/auth.h"
#include "store/sqlite/auth_rows.h"
#include "store/sqlite/job_rows.h"

namespace snapq::sqlite {

Result<User> SqliteAuth::addUser(const AddUserRequest& r) {
  return writer_.run<User>([&r](Db& db) -> Result<User> {
    auto stmt = db.prepare(
        "INSERT INTO users (name, role, password_hash, disabled, created_at, updated_at) "
        "VALUES (?1, ?2, ?3, 0, ?4, ?4) RETURNING " +
        kUserColumns);
    if (!stmt) return stmt.status();
    (*stmt)->bind(1, r.name).bind(2, toString(r.role)).bind(3, r.password_hash).bind(4, iso(r.by.now));
    auto row = (*stmt)->step();
    if (!row) {
      if (row.status().code() == ErrorCode::already_exists) {
        return Status::alreadyExists("user '" + r.name + "' already exists");
      }
      return row.status();
    }
    User user = readUser(**stmt);
    (void)(*stmt)->step();
    nlohmann::json details = {{"role", toString(r.role)}};
    if (Status s =
            insertAdminAction(db, r.by.now, r.by.actor, "user.add", "user", r.name, details.dump(), r.by.address);
        !s)
      return s;
    return user;
  });
}

namespace {

// Runs `sql` (?1 the name, ?2 now, ?3 the value; RETURNING id) on one user: its
// id, or not_found when there is no such user.
Result<int64_t> updateUser(Db& db, const std::string& sql, const std::string& name, TimePoint now,
                           const std::function<void(Stmt&)>& bind_value) {
  auto stmt = db.prepare(sql);
  if (!stmt) return stmt.status();
  (*stmt)->bind(1, name).bind(2, iso(now));
  bind_value(**stmt);
  auto row = (*stmt)->step();
  if (!row) return row.status();
  if (!*row) return Status::notFound("user '" + name + "' does not exist");
  int64_t id = (*stmt)->int64(0);
  (void)(*stmt)->step();
  return id;
}

}  // namespace

Status SqliteAuth::setPassword(const SetPasswordRequest& r) {
  return writer_.runStatus([&r](Db& db) -> Status {
    auto id = updateUser(db, "UPDATE users SET password_hash = ?3, updated_at = ?2 WHERE name = ?1 RETURNING id",
                         r.name, r.by.now, [&r](Stmt& st) { st.bind(3, r.password_hash); });
    if (!id) return id.status();
    if (Status s = endSessions(db, *id); !s) return s;
    return insertAdminAction(db, r.by.now, r.by.actor, "user.passwd", "user", r.name, "{}", r.by.address);
  });
}

Status SqliteAuth::setRole(const SetRoleRequest& r) {
  return writer_.runStatus([&r](Db& db) -> Status {
    auto id = updateUser(db, "UPDATE users SET role = ?3, updated_at = ?2 WHERE name = ?1 RETURNING id", r.name,
                         r.by.now, [&r](Stmt& st) { st.bind(3, toString(r.role)); });
    if (!id) return id.status();
    nlohmann::json details = {{"role", toString(r.role)}};
    return insertAdminAction(db, r.by.now, r.by.actor, "user.role", "user", r.name, details.dump(), r.by.address);
  });
}

Status SqliteAuth::setDisabled(const SetDisabledRequest& r) {
  return writer_.runStatus([&r](Db& db) -> Status {
    auto id = updateUser(db, "UPDATE users SET disabled = ?3, updated_at = ?2 WHERE name = ?1 RETURNING id", r.name,
                         r.by.now, [&r](Stmt& st) { st.bind(3, r.disabled); });
    if (!id) return id.status();
    if (r.disabled) {
      if (Status s = endSessions(db, *id); !s) return s;
    }
    return insertAdminAction(db, r.by.now, r.by.actor, r.disabled ? "user.disable" : "user.enable", "user", r.name,
                             "{}", r.by.address);
  });
}

Status SqliteAuth::removeUser(const RemoveUserRequest& r) {
  return writer_.runStatus([&r](Db& db) -> Status {
    auto stmt = db.prepare("DELETE FROM users WHERE name = ?1 RETURNING id");
    if (!stmt) return stmt.status();
    (*stmt)->bind(1, r.name);
    auto row = (*stmt)->step();
    if (!row) return row.status();
    if (!*row) return Status::notFound("user '" + r.name + "' does not exist");
    int64_t id = (*stmt)->int64(0);
    (void)(*stmt)->step();
    // Explicitly: SQLite enforces the foreign keys' cascade only with PRAGMA foreign_keys.
    if (Status s = endSessions(db, id); !s) return s;
    auto tokens = db.prepare("DELETE FROM api_tokens WHERE user_id = ?1");
    if (!tokens) return tokens.status();
    (*tokens)->bind(1, id);
    if (Status s = (*tokens)->run(); !s) return s;
    nlohmann::json details = {{"tokens_deleted", db.changes()}};
    return insertAdminAction(db, r.by.now, r.by.actor, "user.remove", "user", r.name, details.dump(), r.by.address);
  });
}

Result<std::vector<User>> SqliteAuth::listUsers() {
  return read<std::vector<User>>([](Db& db) -> Result<std::vector<User>> {
    auto stmt = db.prepare("SELECT " + kUserColumns + " FROM users ORDER BY name");
    if (!stmt) return stmt.status();
    std::vector<User> users;
    while (true) {
      auto row = (*stmt)->step();
      if (!row) return row.status();
      if (!*row) break;
      users.push_back(readUser(**stmt));
    }
    return users;
  });
}

Result<std::optional<User>> SqliteAuth::findUser(const std::string& name) {
  return read<std::optional<User>>([&name](Db& db) -> Result<std::optional<User>> {
    auto stmt = db.prepare("SELECT " + kUserColumns + ", password_hash FROM users WHERE name = ?1");
    if (!stmt) return stmt.status();
    (*stmt)->bind(1, name);
    auto row = (*stmt)->step();
    if (!row) return row.status();
    if (!*row) return std::optional<User>();
    User user = readUser(**stmt);
    user.password_hash = (*stmt)->text(kUserColumnCount);
    (*stmt)->reset();
    return std::optional<User>(std::move(user));
  });
}

Result<int64_t> SqliteAuth::countUsers() {
  return read<int64_t>([](Db& db) -> Result<int64_t> {
    auto stmt = db.prepare("SELECT count(*) FROM users");
    if (!stmt) return stmt.status();
    auto row = (*stmt)->step();
    if (!row) return row.status();
    int64_t n = (*stmt)->int64(0);
    (*stmt)->reset();
    return n;
  });
}

}  // namespace snapq::sqlite
