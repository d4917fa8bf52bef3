#include "store/postgres/auth_rows.h"

#include "core/permissions.h"

namespace snapq::pg {

std::string userColumns(const std::string& alias) {
  std::string a = alias + ".";
  return a + "id, " + a + "name, " + a + "role, " + a + "disabled, " + epochMs(a + "created_at") + ", " +
         epochMs(a + "updated_at");
}

User readUser(const Rows& rows, int row, int first) {
  User u;
  u.id = rows.int64(row, first);
  u.name = rows.text(row, first + 1);
  u.role = parseRole(rows.text(row, first + 2)).value_or(Role::viewer);
  u.disabled = rows.boolean(row, first + 3);
  u.created_at = rows.time(row, first + 4);
  u.updated_at = rows.time(row, first + 5);
  return u;
}

const std::string kTokenColumns = "t.id, t.user_id, u.name, t.name, t.permissions, " + epochMs("t.created_at") + ", " +
                                  epochMs("t.last_used_at") + ", " + epochMs("t.expires_at") + ", " +
                                  epochMs("t.revoked_at");

ApiToken readToken(const Rows& rows, int row) {
  ApiToken t;
  t.id = rows.int64(row, 0);
  t.user_id = rows.int64(row, 1);
  t.user_name = rows.text(row, 2);
  t.name = rows.text(row, 3);
  if (std::string perms = rows.text(row, 4); !perms.empty()) {
    // An unreadable list grants nothing rather than everything.
    auto set = parsePermissionList(perms);
    t.permissions = set ? *set : PermissionSet{};
  }
  t.created_at = rows.time(row, 5);
  t.last_used_at = rows.optTime(row, 6);
  t.expires_at = rows.optTime(row, 7);
  t.revoked_at = rows.optTime(row, 8);
  return t;
}

const std::string kSessionColumns = "s.id_hash, s.user_id, s.csrf_hash, " + epochMs("s.created_at") + ", " +
                                    epochMs("s.last_seen_at") + ", " + epochMs("s.expires_at") + ", s.address";

Session readSession(const Rows& rows, int row) {
  Session s;
  s.id_hash = rows.text(row, 0);
  s.user_id = rows.int64(row, 1);
  s.csrf_hash = rows.text(row, 2);
  s.created_at = rows.time(row, 3);
  s.last_seen_at = rows.time(row, 4);
  s.expires_at = rows.time(row, 5);
  s.address = rows.text(row, 6);
  return s;
}

Status endSessions(Conn& conn, int64_t user_id) {
  return conn.query("DELETE FROM sessions WHERE user_id = $1", Params().int64(user_id)).status();
}

}  // namespace snapq::pg
