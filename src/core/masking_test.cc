#include "core/masking.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace snapq {
namespace {

using nlohmann::json;

TEST(Masker, DefaultPatterns) {
  EXPECT_EQ(Masker::defaultPatterns(),
            (std::vector<std::string>{"password", "secret", "token", "api_key", "private_key",
                                      "ssh_key"}));
}

TEST(Masker, SensitiveKeysAreCaseInsensitiveSubstrings) {
  const Masker masker;
  EXPECT_TRUE(masker.isSensitiveKey("password"));
  EXPECT_TRUE(masker.isSensitiveKey("DB_Password"));
  EXPECT_TRUE(masker.isSensitiveKey("X-Api_Key"));
  EXPECT_TRUE(masker.isSensitiveKey("client_SECRET"));
  EXPECT_TRUE(masker.isSensitiveKey("accessToken"));
  EXPECT_TRUE(masker.isSensitiveKey("PRIVATE_KEY_PEM"));
  EXPECT_TRUE(masker.isSensitiveKey("deploy_ssh_key"));
  EXPECT_FALSE(masker.isSensitiveKey("username"));
  EXPECT_FALSE(masker.isSensitiveKey("host"));
  EXPECT_FALSE(masker.isSensitiveKey(""));
  // Only the listed spellings match: "apikey" and "api-key" need a custom pattern.
  EXPECT_FALSE(masker.isSensitiveKey("apikey"));
  EXPECT_FALSE(masker.isSensitiveKey("X-API-KEY"));
  EXPECT_FALSE(masker.isSensitiveKey("private-key"));
}

TEST(Masker, ReplacesValuesOfEveryType) {
  const Masker masker;
  const json in = {{"password", "hunter2"},
                   {"token", 12345},
                   {"secret", 1.5},
                   {"api_key", true},
                   {"private_key", nullptr},
                   {"ssh_key", json::array({"a", "b"})},
                   {"db_password", {{"nested", "x"}}}};
  const json out = masker.mask(in);
  ASSERT_EQ(out.size(), in.size());
  for (const auto& [key, value] : out.items()) EXPECT_EQ(value, "***") << key;
}

TEST(Masker, LeavesNonSensitiveUntouched) {
  const Masker masker;
  const json in = {{"user", "alice"}, {"port", 5432}, {"tags", {"a", "b"}}, {"opt", nullptr}};
  EXPECT_EQ(masker.mask(in), in);
  EXPECT_EQ(masker.mask(json("password")), json("password"));
  EXPECT_EQ(masker.mask(json(42)), json(42));
  EXPECT_EQ(masker.mask(json::array()), json::array());
}

TEST(Masker, RecursesThroughObjects) {
  const Masker masker;
  const json in = {{"db", {{"host", "h"}, {"auth", {{"user", "u"}, {"Password", "p"}}}}}};
  const json want = {{"db", {{"host", "h"}, {"auth", {{"user", "u"}, {"Password", "***"}}}}}};
  EXPECT_EQ(masker.mask(in), want);
}

TEST(Masker, RecursesThroughArrays) {
  const Masker masker;
  const json in = json::parse(R"({
    "zones": [
      {"name": "a", "api_token": "t1"},
      {"name": "b", "records": [[{"ttl": 60, "secret": "s"}]]}
    ],
    "list": [1, "password", null]
  })");
  const json want = json::parse(R"({
    "zones": [
      {"name": "a", "api_token": "***"},
      {"name": "b", "records": [[{"ttl": 60, "secret": "***"}]]}
    ],
    "list": [1, "password", null]
  })");
  EXPECT_EQ(masker.mask(in), want);
  const json top_level_array = json::array({{{"token", "t"}}, {{"id", 1}}});
  EXPECT_EQ(masker.mask(top_level_array), json::array({{{"token", "***"}}, {{"id", 1}}}));
}

TEST(Masker, DoesNotModifyInput) {
  const Masker masker;
  json in = {{"password", "p"}};
  const json copy = in;
  (void)masker.mask(in);
  EXPECT_EQ(in, copy);
}

TEST(Masker, CustomPatterns) {
  const Masker masker({"APIKEY", "pin"});
  EXPECT_TRUE(masker.isSensitiveKey("x-apikey"));
  EXPECT_TRUE(masker.isSensitiveKey("card_PIN"));
  EXPECT_FALSE(masker.isSensitiveKey("password"));
  const json in = {{"apiKey", "k"}, {"password", "p"}};
  EXPECT_EQ(masker.mask(in), json({{"apiKey", "***"}, {"password", "p"}}));
}

TEST(Masker, EmptyPatternMatchesNothing) {
  const Masker masker({""});
  EXPECT_FALSE(masker.isSensitiveKey("anything"));
  const Masker none(std::vector<std::string>{});
  EXPECT_FALSE(none.containsSensitive({{"password", "p"}}));
}

TEST(Masker, ContainsSensitive) {
  const Masker masker;
  EXPECT_FALSE(masker.containsSensitive(json::object()));
  EXPECT_FALSE(masker.containsSensitive(json("secret")));
  EXPECT_FALSE(masker.containsSensitive({{"user", "u"}, {"list", {1, 2}}}));
  EXPECT_TRUE(masker.containsSensitive({{"Token", nullptr}}));
  EXPECT_TRUE(masker.containsSensitive({{"a", {{"b", {{"c", {{"ssh_key", "k"}}}}}}}}));
  EXPECT_TRUE(masker.containsSensitive(json::parse(R"([{"x": 1}, {"y": [{"password": 1}]}])")));
  for (const json& v : {json::parse(R"({"a": [{"b": 1}], "c": "d"})"),
                        json::parse(R"({"a": [{"secret": 1}], "c": "d"})")}) {
    EXPECT_EQ(masker.containsSensitive(v), masker.mask(v) != v) << v.dump();
  }
}

}  // namespace
}  // namespace snapq
