#include "core/filter_parse.h"

#include <gtest/gtest.h>

#include "core/time_format.h"

namespace snapq {
namespace {

TEST(ParseStatusList, ReadsACommaListInOrderWithoutDuplicates) {
  auto r = parseStatusList("failed, conflict,,failed ");
  ASSERT_TRUE(r) << r.status().toString();
  EXPECT_EQ(*r, (std::vector<JobStatus>{JobStatus::failed, JobStatus::conflict}));
}

TEST(ParseStatusList, EmptyTextIsNoFilter) {
  auto r = parseStatusList("");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->empty());
}

TEST(ParseStatusList, UnknownNameIsAnInvalidArgumentListingTheValidOnes) {
  auto r = parseStatusList("failed,broken");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), ErrorCode::invalid_argument);
  EXPECT_NE(r.status().message().find("'broken'"), std::string::npos);
  EXPECT_NE(r.status().message().find("queued, running, success"), std::string::npos);
}

TEST(ParseTriggerList, ReadsKnownTriggers) {
  auto r = parseTriggerList("manual,scheduled");
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, (std::vector<TriggerSource>{TriggerSource::manual, TriggerSource::scheduled}));
  EXPECT_FALSE(parseTriggerList("cron"));
}

TEST(ParseTimeBound, AcceptsIsoTimestampsAndDates) {
  const TimePoint now = *parseIso("2026-11-25T10:00:00.000Z");
  auto t = parseTimeBound("2026-11-24T08:30:00.250Z", now);
  ASSERT_TRUE(t);
  EXPECT_EQ(formatIso(*t), "2026-11-24T08:30:00.250Z");
  auto d = parseTimeBound("2026-11-01", now);
  ASSERT_TRUE(d);
  EXPECT_EQ(formatIso(*d), "2026-11-01T00:00:00.000Z");
}

TEST(ParseTimeBound, RelativeMeansThatLongBeforeNow) {
  const TimePoint now = *parseIso("2026-11-25T10:00:00.000Z");
  EXPECT_EQ(formatIso(*parseTimeBound("1h", now)), "2026-11-25T09:00:00.000Z");
  EXPECT_EQ(formatIso(*parseTimeBound("24h", now)), "2026-11-24T10:00:00.000Z");
  EXPECT_EQ(formatIso(*parseTimeBound("7d", now)), "2026-11-18T10:00:00.000Z");
  EXPECT_EQ(formatIso(*parseTimeBound("30d", now)), "2026-10-26T10:00:00.000Z");
}

TEST(ParseTimeBound, RejectsAnythingElse) {
  const TimePoint now = *parseIso("2026-11-25T10:00:00.000Z");
  for (const char* bad : {"", "yesterday", "-1h", "0h", "2026-13-01", "2026-11-25T10:00:00", "1y", "99999999999999d"}) {
    auto r = parseTimeBound(bad, now);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.status().code(), ErrorCode::invalid_argument);
  }
}

TEST(ParseCursor, AcceptsPositiveDecimalIdsOnly) {
  EXPECT_EQ(*parseCursor("42"), 42);
  EXPECT_EQ(*parseCursor("9223372036854775807"), INT64_MAX);
  for (const char* bad : {"", "0", "-3", "+3", " 3", "3 ", "abc", "12x", "9223372036854775808"}) {
    auto r = parseCursor(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.status().code(), ErrorCode::invalid_argument);
  }
}

TEST(ParseLimit, AcceptsOneToTheMaximum) {
  EXPECT_EQ(*parseLimit("1"), 1);
  EXPECT_EQ(*parseLimit("200"), kMaxJobLimit);
  for (const char* bad : {"0", "201", "-1", "ten", ""}) EXPECT_FALSE(parseLimit(bad)) << bad;
}

}  // namespace
}  // namespace snapq
