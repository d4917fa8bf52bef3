// The program's contract: --version, --help, exit statuses, one-line errors,
// and what happens before a database is initialised.
#include "cli_fixture.h"

namespace snapq::clitest {
namespace {

using nlohmann::json;

TEST_F(CliTest, VersionPrintsTheProjectVersion) {
  RunResult r = run({"--version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "snapq 0.1.0\n");
}

TEST_F(CliTest, EveryCommandHasHelp) {
  for (std::vector<std::string> args : std::vector<std::vector<std::string>>{{"--help"},
                                                                             {"migrate", "--help"},
                                                                             {"jobs", "--help"},
                                                                             {"jobs", "list", "--help"},
                                                                             {"jobs", "show", "--help"},
                                                                             {"jobs", "retry", "--help"},
                                                                             {"jobs", "cancel", "--help"},
                                                                             {"jobs", "delete", "--help"},
                                                                             {"jobs", "prune", "--help"},
                                                                             {"demo", "--help"}}) {
    RunResult r = run(args);
    EXPECT_EQ(r.exit_code, 0) << args.back() << ": " << r.err;
    EXPECT_NE(r.out.find("--help"), std::string::npos) << r.out;
    EXPECT_EQ(r.err, "");
  }
  EXPECT_NE(run({"jobs", "list", "--help"}).out.find("--since"), std::string::npos);
}

TEST_F(CliTest, UsageErrorsExitTwoWithOneLineOnStderr) {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"--bogus"},
                                             {},
                                             {"frobnicate"},
                                             {"jobs"},
                                             {"jobs", "list", "--bogus"},
                                             {"jobs", "show"},
                                             {"jobs", "show", "abc"},
                                             {"jobs", "cancel"},
                                             {"demo", "--accounts", "-1"},
                                             {"serve", "--listen", "nowhere"},
                                             {"serve", "--tls-cert", "x.pem"},
                                             {"jobs", "prune", "--success-days", "-1"}}) {
    RunResult r = run(args);
    EXPECT_EQ(r.exit_code, 2) << testing::PrintToString(args);
    ASSERT_EQ(r.errLines().size(), 1u) << testing::PrintToString(args) << "\n" << r.err;
    EXPECT_TRUE(r.err.starts_with("snapq: error: ")) << r.err;
    EXPECT_EQ(r.out, "");
  }
}

TEST_F(CliTest, BadFilterValuesAreUsageErrors) {
  migrate();
  for (std::vector<std::string> args : std::vector<std::vector<std::string>>{{"--since", "yesterday"},
                                                                             {"--until", "2026-13-01"},
                                                                             {"--status", "failed,broken"},
                                                                             {"--trigger", "cron"},
                                                                             {"--limit", "0"},
                                                                             {"--limit", "201"},
                                                                             {"--cursor", "abc"},
                                                                             {"--cursor", "0"}}) {
    args.insert(args.begin(), {"jobs", "list", "--db", db()});
    RunResult r = run(args);
    EXPECT_EQ(r.exit_code, 2) << testing::PrintToString(args);
    ASSERT_EQ(r.errLines().size(), 1u) << r.err;
    EXPECT_TRUE(r.err.starts_with("snapq: error: ")) << r.err;
  }
  RunResult r = run({"jobs", "list", "--db", db(), "--status", "broken"});
  EXPECT_NE(r.err.find("unknown status 'broken'"), std::string::npos) << r.err;
}

TEST_F(CliTest, UninitialisedDatabaseGetsTheMigrateHint) {
  const std::string url = db();
  RunResult r = run({"jobs", "list", "--db", url});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "snapq: database at " + url + " is not initialised; run: snapq migrate --db " + url + "\n");
  EXPECT_FALSE(std::filesystem::exists(dbPath())) << "a read must not create the database";

  // An existing file without the schema gets the same hint.
  ASSERT_TRUE(openStore(url));
  ASSERT_TRUE(std::filesystem::exists(dbPath()));
  for (std::vector<std::string> args : std::vector<std::vector<std::string>>{
           {"jobs", "list"}, {"jobs", "show", "1"}, {"jobs", "cancel", "1"}, {"jobs", "prune"}}) {
    args.push_back("--db");
    args.push_back(url);
    r = run(args);
    EXPECT_EQ(r.exit_code, 1) << args[1];
    EXPECT_NE(r.err.find("is not initialised; run: snapq migrate --db " + url), std::string::npos) << r.err;
  }
}

TEST_F(CliTest, MigrateCreatesTheSchemaAndIsRepeatable) {
  for (int i = 0; i < 2; ++i) {
    RunResult r = run({"migrate", "--db", db()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(r.out.starts_with("schema at version ")) << r.out;
  }
  json page = runJson({"jobs", "list", "--json"});
  EXPECT_EQ(page["jobs"], json::array());
  EXPECT_TRUE(page["next_cursor"].is_null());
  EXPECT_EQ(page["status_counts"], (json{{"queued", 0},
                                         {"running", 0},
                                         {"success", 0},
                                         {"failed", 0},
                                         {"conflict", 0},
                                         {"skipped", 0},
                                         {"cancelled", 0}}));
  RunResult text = run({"jobs", "list", "--db", db()});
  EXPECT_EQ(text.exit_code, 0);
  EXPECT_NE(text.out.find("no jobs match"), std::string::npos) << text.out;
}

TEST_F(CliTest, DatabaseDefaultsToSnapqDbInTheWorkingDirectoryOrSnapqDbEnv) {
  RunResult r = run({"migrate"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::filesystem::exists(dir() / "snapq.db"));

  const std::string other = "sqlite:" + (dir() / "other.db").string();
  r = run({"migrate"}, {{"SNAPQ_DB", other}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::filesystem::exists(dir() / "other.db"));
  r = run({"jobs", "list", "--json"}, {{"SNAPQ_DB", other}});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(CliTest, UnknownDatabaseUrlIsAUsageError) {
  RunResult r = run({"migrate", "--db", "mysql://localhost/x"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.errLines().size(), 1u) << r.err;
}

}  // namespace
}  // namespace snapq::clitest
