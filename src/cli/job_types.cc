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

void registerConfigJobTypes(Engine& engine, const Config& config) {
  // The services' sync and mutation handlers come with the sync engine
  // (src/sync); until it is wired into the CLI there is nothing to add.
  (void)engine;
  (void)config;
}

void registerJobTypes(Engine& engine, const Config* config) {
  engine.registerJobType(noopJobType());
  if (config) registerConfigJobTypes(engine, *config);
}

}  // namespace snapq::cli
