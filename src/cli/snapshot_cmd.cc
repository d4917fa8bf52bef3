// snapq snapshot list|get: read snapshot rows from the database (never from
// the service): filters, search, sort and keyset pages, as the HTTP API does.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/cli_common.h"
#include "cli/runtime.h"
#include "sync/row_json.h"
#include "sync/snapshot_query_parse.h"

namespace snapq::cli {
namespace {

using json = nlohmann::json;

struct SnapshotArgs {
  RuntimeArgs runtime;
  std::string service;
  std::string resource;
  std::string key;
  std::optional<std::string> instance;
  std::optional<std::string> scope;
  std::string q;
  std::vector<std::string> where;
  std::string status;
  std::string sort = "key";
  int limit = 50;
  std::string cursor;
  bool json = false;
};

std::string cell(const json& v) {
  if (v.is_null()) return "";
  std::string s = v.is_string() ? v.get<std::string>() : v.dump();
  return s.size() > 40 ? s.substr(0, 39) + "~" : s;
}

void printTable(const ResourceSpec& resource, const SnapshotPage& page) {
  std::vector<std::string> columns = {"key"};
  for (const FieldSpec& f : resource.fields) {
    if (!f.write_only && !resource.isKeyField(f.name)) columns.push_back(f.name);
  }
  columns.push_back("sync_status");
  std::vector<std::vector<std::string>> rows;
  for (const SnapshotRow& row : page.rows) {
    json j = rowToJson(row);
    std::vector<std::string> cells;
    for (const std::string& c : columns) cells.push_back(cell(j.value(c, json(nullptr))));
    rows.push_back(std::move(cells));
  }
  std::vector<size_t> width(columns.size());
  for (size_t i = 0; i < columns.size(); ++i) {
    width[i] = columns[i].size();
    for (const auto& r : rows) width[i] = std::max(width[i], r[i].size());
  }
  auto line = [&](const std::vector<std::string>& cells) {
    for (size_t i = 0; i < cells.size(); ++i) {
      std::cout << cells[i] << (i + 1 < cells.size() ? std::string(width[i] - cells[i].size() + 2, ' ') : "");
    }
    std::cout << '\n';
  };
  line(columns);
  for (const auto& r : rows) line(r);
  if (!page.next_cursor.empty()) std::cout << "more: --cursor " << page.next_cursor << '\n';
}

int runList(const SnapshotArgs& args) {
  int exit_code = kExitOk;
  auto rt = Runtime::open(args.runtime, false, exit_code);
  if (!rt) return exit_code;
  auto table = rt->sync->table(args.service, args.resource);
  if (!table) return reportStatus(table.status());
  SnapshotQuery query;
  query.instance = args.instance;
  query.scope = args.scope;
  query.q = args.q;
  query.limit = args.limit;
  query.cursor = args.cursor;
  if (Status s = parseRowSort(args.sort, query); !s) return usageError("--sort: " + s.message());
  for (const std::string& w : args.where) {
    size_t eq = w.find('=');
    if (eq == std::string::npos || eq == 0) return usageError("--where needs field=value, got '" + w + "'");
    query.equals[w.substr(0, eq)] = w.substr(eq + 1);
  }
  auto statuses = parseRowStatusList(args.status);
  if (!statuses) return usageError("--status: " + statuses.status().message());
  query.statuses = std::move(*statuses);
  auto page = rt->sync->snapshots().listRows(*table, query);
  if (!page) return reportStatus(page.status());
  if (args.json) {
    json rows = json::array();
    for (const SnapshotRow& row : page->rows) rows.push_back(rowToJson(row));
    json out = {{"rows", rows}, {"next_cursor", page->next_cursor.empty() ? json(nullptr) : json(page->next_cursor)}};
    std::cout << out.dump(2) << '\n';
  } else {
    printTable(*table->resource, *page);
  }
  return kExitOk;
}

int runGet(const SnapshotArgs& args) {
  int exit_code = kExitOk;
  auto rt = Runtime::open(args.runtime, false, exit_code);
  if (!rt) return exit_code;
  auto table = rt->sync->table(args.service, args.resource);
  if (!table) return reportStatus(table.status());
  auto row = rt->sync->snapshots().findRow(*table, args.instance.value_or("default"), args.scope, args.key);
  if (!row) return reportStatus(row.status());
  if (!*row) return reportStatus(Status::notFound("no " + args.resource + " with key '" + args.key + "' in the snapshot"));
  json j = rowToJson(**row, true);
  if (args.json) {
    std::cout << j.dump(2) << '\n';
  } else {
    for (const auto& [name, value] : j.items()) {
      if (name != "doc") std::cout << name << ": " << (value.is_string() ? value.get<std::string>() : value.dump()) << '\n';
    }
    std::cout << "doc: " << j["doc"].dump(2) << '\n';
  }
  return kExitOk;
}

}  // namespace

void addSnapshotCommand(CLI::App& app, Action& chosen) {
  CLI::App* snapshot = app.add_subcommand("snapshot", "read snapshot rows (local; the service is not called)");
  snapshot->require_subcommand(1);
  auto list_args = std::make_shared<SnapshotArgs>();
  CLI::App* list = snapshot->add_subcommand("list", "list rows: filters, search, sort, pages");
  list->add_option("service", list_args->service)->required();
  list->add_option("resource", list_args->resource)->required();
  list->add_option("--instance", list_args->instance, "only this instance");
  list->add_option("--scope", list_args->scope, "only this scope");
  list->add_option("-q,--search", list_args->q, "case-insensitive text in the searchable fields or the key");
  list->add_option("--where", list_args->where, "exact match on a field: field=value; repeatable")->type_name("F=V");
  list->add_option("--status", list_args->status,
                   "synced, pending, pending_update, failed, conflict, ... (comma list)");
  list->add_option("--sort", list_args->sort, "field to sort by; -field for descending")->default_val("key");
  list->add_option("--limit", list_args->limit, "rows per page")->check(CLI::Range(1, 1000))->default_val(50);
  list->add_option("--cursor", list_args->cursor, "the next page, as a previous page printed it");
  list->add_flag("--json", list_args->json, "print JSON");
  addRuntimeOptions(*list, list_args->runtime);
  list->callback([list_args, &chosen] { chosen = [list_args] { return runList(*list_args); }; });

  auto get_args = std::make_shared<SnapshotArgs>();
  CLI::App* get = snapshot->add_subcommand("get", "one row with its full remote document");
  get->add_option("service", get_args->service)->required();
  get->add_option("resource", get_args->resource)->required();
  get->add_option("key", get_args->key)->required();
  get->add_option("--instance", get_args->instance, "instance (default: default)");
  get->add_option("--scope", get_args->scope, "scope, when the key is not unique across scopes");
  get->add_flag("--json", get_args->json, "print JSON");
  addRuntimeOptions(*get, get_args->runtime);
  get->callback([get_args, &chosen] { chosen = [get_args] { return runGet(*get_args); }; });
}

}  // namespace snapq::cli
