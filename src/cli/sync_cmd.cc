// snapq sync SERVICE RESOURCE: queue a sync job; with --wait, run it here and
// show its progress (a cron entry can call this without a server running).
#include <CLI/CLI.hpp>
#include <chrono>
#include <iostream>

#include "cli/cli_common.h"
#include "cli/job_wait.h"
#include "cli/runtime.h"
#include "core/job_json.h"

namespace snapq::cli {
namespace {

struct SyncArgs {
  RuntimeArgs runtime;
  std::string service;
  std::string resource;
  std::string instance = "default";
  std::optional<std::string> scope;
  bool force = false;
  bool wait = false;
  bool json = false;
};

std::string summary(const Job& job) {
  auto r = nlohmann::json::parse(job.result, nullptr, false);
  if (!r.is_object()) return "";
  std::string out;
  for (const char* k : {"fetched", "created", "updated", "unchanged", "deleted", "kept_pending", "pages", "scopes"}) {
    if (!r.contains(k)) continue;
    out += (out.empty() ? "" : ", ") + std::string(k) + " " + r[k].dump();
  }
  return out;
}

int runSync(SyncArgs& args) {
  if (args.wait) args.runtime.queues = {args.service};
  int exit_code = kExitOk;
  auto rt = Runtime::open(args.runtime, true, exit_code);
  if (!rt) return exit_code;
  SyncRequest request;
  request.service = args.service;
  request.resource = args.resource;
  request.instance = args.instance;
  request.scope = args.scope;
  request.force = args.force;
  request.actor = cliActor();
  auto dispatched = rt->sync->dispatchSync(request);
  if (!dispatched) return reportStatus(dispatched.status());
  std::string label = "sync " + args.service + "/" + args.resource;
  if (!args.wait) {
    if (args.json) {
      auto job = rt->store->getJob(dispatched->id);
      if (!job) return reportStatus(job.status());
      std::cout << nlohmann::json{{"job", jobToJson(*job)}, {"deduplicated", dispatched->existing}}.dump(2) << '\n';
    } else {
      std::cout << (dispatched->existing ? "already queued: job " : "queued job ") << dispatched->id << " (" << label
                << ")\n";
    }
    return kExitOk;
  }
  auto started = std::chrono::steady_clock::now();
  if (Status s = rt->engine->start(); !s) return reportStatus(s);
  auto job = waitForJob(*rt->store, dispatched->id, label);
  if (!job) return reportStatus(job.status());
  auto result = nlohmann::json::parse(job->result, nullptr, false);
  if (job->status == JobStatus::success && result.is_object() && result.value("dispatched", 0) > 0) {
    // A scoped resource: the job queued one sync per scope; wait for them too.
    if (Status s = waitForQuietTarget(*rt->store, args.service, "sync", args.resource, label); !s) {
      return reportStatus(s);
    }
  }
  rt->engine->stop();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (args.json) {
    std::cout << jobToJson(*job).dump(2) << '\n';
  } else {
    std::cout << "job " << job->id << " " << toString(job->status) << " (" << label << "): " << summary(*job);
    std::printf(" in %.1f s\n", seconds);
  }
  if (job->status != JobStatus::success) {
    printError("sync " + std::string(toString(job->status)) + ": " + job->error);
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace

void addSyncCommand(CLI::App& app, Action& chosen) {
  auto args = std::make_shared<SyncArgs>();
  CLI::App* cmd = app.add_subcommand("sync", "queue a sync of a resource (pull its objects into the snapshot)");
  cmd->add_option("service", args->service, "service name from the config")->required();
  cmd->add_option("resource", args->resource, "resource of the service")->required();
  cmd->add_option("--instance", args->instance, "service instance")->default_val("default");
  cmd->add_option("--scope", args->scope, "sync one scope of a scoped resource (e.g. one zone)");
  cmd->add_flag("--force", args->force, "allow deleting more rows than the resource's deletion guard");
  cmd->add_flag("--wait", args->wait, "run the sync in this process, show progress and its statistics");
  cmd->add_flag("--json", args->json, "print the job as JSON");
  addRuntimeOptions(*cmd, args->runtime);
  cmd->callback([args, &chosen] { chosen = [args] { return runSync(*args); }; });
}

}  // namespace snapq::cli
