#include "core/job_json.h"

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

}  // namespace snapq
