#include "auth/login_limiter.h"

#include <gtest/gtest.h>

namespace snapq::auth {
namespace {

const TimePoint kT0 = TimePoint(Duration(1'764'000'000'000));

TEST(LoginLimiter, RefusesAfterMaxFailuresUntilTheOldestLeavesTheWindow) {
  LoginLimiter limiter(3, Duration(60000));
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(limiter.wait("k", kT0 + Duration(i * 1000)), Duration(0));
    limiter.recordFailure("k", kT0 + Duration(i * 1000));
  }
  EXPECT_EQ(limiter.wait("k", kT0 + Duration(2000)), Duration(58000));
  EXPECT_EQ(limiter.wait("other", kT0 + Duration(2000)), Duration(0));
  EXPECT_EQ(limiter.wait("k", kT0 + Duration(60000)), Duration(0)) << "the first failure left the window";
  limiter.recordFailure("k", kT0 + Duration(60000));
  EXPECT_EQ(limiter.wait("k", kT0 + Duration(60000)), Duration(1000));
  limiter.clear("k");
  EXPECT_EQ(limiter.wait("k", kT0 + Duration(60000)), Duration(0));
}

}  // namespace
}  // namespace snapq::auth
