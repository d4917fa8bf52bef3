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

// Registers the built-in types and, given a config, the job types of the
// config's services (registerConfigJobTypes).
void registerJobTypes(Engine& engine, const Config* config);

// The sync and mutation job types of the config's services. The config model
// is loaded and checked; the sync engine that runs these jobs registers its
// handlers here, so a worker started with --config runs them.
void registerConfigJobTypes(Engine& engine, const Config& config);

}  // namespace snapq::cli
