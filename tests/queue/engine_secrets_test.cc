// Secrets in payloads: masked in the audit row, sealed for the worker, and
// never on disk in plain text (database file and WAL read byte by byte).
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "queue/engine_fixture.h"

namespace snapq::testing {
namespace {

using EngineSecrets = EngineTest;

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST_F(EngineSecrets, NestedSecretsAreMaskedInTheAuditRowAndSealedForTheWorker) {
  Engine& e = open();
  std::string seen;
  std::mutex mu;
  e.registerJobType({"svc", "act",
                     [&](JobContext& ctx) {
                       std::lock_guard lock(mu);
                       seen = ctx.payload();
                       return Outcome::ok(R"({"api_token":"tok-returned","id":7})");
                     },
                     {}});
  DispatchRequest r = request();
  r.payload = R"({"email":"a@b.c","Auth":{"API_KEY":"k-123"},"keys":[{"ssh_key":"AAAA"}],"quota":5})";
  int64_t id = dispatch(r);
  Job queued = get(id);
  EXPECT_EQ(queued.payload, R"({"Auth":{"API_KEY":"***"},"email":"a@b.c","keys":[{"ssh_key":"***"}],"quota":5})");
  EXPECT_EQ(queued.sealed_payload.find("k-123"), std::string::npos);
  ASSERT_TRUE(e.start().isOk());
  ASSERT_TRUE(waitStatus(id, JobStatus::success));
  {
    std::lock_guard lock(mu);
    EXPECT_EQ(seen, r.payload);
  }
  EXPECT_EQ(get(id).result, R"({"api_token":"***","id":7})") << "results are masked too";
}

TEST_F(EngineSecrets, KeyFileIsCreatedReadableByItsOwnerOnly) {
  open();
  struct stat st {};
  ASSERT_EQ(stat(dir_.file("test.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
}

TEST_F(EngineSecrets, NoPasswordIsOnDiskInPlainTextBeforeOrAfterTheJobsRun) {
  const std::string password = "Pl41n-T3xt-Passw0rd-Marker";
  std::vector<int64_t> ids;
  {
    Engine& e = open(fastOptions(2), false);
    e.registerJobType({"svc", "act", [](JobContext&) { return Outcome::ok(); }, {}});
    for (int i = 0; i < 50; ++i) {
      DispatchRequest r = request();
      r.payload = R"({"user":"u)" + std::to_string(i) + R"(","password":")" + password + R"("})";
      ids.push_back(dispatch(r));
    }
    std::string db = readFile(dir_.file("test.db")) + readFile(dir_.file("test.db-wal"));
    EXPECT_EQ(db.find(password), std::string::npos) << "queued jobs hold only the sealed payload";
    ASSERT_TRUE(e.start().isOk());
    for (int64_t id : ids) ASSERT_TRUE(waitStatus(id, JobStatus::success));
    e.stop();
    EXPECT_TRUE(get(ids[0]).sealed_payload.empty());
  }
  engine_.reset();
  std::string wal = readFile(dir_.file("test.db-wal"));
  std::string db = readFile(dir_.file("test.db"));
  ASSERT_FALSE(db.empty() && wal.empty());
  EXPECT_NE((db + wal).find(R"("password":"***")"), std::string::npos) << "the masked payload is there";
  EXPECT_EQ(db.find(password), std::string::npos);
  EXPECT_EQ(wal.find(password), std::string::npos);
}

}  // namespace
}  // namespace snapq::testing

namespace snapq::testing {
namespace {

TEST_F(EngineSecrets, AnEngineWithoutAKeyManagesJobsButNeitherSealsNorRuns) {
  auto manager = Engine::open(store_, Engine::Keys{});
  ASSERT_TRUE(manager.isOk());
  DispatchRequest secret = request();
  secret.payload = R"({"password":"x"})";
  EXPECT_EQ((*manager)->dispatch(secret).status().code(), ErrorCode::invalid_argument);
  auto plain = (*manager)->dispatch(request());
  ASSERT_TRUE(plain.isOk());
  EXPECT_TRUE((*manager)->cancel(plain->id, Actor::user("ops")).isOk());
  EXPECT_EQ((*manager)->start().code(), ErrorCode::invalid_state);
  EXPECT_FALSE(std::filesystem::exists(dir_.file("test.key"))) << "no key file is created";
}

}  // namespace
}  // namespace snapq::testing
