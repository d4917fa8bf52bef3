#include "store/job_list_plan.h"

#include <gtest/gtest.h>

#include "core/time_format.h"

namespace snapq::joblist {
namespace {

TimePoint t(const char* iso) { return *parseIso(iso); }
std::string show(const std::optional<TimePoint>& p) { return p ? formatIso(*p) : "-"; }
std::vector<std::string> show(const std::vector<TimeRange>& ranges) {
  std::vector<std::string> out;
  for (const TimeRange& r : ranges) out.push_back(show(r.from) + " " + show(r.to));
  return out;
}
using Strings = std::vector<std::string>;

TEST(CountSpans, NoBoundsIsEveryDayRow) {
  CountSpans s = countSpans(std::nullopt, std::nullopt);
  EXPECT_EQ(show(s.days), Strings{"- -"});
  EXPECT_TRUE(s.hours.empty());
  EXPECT_TRUE(s.rows.empty());
}

TEST(CountSpans, SinceSplitsIntoRowsHoursAndDays) {
  CountSpans s = countSpans(t("2025-11-24T16:20:00.000Z"), std::nullopt);
  EXPECT_EQ(show(s.rows), Strings{"2025-11-24T16:20:00.000Z 2025-11-24T17:00:00.000Z"});
  EXPECT_EQ(show(s.hours), Strings{"2025-11-24T17:00:00.000Z 2025-11-25T00:00:00.000Z"});
  EXPECT_EQ(show(s.days), Strings{"2025-11-25T00:00:00.000Z -"});
}

TEST(CountSpans, AlignedBoundsNeedNoRows) {
  CountSpans s = countSpans(t("2025-11-24T00:00:00.000Z"), t("2025-11-26T05:00:00.000Z"));
  EXPECT_TRUE(s.rows.empty());
  EXPECT_EQ(show(s.days), Strings{"2025-11-24T00:00:00.000Z 2025-11-26T00:00:00.000Z"});
  EXPECT_EQ(show(s.hours), Strings{"2025-11-26T00:00:00.000Z 2025-11-26T05:00:00.000Z"});
}

TEST(CountSpans, WithinOneDayUsesHoursOnly) {
  CountSpans s = countSpans(t("2025-11-24T10:30:00.000Z"), t("2025-11-24T14:15:00.000Z"));
  EXPECT_TRUE(s.days.empty());
  EXPECT_EQ(show(s.hours), Strings{"2025-11-24T11:00:00.000Z 2025-11-24T14:00:00.000Z"});
  EXPECT_EQ(show(s.rows), (Strings{"2025-11-24T10:30:00.000Z 2025-11-24T11:00:00.000Z",
                                   "2025-11-24T14:00:00.000Z 2025-11-24T14:15:00.000Z"}));
}

TEST(CountSpans, WithinOneHourUsesRowsOnly) {
  CountSpans s = countSpans(t("2025-11-24T10:30:00.000Z"), t("2025-11-24T11:10:00.000Z"));
  EXPECT_TRUE(s.days.empty());
  EXPECT_TRUE(s.hours.empty());
  EXPECT_EQ(show(s.rows), Strings{"2025-11-24T10:30:00.000Z 2025-11-24T11:10:00.000Z"});
  EXPECT_TRUE(countSpans(t("2025-11-24T11:00:00.000Z"), t("2025-11-24T10:00:00.000Z")).rows.empty())
      << "an empty window counts nothing";
}

TEST(CountersServe, OnlyServiceActorAndTime) {
  JobFilter f;
  f.services = {"dns"};
  f.actors = {"alice"};
  f.statuses = {JobStatus::failed};
  f.since = t("2025-11-24T10:30:00.000Z");
  EXPECT_TRUE(countersServe(f));
  f.q = "x";
  EXPECT_FALSE(countersServe(f));
  f = {};
  f.actions = {"sync"};
  EXPECT_FALSE(countersServe(f));
}

TEST(Trigrams, AreCodePointWindowsWithoutRepeats) {
  EXPECT_EQ(trigrams("ab"), Strings{});
  EXPECT_EQ(trigrams("abcab"), (Strings{"abc", "bca", "cab"}));
  EXPECT_EQ(trigrams("aaaa"), Strings{"aaa"});
  EXPECT_EQ(trigrams("caf\xc3\xa9!"), (Strings{"caf", "af\xc3\xa9", "f\xc3\xa9!"})) << "é is one character";
  EXPECT_EQ(codePoints("caf\xc3\xa9"), 4u);
  auto few = trigrams("abcdefghijklmnopqrstuvwxyz", 5);
  EXPECT_EQ(few, (Strings{"abc", "fgh", "lmn", "rst", "xyz"})) << "spread over q, ends included";
}

TEST(Fts5Query, QuotesEveryTrigram) {
  EXPECT_EQ(fts5Query("a\"bc"), "\"a\"\"b\" AND \"\"\"bc\"");
  EXPECT_EQ(fts5Query("50%_"), "\"50%\" AND \"0%_\"");
  EXPECT_EQ(fts5Query("ab"), "");
}

TEST(PgTrgmUsable, NeedsThreeWordCharactersInARow) {
  EXPECT_TRUE(pgTrgmUsable("acct-123"));
  EXPECT_FALSE(pgTrgmUsable("a-b-c"));
  EXPECT_FALSE(pgTrgmUsable("%_'\\"));
  EXPECT_TRUE(pgTrgmUsable("x\xc3\xa9y"));
}

}  // namespace
}  // namespace snapq::joblist

namespace snapq::joblist {
namespace {

TEST(PgTrgmNarrowWord, PicksAWordWithDigitsTheMostThenTheLongest) {
  EXPECT_EQ(pgTrgmNarrowWord("acct-4217"), "4217");
  EXPECT_EQ(pgTrgmNarrowWord("timed out"), "") << "plain words: no narrowing";
  EXPECT_EQ(pgTrgmNarrowWord("zone 42 of host7.example"), "host7");
  EXPECT_EQ(pgTrgmNarrowWord("attempt 1 failed: boom"), "") << "a number under three characters";
  EXPECT_EQ(pgTrgmNarrowWord("user12"), "") << "q is one word: nothing narrower";
  EXPECT_EQ(pgTrgmNarrowWord("a b"), "") << "no word of three characters";
  EXPECT_EQ(pgTrgmNarrowWord("%_o"), "");
}

}  // namespace
}  // namespace snapq::joblist
