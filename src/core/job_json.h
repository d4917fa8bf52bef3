// The JSON shape of jobs as the HTTP API and `snapq ... --json` show them
// (docs/API.md, "Job object"). One place, so both stay identical.
#pragma once

#include <nlohmann/json.hpp>

#include "snapq/job.h"

namespace snapq {

// The audit view of a job: the masked payload only, never the sealed one.
// Absent timestamps, durations and empty texts are null.
// {"type": "user|token|system", "name"}
nlohmann::json actorToJson(const Actor& actor);

nlohmann::json jobToJson(const Job& job);

// {"at","type","message","actor":{"type","name"}}
nlohmann::json jobEventToJson(const JobEvent& event);

// {"jobs":[...],"next_cursor":"<id>"|null,"status_counts":{<every status>:n},"status_counts_exact":bool}
nlohmann::json jobPageToJson(const JobPage& page);

// The same as compact text, byte for byte what jobPageToJson(page).dump() writes
// when the stored payloads are in dump()'s form (other valid JSON text is copied
// as stored), built without a json tree: the audit log's page on every request.
std::string jobPageJsonText(const JobPage& page);
std::string jobJsonText(const Job& job);

}  // namespace snapq
