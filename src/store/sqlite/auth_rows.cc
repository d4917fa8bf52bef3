#include "store/sqlite/auth_rows.h"

#include "core/permissions.h"
#include "core/time_format.h"

namespace snapq::sqlite {
namespace {

TimePoint timeAt(const Stmt& row, int col) { return parseIso(row.text(col)).value_or(TimePoint{}); }
std::optional<TimePoint> optTimeAt(const Stmt& row, int col) {
  if (row.isNull(col)) return std::nullopt;
  return parseIso(row.text(col));
}

}  // namespace

const std::string kUserColumns = "id, name, role, disabled, created_at, updated_at";

User readUser(const Stmt& row, int first) {
  User u;
  u.id = row.int64(first);
  u.name = row.text(first + 1);
  u.role = parseRole(row.text(first + 2)).value_or(Role::viewer);
  u.disabled = row.int64(first + 3) != 0;
  u.created_at = timeAt(row, first + 4);
  u.updated_at = timeAt(row, first + 5);
  return u;
}

std::string userColumnsOf(const std::string& alias) {
  std::string a = alias + ".";
  return a + "id, " + a + "name, " + a + "role, " + a + "disabled, " + a + "created_at, " + a + "updated_at";
}

Session readSession(const Stmt& row) {
  Session s;
  s.id_hash = row.text(0);
  s.user_id = row.int64(1);
  s.csrf_hash = row.text(2);
  s.created_at = timeAt(row, 3);
  s.last_seen_at = timeAt(row, 4);
  s.expires_at = timeAt(row, 5);
  s.address = row.text(6);
  return s;
}

const std::string kTokenColumns =
    "t.id, t.user_id, u.name, t.name, t.permissions, t.created_at, t.last_used_at, t.expires_at, t.revoked_at";

ApiToken readToken(const Stmt& row) {
  ApiToken t;
  t.id = row.int64(0);
  t.user_id = row.int64(1);
  t.user_name = row.text(2);
  t.name = row.text(3);
  if (std::string perms = row.text(4); !perms.empty()) {
    // An unreadable list grants nothing rather than everything.
    auto set = parsePermissionList(perms);
    t.permissions = set ? *set : PermissionSet{};
  }
  t.created_at = timeAt(row, 5);
  t.last_used_at = optTimeAt(row, 6);
  t.expires_at = optTimeAt(row, 7);
  t.revoked_at = optTimeAt(row, 8);
  return t;
}

Status endSessions(Db& db, int64_t user_id) {
  auto stmt = db.prepare("DELETE FROM sessions WHERE user_id = ?1");
  if (!stmt) return stmt.status();
  (*stmt)->bind(1, user_id);
  return (*stmt)->run();
}

}  // namespace snapq::sqlite
