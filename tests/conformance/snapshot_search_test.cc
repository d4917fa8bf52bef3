// The trigram index behind listRows' `q`, on every driver: whatever writes
// changed the table (sync inserts, updates and deletes, a mutation's commit,
// a pending create, removals), a search finds exactly the rows whose key or
// searchable field contains q (ASCII letters folded), the same as a scan of
// the rows in memory; for a q too short for a trigram, with LIKE
// metacharacters, quotes and the index's own separator; alone and with a filter.
#include <algorithm>

#include "conformance/snapshot_fixture.h"

namespace snapq::testing {
namespace {

class SnapshotSearch : public SnapshotTest {
 protected:
  static std::string folded(std::string s) {
    for (char& c : s) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return s;
  }
  static bool holds(const nlohmann::json& v, const std::string& q) {
    return v.is_string() && folded(v.get<std::string>()).find(folded(q)) != std::string::npos;
  }
  // The truth: every stored row (through listRows without q) scanned in memory.
  std::vector<std::string> scanned(const std::string& q, const std::optional<int64_t>& ttl) {
    std::vector<std::string> out;
    SnapshotQuery all;
    all.limit = 1000;
    for (const SnapshotRow& r : listAll(all)) {
      auto field = [&r](const char* name) { return r.fields.value(name, nlohmann::json()); };
      if (ttl && field("ttl") != *ttl) continue;
      if (holds(nlohmann::json(r.key), q) || holds(field("name"), q) || holds(field("user"), q)) {
        out.push_back(r.key);
      }
    }
    return out;
  }
  std::vector<std::string> searched(const std::string& q, const std::optional<int64_t>& ttl) {
    SnapshotQuery query;
    query.q = q;
    query.limit = 1000;
    if (ttl) query.equals["ttl"] = std::to_string(*ttl);
    return keys(listAll(query));
  }
  void expectSameAsAScan(const char* when) {
    SCOPED_TRACE(when);
    for (const std::string& q :
         {std::string("a"), std::string("ab"), std::string("abc"), std::string("user1"), std::string("USER12"),
          std::string("r12"), std::string("er1"), std::string("12"), std::string("%"), std::string("50%"),
          std::string("a_b"), std::string("_"), std::string("o'b"), std::string("\"q\""), std::string("x\x1fy"),
          std::string("\x1f"), std::string("zzzz"), std::string("ex.test"), std::string("caf\xc3\xa9")}) {
      for (std::optional<int64_t> ttl : {std::optional<int64_t>(), std::optional<int64_t>(3)}) {
        EXPECT_EQ(searched(q, ttl), scanned(q, ttl)) << "q=" << q << (ttl ? " ttl=3" : "");
      }
    }
  }
};

TEST_P(SnapshotSearch, FindsWhatAScanFindsAfterEveryKindOfWrite) {
  std::vector<SnapshotRow> rows;
  for (int i = 0; i < 300; ++i) {
    std::string n = std::to_string(i);
    nlohmann::json f = {{"name", "user" + n + "@ex" + std::to_string(i % 7) + ".test"}, {"ttl", i % 5}};
    if (i % 11 == 0) f["user"] = "O'Brien " + n;
    if (i % 13 == 0) f["name"] = "50% a_b \"q\" " + n;
    if (i % 17 == 0) f["name"] = "Caf\xc3\xa9 CAF\xc3\x89 " + n;
    if (i % 19 == 0) f["name"] = nullptr;
    rows.push_back(remote("k" + n, f));
  }
  sync(rows);
  expectSameAsAScan("after the first sync");

  // Updates (a searched field and an unsearched one), deletes, new rows.
  std::vector<SnapshotRow> changed;
  for (int i = 0; i < 300; i += 3) {
    changed.push_back(remote("k" + std::to_string(i), {{"name", "renamed ABC" + std::to_string(i)}, {"ttl", 3}}));
  }
  for (int i = 1; i < 300; i += 9) {
    changed.push_back(
        remote("k" + std::to_string(i), {{"name", "user" + std::to_string(i) + "@ex1.test"}, {"ttl", 3}}));
  }
  changed.push_back(remote("new-user12", {{"name", nullptr}, {"user", "xab"}}));
  std::vector<std::string> gone;
  for (int i = 2; i < 300; i += 10) {
    if (i % 3 != 0 && i % 9 != 1) gone.push_back("k" + std::to_string(i));
  }
  sync(changed, gone);
  expectSameAsAScan("after updates and deletes by a sync");

  // Mutations: a pending create, a committed update, a removal.
  auto created = inTxn([&](Txn& t) {
    return snaps().markPending(t, table_, RowChange{"default", "", "pending-ABC"}, RowStatus::pending_create, 7, "{}",
                               t0());
  });
  ASSERT_TRUE(created.isOk()) << created.toString();
  auto job = dispatch("k5", RowStatus::pending_update);
  ASSERT_TRUE(job.isOk()) << job.status().toString();
  ASSERT_TRUE(
      inTxn([&](Txn& t) {
        return snaps().commitRow(t, table_, remote("k5", {{"name", "mutated user12 r12"}, {"ttl", 3}}), *job, t0());
      }).isOk());
  ASSERT_TRUE(inTxn([&](Txn& t) { return snaps().removeRow(t, table_, RowChange{"default", "", "k7"}); }).isOk());
  expectSameAsAScan("after mutations");
  EXPECT_EQ(searched("mutated", std::nullopt), std::vector<std::string>{"k5"});
  std::vector<std::string> k7 = searched("k7", std::nullopt);
  EXPECT_EQ(std::count(k7.begin(), k7.end(), "k7"), 0) << "removed";
  EXPECT_EQ(std::count(k7.begin(), k7.end(), "k71"), 1);
}

TEST_P(SnapshotSearch, ATableFilledBeforeItsIndexOrWithAnotherSearchableFieldIsIndexedAtEnsureTable) {
  sync({remote("a", {{"name", "alpha"}, {"user", "zed-user"}}), remote("b", {{"name", "beta"}})});
  EXPECT_EQ(searched("zed", std::nullopt), std::vector<std::string>{"a"});
  // `user` stops being searched (a config change); `name` stays.
  for (FieldSpec& f : resource_.fields) {
    if (f.name == "user") f.searchable = false;
  }
  ASSERT_TRUE(snaps().ensureTable(table_).isOk());
  EXPECT_EQ(searched("zed", std::nullopt), std::vector<std::string>{});
  EXPECT_EQ(searched("alp", std::nullopt), std::vector<std::string>{"a"});
  for (FieldSpec& f : resource_.fields) {
    if (f.name == "user") f.searchable = true;
  }
  ASSERT_TRUE(snaps().ensureTable(table_).isOk());
  EXPECT_EQ(searched("zed", std::nullopt), std::vector<std::string>{"a"});
  sync({remote("c", {{"user", "zed-too"}})});
  EXPECT_EQ(searched("zed", std::nullopt), (std::vector<std::string>{"a", "c"}));
}

INSTANTIATE_TEST_SUITE_P(Drivers, SnapshotSearch, allDrivers(), driverName);

}  // namespace
}  // namespace snapq::testing
