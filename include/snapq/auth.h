// Users, API tokens and sessions (DESIGN.md "Security"): the permissions and
// roles, and the driver-level AuthStore that keeps them in the tables
//   users          id, name UNIQUE, role, password_hash (Argon2id), disabled, created_at, updated_at
//   api_tokens     id, user_id, name, token_hash UNIQUE (SHA-256 hex), permissions (comma list;
//                  "" = the user's), created_at, last_used_at, expires_at, revoked_at
//   sessions       id_hash PK (SHA-256 hex), user_id, csrf_hash, created_at, last_seen_at,
//                  expires_at (absolute), address
// Secrets never reach the store in the clear: it sees hashes only. Every user
// and token change also appends an admin_actions row in the same transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "snapq/clock.h"
#include "snapq/job.h"
#include "snapq/status.h"

namespace snapq {

enum class Permission { sync_job_view, sync_job_manage, snapshot_view, snapshot_write, admin };
// "sync.job.view", ...
const char* toString(Permission p);
std::optional<Permission> parsePermission(std::string_view name);

// A set of permissions (a bit per Permission).
class PermissionSet {
 public:
  PermissionSet() = default;
  PermissionSet(std::initializer_list<Permission> ps) {
    for (Permission p : ps) add(p);
  }
  static PermissionSet all();
  void add(Permission p) { bits_ |= bit(p); }
  bool has(Permission p) const { return (bits_ & bit(p)) != 0; }
  bool empty() const { return bits_ == 0; }
  bool containsAll(PermissionSet other) const { return (other.bits_ & ~bits_) == 0; }
  PermissionSet intersect(PermissionSet other) const { return PermissionSet(bits_ & other.bits_); }
  // In declaration order.
  std::vector<Permission> list() const;
  bool operator==(const PermissionSet&) const = default;

 private:
  explicit PermissionSet(unsigned bits) : bits_(bits) {}
  static unsigned bit(Permission p) { return 1u << static_cast<unsigned>(p); }
  unsigned bits_ = 0;
};

// viewer: sync.job.view, snapshot.view; operator: viewer + sync.job.manage,
// snapshot.write; admin: everything. (`operator` is a keyword, hence the underscore.)
enum class Role { viewer, operator_, admin };
const char* toString(Role r);
std::optional<Role> parseRole(std::string_view name);
PermissionSet rolePermissions(Role r);

struct User {
  int64_t id = 0;
  std::string name;
  Role role = Role::viewer;
  std::string password_hash;  // only filled by findUser (for login)
  bool disabled = false;
  TimePoint created_at{};
  TimePoint updated_at{};
};

// Who makes a user or token change, for its admin_actions row.
struct AuthChange {
  Actor actor;
  std::string address;  // where the request came from ("cli" for the program)
  TimePoint now{};
};

struct AddUserRequest {
  std::string name;
  Role role = Role::viewer;
  std::string password_hash;
  AuthChange by;
};
struct SetPasswordRequest {
  std::string name;
  std::string password_hash;
  AuthChange by;
};
struct SetRoleRequest {
  std::string name;
  Role role = Role::viewer;
  AuthChange by;
};
// A disabled user cannot log in or use its tokens; disabling ends its sessions.
struct SetDisabledRequest {
  std::string name;
  bool disabled = true;
  AuthChange by;
};
// Removes the user with its tokens and sessions.
struct RemoveUserRequest {
  std::string name;
  AuthChange by;
};

struct ApiToken {
  int64_t id = 0;
  int64_t user_id = 0;
  std::string user_name;
  std::string name;  // a label
  std::optional<PermissionSet> permissions;  // nullopt: whatever the user has
  TimePoint created_at{};
  std::optional<TimePoint> last_used_at;
  std::optional<TimePoint> expires_at;
  std::optional<TimePoint> revoked_at;
};

struct CreateTokenRequest {
  std::string user_name;
  std::string name;
  std::string token_hash;  // SHA-256 hex of the raw token
  std::optional<PermissionSet> permissions;
  std::optional<TimePoint> expires_at;
  AuthChange by;
};
struct RevokeTokenRequest {
  int64_t id = 0;
  AuthChange by;
};
// A token and its user; last_used_at is moved to `now` when it is at least a
// minute old (one write per token per minute, not per request).
struct FindTokenRequest {
  std::string token_hash;
  TimePoint now{};
};
struct TokenMatch {
  ApiToken token;
  User user;  // without password_hash
};

struct Session {
  std::string id_hash;
  int64_t user_id = 0;
  std::string csrf_hash;
  TimePoint created_at{};
  TimePoint last_seen_at{};
  TimePoint expires_at{};  // absolute: the session ends then whatever its use
  std::string address;
};
struct CreateSessionRequest {
  std::string user_name;
  std::string id_hash;
  std::string csrf_hash;
  TimePoint now{};
  TimePoint expires_at{};
  std::string address;
};
// A session counts while now < expires_at and now < last_seen_at + idle.
struct FindSessionRequest {
  std::string id_hash;
  TimePoint now{};
  Duration idle{};
};
struct SessionMatch {
  Session session;
  User user;  // without password_hash
};

class AuthStore {
 public:
  virtual ~AuthStore() = default;

  // already_exists when the name is taken.
  virtual Result<User> addUser(const AddUserRequest& request) = 0;
  // not_found for an unknown user. A new password ends the user's sessions.
  virtual Status setPassword(const SetPasswordRequest& request) = 0;
  virtual Status setRole(const SetRoleRequest& request) = 0;
  virtual Status setDisabled(const SetDisabledRequest& request) = 0;
  virtual Status removeUser(const RemoveUserRequest& request) = 0;
  virtual Result<std::vector<User>> listUsers() = 0;  // by name, without hashes
  virtual Result<std::optional<User>> findUser(const std::string& name) = 0;  // with the hash
  virtual Result<int64_t> countUsers() = 0;

  virtual Result<ApiToken> createToken(const CreateTokenRequest& request) = 0;
  // By id; nullopt: every user's.
  virtual Result<std::vector<ApiToken>> listTokens(const std::optional<std::string>& user_name) = 0;
  // not_found for an unknown id, invalid_state when already revoked.
  virtual Status revokeToken(const RevokeTokenRequest& request) = 0;
  virtual Result<std::optional<TokenMatch>> findTokenByHash(const FindTokenRequest& request) = 0;

  virtual Status createSession(const CreateSessionRequest& request) = 0;
  // nullopt when unknown or expired (idle or absolute).
  virtual Result<std::optional<SessionMatch>> findSession(const FindSessionRequest& request) = 0;
  virtual Status touchSession(const std::string& id_hash, TimePoint now) = 0;
  virtual Status deleteSession(const std::string& id_hash) = 0;
  // Sessions past their absolute expiry or idle longer than `idle`; returns how many went.
  virtual Result<int64_t> deleteExpiredSessions(TimePoint now, Duration idle) = 0;
};

}  // namespace snapq
