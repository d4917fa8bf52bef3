#include "queue/job_builder.h"

#include <nlohmann/json.hpp>

namespace snapq {

bool isValidName(std::string_view name) {
  if (name.empty() || name.size() > 100) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
              c == ':' || c == '/' || c == '-';
    if (!ok) return false;
  }
  return true;
}

int defaultPriority(TriggerSource trigger) {
  switch (trigger) {
    case TriggerSource::manual:
    case TriggerSource::api:
    case TriggerSource::retry: return 1;
    case TriggerSource::event: return 2;
    case TriggerSource::scheduled: return 3;
  }
  return 2;
}

Result<NewJob> buildNewJob(const DispatchRequest& r, const Masker& masker, const Sealer* sealer,
                           int default_max_attempts) {
  auto checkName = [](std::string_view what, std::string_view value) -> Status {
    if (isValidName(value)) return Status::ok();
    return Status::invalidArgument(std::string(what) + " '" + std::string(value.substr(0, 100)) +
                                   "' is not a valid name (1-100 of A-Z a-z 0-9 _ . : / -)");
  };
  if (Status s = checkName("service", r.service); !s) return s;
  if (Status s = checkName("instance", r.instance); !s) return s;
  if (Status s = checkName("action", r.action); !s) return s;
  if (!r.queue.empty()) {
    if (Status s = checkName("queue", r.queue); !s) return s;
  }
  if (r.target_id.size() > 1000 || r.target_type.size() > 100) {
    return Status::invalidArgument("target_type (100) or target_id (1000 characters) is too long");
  }
  if (r.max_attempts && (*r.max_attempts < 1 || *r.max_attempts > 1000)) {
    return Status::invalidArgument("max_attempts must be between 1 and 1000");
  }

  NewJob job;
  nlohmann::json payload = nlohmann::json::parse(r.payload.empty() ? std::string_view("{}") : r.payload, nullptr,
                                                 /*allow_exceptions=*/false);
  if (payload.is_discarded()) return Status::invalidArgument("payload is not valid JSON");
  if (!payload.is_object()) return Status::invalidArgument("payload must be a JSON object");
  if (masker.containsSensitive(payload)) {
    if (!sealer) {
      return Status::invalidArgument("the payload holds secrets but no sealing key is configured "
                                     "(set SNAPQ_SECRET_KEY or a key file)");
    }
    job.payload = masker.mask(payload).dump();
    job.sealed_payload = sealer->seal(r.payload);
  } else {
    job.payload = r.payload.empty() ? "{}" : r.payload;
  }

  job.service = r.service;
  job.instance = r.instance;
  job.action = r.action;
  job.kind = r.kind;
  job.target_type = r.target_type;
  job.target_id = r.target_id;
  job.queue = r.queue.empty() ? r.service : r.queue;
  job.priority = r.priority.value_or(defaultPriority(r.trigger_source));
  job.max_attempts = r.max_attempts.value_or(default_max_attempts);
  job.trigger_source = r.trigger_source;
  job.actor = r.actor;
  job.expected_hash = r.expected_hash;
  job.idempotency_key = r.idempotency_key;
  if (r.unique) {
    job.unique_key = r.service + "|" + r.instance + "|" + r.action + "|" + r.target_type + "|" + r.target_id;
  }
  job.run_at = r.run_at;
  return job;
}

Job queuedJob(const NewJob& n, int64_t id, TimePoint now) {
  Job j;
  j.id = id;
  j.service = n.service;
  j.instance = n.instance;
  j.action = n.action;
  j.kind = n.kind;
  j.target_type = n.target_type;
  j.target_id = n.target_id;
  j.status = JobStatus::queued;
  j.max_attempts = n.max_attempts;
  j.priority = n.priority;
  j.queue = n.queue;
  j.trigger_source = n.trigger_source;
  j.actor = n.actor;
  j.payload = n.payload;
  j.expected_hash = n.expected_hash;
  j.created_at = now;
  j.run_at = n.run_at.value_or(now);
  return j;
}

}  // namespace snapq
