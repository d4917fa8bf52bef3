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

}  // namespace snapq
