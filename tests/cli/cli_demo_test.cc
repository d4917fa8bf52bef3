// snapq demo: runs every job to a final state and never stores the demo
// password in clear.
#include <fstream>
#include <sstream>

#include "cli_fixture.h"

namespace snapq::clitest {
namespace {

using nlohmann::json;

constexpr const char* kDemoPassword = "demo-Secret-4711";  // as in src/cli/demo_cmd.cc

std::string fileBytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST_F(CliTest, DemoRunsEveryJobToAFinalStateWithPasswordsMasked) {
  RunResult r = run({"demo", "--db", db(), "--jobs", "30", "--workers", "4"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("demo finished"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("snapq jobs list --db " + db() + " --status failed"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("30/30 finished"), std::string::npos) << r.err;

  json page = runJson({"jobs", "list", "--json", "--service", "demo", "--limit", "200"});
  ASSERT_EQ(page["jobs"].size(), 30u);
  for (const json& job : page["jobs"]) {
    const std::string status = job["status"];
    EXPECT_TRUE(status == "success" || status == "failed") << job.dump();
    EXPECT_EQ(job["payload"]["password"], "***");
    EXPECT_EQ(job["actor"], (json{{"type", "user"}, {"name", "demo"}}));
    EXPECT_EQ(job["trigger_source"], "manual");
  }
  EXPECT_EQ(page.dump().find(kDemoPassword), std::string::npos);
  EXPECT_EQ(page["status_counts"]["queued"], 0);
  EXPECT_EQ(page["status_counts"]["running"], 0);

  // Not in the database files either: the real payload is only stored sealed.
  for (const char* suffix : {"", "-wal"}) {
    const std::filesystem::path file = dbPath() + suffix;
    if (!std::filesystem::exists(file)) continue;
    EXPECT_EQ(fileBytes(file).find(kDemoPassword), std::string::npos) << file;
  }
}

}  // namespace
}  // namespace snapq::clitest
