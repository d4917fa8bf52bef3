#include "core/time_format.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace snapq {
namespace {

TimePoint at(int64_t ms) { return TimePoint(Duration(ms)); }

TEST(FormatIso, Epoch) { EXPECT_EQ(formatIso(at(0)), "1970-01-01T00:00:00.000Z"); }

TEST(FormatIso, KnownValues) {
  // Reference values from `date -u -d @<seconds>`.
  EXPECT_EQ(formatIso(at(1764064800123)), "2025-11-25T10:00:00.123Z");
  EXPECT_EQ(formatIso(at(1795600800000)), "2026-11-25T10:00:00.000Z");
  EXPECT_EQ(formatIso(at(951782400000)), "2000-02-29T00:00:00.000Z");
  EXPECT_EQ(formatIso(at(1709210096007)), "2024-02-29T12:34:56.007Z");
}

TEST(FormatIso, BeforeEpoch) {
  EXPECT_EQ(formatIso(at(-1)), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(formatIso(at(-1000)), "1969-12-31T23:59:59.000Z");
}

TEST(ParseIso, KnownValues) {
  EXPECT_EQ(parseIso("1970-01-01T00:00:00Z"), at(0));
  EXPECT_EQ(parseIso("2025-11-25T10:00:00.123Z"), at(1764064800123));
  EXPECT_EQ(parseIso("2024-02-29T12:34:56Z"), at(1709210096000));
}

TEST(ParseIso, RoundTrip) {
  for (int64_t ms : {int64_t{0}, int64_t{-1}, int64_t{1764064800123}, int64_t{951782400000},
                     int64_t{253402300799999} /* 9999-12-31T23:59:59.999Z */,
                     int64_t{-62167219200000} /* 0000-01-01 */}) {
    const std::string text = formatIso(at(ms));
    EXPECT_EQ(parseIso(text), at(ms)) << text;
  }
  // Every day across several leap cycles, at a non-round time of day.
  for (int64_t day = -800; day < 20000; day += 1) {
    const int64_t ms = day * 86'400'000 + 45'296'789;
    ASSERT_EQ(parseIso(formatIso(at(ms))), at(ms)) << formatIso(at(ms));
  }
}

TEST(ParseIso, BareDateIsMidnightUtc) {
  EXPECT_EQ(parseIso("1970-01-01"), at(0));
  EXPECT_EQ(parseIso("2024-02-29"), parseIso("2024-02-29T00:00:00Z"));
}

TEST(ParseIso, LeapDays) {
  EXPECT_TRUE(parseIso("2024-02-29T00:00:00Z"));
  EXPECT_TRUE(parseIso("2000-02-29"));
  EXPECT_FALSE(parseIso("2023-02-29T00:00:00Z"));
  EXPECT_FALSE(parseIso("2023-02-29"));
  EXPECT_FALSE(parseIso("1900-02-29"));
  EXPECT_FALSE(parseIso("2024-02-30"));
}

TEST(ParseIso, Offsets) {
  EXPECT_EQ(parseIso("2025-11-25T12:00:00+02:00"), parseIso("2025-11-25T10:00:00Z"));
  EXPECT_EQ(parseIso("2025-11-25T05:30:00-04:30"), parseIso("2025-11-25T10:00:00Z"));
  EXPECT_EQ(parseIso("2025-11-25T10:00:00+00:00"), parseIso("2025-11-25T10:00:00Z"));
  // Offsets may cross a day boundary.
  EXPECT_EQ(parseIso("2025-01-01T01:00:00+02:00"), parseIso("2024-12-31T23:00:00Z"));
}

TEST(ParseIso, FractionsTruncateToMilliseconds) {
  EXPECT_EQ(parseIso("1970-01-01T00:00:00.1Z"), at(100));
  EXPECT_EQ(parseIso("1970-01-01T00:00:00.12Z"), at(120));
  EXPECT_EQ(parseIso("1970-01-01T00:00:00.123Z"), at(123));
  EXPECT_EQ(parseIso("1970-01-01T00:00:00.1239Z"), at(123));
  EXPECT_EQ(parseIso("1970-01-01T00:00:00.999999999Z"), at(999));
  EXPECT_EQ(parseIso("1970-01-01T00:00:01.5+01:00"), at(-3'600'000 + 1500));
  EXPECT_FALSE(parseIso("1970-01-01T00:00:00.Z"));
  EXPECT_FALSE(parseIso("1970-01-01T00:00:00.1234567890Z"));
}

TEST(ParseIso, RejectsOutOfRange) {
  EXPECT_FALSE(parseIso("2025-00-10"));
  EXPECT_FALSE(parseIso("2025-13-10"));
  EXPECT_FALSE(parseIso("2025-04-31"));
  EXPECT_FALSE(parseIso("2025-04-00"));
  EXPECT_FALSE(parseIso("2025-04-01T24:00:00Z"));
  EXPECT_FALSE(parseIso("2025-04-01T23:60:00Z"));
  EXPECT_FALSE(parseIso("2025-04-01T23:59:60Z"));
  EXPECT_FALSE(parseIso("2025-04-01T10:00:00+24:00"));
  EXPECT_FALSE(parseIso("2025-04-01T10:00:00+01:60"));
}

TEST(ParseIso, RejectsGarbage) {
  for (const char* text : {"",
                           "x",
                           "2025",
                           "2025-11",
                           "2025-11-25T",
                           "2025-11-25T10:00",
                           "2025-11-25T10:00:00",
                           "2025-11-25 10:00:00Z",
                           "2025-11-25t10:00:00z",
                           "2025-11-25T10:00:00ZZ",
                           "2025-11-25T10:00:00Z ",
                           " 2025-11-25T10:00:00Z",
                           "2025-11-25T10:00:00+0200",
                           "2025-11-25T10:00:00+02",
                           "25-11-25",
                           "2025-1-25",
                           "2025-11-25X",
                           "2025-11-25T1a:00:00Z",
                           "+2025-11-25",
                           "2025-11-25T10:00:00.12aZ"}) {
    EXPECT_FALSE(parseIso(text)) << '"' << text << '"';
  }
}

TEST(ParseDuration, Units) {
  EXPECT_EQ(parseDuration("500ms"), Duration(500));
  EXPECT_EQ(parseDuration("10s"), Duration(10'000));
  EXPECT_EQ(parseDuration("15m"), Duration(15 * 60'000));
  EXPECT_EQ(parseDuration("1h"), Duration(3'600'000));
  EXPECT_EQ(parseDuration("24h"), Duration(24 * 3'600'000));
  EXPECT_EQ(parseDuration("7d"), Duration(int64_t{7} * 86'400'000));
  EXPECT_EQ(parseDuration("30d"), Duration(int64_t{30} * 86'400'000));
}

TEST(ParseDuration, RejectsGarbage) {
  for (const char* text : {"", "ms", "10", "-5s", "+5s", "0s", "0ms", "5 s", " 5s", "5s ", "5S",
                           "5sec", "5w", "5.5s", "5ss", "1h30m", "5mss", "abc"}) {
    EXPECT_FALSE(parseDuration(text)) << '"' << text << '"';
  }
}

TEST(ParseDuration, RejectsOverflow) {
  EXPECT_EQ(parseDuration("9223372036854775807ms"), Duration(INT64_MAX));
  EXPECT_FALSE(parseDuration("9223372036854775808ms"));
  EXPECT_FALSE(parseDuration("99999999999999999999999ms"));
  EXPECT_FALSE(parseDuration("9223372036854776s"));
  EXPECT_FALSE(parseDuration("106751991167301d"));
  EXPECT_TRUE(parseDuration("106751991167d"));
}

}  // namespace
}  // namespace snapq
