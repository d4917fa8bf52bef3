// ${ENV} references: resolution, defaults, and the promise that credentials
// never show up in a message or a dump.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <sstream>

#include "config/config_test_util.h"
#include "config/env.h"

namespace snapq::configtest {
namespace {

constexpr const char* kSecretValue = "s3cr3t-Value-0042";

EnvLookup envOf(std::map<std::string, std::string> vars) { return withEnv(std::move(vars)).env; }

TEST(ConfigEnv, ReferencesAndDefaults) {
  const EnvLookup env = envOf({{"SET", "value"}, {"EMPTY", ""}});
  EXPECT_EQ(config::expandEnv("${SET}", env).value, "value");
  EXPECT_EQ(config::expandEnv("a-${SET}-b", env).value, "a-value-b");
  EXPECT_EQ(config::expandEnv("${SET:-other}", env).value, "value");
  EXPECT_EQ(config::expandEnv("${UNSET:-fallback}", env).value, "fallback");
  EXPECT_EQ(config::expandEnv("${EMPTY:-fallback}", env).value, "fallback");  // as in the shell
  EXPECT_EQ(config::expandEnv("${EMPTY}", env).value, "");
  EXPECT_EQ(config::expandEnv("${UNSET:-}", env).value, "");
  EXPECT_EQ(config::expandEnv("${UNSET:-a:b/c}", env).value, "a:b/c");
  EXPECT_EQ(config::expandEnv("cost: $5, $${SET}", env).value, "cost: $5, ${SET}");
  EXPECT_FALSE(config::expandEnv("plain", env).used_env);
  EXPECT_TRUE(config::expandEnv("${SET}", env).used_env);

  const config::Expansion missing = config::expandEnv("${A}/${SET}/${B}", env);
  EXPECT_EQ(missing.missing, (std::vector<std::string>{"A", "B"}));
  EXPECT_NE(config::expandEnv("${SET", env).syntax_error, "");
  EXPECT_NE(config::expandEnv("${1X}", env).syntax_error, "");
  EXPECT_NE(config::expandEnv("${X-default}", env).syntax_error, "");
  EXPECT_EQ(config::expandEnv("{${BRACES}}", envOf({{"BRACES", "{a}"}}), true).value, "{{{a}}}");
}

TEST(ConfigEnv, ProcessEnvReadsTheEnvironment) {
  ::setenv("SNAPQ_CONFIG_TEST_VAR", "from-process", 1);
  EXPECT_EQ(processEnv("SNAPQ_CONFIG_TEST_VAR"), "from-process");
  ::unsetenv("SNAPQ_CONFIG_TEST_VAR");
  EXPECT_EQ(processEnv("SNAPQ_CONFIG_TEST_VAR"), std::nullopt);
}

TEST(ConfigEnv, MissingVariablesAreNamedAtTheirLine) {
  const ConfigCheck c = checkConfigText(yaml(R"(
services:
  cf:
    base_url: https://api.example.test
    auth:
      kind: bearer
      token: ${CF_API_TOKEN}
)"),
                                        withEnv({}));
  const ConfigProblem p = onlyProblem(c);
  EXPECT_EQ(p.line, 6);
  EXPECT_EQ(p.column, 14);
  EXPECT_EQ(p.message,
            "services.cf.auth.token: environment variable CF_API_TOKEN is not set (write ${CF_API_TOKEN:-default} to "
            "give a default)");
  const ConfigCheck empty = checkConfigText(yaml(R"(
services:
  cf:
    base_url: https://api.example.test
    auth: {kind: bearer, token: "${CF_API_TOKEN}"}
)"),
                                            withEnv({{"CF_API_TOKEN", ""}}));
  EXPECT_EQ(onlyProblem(empty).message, "services.cf.auth.token: is empty");
}

TEST(ConfigEnv, EnvWorksInAnyValueAndInTemplatesStaysLiteral) {
  const ConfigCheck c = checkConfigText(yaml(R"(
workers: ${WORKERS:-3}
services:
  kc:
    base_url: ${KC_URL}/admin/realms/${REALM:-master}
    resources:
      users:
        key: id
        fields: {id: string}
        list:
          path: /users
          query: {tag: "${TAG}"}
)"),
                                        withEnv({{"KC_URL", "http://127.0.0.1:8180"}, {"TAG", "{id}"}}));
  ASSERT_TRUE(c.ok()) << problemsText(c);
  EXPECT_EQ(c.config->workers, 3);
  EXPECT_EQ(c.config->services[0].instances[0].base_url, "http://127.0.0.1:8180/admin/realms/master");
  const Template& tag = c.config->services[0].resources[0].list->request.query.at(0).value;
  // The environment's "{id}" is text, not a variable.
  EXPECT_TRUE(tag.variables().empty());
  ASSERT_EQ(tag.parts.size(), 1u);
  EXPECT_EQ(tag.parts[0].text, "{id}");
}

TEST(ConfigEnv, SecretPrintsAsStars) {
  const Secret s(kSecretValue);
  std::ostringstream out;
  out << s << ' ' << Secret();
  EXPECT_EQ(out.str(), "*** ***");
  EXPECT_EQ(s.reveal(), kSecretValue);
}

// A file full of credentials and mistakes: no message may carry a credential.
TEST(ConfigEnv, SecretsNeverAppearInProblems) {
  const ConfigCheck c = checkConfigText(yaml(R"(
services:
  cf:
    base_url: ${SECRET}
    auth: {kind: bearer, token: "${SECRET}", extra: 1}
    headers: {X-Key: "${SECRET}"}
    policy: {timeout: "${SECRET}", concurrency: "${SECRET}"}
    webhooks: [{url: "${SECRET}", events: ["${SECRET}"]}]
    resources:
      a:
        key: id
        fields: {id: "${SECRET}"}
        list: {path: "${SECRET}", method: "${SECRET}"}
)"),
                                        withEnv({{"SECRET", kSecretValue}}));
  ASSERT_GE(c.problems.size(), 7u) << problemsText(c);
  const std::string all = problemsText(c);
  EXPECT_EQ(all.find(kSecretValue), std::string::npos) << all;
  EXPECT_NE(all.find("'${SECRET}' is not an http:// or https:// URL"), std::string::npos) << all;
}

TEST(ConfigEnv, SecretsNeverAppearInTheDump) {
  const std::string pw = std::string(kSecretValue) + "-pw";
  const ConfigCheck c = checkConfigText(yaml(R"(
database: postgres://snapq:${DB_PASSWORD}@127.0.0.1/snapq
services:
  a:
    base_url: http://127.0.0.1:1
    auth: {kind: header, header: X-API-Key, value: "${SECRET}"}
    headers: {X-Other: "${SECRET}"}
    webhooks: [{url: "https://hooks.example.test/${SECRET}"}]
    instances:
      one: {}
      two: {auth: {kind: basic, username: admin, password: "${SECRET}"}}
      three: {auth: {kind: oauth2_client_credentials, token_url: /token, client_id: snapq, client_secret: "${SECRET}"}}
      four: {auth: {kind: bearer, token: "${SECRET}"}}
    resources:
      r:
        key: id
        fields: {id: string}
        list: {path: /r, query: {api_key: "${SECRET}"}}
        get: /r/{id}
        create: {path: /r, body: {api_token: "${SECRET}", name: "{id}"}, returns: object}
)"),
                                        withEnv({{"SECRET", kSecretValue}, {"DB_PASSWORD", pw}}));
  ASSERT_TRUE(c.ok()) << problemsText(c);
  const ServiceSpec& s = c.config->services[0];
  EXPECT_EQ(s.instance("four")->auth.token.reveal(), kSecretValue);
  EXPECT_EQ(s.instance("one")->headers.at(0).value.reveal(), kSecretValue);
  const std::string dump = configToJson(*c.config);
  EXPECT_EQ(dump.find(kSecretValue), std::string::npos) << dump;
  EXPECT_NE(dump.find("postgres://snapq:***@127.0.0.1/snapq"), std::string::npos) << dump;
  EXPECT_NE(dump.find("\"client_id\": \"snapq\""), std::string::npos) << dump;
}

}  // namespace
}  // namespace snapq::configtest
