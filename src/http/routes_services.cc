// The services of the config and their snapshot rows (API.md "Services and
// snapshots"); reads come from the snapshot tables, never from the service:
//   GET /api/v1/services
//   GET /api/v1/services/{service}/{resource}
//   GET /api/v1/services/{service}/{resource}/{key}
// The dispatching routes are in routes_dispatch.cc.
#include <algorithm>

#include "core/filter_parse.h"
#include "core/time_format.h"
#include "http/page_cache.h"
#include "http/service_routes.h"
#include "queue/cron.h"
#include "sync/row_json.h"
#include "sync/snapshot_query_parse.h"
#include "sync/sync_service.h"

namespace snapq::http {

namespace {

using json = nlohmann::json;

// A page of rows: 25 unless `limit` says otherwise, at most kMaxJobLimit (200),
// as for jobs (parseLimit).
constexpr int kDefaultRowLimit = 25;

constexpr RowStatus kRowStatuses[] = {RowStatus::synced,         RowStatus::pending_create, RowStatus::pending_update,
                                      RowStatus::pending_delete, RowStatus::failed,         RowStatus::conflict};

json timeOrNull(const std::optional<TimePoint>& t) { return t ? json(formatIso(*t)) : json(nullptr); }

Reply badParam(std::string_view name, const Status& why) {
  return Reply::error(400, "bad_request", std::string(name) + ": " + why.message(), {{"parameter", std::string(name)}});
}

json fieldJson(const FieldSpec& f) {
  return {{"name", f.name},
          {"type", fieldTypeName(f.type)},
          {"indexed", f.indexed},
          {"searchable", f.searchable},
          {"hashed", f.hashed},
          {"write_only", f.write_only},
          {"required_on_create", f.required_on_create}};
}

Parsed<json> resourceJson(SyncService& sync, const ServiceSpec& service, const ResourceSpec& resource, TimePoint now) {
  json fields = json::array();
  for (const FieldSpec& f : resource.fields) fields.push_back(fieldJson(f));
  json actions = json::array();
  for (const WriteSpec& a : resource.actions)
    actions.push_back({{"name", a.name}, {"label", a.label.empty() ? a.name : a.label}});
  SnapshotTable table{service.name, &resource};
  auto counts = sync.snapshots().countRows(table);
  if (!counts) return Reply::fromStatus(counts.status());
  json by_status = json::object();
  for (RowStatus s : kRowStatuses) {
    auto it = counts->by_status.find(s);
    by_status[toString(s)] = it == counts->by_status.end() ? 0 : it->second;
  }
  auto last = sync.lastSyncedAt(service.name, resource.name);
  if (!last) return Reply::fromStatus(last.status());
  json next_run = nullptr;
  if (!resource.schedule.empty()) {
    // The loader checked the expression; one that fails here has no next run to show.
    if (auto cron = CronSchedule::parse(resource.schedule)) next_run = timeOrNull(cron->next(now));
  }
  return json{{"name", resource.name},
              {"key", resource.key},
              {"scope",
               resource.scope ? json{{"parent", resource.scope->parent}, {"var", resource.scope->var}} : json(nullptr)},
              {"fields", std::move(fields)},
              {"rows", counts->total},
              {"sync_status_counts", std::move(by_status)},
              {"last_synced_at", timeOrNull(*last)},
              {"schedule", resource.schedule.empty() ? json(nullptr) : json(resource.schedule)},
              {"next_run_at", std::move(next_run)},
              {"writes",
               {{"create", resource.create.has_value()},
                {"update", resource.update.has_value()},
                {"delete", resource.remove.has_value()}}},
              {"actions", std::move(actions)}};
}

Reply listServices(ApiContext& ctx, ApiRequest& r) {
  if (auto bad = rejectUnknownParams(r, {})) return *bad;
  json services = json::array();
  if (ctx.sync == nullptr || ctx.config == nullptr) return Reply::json(200, {{"services", std::move(services)}});
  for (const ServiceSpec& service : ctx.sync->config().services) {
    json instances = json::array();
    for (const InstanceSpec& inst : service.instances) {
      const InstanceGate* gate = ctx.sync->gate(service.name, inst.name);
      instances.push_back({{"name", inst.name}, {"circuit", gate ? toString(gate->circuit()) : "closed"}});
    }
    json resources = json::array();
    for (const ResourceSpec& resource : service.resources) {
      auto one = resourceJson(*ctx.sync, service, resource, r.now);
      if (failed(one)) return std::get<Reply>(one);
      resources.push_back(std::move(std::get<json>(one)));
    }
    services.push_back({{"name", service.name},
                        {"connector", service.connector},
                        {"instances", std::move(instances)},
                        {"resources", std::move(resources)}});
  }
  return Reply::json(200, {{"services", std::move(services)}});
}

// The listing parameters; any other name must be a declared field (an exact
// filter), else it is a 400, so a typo never silently widens the result.
constexpr std::string_view kListParams[] = {"instance", "scope", "q", "sync_status", "sort", "limit", "cursor"};

Parsed<SnapshotQuery> listQuery(ApiContext& ctx, const ApiRequest& r, const SnapshotTable& table) {
  const ResourceSpec& resource = *table.resource;
  SnapshotQuery query;
  query.limit = kDefaultRowLimit;
  for (const auto& [name, value] : r.http.query) {
    if (std::find(std::begin(kListParams), std::end(kListParams), name) != std::end(kListParams)) {
      if (r.http.query.getAll(name).size() > 1) return badParam(name, Status::invalidArgument("given more than once"));
      continue;
    }
    if (resource.field(name) == nullptr) {
      std::string accepted;
      for (std::string_view p : kListParams) accepted += std::string(p) + ", ";
      return Reply::error(
          400, "unknown_parameter",
          "unknown query parameter '" + name + "'; accepted: " + accepted + "and the fields of " + resource.name,
          {{"parameter", name}});
    }
    if (!query.equals.emplace(name, value).second) {
      return badParam(name, Status::invalidArgument("given more than once"));
    }
  }
  if (auto instance = r.http.query.get("instance")) {
    if (auto unknown = unknownInstance(table, ctx, *instance)) return *unknown;
    query.instance = *instance;
  }
  if (auto scope = r.http.query.get("scope")) query.scope = *scope;
  query.q = r.http.query.get("q").value_or("");
  auto statuses = parseRowStatusList(r.http.query.get("sync_status").value_or(""));
  if (!statuses) return badParam("sync_status", statuses.status());
  query.statuses = std::move(*statuses);
  if (Status s = parseRowSort(r.http.query.get("sort").value_or(""), query); !s) return badParam("sort", s);
  if (auto text = r.http.query.get("limit")) {
    auto limit = parseLimit(*text);
    if (!limit) return badParam("limit", limit.status());
    query.limit = *limit;
  }
  query.cursor = r.http.query.get("cursor").value_or("");
  return query;
}

// What a listing's answer depends on: the table, the query parameters in a
// canonical order (each length-prefixed, so no value can imitate a separator)
// and the caller's permissions (the same for every caller allowed here today;
// in the key so that an answer shaped by them later is never shared).
std::string pageKey(const SnapshotTable& t, const ApiRequest& r) {
  std::vector<std::pair<std::string, std::string>> params(r.http.query.begin(), r.http.query.end());
  std::sort(params.begin(), params.end());
  std::string key = t.name();
  auto add = [&key](const std::string& s) { key.append(std::to_string(s.size())).append(":").append(s); };
  for (const auto& [name, value] : params) add(name), add(value);
  key += "|";
  for (Permission p : r.principal->permissions.list()) key.append(toString(p)).append(",");
  return key;
}

Reply listRows(ApiContext& ctx, ApiRequest& r) {
  auto table = resourceOf(ctx, r);
  if (failed(table)) return std::get<Reply>(table);
  const SnapshotTable& t = std::get<SnapshotTable>(table);
  auto query = listQuery(ctx, r, t);
  if (failed(query)) return std::get<Reply>(query);
  const SnapshotQuery& q = std::get<SnapshotQuery>(query);
  // The generation is read before the rows: a change committed in between
  // moves it past what the kept answer is stamped with.
  std::optional<int64_t> generation;
  std::string key;
  if (ctx.page_cache != nullptr) {
    auto g = ctx.sync->snapshots().generation(t);
    if (!g) return Reply::fromStatus(g.status());
    generation = *g;
    key = pageKey(t, r);
    if (auto body = ctx.page_cache->find(key, *generation)) {
      return Reply::text(200, std::move(*body), "application/json");
    }
  }
  // Bad filter values, sort fields and cursors are refused by the store's
  // query planning, the one place that knows the fields' types.
  auto page = ctx.sync->snapshots().listRows(t, q);
  if (!page) return Reply::fromStatus(page.status());
  auto last = ctx.sync->lastSyncedAt(t.service, t.resource->name, q.instance);
  if (!last) return Reply::fromStatus(last.status());
  json rows = json::array();
  for (const SnapshotRow& row : page->rows) rows.push_back(rowToJson(row));
  json body = {{"rows", std::move(rows)},
               {"next_cursor", page->next_cursor.empty() ? json(nullptr) : json(page->next_cursor)},
               {"last_synced_at", timeOrNull(*last)}};
  if (!generation) return Reply::json(200, std::move(body));
  // Rendered as Reply::writeTo renders JSON.
  std::string text = body.dump(-1, ' ', false, json::error_handler_t::replace);
  ctx.page_cache->put(key, *generation, text);
  return Reply::text(200, std::move(text), "application/json");
}

Reply showRow(ApiContext& ctx, ApiRequest& r) {
  auto table = resourceOf(ctx, r);
  if (failed(table)) return std::get<Reply>(table);
  const SnapshotTable& t = std::get<SnapshotTable>(table);
  if (auto bad = rejectUnknownParams(r, {"instance", "scope"})) return *bad;
  const std::string instance = r.http.query.get("instance").value_or("default");
  if (auto unknown = unknownInstance(t, ctx, instance)) return *unknown;
  const std::string& key = r.param("key");
  auto row = ctx.sync->snapshots().findRow(t, instance, r.http.query.get("scope"), key);
  if (!row) return Reply::fromStatus(row.status());
  if (!*row) {
    return Reply::error(404, "not_found",
                        "no " + t.resource->name + " with key '" + key.substr(0, 200) + "' in the snapshot");
  }
  Reply reply = Reply::json(200, rowToJson(**row, /*with_doc=*/true));
  reply.headers.set("ETag", "\"" + (*row)->content_hash + "\"");
  return reply;
}

}  // namespace

Parsed<SnapshotTable> resourceOf(ApiContext& ctx, const ApiRequest& r) {
  if (ctx.sync == nullptr || ctx.config == nullptr) {
    return Reply::error(404, "not_found", "no services are configured (snapq serve runs without --config)");
  }
  auto table = ctx.sync->table(r.param("service"), r.param("resource"));
  if (!table) return Reply::fromStatus(table.status());
  return *table;
}

std::optional<Reply> unknownInstance(const SnapshotTable& table, ApiContext& ctx, const std::string& instance) {
  const ServiceSpec* service = ctx.sync->config().service(table.service);
  if (service != nullptr && service->instance(instance) != nullptr) return std::nullopt;
  return Reply::error(404, "not_found",
                      "service " + table.service + " has no instance '" + instance.substr(0, 100) + "'");
}

Parsed<std::optional<std::string>> stringMember(const json& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end()) return std::optional<std::string>();
  if (!it->is_string()) return badMember(name, "a string");
  return std::optional<std::string>(it->get<std::string>());
}

void addServiceRoutes(Router& router, ApiContext& ctx) {
  router.add("GET", "/api/v1/services", Permission::snapshot_view,
             [&ctx](ApiRequest& r) { return listServices(ctx, r); });
  router.add("GET", "/api/v1/services/{service}/{resource}", Permission::snapshot_view,
             [&ctx](ApiRequest& r) { return listRows(ctx, r); });
  router.add("GET", "/api/v1/services/{service}/{resource}/{key}", Permission::snapshot_view,
             [&ctx](ApiRequest& r) { return showRow(ctx, r); });
  addServiceWriteRoutes(router, ctx);
}

}  // namespace snapq::http
