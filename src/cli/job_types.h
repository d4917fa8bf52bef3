// The job types a `snapq worker` (and later `snapq serve`) process runs. One
// place, so every process of a cluster registers the same set.
#pragma once

#include "snapq/config.h"
#include "snapq/engine.h"

namespace snapq::cli {

// The built-in no-op: service "snapq", action "noop", succeeds at once. Used
// to check a deployment end to end and by the multi-node test and benchmark.
inline constexpr const char* kBuiltinService = "snapq";
inline constexpr const char* kNoopAction = "noop";
JobType noopJobType();

// Job types every process registers (the services' sync and mutation types
// come with the config, through SyncService).
void registerBuiltinJobTypes(Engine& engine);

}  // namespace snapq::cli
