#include "core/secrets.h"

#include <gtest/gtest.h>

#include <set>

namespace snapq {
namespace {

TEST(Secrets, TokensAreRandomUrlSafeAndPrefixed) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    std::string t = newApiToken();
    ASSERT_TRUE(t.starts_with("snapq_"));
    EXPECT_EQ(t.size(), 6u + 43u);
    EXPECT_EQ(t.find_first_not_of("snapq_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
              std::string::npos);
    seen.insert(t);
  }
  EXPECT_EQ(seen.size(), 100u);
}

TEST(Secrets, HashIsSha256HexAndComparisonIsExact) {
  EXPECT_EQ(secretHash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_TRUE(constantTimeEquals("abc", "abc"));
  EXPECT_FALSE(constantTimeEquals("abc", "abd"));
  EXPECT_FALSE(constantTimeEquals("abc", "abcd"));
}

TEST(Secrets, RandomPasswordsAvoidLookAlikes) {
  std::string p = randomPassword();
  EXPECT_EQ(p.size(), 20u);
  EXPECT_EQ(p.find_first_of("0O1lI"), std::string::npos);
  EXPECT_NE(p, randomPassword());
}

}  // namespace
}  // namespace snapq
