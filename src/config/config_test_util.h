// Shared by the config tests: environments, and YAML written inline.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <string_view>

#include "snapq/config.h"

namespace snapq::configtest {

// An environment with exactly these variables.
inline LoadOptions withEnv(std::map<std::string, std::string> vars) {
  LoadOptions options;
  options.env = [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
  return options;
}

// Dummy credentials for the example files.
inline LoadOptions exampleEnv() {
  return withEnv({{"PDNS_API_KEY", "pdns-key-123"},
                  {"CF_API_TOKEN", "cf-token-456"},
                  {"KEYCLOAK_CLIENT_SECRET", "kc-secret-789"},
                  {"WHM_TOKEN", "whm-token-abc"},
                  {"WHM_ALPHA_TOKEN", "whm-alpha-def"}});
}

// Inline YAML in tests starts on the line after R"( so that the line
// numbers in the test read like an editor's: this drops that first newline.
inline std::string yaml(std::string_view text) {
  if (text.starts_with("\n")) text.remove_prefix(1);
  return std::string(text);
}

inline std::string problemsText(const ConfigCheck& check) {
  std::string out;
  for (const ConfigProblem& p : check.problems) out += formatProblem("test.yaml", p) + "\n";
  return out;
}

// The only problem of `check`, which must have exactly one.
inline ConfigProblem onlyProblem(const ConfigCheck& check) {
  EXPECT_EQ(check.problems.size(), 1u) << problemsText(check);
  if (check.problems.empty()) return {};
  return check.problems.front();
}

// Checks inline YAML (see yaml()) with an empty environment by default.
inline ConfigCheck check(std::string_view text, LoadOptions options = withEnv({})) {
  return checkConfigText(yaml(text), options);
}

// Expects exactly one problem, with this message at this place (column 0:
// any column).
inline void expectProblem(std::string_view text, int line, int column, const std::string& message) {
  const ConfigCheck c = check(text);
  const ConfigProblem p = onlyProblem(c);
  EXPECT_EQ(p.message, message);
  EXPECT_EQ(p.line, line) << p.message;
  if (column > 0) {
    EXPECT_EQ(p.column, column) << p.message;
  }
}

// The problem messages of `text`, which must have at least one.
inline std::string messages(std::string_view text, LoadOptions options = withEnv({})) {
  const ConfigCheck c = check(text, options);
  EXPECT_FALSE(c.ok());
  EXPECT_FALSE(c.config.has_value());
  return problemsText(c);
}

// A minimal valid rest service, to break one thing at a time.
inline constexpr std::string_view kMinimal = R"(
services:
  sim:
    base_url: http://127.0.0.1:9100
    resources:
      accounts:
        key: id
        fields:
          id: integer
          email: string
        list: /v1/accounts
        get: /v1/accounts/{id}
)";

}  // namespace snapq::configtest
