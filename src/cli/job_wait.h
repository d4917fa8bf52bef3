// Waiting in the terminal for jobs this command dispatched: a progress line
// on stderr (redrawn in place on a terminal) until the job is final.
#pragma once

#include <string>

#include "snapq/job.h"
#include "snapq/status.h"
#include "snapq/store.h"

namespace snapq::cli {

// Polls until job `id` is terminal; `label` names it in the progress line.
Result<Job> waitForJob(Store& store, int64_t id, const std::string& label);
// Polls until no job of this service, action and target type is queued or running.
Status waitForQuietTarget(Store& store, const std::string& service, const std::string& action,
                          const std::string& target_type, const std::string& label);

}  // namespace snapq::cli
