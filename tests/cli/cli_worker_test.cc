// `snapq worker`'s command line: help, usage errors, and what it says about a
// database that is not ready. (Running workers: tests/integration.)
#include "cli_fixture.h"

namespace snapq::clitest {
namespace {

TEST_F(CliTest, WorkerHasHelpNamingItsOptions) {
  RunResult r = run({"worker", "--help"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  for (const char* option : {"--db", "--workers", "--queue", "--config", "--heartbeat-ms", "--wait-for-db"}) {
    EXPECT_NE(r.out.find(option), std::string::npos) << option << " missing from:\n" << r.out;
  }
  EXPECT_EQ(r.err, "");
}

TEST_F(CliTest, WorkerUsageErrorsExitTwoWithOneLineOnStderr) {
  migrate();
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"worker", "--workers", "0"},
                                             {"worker", "--workers", "many"},
                                             {"worker", "--bogus"},
                                             {"worker", "--queue", "bad queue!", "--db", db()},
                                             {"worker", "--config", "/nonexistent/snapq.yaml"},
                                             {"worker", "--heartbeat-ms", "5"},
                                             {"worker", "--wait-for-db", "-1"},
                                             {"serve", "--wait-for-db", "soon"}}) {
    RunResult r = run(args);
    EXPECT_EQ(r.exit_code, 2) << testing::PrintToString(args) << "\n" << r.err;
    ASSERT_EQ(r.errLines().size(), 1u) << testing::PrintToString(args) << "\n" << r.err;
    EXPECT_TRUE(r.err.starts_with("snapq: error: ")) << r.err;
    EXPECT_EQ(r.out, "");
  }
}

TEST_F(CliTest, BadLogFormatsAndLevelsExitTwoNamingTheValue) {
  migrate();
  struct Case {
    std::vector<std::string> args;
    std::map<std::string, std::string> env;
    std::string names;
  };
  const std::vector<Case> cases = {
      {{"worker", "--db", db(), "--log-format", "yaml"}, {}, "--log-format: 'yaml' is not a log format (text, json)"},
      {{"worker", "--db", db(), "--log-level", "loud"}, {}, "--log-level: 'loud' is not a log level"},
      {{"worker", "--db", db()}, {{"SNAPQ_LOG_FORMAT", "xml"}}, "SNAPQ_LOG_FORMAT: 'xml' is not a log format"},
      {{"serve", "--db", db(), "--listen", "127.0.0.1:0", "--log-level", "verbose"}, {}, "--log-level: 'verbose'"},
      {{"demo", "--listen", "127.0.0.1:0", "--log-format", "JSON"}, {}, "--log-format: 'JSON'"},
  };
  for (const Case& c : cases) {
    RunResult r = run(c.args, c.env);
    EXPECT_EQ(r.exit_code, 2) << testing::PrintToString(c.args) << "\n" << r.err;
    ASSERT_EQ(r.errLines().size(), 1u) << r.err;
    EXPECT_TRUE(r.err.starts_with("snapq: error: ")) << r.err;
    EXPECT_NE(r.err.find(c.names), std::string::npos) << r.err;
  }
}

TEST_F(CliTest, WorkerRefusesAnUninitialisedDatabaseWithTheMigrateHint) {
  RunResult r = run({"worker", "--db", db()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("snapq migrate"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
}

}  // namespace
}  // namespace snapq::clitest
