#include "core/passwords.h"

#include <gtest/gtest.h>

namespace snapq {
namespace {

TEST(Passwords, HashVerifiesOnlyTheSamePassword) {
  auto hash = hashPassword("correct horse battery");
  ASSERT_TRUE(hash.isOk()) << hash.status().toString();
  EXPECT_TRUE(hash->starts_with("$argon2id$"));
  EXPECT_EQ(hash->find("correct horse"), std::string::npos);
  EXPECT_TRUE(verifyPassword("correct horse battery", *hash));
  EXPECT_FALSE(verifyPassword("correct horse batterY", *hash));
  EXPECT_FALSE(verifyPassword("", *hash));
  EXPECT_FALSE(passwordNeedsRehash(*hash));
  EXPECT_NE(*hash, *hashPassword("correct horse battery")) << "salted";
}

TEST(Passwords, MalformedOrOtherLimitHashes) {
  EXPECT_FALSE(verifyPassword("anything at all", ""));
  EXPECT_FALSE(verifyPassword("anything at all", "$argon2id$garbage"));
  // A hash made with weaker limits (t=1, 8 MiB) is accepted but flagged for rehashing.
  EXPECT_TRUE(
      passwordNeedsRehash("$argon2id$v=19$m=8192,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$"
                          "3vDmW2dGTPPSJHt2s4wDdDO9o2tdWj0ymnvvj02oVso"));
  EXPECT_FALSE(dummyPasswordHash().empty());
  EXPECT_FALSE(verifyPassword("", dummyPasswordHash()));
}

TEST(Passwords, PolicyNeedsTwelveCharactersAndNeverEchoes) {
  Status short_one = checkPasswordPolicy("elevenchars");
  EXPECT_EQ(short_one.code(), ErrorCode::invalid_argument);
  EXPECT_EQ(short_one.message(), "password is too short: at least 12 characters are required");
  EXPECT_TRUE(checkPasswordPolicy("twelve chars").isOk());
  EXPECT_FALSE(checkPasswordPolicy(std::string(1025, 'x')).isOk());
}

}  // namespace
}  // namespace snapq
