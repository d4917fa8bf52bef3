// Users, API tokens and sessions on every driver: uniqueness, lookups by hash,
// expiry, and the admin_actions row each change leaves (without secrets).
#include "conformance/store_fixture.h"

namespace snapq::testing {
namespace {

class AuthStoreTest : public StoreTest {
 protected:
  AuthStore& auth() { return store_->auth(); }
  AuthChange by(TimePoint now = t0()) const { return {Actor::user("root"), "10.1.2.3", now}; }
  User add(const std::string& name, Role role = Role::viewer) {
    auto u = auth().addUser({name, role, "$argon2id$hash-of-" + name, by()});
    EXPECT_TRUE(u.isOk()) << u.status().toString();
    return u.isOk() ? *u : User{};
  }
  ApiToken token(const std::string& user, const std::string& hash, std::optional<PermissionSet> perms = std::nullopt,
                 std::optional<TimePoint> expires = std::nullopt) {
    auto t = auth().createToken({user, "for-" + user, hash, perms, expires, by()});
    EXPECT_TRUE(t.isOk()) << t.status().toString();
    return t.isOk() ? *t : ApiToken{};
  }
  // action, target_id, details, actor_name, address of every admin action, oldest first.
  std::vector<std::vector<std::string>> adminActions() {
    auto rows = rawQuery(url_, "SELECT action, target_id, details, actor_name, address FROM admin_actions ORDER BY id");
    EXPECT_TRUE(rows.isOk()) << rows.status().toString();
    return rows.isOk() ? *rows : std::vector<std::vector<std::string>>{};
  }
};

TEST_P(AuthStoreTest, UsersAreUniqueByNameAndListedWithoutHashes) {
  User alice = add("alice", Role::operator_);
  EXPECT_GT(alice.id, 0);
  EXPECT_EQ(alice.role, Role::operator_);
  EXPECT_EQ(alice.created_at, t0());
  EXPECT_TRUE(alice.password_hash.empty());
  add("bob", Role::admin);
  auto dup = auth().addUser({"alice", Role::viewer, "x", by()});
  EXPECT_EQ(dup.status().code(), ErrorCode::already_exists);
  EXPECT_EQ(dup.status().message(), "user 'alice' already exists");

  auto users = auth().listUsers();
  ASSERT_TRUE(users.isOk());
  ASSERT_EQ(users->size(), 2u);
  EXPECT_EQ((*users)[0].name, "alice");
  EXPECT_EQ((*users)[1].role, Role::admin);
  for (const User& u : *users) EXPECT_TRUE(u.password_hash.empty());
  EXPECT_EQ(*auth().countUsers(), 2);

  auto found = auth().findUser("alice");
  ASSERT_TRUE(found.isOk());
  ASSERT_TRUE(*found);
  EXPECT_EQ((*found)->password_hash, "$argon2id$hash-of-alice");
  EXPECT_FALSE(*auth().findUser("carol"));
}

TEST_P(AuthStoreTest, UserChangesAreRecordedWithoutSecrets) {
  add("alice");
  ASSERT_TRUE(auth().setPassword({"alice", "$argon2id$new-hash", by(t0() + Duration(1000))}).isOk());
  ASSERT_TRUE(auth().setRole({"alice", Role::admin, by()}).isOk());
  ASSERT_TRUE(auth().setDisabled({"alice", true, by()}).isOk());
  EXPECT_EQ(auth().setRole({"nobody", Role::admin, by()}).code(), ErrorCode::not_found);
  EXPECT_EQ(auth().setPassword({"nobody", "h", by()}).code(), ErrorCode::not_found);

  auto found = auth().findUser("alice");
  ASSERT_TRUE(found.isOk() && *found);
  EXPECT_EQ((*found)->password_hash, "$argon2id$new-hash");
  EXPECT_EQ((*found)->role, Role::admin);
  EXPECT_TRUE((*found)->disabled);
  EXPECT_EQ((*found)->updated_at, t0());

  auto actions = adminActions();
  ASSERT_EQ(actions.size(), 4u);
  EXPECT_EQ(actions[0][0], "user.add");
  EXPECT_EQ(actions[1][0], "user.passwd");
  EXPECT_EQ(actions[2][0], "user.role");
  EXPECT_EQ(actions[3][0], "user.disable");
  for (const auto& a : actions) {
    EXPECT_EQ(a[1], "alice");
    EXPECT_EQ(a[3], "root");
    EXPECT_EQ(a[4], "10.1.2.3");
    EXPECT_EQ(a[2].find("argon2id"), std::string::npos) << a[2];
  }
}

TEST_P(AuthStoreTest, RemovingAUserRemovesItsTokensAndSessions) {
  add("alice");
  add("bob");
  token("alice", "hash-a");
  token("bob", "hash-b");
  ASSERT_TRUE(auth().createSession({"alice", "sess-a", "csrf-a", t0(), t0() + Duration(3600000), "::1"}).isOk());
  ASSERT_TRUE(auth().removeUser({"alice", by()}).isOk());
  EXPECT_EQ(auth().removeUser({"alice", by()}).code(), ErrorCode::not_found);
  EXPECT_FALSE(*auth().findTokenByHash({"hash-a", t0()}));
  EXPECT_TRUE(*auth().findTokenByHash({"hash-b", t0()}));
  EXPECT_FALSE(*auth().findSession({"sess-a", t0(), Duration(600000)}));
  auto tokens = auth().listTokens(std::nullopt);
  ASSERT_TRUE(tokens.isOk());
  ASSERT_EQ(tokens->size(), 1u);
  EXPECT_EQ(tokens->front().user_name, "bob");
  EXPECT_EQ(adminActions().back()[0], "user.remove");
}

TEST_P(AuthStoreTest, TokensAreFoundByHashAndTouchedAtMostOnceAMinute) {
  add("alice", Role::operator_);
  ApiToken created = token("alice", "hash-1", PermissionSet{Permission::snapshot_view}, t0() + Duration(86400000));
  EXPECT_GT(created.id, 0);
  EXPECT_EQ(created.user_name, "alice");
  EXPECT_EQ(created.name, "for-alice");
  EXPECT_EQ(created.permissions, PermissionSet{Permission::snapshot_view});
  EXPECT_EQ(created.expires_at, t0() + Duration(86400000));
  EXPECT_FALSE(created.last_used_at);
  EXPECT_EQ(auth().createToken({"alice", "", "hash-1", std::nullopt, std::nullopt, by()}).status().code(),
            ErrorCode::already_exists);
  EXPECT_EQ(auth().createToken({"carol", "", "hash-9", std::nullopt, std::nullopt, by()}).status().code(),
            ErrorCode::not_found);

  auto found = auth().findTokenByHash({"hash-1", t0() + Duration(5000)});
  ASSERT_TRUE(found.isOk() && *found);
  EXPECT_EQ((*found)->token.id, created.id);
  EXPECT_EQ((*found)->user.name, "alice");
  EXPECT_EQ((*found)->user.role, Role::operator_);
  EXPECT_TRUE((*found)->user.password_hash.empty());
  EXPECT_EQ((*found)->token.last_used_at, t0() + Duration(5000));
  (void)auth().findTokenByHash({"hash-1", t0() + Duration(30000)});
  auto listed = auth().listTokens(std::string("alice"));
  ASSERT_TRUE(listed.isOk() && listed->size() == 1u);
  EXPECT_EQ(listed->front().last_used_at, t0() + Duration(5000)) << "not rewritten within a minute";
  (void)auth().findTokenByHash({"hash-1", t0() + Duration(65000)});
  EXPECT_EQ(auth().listTokens(std::string("alice"))->front().last_used_at, t0() + Duration(65000));
  EXPECT_FALSE(*auth().findTokenByHash({"hash-2", t0()}));
}

TEST_P(AuthStoreTest, RevokingIsRecordedOnceAndListingsNeverCarryHashes) {
  add("alice");
  add("bob");
  ApiToken a = token("alice", "hash-a");
  token("bob", "hash-b");
  ASSERT_TRUE(auth().revokeToken({a.id, by(t0() + Duration(2000))}).isOk());
  EXPECT_EQ(auth().revokeToken({a.id, by()}).code(), ErrorCode::invalid_state);
  EXPECT_EQ(auth().revokeToken({999, by()}).code(), ErrorCode::not_found);
  auto found = auth().findTokenByHash({"hash-a", t0() + Duration(3000)});
  ASSERT_TRUE(found.isOk() && *found);
  EXPECT_EQ((*found)->token.revoked_at, t0() + Duration(2000));
  EXPECT_FALSE((*found)->token.last_used_at) << "a revoked token is not touched";

  auto alices = auth().listTokens(std::string("alice"));
  ASSERT_TRUE(alices.isOk());
  ASSERT_EQ(alices->size(), 1u);
  EXPECT_TRUE(alices->front().revoked_at);
  EXPECT_EQ(auth().listTokens(std::nullopt)->size(), 2u);
  EXPECT_TRUE(auth().listTokens(std::string("nobody"))->empty());

  auto actions = adminActions();
  ASSERT_GE(actions.size(), 5u);
  EXPECT_EQ(actions[2][0], "token.create");
  EXPECT_EQ(actions[4][0], "token.revoke");
  EXPECT_EQ(actions[4][1], std::to_string(a.id));
  for (const auto& row : actions) EXPECT_EQ(row[2].find("hash-"), std::string::npos) << row[2];
}

TEST_P(AuthStoreTest, SessionsExpireWhenIdleOrPastTheirEnd) {
  add("alice", Role::admin);
  const Duration idle(600000);
  ASSERT_TRUE(auth().createSession({"alice", "sess-1", "csrf-1", t0(), t0() + Duration(3600000), "::1"}).isOk());
  EXPECT_EQ(auth().createSession({"bob", "sess-2", "c", t0(), t0() + idle, ""}).code(), ErrorCode::not_found);
  auto found = auth().findSession({"sess-1", t0() + Duration(1000), idle});
  ASSERT_TRUE(found.isOk() && *found);
  EXPECT_EQ((*found)->session.csrf_hash, "csrf-1");
  EXPECT_EQ((*found)->session.address, "::1");
  EXPECT_EQ((*found)->session.expires_at, t0() + Duration(3600000));
  EXPECT_EQ((*found)->user.name, "alice");
  EXPECT_EQ((*found)->user.role, Role::admin);

  EXPECT_FALSE(*auth().findSession({"sess-1", t0() + idle, idle})) << "idle for the whole idle time";
  ASSERT_TRUE(auth().touchSession("sess-1", t0() + Duration(500000)).isOk());
  EXPECT_TRUE(*auth().findSession({"sess-1", t0() + idle, idle}));
  ASSERT_TRUE(auth().touchSession("sess-1", t0() + Duration(3500000)).isOk());
  EXPECT_FALSE(*auth().findSession({"sess-1", t0() + Duration(3600000), idle})) << "absolute end";

  ASSERT_TRUE(auth().createSession({"alice", "sess-3", "csrf-3", t0(), t0() + Duration(7200000), ""}).isOk());
  auto removed = auth().deleteExpiredSessions(t0() + Duration(3600000), idle);
  ASSERT_TRUE(removed.isOk());
  EXPECT_EQ(*removed, 2) << "sess-1 past its end, sess-3 idle";
  ASSERT_TRUE(auth().createSession({"alice", "sess-4", "csrf-4", t0(), t0() + Duration(7200000), ""}).isOk());
  ASSERT_TRUE(auth().deleteSession("sess-4").isOk());
  EXPECT_FALSE(*auth().findSession({"sess-4", t0(), idle}));
}

TEST_P(AuthStoreTest, ANewPasswordOrDisablingEndsTheUsersSessions) {
  add("alice");
  const Duration idle(600000);
  ASSERT_TRUE(auth().createSession({"alice", "s1", "c1", t0(), t0() + idle, ""}).isOk());
  ASSERT_TRUE(auth().setRole({"alice", Role::operator_, by()}).isOk());
  EXPECT_TRUE(*auth().findSession({"s1", t0(), idle})) << "a role change keeps sessions (they read the role)";
  ASSERT_TRUE(auth().setPassword({"alice", "new", by()}).isOk());
  EXPECT_FALSE(*auth().findSession({"s1", t0(), idle}));
  ASSERT_TRUE(auth().createSession({"alice", "s2", "c2", t0(), t0() + idle, ""}).isOk());
  ASSERT_TRUE(auth().setDisabled({"alice", true, by()}).isOk());
  EXPECT_FALSE(*auth().findSession({"s2", t0(), idle}));
}

INSTANTIATE_TEST_SUITE_P(Drivers, AuthStoreTest, allDrivers(), driverName);

}  // namespace
}  // namespace snapq::testing
