// snapq user and snapq token, run as a person does: passwords through stdin,
// the new token alone on stdout, and no secret anywhere it should not be.
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <thread>

#include "auth/auth_service.h"
#include "cli_fixture.h"
#include "core/secrets.h"

namespace snapq::clitest {
namespace {

using nlohmann::json;

constexpr const char* kPassword = "a long enough password";

class CliAuthTest : public CliTest {
 protected:
  // Runs snapq with `input` on its stdin: the child inherits this process's
  // fd 0, so point that at a file for the run and put it back afterwards.
  RunResult runWithStdin(const std::vector<std::string>& args, const std::string& input) {
    const std::filesystem::path in = dir() / ".stdin";
    std::ofstream(in, std::ios::binary) << input;
    const int saved = dup(STDIN_FILENO);
    const int fd = open(in.c_str(), O_RDONLY);
    EXPECT_GE(fd, 0);
    dup2(fd, STDIN_FILENO);
    close(fd);
    RunResult r = run(args);
    dup2(saved, STDIN_FILENO);
    close(saved);
    std::filesystem::remove(in);
    return r;
  }
  void addUser(const std::string& name, const std::string& role) {
    RunResult r = runWithStdin({"user", "add", name, "--role", role, "--password-stdin", "--db", db()},
                               std::string(kPassword) + "\n");
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  std::string fileBytes() {
    std::string all;
    for (const char* suffix : {"", "-wal"}) {
      std::ifstream f(dbPath() + suffix, std::ios::binary);
      all.append(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
    }
    return all;
  }
};

TEST_F(CliAuthTest, UsersCanBeAddedListedGivenANewPasswordAndRemoved) {
  migrate();
  addUser("alice", "operator");
  addUser("bob", "viewer");
  json users = runJson({"user", "list", "--json"});
  ASSERT_EQ(users["users"].size(), 2u) << users.dump();
  EXPECT_EQ(users["users"][0]["name"], "alice");
  EXPECT_EQ(users["users"][0]["role"], "operator");
  EXPECT_EQ(users["users"][1]["role"], "viewer");
  EXPECT_EQ(users.dump().find("argon2"), std::string::npos);
  RunResult table = run({"user", "list", "--db", db()});
  EXPECT_EQ(table.exit_code, 0);
  EXPECT_NE(table.out.find("alice"), std::string::npos);

  RunResult dup = runWithStdin({"user", "add", "alice", "--role", "admin", "--password-stdin", "--db", db()},
                               std::string(kPassword) + "\n");
  EXPECT_EQ(dup.exit_code, 1);
  EXPECT_EQ(dup.err, "snapq: error: user 'alice' already exists\n");

  RunResult passwd =
      runWithStdin({"user", "passwd", "alice", "--password-stdin", "--db", db()}, "another long password\r\n");
  EXPECT_EQ(passwd.exit_code, 0) << passwd.err;
  // The new password is what logs in now.
  {
    auto store = openStore(db());
    ASSERT_TRUE(store.isOk());
    auth::Auth auth((*store)->auth());
    auto ok = auth.login("alice", "another long password", "127.0.0.1", SystemClock().now());
    ASSERT_TRUE(ok.isOk());
    EXPECT_TRUE(ok->session);
    auto old = auth.login("alice", kPassword, "127.0.0.2", SystemClock().now());
    ASSERT_TRUE(old.isOk());
    EXPECT_EQ(old->refusal, auth::LoginRefusal::bad_credentials);
  }

  RunResult removed = run({"user", "remove", "bob", "--db", db()});
  EXPECT_EQ(removed.exit_code, 0) << removed.err;
  EXPECT_EQ(runJson({"user", "list", "--json"})["users"].size(), 1u);
  EXPECT_EQ(run({"user", "remove", "bob", "--db", db()}).exit_code, 1);
}

TEST_F(CliAuthTest, BadRolesAndShortPasswordsAreUsageErrors) {
  migrate();
  RunResult role = runWithStdin({"user", "add", "x", "--role", "root", "--password-stdin", "--db", db()},
                                std::string(kPassword) + "\n");
  EXPECT_EQ(role.exit_code, 2);
  ASSERT_EQ(role.errLines().size(), 1u) << role.err;
  RunResult short_pw =
      runWithStdin({"user", "add", "x", "--role", "viewer", "--password-stdin", "--db", db()}, "short\n");
  EXPECT_EQ(short_pw.exit_code, 2);
  EXPECT_EQ(short_pw.err, "snapq: error: password is too short: at least 12 characters are required\n");
  EXPECT_EQ(
      runWithStdin({"user", "add", "x", "--role", "viewer", "--db", db()}, std::string(kPassword) + "\n").exit_code, 2)
      << "--password-stdin is required";
  EXPECT_EQ(runWithStdin({"user", "add", "x", "--role", "viewer", "--password-stdin", "--db", db()}, "").exit_code, 2);
  EXPECT_EQ(runJson({"user", "list", "--json"})["users"].size(), 0u);
}

TEST_F(CliAuthTest, ThePasswordNeverReachesTheDatabaseFileInPlainText) {
  migrate();
  addUser("alice", "admin");
  RunResult passwd =
      runWithStdin({"user", "passwd", "alice", "--password-stdin", "--db", db()}, "the second secret password\n");
  ASSERT_EQ(passwd.exit_code, 0) << passwd.err;
  std::string bytes = fileBytes();
  ASSERT_FALSE(bytes.empty());
  EXPECT_NE(bytes.find("alice"), std::string::npos) << "the check reads the real file";
  EXPECT_EQ(bytes.find(kPassword), std::string::npos);
  EXPECT_EQ(bytes.find("the second secret password"), std::string::npos);
}

TEST_F(CliAuthTest, TokenCreatePrintsOnlyATokenThatAuthenticates) {
  migrate();
  addUser("alice", "operator");
  RunResult created = run({"token", "create", "--user", "alice", "--name", "ci", "--permissions",
                           "snapshot.view,sync.job.view", "--expires", "30d", "--db", db()});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  ASSERT_TRUE(created.out.starts_with("snapq_")) << created.out;
  ASSERT_EQ(created.out.find('\n'), created.out.size() - 1) << "one line";
  const std::string token = created.out.substr(0, created.out.size() - 1);
  EXPECT_EQ(created.err.find(token), std::string::npos);

  auto store = openStore(db());
  ASSERT_TRUE(store.isOk());
  auth::Auth auth((*store)->auth());
  auto principal = auth.authenticateToken(token, SystemClock().now());
  ASSERT_TRUE(principal.isOk());
  ASSERT_TRUE(*principal);
  EXPECT_EQ((*principal)->user, "alice");
  EXPECT_EQ((*principal)->permissions, (PermissionSet{Permission::snapshot_view, Permission::sync_job_view}));

  json listed = runJson({"token", "list", "--json"});
  ASSERT_EQ(listed["tokens"].size(), 1u);
  EXPECT_EQ(listed["tokens"][0]["user"], "alice");
  EXPECT_EQ(listed["tokens"][0]["name"], "ci");
  EXPECT_EQ(listed["tokens"][0]["permissions"], "sync.job.view,snapshot.view");
  EXPECT_TRUE(listed["tokens"][0]["expires_at"].is_string());
  RunResult table = run({"token", "list", "--user", "alice", "--db", db()});
  for (const std::string& out : {listed.dump(), table.out}) {
    EXPECT_EQ(out.find(token), std::string::npos);
    EXPECT_EQ(out.find(token.substr(6, 12)), std::string::npos);
    EXPECT_EQ(out.find(secretHash(token)), std::string::npos);
  }

  const std::string id = std::to_string(listed["tokens"][0]["id"].get<int64_t>());
  RunResult revoked = run({"token", "revoke", id, "--db", db()});
  EXPECT_EQ(revoked.exit_code, 0) << revoked.err;
  // A process that has not seen the token refuses it at once; one that
  // authenticated it a moment ago (its token cache) within the cache's ttl.
  auth::Auth fresh((*store)->auth());
  auto after = fresh.authenticateToken(token, SystemClock().now());
  ASSERT_TRUE(after.isOk());
  EXPECT_FALSE(*after);
  const auto deadline = std::chrono::steady_clock::now() + auth::AuthOptions{}.token_cache_ttl + std::chrono::seconds(1);
  bool refused = false;
  while (!refused && std::chrono::steady_clock::now() < deadline) {
    auto cached = auth.authenticateToken(token, SystemClock().now());
    ASSERT_TRUE(cached.isOk());
    refused = !*cached;
    if (!refused) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(refused) << "a token revoked by another process still authenticates after the cache's ttl";
  EXPECT_EQ(run({"token", "revoke", id, "--db", db()}).exit_code, 1) << "already revoked";
  EXPECT_FALSE(runJson({"token", "list", "--json"})["tokens"][0]["revoked_at"].is_null());
}

TEST_F(CliAuthTest, TokenCreateRefusesWhatTheUserCannotHave) {
  migrate();
  addUser("vera", "viewer");
  RunResult more = run({"token", "create", "--user", "vera", "--permissions", "snapshot.write", "--db", db()});
  EXPECT_EQ(more.exit_code, 2);
  EXPECT_EQ(more.out, "");
  EXPECT_EQ(run({"token", "create", "--user", "vera", "--permissions", "snapshot.nuke", "--db", db()}).exit_code, 2);
  EXPECT_EQ(run({"token", "create", "--user", "vera", "--expires", "soon", "--db", db()}).exit_code, 2);
  RunResult nobody = run({"token", "create", "--user", "nobody", "--db", db()});
  EXPECT_EQ(nobody.exit_code, 1);
  EXPECT_EQ(nobody.out, "");
  EXPECT_TRUE(runJson({"token", "list", "--json"})["tokens"].empty());
}

}  // namespace
}  // namespace snapq::clitest
