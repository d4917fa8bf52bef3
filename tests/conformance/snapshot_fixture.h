// The snapshot conformance fixture: a resource with a field of every type
// (and fields named like SQL keywords) and helpers to sync rows and to change
// rows inside real job transactions.
#pragma once

#include <algorithm>
#include <set>

#include "conformance/store_fixture.h"

namespace snapq::testing {

class SnapshotTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    resource_.name = "records";
    resource_.key = {"id"};
    resource_.fields = {
        field("id", FieldType::string),
        field("name", FieldType::string, /*indexed=*/true, /*searchable=*/true),
        field("ttl", FieldType::integer, true),
        field("weight", FieldType::number),
        field("enabled", FieldType::boolean),
        field("meta", FieldType::json),
        field("user", FieldType::string, false, true),
        field("order", FieldType::integer, true),
        field("password", FieldType::string),
    };
    resource_.fields.back().write_only = true;
    table_ = SnapshotTable{"svc", &resource_};
    ASSERT_TRUE(snaps().ensureTable(table_).isOk());
  }

  static FieldSpec field(std::string name, FieldType type, bool indexed = false, bool searchable = false) {
    FieldSpec f;
    f.name = std::move(name);
    f.type = type;
    f.indexed = indexed;
    f.searchable = searchable;
    return f;
  }

  SnapshotStore& snaps() { return store_->snapshots(); }

  // A remote object: its fields, its doc (the same JSON) and a hash standing for its content.
  static SnapshotRow remote(const std::string& key, nlohmann::json fields, const std::string& instance = "default",
                            const std::string& scope = "") {
    SnapshotRow r;
    r.instance = instance;
    r.scope = scope;
    r.key = key;
    fields["id"] = key;
    r.fields = fields;
    r.doc = fields.dump();
    r.content_hash = "h-" + fields.dump();
    return r;
  }

  SyncBatchResult sync(std::vector<SnapshotRow> upserts, std::vector<std::string> deletes = {}, TimePoint now = t0(),
                       const std::string& instance = "default", const std::string& scope = "") {
    SyncBatch b;
    b.instance = instance;
    b.scope = scope;
    b.now = now;
    b.upserts = std::move(upserts);
    b.deletes = std::move(deletes);
    auto r = snaps().applySync(table_, std::move(b));
    EXPECT_TRUE(r.isOk()) << r.status().toString();
    return r.isOk() ? *r : SyncBatchResult{};
  }

  std::optional<SnapshotRow> find(const std::string& key, const std::optional<std::string>& scope = std::string(),
                                  const std::string& instance = "default") {
    auto r = snaps().findRow(table_, instance, scope, key);
    EXPECT_TRUE(r.isOk()) << r.status().toString();
    return r.isOk() ? *r : std::nullopt;
  }

  // Dispatches a mutation job whose DispatchHook marks `key`; the job id, or
  // the hook's (and so the insert's) error.
  Result<int64_t> dispatch(const std::string& key, RowStatus status, const std::string& pending_data = "{}",
                           const std::string& scope = "") {
    InsertJobsRequest r;
    r.now = t0();
    NewJob j = job("svc", "update");
    j.kind = JobKind::mutation;
    j.target_type = "records";
    j.target_id = key;
    r.jobs.push_back(j);
    r.extra = [&](Txn& txn, const std::vector<InsertedJob>& jobs) {
      return snaps().markPending(txn, table_, RowChange{"default", scope, key}, status, jobs.front().id, pending_data,
                                 t0() + Duration(5));
    };
    auto ids = store_->insertJobs(std::move(r));
    if (!ids) return ids.status();
    return ids->front().id;
  }

  // Runs `fn` inside a write transaction of the store (that of a throwaway job's insert).
  Status inTxn(const std::function<Status(Txn&)>& fn) {
    InsertJobsRequest r;
    r.now = t0();
    r.jobs.push_back(job("svc", "noop"));
    r.extra = [&](Txn& txn, const std::vector<InsertedJob>&) { return fn(txn); };
    return store_->insertJobs(std::move(r)).status();
  }

  // A column of one row, read below the interface (e.g. _remote_hash).
  std::string rawColumn(const std::string& column, const std::string& key) {
    auto rows = rawQuery(url_, "SELECT \"" + column + "\" FROM snap_svc_records WHERE key = '" + key + "'");
    EXPECT_TRUE(rows.isOk()) << rows.status().toString();
    if (!rows.isOk() || rows->empty()) return "<no row>";
    return rows->front().front();
  }

  std::set<std::string> columnNames(const std::string& table = "snap_svc_records") {
    std::string sql = GetParam() == "sqlite"
                          ? "SELECT name FROM pragma_table_info('" + table + "')"
                          : "SELECT column_name FROM information_schema.columns WHERE table_name = '" + table + "'";
    auto rows = rawQuery(url_, sql);
    EXPECT_TRUE(rows.isOk()) << rows.status().toString();
    std::set<std::string> names;
    if (rows.isOk()) {
      for (const auto& r : *rows) names.insert(r.front());
    }
    return names;
  }

  SnapshotPage list(SnapshotQuery q) {
    auto page = snaps().listRows(table_, q);
    EXPECT_TRUE(page.isOk()) << page.status().toString();
    return page.isOk() ? *page : SnapshotPage{};
  }

  static std::vector<std::string> keys(const std::vector<SnapshotRow>& rows) {
    std::vector<std::string> out;
    for (const SnapshotRow& r : rows) out.push_back(r.key);
    return out;
  }

  // Every row of a query, following next_cursor; fails the test on a cycle.
  std::vector<SnapshotRow> listAll(SnapshotQuery q) {
    std::vector<SnapshotRow> all;
    for (int pages = 0; pages < 10000; ++pages) {
      SnapshotPage page = list(q);
      all.insert(all.end(), page.rows.begin(), page.rows.end());
      if (page.next_cursor.empty()) return all;
      q.cursor = page.next_cursor;
    }
    ADD_FAILURE() << "pagination did not end";
    return all;
  }

  ResourceSpec resource_;
  SnapshotTable table_;
};

}  // namespace snapq::testing
