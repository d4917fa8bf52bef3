#include "core/job_json.h"

#include <map>

#include "core/json_text.h"
#include "core/time_format.h"

namespace snapq {
using nlohmann::json;

json actorToJson(const Actor& actor) { return {{"type", toString(actor.type)}, {"name", actor.name}}; }

namespace {

json textOrNull(const std::string& text) { return text.empty() ? json(nullptr) : json(text); }

// Stored JSON text as a value; text that is not JSON is shown as a string
// rather than hidden, so the audit log never loses what was recorded.
json parsedOrNull(const std::string& text) {
  if (text.empty()) return nullptr;
  json parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
  return parsed.is_discarded() ? json(text) : parsed;
}

json timeOrNull(const std::optional<TimePoint>& t) { return t ? json(formatIso(*t)) : json(nullptr); }

}  // namespace

json jobToJson(const Job& job) {
  json out = {
      {"id", job.id},
      {"service", job.service},
      {"instance", job.instance},
      {"action", job.action},
      {"kind", toString(job.kind)},
      {"target_type", job.target_type},
      {"target_id", job.target_id},
      {"status", toString(job.status)},
      {"attempts", job.attempts},
      {"max_attempts", job.max_attempts},
      {"priority", job.priority},
      {"queue", job.queue},
      {"trigger_source", toString(job.trigger_source)},
      {"actor", actorToJson(job.actor)},
      {"payload", parsedOrNull(job.payload)},
      {"result", parsedOrNull(job.result)},
      {"error", textOrNull(job.error)},
      {"expected_hash", textOrNull(job.expected_hash)},
      {"progress", parsedOrNull(job.progress)},
      {"override", job.override_conflict},
      {"created_at", formatIso(job.created_at)},
      {"run_at", formatIso(job.run_at)},
      {"started_at", timeOrNull(job.started_at)},
      {"finished_at", timeOrNull(job.finished_at)},
      {"duration_ms", job.duration_ms ? json(*job.duration_ms) : json(nullptr)},
      {"locked_by", textOrNull(job.locked_by)},
      {"lease_until", timeOrNull(job.lease_until)},
  };
  return out;
}

json jobEventToJson(const JobEvent& event) {
  return {{"at", formatIso(event.at)},
          {"type", event.type},
          {"message", event.message},
          {"actor", actorToJson(event.actor)}};
}

json jobPageToJson(const JobPage& page) {
  json jobs = json::array();
  for (const Job& job : page.jobs) jobs.push_back(jobToJson(job));
  json counts = json::object();
  for (JobStatus s : kAllJobStatuses) {
    auto it = page.status_counts.find(s);
    counts[toString(s)] = it == page.status_counts.end() ? 0 : it->second;
  }
  json cursor = page.next_before_id ? json(std::to_string(*page.next_before_id)) : json(nullptr);
  return {{"jobs", std::move(jobs)},
          {"next_cursor", std::move(cursor)},
          {"status_counts", std::move(counts)},
          {"status_counts_exact", page.status_counts_exact}};
}

namespace {

void appendTimeOrNull(std::string& out, const std::optional<TimePoint>& t) {
  if (t) {
    jsontext::appendString(out, formatIso(*t));
  } else {
    jsontext::appendNull(out);
  }
}

// Keys in the order of jobToJson's dump (a json object's keys are sorted).
void appendJob(std::string& out, const Job& job) {
  using namespace jsontext;
  out += '{';
  appendKey(out, "action"), appendString(out, job.action);
  appendKey(out, "actor"), out += '{';
  appendKey(out, "name"), appendString(out, job.actor.name);
  appendKey(out, "type"), appendString(out, toString(job.actor.type)), out += '}';
  appendKey(out, "attempts"), appendInt(out, job.attempts);
  appendKey(out, "created_at"), appendString(out, formatIso(job.created_at));
  appendKey(out, "duration_ms");
  if (job.duration_ms) {
    appendInt(out, *job.duration_ms);
  } else {
    appendNull(out);
  }
  appendKey(out, "error"), appendStringOrNull(out, job.error);
  appendKey(out, "expected_hash"), appendStringOrNull(out, job.expected_hash);
  appendKey(out, "finished_at"), appendTimeOrNull(out, job.finished_at);
  appendKey(out, "id"), appendInt(out, job.id);
  appendKey(out, "instance"), appendString(out, job.instance);
  appendKey(out, "kind"), appendString(out, toString(job.kind));
  appendKey(out, "lease_until"), appendTimeOrNull(out, job.lease_until);
  appendKey(out, "locked_by"), appendStringOrNull(out, job.locked_by);
  appendKey(out, "max_attempts"), appendInt(out, job.max_attempts);
  appendKey(out, "override"), appendBool(out, job.override_conflict);
  appendKey(out, "payload"), appendStoredJson(out, job.payload);
  appendKey(out, "priority"), appendInt(out, job.priority);
  appendKey(out, "progress"), appendStoredJson(out, job.progress);
  appendKey(out, "queue"), appendString(out, job.queue);
  appendKey(out, "result"), appendStoredJson(out, job.result);
  appendKey(out, "run_at"), appendString(out, formatIso(job.run_at));
  appendKey(out, "service"), appendString(out, job.service);
  appendKey(out, "started_at"), appendTimeOrNull(out, job.started_at);
  appendKey(out, "status"), appendString(out, toString(job.status));
  appendKey(out, "target_id"), appendString(out, job.target_id);
  appendKey(out, "target_type"), appendString(out, job.target_type);
  appendKey(out, "trigger_source"), appendString(out, toString(job.trigger_source));
  out += '}';
}

}  // namespace

std::string jobJsonText(const Job& job) {
  std::string out;
  appendJob(out, job);
  return out;
}

std::string jobPageJsonText(const JobPage& page) {
  using namespace jsontext;
  std::string out;
  out.reserve(1024 + page.jobs.size() * 640);
  out += "{\"jobs\":[";
  for (size_t i = 0; i < page.jobs.size(); ++i) {
    if (i > 0) out += ',';
    appendJob(out, page.jobs[i]);
  }
  out += ']';
  appendKey(out, "next_cursor");
  if (page.next_before_id) {
    appendString(out, std::to_string(*page.next_before_id));
  } else {
    appendNull(out);
  }
  appendKey(out, "status_counts"), out += '{';
  std::map<std::string, int64_t> counts;  // sorted, as a json object's keys
  for (JobStatus s : kAllJobStatuses) {
    auto it = page.status_counts.find(s);
    counts[toString(s)] = it == page.status_counts.end() ? 0 : it->second;
  }
  for (const auto& [name, n] : counts) appendKey(out, name), appendInt(out, n);
  out += '}';
  appendKey(out, "status_counts_exact"), appendBool(out, page.status_counts_exact);
  out += '}';
  return out;
}

}  // namespace snapq
