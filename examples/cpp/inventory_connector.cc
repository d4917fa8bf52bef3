// A C++ connector, end to end: snapq keeps a snapshot of a service that the
// declarative `rest` connector cannot describe (here: an in-process
// inventory; in real life a gRPC client, an SDK, an LDAP directory...).
//
// Build: it is part of the project's build (examples/cpp/CMakeLists.txt) and
// runs as a test. Read it top to bottom: the connector, the config, then the
// program that syncs, reads and changes the remote objects through snapq.
#include <cstdio>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>

#include "snapq/config.h"
#include "snapq/connector.h"
#include "snapq/engine.h"
#include "snapq/snapshots.h"

using json = nlohmann::json;
using namespace snapq;

// ---------------------------------------------------------------- the service

// The "remote" service: items by SKU. Thread-safe: snapq calls connectors
// from several worker threads at once.
class Inventory {
 public:
  std::map<std::string, json> items;
  std::mutex mu;
};

class InventoryConnector final : public Connector {
 public:
  explicit InventoryConnector(Inventory& inventory) : inv_(inventory) {}

  // Pages of two items; the cursor is the last SKU of the previous page.
  RemoteResult<Page> list(const std::string&, const Scope&, const std::string& cursor) override {
    std::lock_guard lock(inv_.mu);
    Page page;
    auto it = cursor.empty() ? inv_.items.begin() : inv_.items.upper_bound(cursor);
    for (; it != inv_.items.end() && page.objects.size() < 2; ++it) page.objects.push_back(it->second);
    if (it != inv_.items.end()) page.next_cursor = page.objects.back()["sku"].get<std::string>();
    return page;
  }
  RemoteResult<std::optional<json>> get(const ObjectRef& object) override {
    std::lock_guard lock(inv_.mu);
    auto it = inv_.items.find(object.key);
    if (it == inv_.items.end()) return std::optional<json>();
    return std::optional<json>(it->second);
  }
  RemoteResult<json> create(const ObjectRef& object) override {
    std::lock_guard lock(inv_.mu);
    std::string sku = object.values.value("sku", "");
    if (inv_.items.contains(sku)) return RemoteError{RemoteError::Kind::rejected, "SKU " + sku + " exists", {}, 409};
    return inv_.items[sku] = object.values;
  }
  RemoteResult<json> update(const ObjectRef& object) override {
    std::lock_guard lock(inv_.mu);
    auto it = inv_.items.find(object.key);
    if (it == inv_.items.end()) return RemoteError{RemoteError::Kind::not_found, "no such SKU", {}, 404};
    it->second.update(object.payload);  // a PATCH: only what the caller sent
    return it->second;
  }
  RemoteResult<Done> remove(const ObjectRef& object) override {
    std::lock_guard lock(inv_.mu);
    inv_.items.erase(object.key);
    return Done{};
  }
  RemoteResult<json> action(const std::string& name, const ObjectRef& object) override {
    if (name != "restock") return RemoteError{RemoteError::Kind::rejected, "unknown action " + name, {}, 400};
    std::lock_guard lock(inv_.mu);
    auto it = inv_.items.find(object.key);
    if (it == inv_.items.end()) return RemoteError{RemoteError::Kind::not_found, "no such SKU", {}, 404};
    it->second["stock"] = it->second.value("stock", 0) + object.payload.value("amount", 0);
    return it->second;
  }

 private:
  Inventory& inv_;
};

// ---------------------------------------------------------------- the config

const char* kConfig = R"(
services:
  inventory:
    connector: inventory        # the name our factory answers to
    resources:
      items:
        key: sku
        fields:
          sku: string
          name: {type: string, searchable: true}
          stock: {type: integer, indexed: true}
        create: {}
        update: {}
        delete: {}
        actions:
          restock: {label: Restock, conflict: last_write_wins}
)";

// ---------------------------------------------------------------- the program

bool check(bool ok, const std::string& what) {
  std::cout << (ok ? "ok   " : "FAIL ") << what << '\n';
  return ok;
}

Job waitFor(Engine& engine, int64_t id) {
  while (true) {
    auto job = engine.store().getJob(id);
    if (job && isTerminal(job->status)) return *job;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

int main(int argc, char** argv) {
  std::string db = argc > 1 ? argv[1] : "sqlite:inventory-example.db";
  if (db.rfind("sqlite:", 0) == 0) {  // the example starts from an empty database
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((db.substr(7) + suffix).c_str());
  }
  Inventory inventory;
  for (auto [sku, name, stock] : {std::tuple{"A-1", "anvil", 3}, {"B-2", "bucket", 10}, {"C-3", "crowbar", 0}}) {
    inventory.items[sku] = {{"sku", sku}, {"name", name}, {"stock", stock}};
  }

  LoadOptions load;
  load.connectors = {"inventory"};
  ConfigCheck config = checkConfigText(kConfig, load);
  if (!config.ok()) {
    std::cerr << config.problems[0].message << '\n';
    return 1;
  }
  auto store = openStore(db);
  if (!store || !(*store)->migrate()) return 1;
  auto engine = Engine::open(*store, Engine::Keys{std::string(32, 'x'), ""});
  if (!engine) return 1;
  auto snapshots = Snapshots::open(*config.config, **engine, [&](const ServiceSpec&, const InstanceSpec&) {
    return Result<std::unique_ptr<Connector>>(std::make_unique<InventoryConnector>(inventory));
  });
  if (!snapshots) {
    std::cerr << snapshots.status().toString() << '\n';
    return 1;
  }
  if (!(*engine)->start()) return 1;
  Repository items = *(*snapshots)->repository("inventory", "items");
  Actor me = Actor::user("example");
  bool ok = true;

  // Pull the remote objects into the snapshot table snap_inventory_items.
  ok &= check(waitFor(**engine, items.syncNow(me)->id).status == JobStatus::success, "sync");
  SnapshotQuery in_stock;
  in_stock.sort = "stock";
  in_stock.descending = true;
  auto page = items.list(in_stock);
  ok &= check(page && page->rows.size() == 3 && page->rows[0].key == "B-2", "rows sorted by stock, from the database");

  // Change one through a mutation job: conflict check, write, read back, row + job in one transaction.
  auto update = items.update("A-1", {{"stock", 7}}, me);
  ok &= check(update && waitFor(**engine, update->id).status == JobStatus::success, "update A-1");
  ok &= check(inventory.items["A-1"]["stock"] == 7, "the remote object changed");
  ok &= check((*items.find("A-1"))->fields["stock"] == 7, "the row changed with it");

  // Someone changes C-3 behind snapq's back: our update finds out and writes nothing.
  auto stale = items.find("C-3");
  inventory.items["C-3"]["name"] = "crowbar (large)";
  auto conflicting = items.update("C-3", {{"stock", 1}}, me, (*stale)->content_hash);
  ok &= check(conflicting && waitFor(**engine, conflicting->id).status == JobStatus::conflict, "conflict detected");
  ok &= check(inventory.items["C-3"]["stock"] == 0, "nothing written remotely");
  ok &= check(items.conflicts()->rows.size() == 1, "the row is marked conflict");

  auto restock = items.action("restock", "B-2", {{"amount", 5}}, me);
  ok &= check(restock && waitFor(**engine, restock->id).status == JobStatus::success, "custom action restock");
  ok &= check((*items.find("B-2"))->fields["stock"] == 15, "restocked row");
  ok &= check(items.lastSyncedAt().isOk() && items.lastSyncedAt()->has_value(), "last synced time known");

  (*engine)->stop();
  std::cout << (ok ? "example finished: all ok\n" : "example finished with failures\n");
  return ok ? 0 : 1;
}
