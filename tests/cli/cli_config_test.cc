// snapq config check: exit 0 with a summary for a good file, exit 1 with
// every problem as FILE:LINE:COL: message for a bad one, exit 2 for usage
// errors; and never a credential on the terminal.
#include <fstream>
#include <regex>

#include "cli_fixture.h"

namespace snapq::clitest {
namespace {

using nlohmann::json;

#ifndef SNAPQ_EXAMPLES_DIR
#error "SNAPQ_EXAMPLES_DIR must point at examples/"
#endif

const std::map<std::string, std::string> kExampleEnv = {{"PDNS_API_KEY", "pdns-Key-31337"},
                                                        {"CF_API_TOKEN", "cf-Token-31337"},
                                                        {"KEYCLOAK_CLIENT_SECRET", "kc-Secret-31337"},
                                                        {"WHM_TOKEN", "whm-Token-31337"},
                                                        {"WHM_ALPHA_TOKEN", "whm-Alpha-31337"}};

class CliConfigTest : public CliTest {
 protected:
  std::string write(const std::string& name, const std::string& text) {
    std::ofstream out(dir() / name);
    out << text;
    return name;
  }
};

TEST_F(CliConfigTest, EveryExampleFilePasses) {
  const std::map<std::string, std::string> expected = {
      {"sim.yaml", "1 service, 3 resources"},         {"powerdns.yaml", "1 service, 2 resources"},
      {"json-server.yaml", "1 service, 2 resources"}, {"cloudflare.yaml", "1 service, 2 resources"},
      {"keycloak.yaml", "1 service, 1 resource"},     {"whm.yaml", "1 service, 2 resources"}};
  for (const auto& [name, counts] : expected) {
    const std::string path = std::string(SNAPQ_EXAMPLES_DIR) + "/" + name;
    RunResult r = run({"config", "check", path}, kExampleEnv);
    EXPECT_EQ(r.exit_code, 0) << name << "\n" << r.err;
    EXPECT_EQ(r.out, path + ": ok (" + counts + ")\n");
    EXPECT_EQ(r.err, "");
  }
}

TEST_F(CliConfigTest, ProblemsAreListedAsFileLineColumnMessage) {
  const std::string file = write("bad.yaml", R"(workers: many
services:
  sim:
    base_url: http://127.0.0.1:9100
    resources:
      accounts:
        key: id
        fields:
          id: integer
          quota_mb: {type: int}
        list: /v1/accounts
        get: /v1/accounts/{idd}
)");
  RunResult r = run({"config", "check", file});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  const std::vector<std::string> lines = r.errLines();
  ASSERT_EQ(lines.size(), 4u) << r.err;
  EXPECT_EQ(lines[0], "bad.yaml:1:10: workers: 'many' is not a whole number");
  EXPECT_EQ(
      lines[1],
      "bad.yaml:10:28: services.sim.resources.accounts.fields.quota_mb.type: 'int' is not one of string, integer, "
      "number, boolean, json");
  EXPECT_EQ(lines[2],
            "bad.yaml:12:14: services.sim.resources.accounts.get: {idd} is not known here; this request can use key, "
            "the fields (id) (did you mean {id}?)");
  EXPECT_EQ(lines[3], "snapq: error: bad.yaml: 3 problems");
  const std::regex located(R"(^bad\.yaml:\d+:\d+: .+)");
  for (size_t i = 0; i + 1 < lines.size(); ++i) EXPECT_TRUE(std::regex_match(lines[i], located)) << lines[i];
}

TEST_F(CliConfigTest, MissingVariablesAreNamedButValuesNeverShown) {
  std::map<std::string, std::string> env = kExampleEnv;
  env.erase("WHM_ALPHA_TOKEN");
  const std::string path = std::string(SNAPQ_EXAMPLES_DIR) + "/whm.yaml";
  RunResult r = run({"config", "check", path}, env);
  EXPECT_EQ(r.exit_code, 1);
  ASSERT_EQ(r.errLines().size(), 2u) << r.err;
  EXPECT_NE(r.errLines()[0].find("services.whm.instances.alpha.auth.value: environment variable WHM_ALPHA_TOKEN is "
                                 "not set"),
            std::string::npos)
      << r.err;
  for (const auto& [name, value] : kExampleEnv) EXPECT_EQ(r.err.find(value), std::string::npos) << name;
}

TEST_F(CliConfigTest, DumpShowsTheEffectiveConfigWithSecretsHidden) {
  for (const char* name : {"sim.yaml", "powerdns.yaml", "cloudflare.yaml", "keycloak.yaml", "whm.yaml"}) {
    RunResult r = run({"config", "check", "--dump", std::string(SNAPQ_EXAMPLES_DIR) + "/" + name}, kExampleEnv);
    ASSERT_EQ(r.exit_code, 0) << name << r.err;
    const json dump = json::parse(r.out);
    EXPECT_TRUE(dump["services"].is_object()) << name;
    for (const auto& [var, value] : kExampleEnv) EXPECT_EQ(r.out.find(value), std::string::npos) << name << " " << var;
  }
  RunResult pdns = run({"config", "check", "--dump", std::string(SNAPQ_EXAMPLES_DIR) + "/powerdns.yaml"}, kExampleEnv);
  EXPECT_EQ(json::parse(pdns.out)["services"]["powerdns"]["instances"]["default"]["auth"]["value"], "***");
}

TEST_F(CliConfigTest, ConnectorsOtherThanRestMustBeNamed) {
  const std::string file = write("cpp.yaml", R"(services:
  billing:
    connector: stripe_like
    resources:
      invoices: {key: id, fields: {id: string}}
)");
  RunResult unknown = run({"config", "check", file});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_EQ(unknown.errLines().at(0),
            "cpp.yaml:3:16: services.billing.connector: 'stripe_like' is not a known connector (known: rest)");
  RunResult named = run({"config", "check", file, "--connector", "stripe_like"});
  EXPECT_EQ(named.exit_code, 0) << named.err;
  EXPECT_EQ(named.out, "cpp.yaml: ok (1 service, 1 resource)\n");
}

TEST_F(CliConfigTest, UnreadableFileIsAFailure) {
  RunResult r = run({"config", "check", "missing.yaml"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.errLines().at(0), "missing.yaml: cannot read the file: No such file or directory");
}

TEST_F(CliConfigTest, UsageErrorsExitTwo) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"config"}, {"config", "check"}, {"config", "check", "a.yaml", "--bogus"}, {"config", "lint", "a.yaml"}}) {
    RunResult r = run(args);
    EXPECT_EQ(r.exit_code, 2) << testing::PrintToString(args) << r.err;
    ASSERT_EQ(r.errLines().size(), 1u) << r.err;
    EXPECT_TRUE(r.err.starts_with("snapq: error: ")) << r.err;
    EXPECT_EQ(r.out, "");
  }
  RunResult help = run({"config", "check", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--dump"), std::string::npos);
}

}  // namespace
}  // namespace snapq::clitest

namespace snapq::clitest {
namespace {

TEST_F(CliTest, ABadSyncScheduleIsReportedWithItsLine) {
  {
    std::ofstream out(dir() / "cron.yaml");
    out << R"(services:
  sim:
    base_url: http://127.0.0.1:9100
    resources:
      accounts:
        key: id
        fields:
          id: integer
        list: /v1/accounts
        get: /v1/accounts/{id}
        sync:
          schedule: "61 * * * *"
)";
  }
  RunResult r = run({"config", "check", "cron.yaml"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("cron.yaml:12:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("minute"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace snapq::clitest
