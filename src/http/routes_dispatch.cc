// Syncs and mutations dispatched over the API (API.md "Services and
// snapshots"): each answers 202 with the queued job, or 200 with
// "deduplicated": true when it is a job that already existed.
//   POST   /api/v1/services/{service}/{resource}                    create
//   PATCH  /api/v1/services/{service}/{resource}/{key}              update (If-Match)
//   DELETE /api/v1/services/{service}/{resource}/{key}              delete (If-Match)
//   POST   /api/v1/services/{service}/{resource}/actions/{action}   custom action (If-Match)
//   POST   /api/v1/services/{service}/{resource}/sync               sync
#include <algorithm>

#include "core/job_json.h"
#include "http/service_routes.h"
#include "sync/sync_service.h"

namespace snapq::http {

namespace {

using json = nlohmann::json;

constexpr size_t kMaxIdempotencyKey = 200;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Who dispatches, and how: a person in the UI (session) is `manual`, a
// program with a bearer token is `api`. Idempotency keys are the caller's
// own: the same key from another user is another request, and cannot reach
// that user's job.
struct Origin {
  Actor actor;
  TriggerSource trigger = TriggerSource::api;
  std::string idempotency_key;
};

Parsed<Origin> originOf(const ApiRequest& r) {
  Origin o{r.actor(), r.session_id.empty() ? TriggerSource::api : TriggerSource::manual, {}};
  if (auto key = r.http.headers.get("Idempotency-Key")) {
    std::string_view k = trim(*key);
    bool printable = std::all_of(k.begin(), k.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
    if (k.empty() || k.size() > kMaxIdempotencyKey || !printable) {
      return Reply::error(
          400, "bad_request",
          "Idempotency-Key must be 1 to " + std::to_string(kMaxIdempotencyKey) + " printable ASCII characters",
          {{"header", "Idempotency-Key"}});
    }
    o.idempotency_key = "http:" + r.principal->user + ":" + std::string(k);
  }
  return o;
}

// If-Match: "<content_hash>" (the ETag of GET .../{key}), or the bare hash.
// Any other value (a weak tag, an empty one, garbage) is a tag no row has,
// so it fails the comparison with a 412 like a stale one; "*" only asks that
// the row exists, which every change of a row needs anyway.
std::string ifMatchOf(const ApiRequest& r) {
  std::optional<std::string> header = r.http.headers.get("If-Match");
  if (!header) return {};
  std::string tag(trim(*header));
  if (tag == "*") return {};
  if (tag.size() >= 2 && tag.front() == '"' && tag.back() == '"') tag = tag.substr(1, tag.size() - 2);
  return tag.empty() ? std::string("\"\"") : tag;  // "" would mean "no If-Match" below; this matches nothing
}

Reply dispatched(ApiContext& ctx, const Result<Dispatched>& d, const FieldProblems& problems = {}) {
  if (!d) {
    if (!problems.empty()) {
      json details = json::object();
      for (const auto& [field, why] : problems) details[field] = why;
      return Reply::error(422, "validation_failed", "the data fails validation: " + d.status().message(),
                          std::move(details));
    }
    return Reply::fromStatus(d.status());
  }
  auto job = ctx.store.getJob(d->id);
  if (!job) return Reply::fromStatus(job.status());
  return Reply::json(d->existing ? 200 : 202, {{"job", jobToJson(*job)}, {"deduplicated", d->existing}});
}

// What every mutation of one resource starts from: the path's resource and
// the caller.
Parsed<MutationRequest> mutationOf(ApiContext& ctx, const ApiRequest& r, std::string action) {
  auto table = resourceOf(ctx, r);
  if (failed(table)) return std::get<Reply>(table);
  auto origin = originOf(r);
  if (failed(origin)) return std::get<Reply>(origin);
  Origin& o = std::get<Origin>(origin);
  MutationRequest m;
  m.service = std::get<SnapshotTable>(table).service;
  m.resource = std::get<SnapshotTable>(table).resource->name;
  m.action = std::move(action);
  m.actor = std::move(o.actor);
  m.trigger_source = o.trigger;
  m.idempotency_key = std::move(o.idempotency_key);
  return m;
}

// `data` (an object; absent: {} unless required), `instance` and `scope` of a body.
std::optional<Reply> readBody(const json& body, MutationRequest& m, bool data_required) {
  if (auto it = body.find("data"); it != body.end()) {
    if (!it->is_object()) return badMember("data", "a JSON object");
    m.data = *it;
  } else if (data_required) {
    return badMember("data", "a JSON object (the fields to write)");
  }
  for (const char* name : {"instance", "scope"}) {
    auto value = stringMember(body, name);
    if (failed(value)) return std::get<Reply>(value);
    if (auto& v = std::get<std::optional<std::string>>(value); v) {
      if (std::string_view(name) == "instance") {
        m.instance = *v;
      } else {
        m.scope = *v;
      }
    }
  }
  return std::nullopt;
}

// Routes addressed by key take the instance and scope from the query, as
// GET .../{key} does.
std::optional<Reply> readKeyParams(const ApiRequest& r, MutationRequest& m) {
  if (auto bad = rejectUnknownParams(r, {"instance", "scope"})) return bad;
  m.key = r.param("key");
  m.instance = r.http.query.get("instance").value_or("default");
  m.scope = r.http.query.get("scope");
  m.if_match = ifMatchOf(r);
  return std::nullopt;
}

Reply runMutation(ApiContext& ctx, const MutationRequest& m) {
  FieldProblems problems;
  return dispatched(ctx, ctx.sync->dispatchMutation(m, &problems), problems);
}

Reply create(ApiContext& ctx, ApiRequest& r) {
  auto m = mutationOf(ctx, r, "create");
  if (failed(m)) return std::get<Reply>(m);
  MutationRequest& request = std::get<MutationRequest>(m);
  if (auto bad = rejectUnknownParams(r, {})) return *bad;
  auto body = jsonObjectBody(r, {"instance", "scope", "data"});
  if (failed(body)) return std::get<Reply>(body);
  if (auto bad = readBody(std::get<json>(body), request, /*data_required=*/true)) return *bad;
  return runMutation(ctx, request);
}

Reply update(ApiContext& ctx, ApiRequest& r) {
  auto m = mutationOf(ctx, r, "update");
  if (failed(m)) return std::get<Reply>(m);
  MutationRequest& request = std::get<MutationRequest>(m);
  if (auto bad = readKeyParams(r, request)) return *bad;
  auto body = jsonObjectBody(r, {"data"});
  if (failed(body)) return std::get<Reply>(body);
  if (auto bad = readBody(std::get<json>(body), request, /*data_required=*/true)) return *bad;
  return runMutation(ctx, request);
}

Reply remove(ApiContext& ctx, ApiRequest& r) {
  auto m = mutationOf(ctx, r, "delete");
  if (failed(m)) return std::get<Reply>(m);
  MutationRequest& request = std::get<MutationRequest>(m);
  if (auto bad = readKeyParams(r, request)) return *bad;
  if (auto body = jsonObjectBody(r, {}, /*optional=*/true); failed(body)) return std::get<Reply>(body);
  return runMutation(ctx, request);
}

Reply action(ApiContext& ctx, ApiRequest& r) {
  const std::string& name = r.param("action");
  if (name == "create" || name == "update" || name == "delete") {
    return Reply::error(404, "not_found", "'" + name + "' is not a custom action; use POST, PATCH or DELETE");
  }
  auto m = mutationOf(ctx, r, name);
  if (failed(m)) return std::get<Reply>(m);
  MutationRequest& request = std::get<MutationRequest>(m);
  if (auto bad = rejectUnknownParams(r, {})) return *bad;
  auto body = jsonObjectBody(r, {"key", "data", "instance", "scope"}, /*optional=*/true);
  if (failed(body)) return std::get<Reply>(body);
  const json& b = std::get<json>(body);
  if (auto bad = readBody(b, request, /*data_required=*/false)) return *bad;
  auto key = stringMember(b, "key");
  if (failed(key)) return std::get<Reply>(key);
  request.key = std::get<std::optional<std::string>>(key).value_or("");
  request.if_match = ifMatchOf(r);
  return runMutation(ctx, request);
}

Reply sync(ApiContext& ctx, ApiRequest& r) {
  auto table = resourceOf(ctx, r);
  if (failed(table)) return std::get<Reply>(table);
  auto origin = originOf(r);
  if (failed(origin)) return std::get<Reply>(origin);
  if (auto bad = rejectUnknownParams(r, {})) return *bad;
  auto body = jsonObjectBody(r, {"instance", "scope", "force"}, /*optional=*/true);
  if (failed(body)) return std::get<Reply>(body);
  const json& b = std::get<json>(body);
  SyncRequest request;
  request.service = std::get<SnapshotTable>(table).service;
  request.resource = std::get<SnapshotTable>(table).resource->name;
  auto instance = stringMember(b, "instance");
  if (failed(instance)) return std::get<Reply>(instance);
  request.instance = std::get<std::optional<std::string>>(instance).value_or("default");
  auto scope = stringMember(b, "scope");
  if (failed(scope)) return std::get<Reply>(scope);
  request.scope = std::get<std::optional<std::string>>(scope);
  if (b.contains("force") && !b["force"].is_boolean()) return badMember("force", "true or false");
  request.force = b.value("force", false);
  Origin& o = std::get<Origin>(origin);
  request.actor = o.actor;
  request.trigger_source = o.trigger;
  request.idempotency_key = o.idempotency_key;
  return dispatched(ctx, ctx.sync->dispatchSync(request));
}

}  // namespace

void addServiceWriteRoutes(Router& router, ApiContext& ctx) {
  const Permission write = Permission::snapshot_write;
  router.add("POST", "/api/v1/services/{service}/{resource}", write, [&ctx](ApiRequest& r) { return create(ctx, r); });
  router.add("PATCH", "/api/v1/services/{service}/{resource}/{key}", write,
             [&ctx](ApiRequest& r) { return update(ctx, r); });
  router.add("DELETE", "/api/v1/services/{service}/{resource}/{key}", write,
             [&ctx](ApiRequest& r) { return remove(ctx, r); });
  router.add("POST", "/api/v1/services/{service}/{resource}/actions/{action}", write,
             [&ctx](ApiRequest& r) { return action(ctx, r); });
  router.add("POST", "/api/v1/services/{service}/{resource}/sync", write,
             [&ctx](ApiRequest& r) { return sync(ctx, r); });
}

}  // namespace snapq::http
