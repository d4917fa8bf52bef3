#include "cli/job_types.h"

namespace snapq::cli {

JobType noopJobType() {
  JobType type;
  type.service = kBuiltinService;
  type.action = kNoopAction;
  type.handler = [](JobContext&) { return Outcome::ok(); };
  // A no-op claimed by a worker that then died is run again after its rescue;
  // rescues charge an attempt, so it gets a few.
  type.retry.max_attempts = 5;
  type.timeout = Duration(10000);
  return type;
}

void registerBuiltinJobTypes(Engine& engine) { engine.registerJobType(noopJobType()); }

}  // namespace snapq::cli
