// snapq dispatch SERVICE RESOURCE ACTION [KEY]: queue a mutation (create,
// update, delete or a custom action) of one object; --wait runs it here.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/cli_common.h"
#include "cli/job_wait.h"
#include "cli/runtime.h"
#include "core/job_json.h"

namespace snapq::cli {
namespace {

using json = nlohmann::json;

struct DispatchArgs {
  RuntimeArgs runtime;
  std::string service;
  std::string resource;
  std::string action;
  std::string key;
  std::string instance = "default";
  std::optional<std::string> scope;
  std::string data;
  std::vector<std::string> sets;
  std::string if_match;
  std::string idempotency_key;
  bool wait = false;
  bool json = false;
};

// --data '{"a":1}' overlaid with each --set field=value (a JSON value, else text).
Result<json> payloadFrom(const DispatchArgs& args) {
  json data = json::object();
  if (!args.data.empty()) {
    data = json::parse(args.data, nullptr, false);
    if (data.is_discarded() || !data.is_object()) return Status::invalidArgument("--data must be a JSON object");
  }
  for (const std::string& set : args.sets) {
    size_t eq = set.find('=');
    if (eq == std::string::npos || eq == 0) return Status::invalidArgument("--set needs field=value, got '" + set + "'");
    std::string value = set.substr(eq + 1);
    json parsed = json::parse(value, nullptr, false);
    data[set.substr(0, eq)] = parsed.is_discarded() || parsed.is_object() || parsed.is_array() ? json(value) : parsed;
  }
  return data;
}

int runDispatch(DispatchArgs& args) {
  auto data = payloadFrom(args);
  if (!data) return reportStatus(data.status());
  if (args.wait) args.runtime.queues = {args.service};
  int exit_code = kExitOk;
  auto rt = Runtime::open(args.runtime, true, exit_code);
  if (!rt) return exit_code;
  MutationRequest request;
  request.service = args.service;
  request.resource = args.resource;
  request.action = args.action;
  request.instance = args.instance;
  request.scope = args.scope;
  request.key = args.key;
  request.data = std::move(*data);
  request.if_match = args.if_match;
  request.idempotency_key = args.idempotency_key;
  request.actor = cliActor();
  auto dispatched = rt->sync->dispatchMutation(request);
  if (!dispatched) return reportStatus(dispatched.status());
  std::string label = args.action + " " + args.service + "/" + args.resource + (args.key.empty() ? "" : "/" + args.key);
  if (args.wait) {
    if (Status s = rt->engine->start(); !s) return reportStatus(s);
  }
  auto job = args.wait ? waitForJob(*rt->store, dispatched->id, label) : rt->store->getJob(dispatched->id);
  if (!job) return reportStatus(job.status());
  if (args.json) {
    std::cout << json{{"job", jobToJson(*job)}, {"deduplicated", dispatched->existing}}.dump(2) << '\n';
  } else if (!args.wait) {
    std::cout << (dispatched->existing ? "already dispatched: job " : "queued job ") << job->id << " (" << label << ")\n";
  } else {
    std::cout << "job " << job->id << " " << toString(job->status) << " (" << label << ")"
              << (job->result.empty() ? "" : ": " + job->result) << '\n';
  }
  if (args.wait && job->status != JobStatus::success && job->status != JobStatus::skipped) {
    printError(std::string(toString(job->status)) + ": " + job->error);
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace

void addDispatchCommand(CLI::App& app, Action& chosen) {
  auto args = std::make_shared<DispatchArgs>();
  CLI::App* cmd = app.add_subcommand("dispatch", "queue a change of one object: create, update, delete or an action");
  cmd->add_option("service", args->service, "service name from the config")->required();
  cmd->add_option("resource", args->resource, "resource of the service")->required();
  cmd->add_option("action", args->action, "create, update, delete or a custom action of the resource")->required();
  cmd->add_option("key", args->key, "the object's key (not for create)");
  cmd->add_option("--instance", args->instance, "service instance")->default_val("default");
  cmd->add_option("--scope", args->scope, "the scope of a scoped resource (e.g. the zone of a record)");
  cmd->add_option("--data", args->data, "the fields to set, as a JSON object")->type_name("JSON");
  cmd->add_option("--set", args->sets, "one field: field=value (a JSON value, else text); repeatable")
      ->type_name("F=V");
  cmd->add_option("--if-match", args->if_match, "refuse unless the snapshot row still has this content hash")
      ->type_name("HASH");
  cmd->add_option("--idempotency-key", args->idempotency_key, "the same key returns the same job");
  cmd->add_flag("--wait", args->wait, "run the job in this process and wait for its outcome");
  cmd->add_flag("--json", args->json, "print the job as JSON");
  addRuntimeOptions(*cmd, args->runtime);
  cmd->callback([args, &chosen] { chosen = [args] { return runDispatch(*args); }; });
}

}  // namespace snapq::cli
