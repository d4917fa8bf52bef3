// The audit log and its manager operations (API.md "Jobs"):
//   GET /api/v1/jobs, GET /api/v1/jobs/actors, GET /api/v1/jobs/{id}, POST /api/v1/jobs/{id}/retry,
//   POST /api/v1/jobs/{id}/cancel, DELETE /api/v1/jobs/{id}, POST /api/v1/jobs/bulk
#include <charconv>

#include "core/filter_parse.h"
#include "core/job_json.h"
#include "http/routes.h"

namespace snapq::http {

namespace {

using json = nlohmann::json;

constexpr size_t kMaxBulkIds = 1000;

// Every value of a parameter, repeated or comma separated, blanks dropped.
std::vector<std::string> listParam(const ApiRequest& r, std::string_view name) {
  std::vector<std::string> out;
  for (const std::string& value : r.http.query.getAll(name)) {
    size_t start = 0;
    while (start <= value.size()) {
      size_t end = value.find(',', start);
      if (end == std::string::npos) end = value.size();
      std::string item = value.substr(start, end - start);
      while (!item.empty() && item.front() == ' ') item.erase(0, 1);
      while (!item.empty() && item.back() == ' ') item.pop_back();
      if (!item.empty()) out.push_back(std::move(item));
      start = end + 1;
    }
  }
  return out;
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& i : items) out += (out.empty() ? "" : ",") + i;
  return out;
}

Reply badParam(std::string_view name, const Status& why) {
  return Reply::error(400, "bad_request", std::string(name) + ": " + why.message(), {{"parameter", std::string(name)}});
}

// since and until: ISO-8601 or relative (1h, 24h, 7d, 30d); absent or empty: open.
std::optional<Reply> parseWindow(const ApiRequest& r, std::optional<TimePoint>& since, std::optional<TimePoint>& until) {
  for (const char* bound : {"since", "until"}) {
    if (auto text = r.http.query.get(bound); text && !text->empty()) {
      auto t = parseTimeBound(*text, r.now);
      if (!t) return badParam(bound, t.status());
      (std::string_view(bound) == "since" ? since : until) = *t;
    }
  }
  return std::nullopt;
}

Parsed<JobFilter> parseFilter(const ApiRequest& r) {
  if (auto unknown = rejectUnknownParams(r, {"service", "instance", "action", "status", "actor", "trigger", "target_type",
                                             "target_id", "q", "since", "until", "limit", "cursor"})) {
    return *unknown;
  }
  JobFilter f;
  f.services = listParam(r, "service");
  f.instances = listParam(r, "instance");
  f.actions = listParam(r, "action");
  f.actors = listParam(r, "actor");
  auto statuses = parseStatusList(joined(listParam(r, "status")));
  if (!statuses) return badParam("status", statuses.status());
  f.statuses = std::move(*statuses);
  auto triggers = parseTriggerList(joined(listParam(r, "trigger")));
  if (!triggers) return badParam("trigger", triggers.status());
  f.triggers = std::move(*triggers);
  f.target_type = r.http.query.get("target_type").value_or("");
  f.target_id = r.http.query.get("target_id").value_or("");
  f.q = r.http.query.get("q").value_or("");
  if (auto bad = parseWindow(r, f.since, f.until)) return *bad;
  if (auto text = r.http.query.get("limit")) {
    auto limit = parseLimit(*text);
    if (!limit) return badParam("limit", limit.status());
    f.limit = *limit;
  }
  if (auto text = r.http.query.get("cursor"); text && !text->empty()) {
    auto cursor = parseCursor(*text);
    if (!cursor) return badParam("cursor", cursor.status());
    f.before_id = *cursor;
  }
  return f;
}

// GET /api/v1/jobs/actors: the window and services of a job list; its other
// filters do not narrow the choices of its user filter.
Parsed<JobActorQuery> parseActorQuery(const ApiRequest& r) {
  if (auto unknown = rejectUnknownParams(r, {"service", "since", "until"})) return *unknown;
  JobActorQuery q;
  q.services = listParam(r, "service");
  if (auto bad = parseWindow(r, q.since, q.until)) return *bad;
  return q;
}

Parsed<int64_t> jobId(const ApiRequest& r) {
  const std::string& text = r.param("id");
  int64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id <= 0) {
    return Reply::error(400, "bad_request", "a job id is a positive integer, not '" + text + "'");
  }
  return id;
}

Reply jobReply(const Result<Job>& job) {
  if (!job) return Reply::fromStatus(job.status());
  return Reply::json(200, jobToJson(*job));
}

Reply listJobs(ApiContext& ctx, ApiRequest& r) {
  auto filter = parseFilter(r);
  if (failed(filter)) return std::get<Reply>(filter);
  auto page = ctx.store.listJobs(std::get<JobFilter>(filter));
  if (!page) return Reply::fromStatus(page.status());
  // Rendered straight to text: the page is asked for on every UI refresh.
  return Reply::text(200, jobPageJsonText(*page), "application/json");
}

Reply listActors(ApiContext& ctx, ApiRequest& r) {
  auto query = parseActorQuery(r);
  if (failed(query)) return std::get<Reply>(query);
  auto actors = ctx.store.listJobActors(std::get<JobActorQuery>(query));
  if (!actors) return Reply::fromStatus(actors.status());
  json out = json::array();
  for (const Actor& a : *actors) out.push_back(actorToJson(a));
  return Reply::json(200, {{"actors", std::move(out)}});
}

Reply showJob(ApiContext& ctx, ApiRequest& r) {
  auto id = jobId(r);
  if (failed(id)) return std::get<Reply>(id);
  auto job = ctx.store.getJob(std::get<int64_t>(id));
  if (!job) return Reply::fromStatus(job.status());
  auto events = ctx.store.jobEvents(job->id);
  if (!events) return Reply::fromStatus(events.status());
  json out = jobToJson(*job);
  out["events"] = json::array();
  for (const JobEvent& e : *events) out["events"].push_back(jobEventToJson(e));
  return Reply::json(200, std::move(out));
}

Reply retryJob(ApiContext& ctx, ApiRequest& r) {
  auto id = jobId(r);
  if (failed(id)) return std::get<Reply>(id);
  auto body = jsonObjectBody(r, {"override"}, /*optional=*/true);
  if (failed(body)) return std::get<Reply>(body);
  const json& b = std::get<json>(body);
  if (b.contains("override") && !b["override"].is_boolean()) return badMember("override", "true or false");
  return jobReply(ctx.engine.retry(std::get<int64_t>(id), r.actor(), b.value("override", false), r.address));
}

Reply cancelJob(ApiContext& ctx, ApiRequest& r) {
  auto id = jobId(r);
  if (failed(id)) return std::get<Reply>(id);
  if (auto body = jsonObjectBody(r, {}, true); failed(body)) return std::get<Reply>(body);
  return jobReply(ctx.engine.cancel(std::get<int64_t>(id), r.actor(), r.address));
}

Reply deleteJob(ApiContext& ctx, ApiRequest& r) {
  auto id = jobId(r);
  if (failed(id)) return std::get<Reply>(id);
  if (Status s = ctx.engine.remove(std::get<int64_t>(id), r.actor(), r.address); !s) return Reply::fromStatus(s);
  return Reply::noContent();
}

Reply bulk(ApiContext& ctx, ApiRequest& r) {
  auto body = jsonObjectBody(r, {"action", "ids"});
  if (failed(body)) return std::get<Reply>(body);
  const json& b = std::get<json>(body);
  static const std::map<std::string, BulkAction> kActions = {
      {"retry", BulkAction::retry}, {"cancel", BulkAction::cancel}, {"delete", BulkAction::remove}};
  if (!b.contains("action") || !b["action"].is_string() || !kActions.contains(b["action"].get<std::string>())) {
    return badMember("action", "one of retry, cancel, delete");
  }
  if (!b.contains("ids") || !b["ids"].is_array() || b["ids"].empty() || b["ids"].size() > kMaxBulkIds) {
    return badMember("ids", "an array of 1 to " + std::to_string(kMaxBulkIds) + " job ids");
  }
  std::vector<int64_t> ids;
  for (const json& id : b["ids"]) {
    if (!id.is_number_integer() || id.get<int64_t>() <= 0) return badMember("ids", "positive integers");
    ids.push_back(id.get<int64_t>());
  }
  json results = json::array();
  for (const BulkOutcome& o : ctx.engine.bulk(kActions.at(b["action"]), ids, r.actor(), r.address)) {
    json item = {{"id", o.id}, {"ok", o.status.isOk()}};
    if (!o.status.isOk()) {
      Reply why = Reply::fromStatus(o.status);
      item["status"] = why.status;
      item["error"] = why.body["error"];
    }
    results.push_back(std::move(item));
  }
  return Reply::json(200, {{"results", std::move(results)}});
}

}  // namespace

void addJobRoutes(Router& router, ApiContext& ctx) {
  router.add("GET", "/api/v1/jobs", Permission::sync_job_view, [&ctx](ApiRequest& r) { return listJobs(ctx, r); });
  router.add("GET", "/api/v1/jobs/actors", Permission::sync_job_view,
             [&ctx](ApiRequest& r) { return listActors(ctx, r); });
  router.add("GET", "/api/v1/jobs/{id}", Permission::sync_job_view, [&ctx](ApiRequest& r) { return showJob(ctx, r); });
  router.add("POST", "/api/v1/jobs/{id}/retry", Permission::sync_job_manage,
             [&ctx](ApiRequest& r) { return retryJob(ctx, r); });
  router.add("POST", "/api/v1/jobs/{id}/cancel", Permission::sync_job_manage,
             [&ctx](ApiRequest& r) { return cancelJob(ctx, r); });
  router.add("DELETE", "/api/v1/jobs/{id}", Permission::sync_job_manage,
             [&ctx](ApiRequest& r) { return deleteJob(ctx, r); });
  router.add("POST", "/api/v1/jobs/bulk", Permission::sync_job_manage, [&ctx](ApiRequest& r) { return bulk(ctx, r); });
}

}  // namespace snapq::http
