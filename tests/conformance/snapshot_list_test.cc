// listRows on every driver: typed filters, status filters, text search with
// LIKE metacharacters, sorting with NULLs and ties, keyset pagination, and
// the refusals of bad input.
#include "conformance/snapshot_fixture.h"

namespace snapq::testing {
namespace {

using SnapshotList = SnapshotTest;

SnapshotQuery query(const std::function<void(SnapshotQuery&)>& set) {
  SnapshotQuery q;
  set(q);
  return q;
}

// Expected order of rows sorted by an optional integer field: NULLs first
// ascending, ties by (instance, scope, key); descending is the exact reverse.
std::vector<std::string> orderByTtl(const std::vector<SnapshotRow>& rows, bool descending) {
  std::vector<SnapshotRow> sorted = rows;
  auto rank = [](const SnapshotRow& r) {
    const nlohmann::json v = r.fields.contains("ttl") ? r.fields.at("ttl") : nlohmann::json();
    return std::make_tuple(!v.is_null(), v.is_null() ? int64_t{0} : v.get<int64_t>(), r.instance, r.scope, r.key);
  };
  std::sort(sorted.begin(), sorted.end(),
            [&](const SnapshotRow& a, const SnapshotRow& b) { return rank(a) < rank(b); });
  if (descending) std::reverse(sorted.begin(), sorted.end());
  std::vector<std::string> out;
  for (const SnapshotRow& r : sorted) out.push_back(r.key);
  return out;
}

TEST_P(SnapshotList, FiltersConvertTheTextToEachFieldsType) {
  sync({remote("a", {{"name", "alpha"}, {"ttl", 5}, {"enabled", true}, {"weight", 0.5}, {"order", 1}}),
        remote("b", {{"name", "beta"}, {"ttl", 50}, {"enabled", false}, {"weight", 1.5}}),
        remote("c", {{"name", "alpha"}, {"ttl", 5}, {"enabled", false}})});
  auto filtered = [&](std::map<std::string, std::string> equals) {
    SnapshotQuery q;
    q.equals = std::move(equals);
    return keys(list(q).rows);
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(filtered({{"name", "alpha"}}), (V{"a", "c"}));
  EXPECT_EQ(filtered({{"ttl", "5"}}), (V{"a", "c"}));
  EXPECT_EQ(filtered({{"ttl", "50"}}), (V{"b"}));
  EXPECT_EQ(filtered({{"enabled", "true"}}), (V{"a"}));
  EXPECT_EQ(filtered({{"enabled", "false"}}), (V{"b", "c"}));
  EXPECT_EQ(filtered({{"weight", "1.5"}}), (V{"b"}));
  EXPECT_EQ(filtered({{"order", "1"}}), (V{"a"}));
  EXPECT_EQ(filtered({{"name", "alpha"}, {"enabled", "false"}}), (V{"c"}));
  EXPECT_EQ(filtered({{"key", "b"}}), (V{"b"}));
  EXPECT_EQ(filtered({{"instance", "default"}, {"scope", ""}}), (V{"a", "b", "c"}));
  EXPECT_EQ(filtered({{"instance", "eu"}}), (V{}));
}

TEST_P(SnapshotList, UnknownOrUnfilterableFieldsAndBadValuesAreInvalidArguments) {
  for (const auto& [field, value] : std::map<std::string, std::string>{
           {"nope", "1"}, {"password", "x"}, {"meta", "{}"}, {"ttl", "5x"}, {"enabled", "yes"}, {"weight", "many"}}) {
    SnapshotQuery q;
    q.equals[field] = value;
    auto page = snaps().listRows(table_, q);
    ASSERT_FALSE(page.isOk()) << field;
    EXPECT_EQ(page.status().code(), ErrorCode::invalid_argument) << field;
    EXPECT_NE(page.status().message().find(field), std::string::npos) << page.status().message();
  }
}

TEST_P(SnapshotList, StatusAndPendingOnlyFilterByRowStatus) {
  sync({remote("a", {}), remote("b", {}), remote("c", {})});
  ASSERT_TRUE(dispatch("b", RowStatus::pending_update).isOk());
  ASSERT_TRUE(dispatch("n", RowStatus::pending_create).isOk());
  SnapshotQuery q;
  q.status = RowStatus::pending_update;
  EXPECT_EQ(keys(list(q).rows), std::vector<std::string>{"b"});
  q.status.reset();
  q.pending_only = true;
  EXPECT_EQ(keys(list(q).rows), (std::vector<std::string>{"b", "n"}));
  q.pending_only = false;
  q.status = RowStatus::synced;
  EXPECT_EQ(keys(list(q).rows), (std::vector<std::string>{"a", "c"}));
  q.status.reset();
  q.statuses = {RowStatus::pending_create, RowStatus::synced};
  EXPECT_EQ(keys(list(q).rows), (std::vector<std::string>{"a", "c", "n"}));
  q.statuses = {RowStatus::failed, RowStatus::conflict};
  EXPECT_EQ(keys(list(q).rows), std::vector<std::string>{});
  auto n = list(query([&](SnapshotQuery& q) { q.equals = {{"key", "n"}}; })).rows;
  ASSERT_EQ(n.size(), 1u);
  EXPECT_EQ(n[0].pending_data, "{}");
  EXPECT_GT(n[0].pending_job_id, 0);
}

TEST_P(SnapshotList, TextSearchIsCaseInsensitiveCoversKeyAndSearchableFieldsAndTakesMetacharactersLiterally) {
  sync({remote("pct", {{"name", "100% sure"}}), remote("nopct", {{"name", "100 sure"}}),
        remote("under", {{"name", "a_b"}}), remote("nounder", {{"name", "axb"}}),
        remote("quote", {{"name", "O'Brien"}}), remote("slash", {{"name", "back\\slash"}}),
        remote("noslash", {{"name", "backslash"}}), remote("mixed", {{"name", "MiXeD Case"}}),
        remote("Special-KEY", {{"name", "nothing"}}), remote("owner", {{"user", "Carol"}}),
        remote("ttl", {{"ttl", 4242}})});
  auto search = [&](const std::string& text) {
    SnapshotQuery q;
    q.q = text;
    return keys(list(q).rows);
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(search("%"), V{"pct"});
  EXPECT_EQ(search("0% s"), V{"pct"});
  EXPECT_EQ(search("a_b"), V{"under"});
  EXPECT_EQ(search("'"), V{"quote"});
  EXPECT_EQ(search("o'brien"), V{"quote"});
  EXPECT_EQ(search("\\"), V{"slash"});
  EXPECT_EQ(search("k\\s"), V{"slash"});
  EXPECT_EQ(search("mixed case"), V{"mixed"});
  EXPECT_EQ(search("special-key"), V{"Special-KEY"});  // the key is searched too
  EXPECT_EQ(search("CAROL"), V{"owner"});              // every searchable field
  EXPECT_EQ(search("4242"), V{});                      // ttl is not searchable
  EXPECT_EQ(search("\"; DROP TABLE snap_svc_records; --"), V{});
  EXPECT_EQ(list(SnapshotQuery{}).rows.size(), 11u);
}

TEST_P(SnapshotList, SortsAscendingAndDescendingWithNullsAndTiesAcrossPages) {
  std::vector<SnapshotRow> rows = {
      remote("a", {}),           remote("b", {{"ttl", 5}}), remote("c", {{"ttl", 1}}), remote("d", {}),
      remote("e", {{"ttl", 5}}), remote("f", {{"ttl", 3}}), remote("g", {{"ttl", 5}}), remote("h", {})};
  sync(rows);
  for (bool descending : {false, true}) {
    for (int limit : {1, 2, 3, 1000}) {
      SnapshotQuery q;
      q.sort = "ttl";
      q.descending = descending;
      q.limit = limit;
      EXPECT_EQ(keys(listAll(q)), orderByTtl(rows, descending)) << "descending " << descending << " limit " << limit;
    }
  }
  SnapshotQuery q;
  q.sort = "ttl";
  EXPECT_EQ(keys(listAll(q)), (std::vector<std::string>{"a", "d", "h", "c", "f", "b", "e", "g"}));
}

TEST_P(SnapshotList, KeysetPaginationVisitsEveryRowExactlyOnceInOrder) {
  std::vector<SnapshotRow> rows;
  for (int i = 0; i < 2500; ++i) {
    char key[16];
    std::snprintf(key, sizeof key, "k%04d", (i * 7919) % 2500);  // inserted out of order
    nlohmann::json f = {{"name", "n" + std::to_string(i % 13)}, {"enabled", i % 2 == 0}, {"weight", (i % 10) / 4.0}};
    if (i % 9 != 0) f["ttl"] = (i * 37) % 101;
    rows.push_back(remote(key, f));
  }
  for (size_t from = 0; from < rows.size(); from += 500) {
    sync(
        std::vector<SnapshotRow>(rows.begin() + static_cast<long>(from), rows.begin() + static_cast<long>(from + 500)));
  }
  for (bool descending : {false, true}) {
    SnapshotQuery q;
    q.sort = "ttl";
    q.descending = descending;
    q.limit = 100;
    std::vector<SnapshotRow> all = listAll(q);
    std::vector<std::string> visited = keys(all);
    EXPECT_EQ(visited, orderByTtl(rows, descending));
    std::set<std::string> unique(visited.begin(), visited.end());
    EXPECT_EQ(unique.size(), 2500u);
  }
  SnapshotQuery by_key;
  by_key.limit = 100;
  std::vector<std::string> sorted = keys(rows);
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(keys(listAll(by_key)), sorted);
  // A real number sort with many ties, filtered.
  SnapshotQuery by_weight;
  by_weight.sort = "weight";
  by_weight.descending = true;
  by_weight.limit = 77;
  by_weight.equals["enabled"] = "true";
  std::vector<SnapshotRow> weighted = listAll(by_weight);
  EXPECT_EQ(weighted.size(), 1250u);
  for (size_t i = 1; i < weighted.size(); ++i) {
    double prev = weighted[i - 1].fields["weight"].get<double>();
    double cur = weighted[i].fields["weight"].get<double>();
    ASSERT_TRUE(prev > cur || (prev == cur && weighted[i - 1].key > weighted[i].key)) << i;
  }
}

TEST_P(SnapshotList, SortsByTimestampsWithNullLastSyncedAt) {
  sync({remote("a", {})}, {}, t0() + Duration(2000));
  sync({remote("b", {})}, {}, t0() + Duration(1000));
  ASSERT_TRUE(dispatch("c", RowStatus::pending_create).isOk());  // never synced: NULL last_synced_at
  SnapshotQuery q;
  q.sort = "last_synced_at";
  q.limit = 1;
  EXPECT_EQ(keys(listAll(q)), (std::vector<std::string>{"c", "b", "a"}));
  q.descending = true;
  EXPECT_EQ(keys(listAll(q)), (std::vector<std::string>{"a", "b", "c"}));
  q.sort = "updated_at";
  EXPECT_EQ(keys(listAll(q)), (std::vector<std::string>{"a", "b", "c"}));  // c's updated_at is t0 + 5 ms
}

TEST_P(SnapshotList, BadLimitSortOrCursorIsAnInvalidArgument) {
  sync({remote("a", {{"ttl", 1}}), remote("b", {{"ttl", 2}})});
  auto refused = [&](const SnapshotQuery& q) {
    auto page = snaps().listRows(table_, q);
    return !page.isOk() && page.status().code() == ErrorCode::invalid_argument;
  };
  EXPECT_TRUE(refused(query([&](SnapshotQuery& q) { q.limit = 0; })));
  EXPECT_TRUE(refused(query([&](SnapshotQuery& q) { q.limit = 1001; })));
  EXPECT_TRUE(refused(query([&](SnapshotQuery& q) { q.sort = "nope"; })));
  EXPECT_TRUE(refused(query([&](SnapshotQuery& q) { q.sort = "meta"; })));      // json
  EXPECT_TRUE(refused(query([&](SnapshotQuery& q) { q.sort = "password"; })));  // write-only
  EXPECT_TRUE(refused(query([&](SnapshotQuery& q) { q.cursor = "not a cursor!"; })));
  EXPECT_TRUE(refused(query([&](SnapshotQuery& q) { q.cursor = "eyJ4IjoxfQ"; })));  // base64url of {"x":1}
  SnapshotPage first = list(query([&](SnapshotQuery& q) { q.limit = 1; }));
  ASSERT_FALSE(first.next_cursor.empty());
  EXPECT_TRUE(refused(query([&](SnapshotQuery& q) {
    q.sort = "ttl";
    q.cursor = first.next_cursor;
  })));  // another sort's cursor
  EXPECT_TRUE(refused(query([&](SnapshotQuery& q) {
    q.descending = true;
    q.cursor = first.next_cursor;
  })));
  auto bad = snaps().listRows(table_, query([&](SnapshotQuery& q) { q.cursor = "@@@"; }));
  EXPECT_EQ(bad.status().message(), "invalid cursor");
  EXPECT_TRUE(list(query([&](SnapshotQuery& q) { q.limit = 1000; })).next_cursor.empty());
  EXPECT_EQ(keys(list(query([&](SnapshotQuery& q) {
                   q.limit = 1;
                   q.cursor = first.next_cursor;
                 })).rows),
            std::vector<std::string>{"b"});
}

TEST_P(SnapshotList, AnIntegerKeySortsAsNumbersByDefault) {
  ResourceSpec numbered;
  numbered.name = "numbered";
  numbered.key = {"id"};
  numbered.fields = {field("id", FieldType::integer), field("name", FieldType::string)};
  SnapshotTable table{"svc", &numbered};
  ASSERT_TRUE(snaps().ensureTable(table).isOk());
  SyncBatch b;
  b.instance = "default";
  b.now = t0();
  for (int id : {10, 9, 100, 2, 1, 11, 20, 3}) {
    SnapshotRow r = remote(std::to_string(id), {{"name", "n" + std::to_string(id)}});
    r.fields["id"] = id;
    b.upserts.push_back(r);
  }
  ASSERT_TRUE(snaps().applySync(table, std::move(b)).isOk());
  auto all = [&](bool descending) {
    SnapshotQuery q;
    q.limit = 3;
    q.descending = descending;
    std::vector<std::string> out;
    for (int pages = 0; pages < 10; ++pages) {
      auto page = snaps().listRows(table, q);
      EXPECT_TRUE(page.isOk()) << page.status().toString();
      if (!page.isOk()) break;
      for (const SnapshotRow& r : page->rows) out.push_back(r.key);
      if (page->next_cursor.empty()) break;
      q.cursor = page->next_cursor;
    }
    return out;
  };
  const std::vector<std::string> ascending = {"1", "2", "3", "9", "10", "11", "20", "100"};
  EXPECT_EQ(all(false), ascending) << "not 1, 10, 100, 11, ...";
  EXPECT_EQ(all(true), std::vector<std::string>(ascending.rbegin(), ascending.rend()));
  // A string key (the fixture's table) still sorts as text.
  sync({remote("10", {}), remote("9", {})});
  SnapshotQuery by_key;
  EXPECT_EQ(keys(listAll(by_key)), (std::vector<std::string>{"10", "9"}));
}

INSTANTIATE_TEST_SUITE_P(Drivers, SnapshotList, allDrivers(), driverName);

}  // namespace
}  // namespace snapq::testing
