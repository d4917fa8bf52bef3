// Users: each change writes its admin_actions row in the same transaction.
// Nothing secret goes into those rows: names, roles and ids only.
#include <nlohmann/json.hpp>

#include "store/postgres/auth.h"
#include "store/postgres/auth_rows.h"
#include "store/postgres/job_rows.h"

namespace snapq::pg {
namespace {

// Runs `sql` ($1 the name, $2 now, $3 the value; RETURNING id) on one user: its
// id, or not_found when there is no such user.
Result<int64_t> updateUser(Conn& conn, const std::string& sql, const std::string& name, Params params) {
  auto rows = conn.query(sql, params);
  if (!rows) return rows.status();
  if (rows->empty()) return Status::notFound("user '" + name + "' does not exist");
  return rows->int64(0, 0);
}

}  // namespace

Result<User> PgAuth::addUser(const AddUserRequest& r) {
  return writer_.run<User>([&r](Conn& conn) -> Result<User> {
    auto rows = conn.query(
        "INSERT INTO users AS u (name, role, password_hash, disabled, created_at, updated_at) "
        "VALUES ($1, $2, $3, false, $4, $4) RETURNING " +
            userColumns("u"),
        Params().text(r.name).text(toString(r.role)).text(r.password_hash).time(r.by.now));
    if (!rows) {
      if (rows.status().code() == ErrorCode::already_exists) {
        return Status::alreadyExists("user '" + r.name + "' already exists");
      }
      return rows.status();
    }
    User user = readUser(*rows, 0);
    nlohmann::json details = {{"role", toString(r.role)}};
    if (Status s =
            insertAdminAction(conn, r.by.now, r.by.actor, "user.add", "user", r.name, details.dump(), r.by.address);
        !s)
      return s;
    return user;
  });
}

Status PgAuth::setPassword(const SetPasswordRequest& r) {
  return writer_.runStatus([&r](Conn& conn) -> Status {
    auto id = updateUser(conn, "UPDATE users SET password_hash = $3, updated_at = $2 WHERE name = $1 RETURNING id",
                         r.name, Params().text(r.name).time(r.by.now).text(r.password_hash));
    if (!id) return id.status();
    if (Status s = endSessions(conn, *id); !s) return s;
    return insertAdminAction(conn, r.by.now, r.by.actor, "user.passwd", "user", r.name, "{}", r.by.address);
  });
}

Status PgAuth::setRole(const SetRoleRequest& r) {
  return writer_.runStatus([&r](Conn& conn) -> Status {
    auto id = updateUser(conn, "UPDATE users SET role = $3, updated_at = $2 WHERE name = $1 RETURNING id", r.name,
                         Params().text(r.name).time(r.by.now).text(toString(r.role)));
    if (!id) return id.status();
    nlohmann::json details = {{"role", toString(r.role)}};
    return insertAdminAction(conn, r.by.now, r.by.actor, "user.role", "user", r.name, details.dump(), r.by.address);
  });
}

Status PgAuth::setDisabled(const SetDisabledRequest& r) {
  return writer_.runStatus([&r](Conn& conn) -> Status {
    auto id = updateUser(conn, "UPDATE users SET disabled = $3, updated_at = $2 WHERE name = $1 RETURNING id", r.name,
                         Params().text(r.name).time(r.by.now).boolean(r.disabled));
    if (!id) return id.status();
    if (r.disabled) {
      if (Status s = endSessions(conn, *id); !s) return s;
    }
    return insertAdminAction(conn, r.by.now, r.by.actor, r.disabled ? "user.disable" : "user.enable", "user", r.name,
                             "{}", r.by.address);
  });
}

Status PgAuth::removeUser(const RemoveUserRequest& r) {
  return writer_.runStatus([&r](Conn& conn) -> Status {
    // Tokens and sessions go with the user (ON DELETE CASCADE); counted first for the record.
    auto tokens = conn.query("SELECT count(*) FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE u.name = $1",
                             Params().text(r.name));
    if (!tokens) return tokens.status();
    auto rows = conn.query("DELETE FROM users WHERE name = $1 RETURNING id", Params().text(r.name));
    if (!rows) return rows.status();
    if (rows->empty()) return Status::notFound("user '" + r.name + "' does not exist");
    nlohmann::json details = {{"tokens_deleted", tokens->int64(0, 0)}};
    return insertAdminAction(conn, r.by.now, r.by.actor, "user.remove", "user", r.name, details.dump(), r.by.address);
  });
}

Result<std::vector<User>> PgAuth::listUsers() {
  return read<std::vector<User>>([](Conn& conn) -> Result<std::vector<User>> {
    auto rows = conn.query("SELECT " + userColumns("u") + " FROM users u ORDER BY u.name");
    if (!rows) return rows.status();
    std::vector<User> users;
    for (int i = 0; i < rows->size(); ++i) users.push_back(readUser(*rows, i));
    return users;
  });
}

Result<std::optional<User>> PgAuth::findUser(const std::string& name) {
  return read<std::optional<User>>([&name](Conn& conn) -> Result<std::optional<User>> {
    auto rows = conn.query("SELECT " + userColumns("u") + ", u.password_hash FROM users u WHERE u.name = $1",
                           Params().text(name));
    if (!rows) return rows.status();
    if (rows->empty()) return std::optional<User>();
    User user = readUser(*rows, 0);
    user.password_hash = rows->text(0, kUserColumnCount);
    return std::optional<User>(std::move(user));
  });
}

Result<int64_t> PgAuth::countUsers() {
  return read<int64_t>([](Conn& conn) -> Result<int64_t> {
    auto rows = conn.query("SELECT count(*) FROM users");
    if (!rows) return rows.status();
    return rows->int64(0, 0);
  });
}

}  // namespace snapq::pg
