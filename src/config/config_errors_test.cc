// Every kind of mistake gets its own clear message at the right line, and a
// file with several mistakes reports all of them at once.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "config/config_test_util.h"
#include "config/yaml_reader.h"

namespace snapq::configtest {
namespace {

TEST(ConfigErrors, MinimalFileIsValid) { EXPECT_TRUE(check(kMinimal).ok()) << problemsText(check(kMinimal)); }

TEST(ConfigErrors, YamlSyntaxErrorHasItsLine) {
  const ConfigProblem p = onlyProblem(check(R"(
services:
  sim:
    base_url: [unclosed
    resources: {}
)"));
  EXPECT_TRUE(p.message.starts_with("YAML syntax error: ")) << p.message;
  EXPECT_GE(p.line, 3);
}

TEST(ConfigErrors, BadFieldTypeNamesTheChoices) {
  expectProblem(R"(
services:
  sim:
    base_url: http://127.0.0.1:9100
    resources:
      accounts:
        key: id
        fields:
          id: integer
          quota_mb: {type: int, indexed: true}
        list: /v1/accounts
)",
                9, 28,
                "services.sim.resources.accounts.fields.quota_mb.type: 'int' is not one of string, integer, number, "
                "boolean, json");
}

TEST(ConfigErrors, UnknownKeySuggestsTheClosestName) {
  expectProblem(R"(
services:
  sim:
    base_url: http://127.0.0.1:9100
    resources:
      accounts:
        key: id
        feilds:
          id: integer
        list: /v1/accounts
)",
                7, 9, "services.sim.resources.accounts: unknown key 'feilds' (did you mean 'fields'?)");
  // With nothing close, it lists what is allowed.
  const std::string m = messages(R"(
colour: blue
)");
  EXPECT_NE(m.find("test.yaml:1:1: unknown key 'colour' (expected database, listen, workers, durability, retention, "
                   "mask_patterns, log or services)"),
            std::string::npos)
      << m;
}

TEST(ConfigErrors, RepeatedKeysAreReported) {
  const std::string m = messages(R"(
workers: 2
workers: 3
)");
  EXPECT_NE(m.find("test.yaml:2:1: workers: appears more than once"), std::string::npos) << m;
}

TEST(ConfigErrors, NamesMustBeSqlSafe) {
  expectProblem(R"(
services:
  Sim-1:
    connector: my_connector
)",
                2, 3,
                "services: 'Sim-1' is not a valid service name: use lower-case letters, digits and _, starting with a "
                "letter (at most 63), because it becomes part of the SQL table name snap_<service>_<resource>");
  const std::string m = messages(R"(
services:
  sim:
    connector: cpp_thing
    resources:
      accounts:
        key: id
        fields:
          id: integer
          firstName: string
)");
  EXPECT_NE(m.find("test.yaml:9:11: services.sim.resources.accounts.fields: 'firstName' is not a valid field name"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("column of the snapshot table"), std::string::npos) << m;
}

TEST(ConfigErrors, ReservedFieldNames) {
  const std::string m = messages(R"(
services:
  sim:
    connector: cpp_thing
    resources:
      accounts:
        key: id
        fields:
          id: integer
          sync_status: string
)");
  EXPECT_NE(m.find("test.yaml:9:11: services.sim.resources.accounts.fields: 'sync_status' is reserved for snapq's own "
                   "snapshot columns"),
            std::string::npos)
      << m;
}

TEST(ConfigErrors, KeyMustBeDeclaredFields) {
  expectProblem(
      R"(
services:
  sim:
    connector: cpp_thing
    resources:
      accounts:
        key: [email, domian]
        fields:
          email: string
          domain: string
)",
      6, 14,
      "services.sim.resources.accounts.key: 'domian' is not a declared field (fields: email, domain); did you "
      "mean domain?");
  const std::string m = messages(R"(
services:
  sim:
    connector: cpp_thing
    resources:
      accounts:
        key: secret_code
        fields:
          secret_code: {type: string, write_only: true}
)");
  EXPECT_NE(m.find("key field secret_code is write_only"), std::string::npos) << m;
  EXPECT_NE(messages(R"(
services:
  sim:
    connector: cpp_thing
    resources:
      accounts:
        fields: {id: integer}
)")
                .find("test.yaml:5:7: services.sim.resources.accounts: needs a key"),
            std::string::npos);
}

TEST(ConfigErrors, FieldFlagsThatContradictEachOther) {
  const std::string m = messages(R"(
services:
  sim:
    connector: cpp_thing
    resources:
      accounts:
        key: id
        fields:
          id: integer
          password: {type: string, write_only: true, hashed: true}
          quota: {type: integer, searchable: true}
          tags: {type: json, indexed: true}
          enabled: {type: boolean, indexed: yes}
)");
  EXPECT_NE(m.find("test.yaml:9:62: services.sim.resources.accounts.fields.password.hashed: a write_only field is "
                   "never stored or read back, so it cannot be hashed"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find(":10:"), std::string::npos) << m;
  EXPECT_NE(m.find("only string fields can be searchable"), std::string::npos) << m;
  EXPECT_NE(m.find("json fields cannot be indexed"), std::string::npos) << m;
  EXPECT_NE(m.find("enabled.indexed: 'yes' is not true or false"), std::string::npos) << m;
}

TEST(ConfigErrors, EveryProblemIsReportedInFileOrder) {
  const ConfigCheck c = check(R"(
workers: many
durability: sometimes
services:
  sim:
    base_url: http://127.0.0.1:9100
    policy: {timeout: forever}
    resources:
      accounts:
        key: id
        fields: {id: int}
        list: /v1/accounts
)");
  ASSERT_EQ(c.problems.size(), 4u) << problemsText(c);
  EXPECT_EQ(c.problems[0].line, 1);
  EXPECT_EQ(c.problems[1].line, 2);
  EXPECT_EQ(c.problems[1].message, "durability: 'sometimes' is not one of full, relaxed");
  EXPECT_EQ(c.problems[2].line, 6);
  EXPECT_EQ(c.problems[3].line, 10);
}

TEST(ConfigErrors, WholeFileProblems) {
  EXPECT_EQ(onlyProblem(check("")).message,
            "the file is empty; expected settings such as services: (see docs/CONFIG.md)");
  EXPECT_EQ(onlyProblem(check("")).line, 0);
  EXPECT_EQ(onlyProblem(check("- a\n- b\n")).message.find("must be a mapping"), 0u);
  const ConfigCheck missing = checkConfig("/nonexistent/snapq.yaml", withEnv({}));
  const ConfigProblem p = onlyProblem(missing);
  EXPECT_EQ(p.line, 0);
  EXPECT_EQ(formatProblem("/nonexistent/snapq.yaml", p),
            "/nonexistent/snapq.yaml: cannot read the file: No such file or directory");

  auto loaded = loadConfig("/nonexistent/snapq.yaml");
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.status().code(), ErrorCode::invalid_argument);
}

TEST(ConfigErrors, LoadConfigJoinsEveryProblem) {
  const auto path =
      std::filesystem::temp_directory_path() / ("snapq-config-test-" + std::to_string(::getpid()) + ".yaml");
  {
    std::ofstream out(path);
    out << "workers: 0\ndurability: fast\n";
  }
  auto loaded = loadConfig(path.string(), [](const std::string&) { return std::nullopt; });
  std::filesystem::remove(path);
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.status().message(), path.string() + ":1:10: workers: '0' is out of range (1 to 1024)\n" +
                                           path.string() + ":2:13: durability: 'fast' is not one of full, relaxed");
}

TEST(ConfigErrors, EditDistanceForSuggestions) {
  EXPECT_EQ(config::editDistance("fields", "feilds"), 2u);
  EXPECT_EQ(config::editDistance("", "abc"), 3u);
  EXPECT_EQ(config::editDistance("kitten", "sitting"), 3u);
  EXPECT_EQ(config::closest("indexd", {"indexed", "hashed"}), "indexed");
  EXPECT_EQ(config::closest("xyz", {"indexed", "hashed"}), std::nullopt);
}

}  // namespace
}  // namespace snapq::configtest
