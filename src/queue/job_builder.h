// Turns what a caller asks for into a row ready to insert: validated names,
// defaults, the masked payload for the audit, the sealed real payload.
#pragma once

#include "core/masking.h"
#include "core/sealing.h"
#include "snapq/engine.h"

namespace snapq {

// `sealer` may be null: then a payload holding secrets is refused.
Result<NewJob> buildNewJob(const DispatchRequest& request, const Masker& masker, const Sealer* sealer,
                           int default_max_attempts);

// Names used as service, instance, action and queue: 1-100 of [A-Za-z0-9_.:/-].
bool isValidName(std::string_view name);

// The job as the store holds it right after inserting `job` as `id` at `now`
// (queued, no attempt yet), for listeners of changes.
Job queuedJob(const NewJob& job, int64_t id, TimePoint now);

}  // namespace snapq
