// The Auth service on a real (SQLite) store: logins, sessions, tokens, the
// first admin. Time comes from a ManualClock; nothing sleeps.
#include "auth/auth_service.h"

#include <gtest/gtest.h>

#include "core/secrets.h"
#include "test_support.h"

namespace snapq::auth {
namespace {

using snapq::testing::TempDir;

const TimePoint kT0 = TimePoint(Duration(1'764'000'000'000));
constexpr const char* kPassword = "correct horse battery";

class AuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = snapq::testing::openTestStore("sqlite", dir_, &url_);
    AuthOptions options;
    options.session_idle = std::chrono::minutes(30);
    options.session_lifetime = std::chrono::hours(12);
    auth_ = std::make_unique<Auth>(store_->auth(), options);
  }
  AuthChange by() const { return {Actor::user("root"), "127.0.0.1", clock_.now()}; }
  void addUser(const std::string& name, Role role) {
    auto u = auth_->addUser(name, role, kPassword, by());
    ASSERT_TRUE(u.isOk()) << u.status().toString();
  }
  LoginOutcome login(const std::string& name, const std::string& password, const std::string& address = "10.0.0.1") {
    auto out = auth_->login(name, password, address, clock_.now());
    EXPECT_TRUE(out.isOk()) << out.status().toString();
    return out.isOk() ? *out : LoginOutcome{};
  }
  std::optional<Principal> byToken(const std::string& token) {
    auto p = auth_->authenticateToken(token, clock_.now());
    EXPECT_TRUE(p.isOk()) << p.status().toString();
    return p.isOk() ? *p : std::nullopt;
  }
  std::optional<SessionAuth> bySession(const std::string& id) {
    auto s = auth_->authenticateSession(id, clock_.now());
    EXPECT_TRUE(s.isOk()) << s.status().toString();
    return s.isOk() ? *s : std::nullopt;
  }

  TempDir dir_;
  std::string url_;
  std::shared_ptr<Store> store_;
  ManualClock clock_{kT0};
  std::unique_ptr<Auth> auth_;
};

TEST_F(AuthTest, LoginCreatesASessionWithItsCsrfToken) {
  addUser("alice", Role::operator_);
  LoginOutcome out = login("alice", kPassword);
  ASSERT_TRUE(out.session) << static_cast<int>(out.refusal);
  EXPECT_EQ(out.session->principal.user, "alice");
  EXPECT_EQ(out.session->principal.permissions, rolePermissions(Role::operator_));
  EXPECT_EQ(out.session->expires_at, kT0 + std::chrono::hours(12));
  auto session = bySession(out.session->session_id);
  ASSERT_TRUE(session);
  EXPECT_EQ(session->principal.actor(), Actor::user("alice"));
  EXPECT_TRUE(Auth::csrfMatches(*session, out.session->csrf_token));
  EXPECT_FALSE(Auth::csrfMatches(*session, ""));
  EXPECT_FALSE(Auth::csrfMatches(*session, out.session->session_id));
  // Only hashes are stored.
  auto rows = snapq::testing::rawQuery(url_, "SELECT id_hash, csrf_hash FROM sessions");
  ASSERT_TRUE(rows.isOk());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0][0], secretHash(out.session->session_id));
  EXPECT_NE((*rows)[0][1], out.session->csrf_token);
  ASSERT_TRUE(auth_->logout(out.session->session_id).isOk());
  EXPECT_FALSE(bySession(out.session->session_id));
}

TEST_F(AuthTest, WrongPasswordAndUnknownUserGetTheSameRefusal) {
  addUser("alice", Role::viewer);
  EXPECT_EQ(login("alice", "not the password").refusal, LoginRefusal::bad_credentials);
  EXPECT_EQ(login("mallory", kPassword).refusal, LoginRefusal::bad_credentials);
  EXPECT_EQ(login("alice", "").refusal, LoginRefusal::bad_credentials);
  EXPECT_FALSE(bySession("made-up"));
  EXPECT_FALSE(bySession(""));
}

TEST_F(AuthTest, LoginsAreRateLimitedPerUserAndPerAddress) {
  addUser("alice", Role::viewer);
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(login("alice", "wrong password " + std::to_string(i)).refusal, LoginRefusal::bad_credentials);
  LoginOutcome limited = login("alice", kPassword, "10.9.9.9");
  EXPECT_EQ(limited.refusal, LoginRefusal::rate_limited) << "even the right password, from elsewhere";
  EXPECT_EQ(limited.retry_after, std::chrono::minutes(15));
  // The address that failed is limited for other names too.
  addUser("bob", Role::viewer);
  EXPECT_EQ(login("bob", kPassword, "10.0.0.1").refusal, LoginRefusal::rate_limited);
  EXPECT_TRUE(login("bob", kPassword, "10.0.0.2").session);
  clock_.advance(std::chrono::minutes(15));
  EXPECT_TRUE(login("alice", kPassword).session) << "the window moved on";
}

TEST_F(AuthTest, ADisabledUserCannotLogInOrUseTokensAndLosesSessions) {
  addUser("alice", Role::admin);
  LoginOutcome before = login("alice", kPassword);
  ASSERT_TRUE(before.session);
  auto token = auth_->createToken({"alice", "ci", std::nullopt, std::nullopt}, by());
  ASSERT_TRUE(token.isOk()) << token.status().toString();
  ASSERT_TRUE(store_->auth().setDisabled({"alice", true, by()}).isOk());
  EXPECT_EQ(login("alice", kPassword).refusal, LoginRefusal::disabled);
  EXPECT_EQ(login("alice", "wrong password!").refusal, LoginRefusal::bad_credentials);
  EXPECT_FALSE(bySession(before.session->session_id));
  EXPECT_FALSE(byToken(token->token));
}

TEST_F(AuthTest, TokensAuthenticateUntilRevokedOrExpired) {
  addUser("alice", Role::operator_);
  auto token = auth_->createToken({"alice", "ci", std::nullopt, std::chrono::hours(24)}, by());
  ASSERT_TRUE(token.isOk()) << token.status().toString();
  EXPECT_TRUE(token->token.starts_with("snapq_"));
  auto p = byToken(token->token);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->user, "alice");
  EXPECT_EQ(p->permissions, rolePermissions(Role::operator_));
  EXPECT_EQ(p->actor(), Actor::token("alice/ci"));
  EXPECT_FALSE(byToken(token->token + "x"));
  EXPECT_FALSE(byToken("not-a-token"));

  clock_.advance(std::chrono::hours(24));
  EXPECT_FALSE(byToken(token->token)) << "expired";

  auto second = auth_->createToken({"alice", "", std::nullopt, std::nullopt}, by());
  ASSERT_TRUE(second.isOk());
  ASSERT_TRUE(byToken(second->token));
  ASSERT_TRUE(store_->auth().revokeToken({second->record.id, by()}).isOk());
  auth_->forgetTokens();  // what the API's revoke does after the store's
  EXPECT_FALSE(byToken(second->token)) << "revoked";
  EXPECT_EQ(store_->auth().revokeToken({second->record.id, by()}).code(), ErrorCode::invalid_state);
}

TEST_F(AuthTest, ATokenLookupIsReusedForItsTtlUnlessForgotten) {
  addUser("alice", Role::operator_);
  auto token = auth_->createToken({"alice", "ci", std::nullopt, std::nullopt}, by());
  ASSERT_TRUE(token.isOk()) << token.status().toString();
  ASSERT_TRUE(byToken(token->token));
  // Revoked by another process: this one answers from its cache until the ttl (2 s) runs out.
  ASSERT_TRUE(store_->auth().revokeToken({token->record.id, by()}).isOk());
  clock_.advance(std::chrono::milliseconds(1999));
  EXPECT_TRUE(byToken(token->token)) << "still within the ttl";
  clock_.advance(std::chrono::milliseconds(1));
  EXPECT_FALSE(byToken(token->token)) << "the ttl ran out: looked up again";

  // Changes made in this process end it at once.
  auto second = auth_->createToken({"alice", "cd", std::nullopt, std::nullopt}, by());
  ASSERT_TRUE(second.isOk());
  ASSERT_TRUE(byToken(second->token));
  ASSERT_TRUE(store_->auth().setRole({"alice", Role::viewer, by()}).isOk());
  auth_->forgetTokens();
  auto lowered = byToken(second->token);
  ASSERT_TRUE(lowered);
  EXPECT_EQ(lowered->permissions, rolePermissions(Role::viewer));

  // A token's own expiry is never outlived by its cache entry.
  auto brief = auth_->createToken({"alice", "brief", std::nullopt, std::chrono::seconds(1)}, by());
  ASSERT_TRUE(brief.isOk());
  ASSERT_TRUE(byToken(brief->token));
  clock_.advance(std::chrono::seconds(1));
  EXPECT_FALSE(byToken(brief->token));
}

TEST_F(AuthTest, ATokenMayCarryOnlyASubsetOfItsUsersPermissions) {
  addUser("vera", Role::viewer);
  auto limited = auth_->createToken({"vera", "read", PermissionSet{Permission::snapshot_view}, std::nullopt}, by());
  ASSERT_TRUE(limited.isOk()) << limited.status().toString();
  auto p = byToken(limited->token);
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->can(Permission::snapshot_view));
  EXPECT_FALSE(p->can(Permission::sync_job_view));
  auto more = auth_->createToken({"vera", "x", PermissionSet{Permission::snapshot_write}, std::nullopt}, by());
  EXPECT_EQ(more.status().code(), ErrorCode::invalid_argument);
  // A role lowered later lowers what its tokens can do.
  addUser("olga", Role::admin);
  auto admin_token =
      auth_->createToken({"olga", "", PermissionSet{Permission::admin, Permission::snapshot_view}, std::nullopt}, by());
  ASSERT_TRUE(admin_token.isOk());
  ASSERT_TRUE(store_->auth().setRole({"olga", Role::viewer, by()}).isOk());
  auto lowered = byToken(admin_token->token);
  ASSERT_TRUE(lowered);
  EXPECT_EQ(lowered->permissions, PermissionSet{Permission::snapshot_view});
}

TEST_F(AuthTest, SessionsExpireWhenIdleAndAtTheirAbsoluteEnd) {
  addUser("alice", Role::viewer);
  LoginOutcome idle = login("alice", kPassword);
  ASSERT_TRUE(idle.session);
  clock_.advance(std::chrono::minutes(29));
  EXPECT_TRUE(bySession(idle.session->session_id)) << "used within the idle time: refreshed";
  clock_.advance(std::chrono::minutes(29));
  EXPECT_TRUE(bySession(idle.session->session_id));
  clock_.advance(std::chrono::minutes(30));
  EXPECT_FALSE(bySession(idle.session->session_id)) << "idle for 30 minutes";

  LoginOutcome busy = login("alice", kPassword);
  ASSERT_TRUE(busy.session);
  for (int i = 0; i < 12 * 4 - 1; ++i) {
    clock_.advance(std::chrono::minutes(15));
    ASSERT_TRUE(bySession(busy.session->session_id)) << i;
  }
  clock_.advance(std::chrono::minutes(15));
  EXPECT_FALSE(bySession(busy.session->session_id)) << "12 hours after login, however busy";

  auto removed = store_->auth().deleteExpiredSessions(clock_.now(), std::chrono::minutes(30));
  ASSERT_TRUE(removed.isOk());
  EXPECT_EQ(*removed, 2);
}

TEST_F(AuthTest, ANewPasswordEndsSessionsAndOnlyTheNewOneWorks) {
  addUser("alice", Role::viewer);
  LoginOutcome out = login("alice", kPassword);
  ASSERT_TRUE(out.session);
  EXPECT_EQ(auth_->setPassword("alice", "short", by()).code(), ErrorCode::invalid_argument);
  ASSERT_TRUE(auth_->setPassword("alice", "another long password", by()).isOk());
  EXPECT_FALSE(bySession(out.session->session_id));
  EXPECT_EQ(login("alice", kPassword).refusal, LoginRefusal::bad_credentials);
  EXPECT_TRUE(login("alice", "another long password").session);
}

TEST_F(AuthTest, BootstrapCreatesTheFirstAdminOnlyOnce) {
  auto first = auth_->bootstrapAdmin(clock_.now(), std::nullopt);
  ASSERT_TRUE(first.isOk()) << first.status().toString();
  EXPECT_TRUE(first->created);
  EXPECT_EQ(first->generated_password.size(), 20u);
  LoginOutcome out = login("admin", first->generated_password);
  ASSERT_TRUE(out.session);
  EXPECT_EQ(out.session->principal.permissions, PermissionSet::all());
  auto again = auth_->bootstrapAdmin(clock_.now(), "an explicit admin password");
  ASSERT_TRUE(again.isOk());
  EXPECT_FALSE(again->created);
  EXPECT_TRUE(again->generated_password.empty());
}

TEST_F(AuthTest, BootstrapTakesTheGivenPasswordButNotAShortOne) {
  EXPECT_EQ(auth_->bootstrapAdmin(clock_.now(), "short").status().code(), ErrorCode::invalid_argument);
  auto made = auth_->bootstrapAdmin(clock_.now(), "an explicit admin password");
  ASSERT_TRUE(made.isOk());
  EXPECT_TRUE(made->created);
  EXPECT_TRUE(made->generated_password.empty());
  EXPECT_TRUE(login("admin", "an explicit admin password").session);
}

}  // namespace
}  // namespace snapq::auth
