#include "store/sqlite/search_cache.h"

#include <gtest/gtest.h>

namespace snapq::sqlite {
namespace {

TEST(SearchTermCache, KeepsAChoiceUntilEnoughJobsArrive) {
  SearchTermCache cache;
  EXPECT_FALSE(cache.find("timed out", 100).has_value());
  cache.put("timed out", 100, "\"tim\"");
  EXPECT_EQ(cache.find("timed out", 100), "\"tim\"");
  EXPECT_EQ(cache.find("timed out", 100 + SearchTermCache::kReuseJobs), "\"tim\"");
  EXPECT_FALSE(cache.find("timed out", 101 + SearchTermCache::kReuseJobs).has_value()) << "chosen among older jobs";
  EXPECT_EQ(cache.find("timed out", 50), "\"tim\"") << "jobs deleted: still a valid choice";
  EXPECT_FALSE(cache.find("TIMED OUT", 100).has_value()) << "one entry per text as given";
  cache.put("timed out", 5000, "\"out\"");
  EXPECT_EQ(cache.find("timed out", 5000), "\"out\"");
}

TEST(SearchTermCache, StaysBounded) {
  SearchTermCache cache;
  cache.put(std::string(SearchTermCache::kMaxKeyBytes + 1, 'x'), 1, "t");
  EXPECT_FALSE(cache.find(std::string(SearchTermCache::kMaxKeyBytes + 1, 'x'), 1).has_value());
  for (size_t i = 0; i < SearchTermCache::kMaxEntries; ++i) cache.put("q" + std::to_string(i), 1, "t");
  EXPECT_TRUE(cache.find("q0", 1).has_value());
  cache.put("one more", 1, "t");
  EXPECT_TRUE(cache.find("one more", 1).has_value());
  EXPECT_FALSE(cache.find("q0", 1).has_value()) << "full: started over";
}

}  // namespace
}  // namespace snapq::sqlite
