// snapq jobs retry|cancel|delete|prune: the manager operations, through the
// engine so they follow the same rules (and leave the same audit records) as
// the HTTP API's.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "cli/cli_common.h"

namespace snapq::cli {
namespace {

enum class Op { retry, cancel, remove };

struct ManageOptions {
  std::string db;
  std::vector<int64_t> ids;
  bool override_conflict = false;
};

// Performs `op` on one job; returns what to tell the user on success.
Result<std::string> apply(Engine& engine, Op op, int64_t id, bool override_conflict) {
  const std::string job = "job " + std::to_string(id);
  switch (op) {
    case Op::retry: {
      auto r = engine.retry(id, cliActor(), override_conflict);
      if (!r) return r.status();
      return job + " re-queued" + (override_conflict ? " with override (apply anyway)" : "");
    }
    case Op::cancel: {
      auto r = engine.cancel(id, cliActor());
      if (!r) return r.status();
      return job + " cancelled";
    }
    case Op::remove: {
      Status s = engine.remove(id, cliActor());
      if (!s) return s;
      return job + " deleted";
    }
  }
  return Status::internal("unknown operation");
}

// One line per id, on stdout when it worked and on stderr when not; exit 1
// when any failed.
int runManage(Op op, const ManageOptions& o) {
  int code = kExitOk;
  std::unique_ptr<Engine> engine = openEngine(o.db, {}, code);
  if (!engine) return code;
  bool failed = false;
  for (int64_t id : o.ids) {
    auto done = apply(*engine, op, id, o.override_conflict);
    if (done) {
      std::cout << *done << '\n';
      continue;
    }
    failed = true;
    std::string line = "job " + std::to_string(id);
    const std::string& message = done.status().message();
    // The store's messages usually name the job already ("job 7 is running; ...").
    if (message.starts_with(line + " ")) {
      line = message;
    } else {
      line += ": ";
      line += message;
    }
    printError(line);
  }
  return failed ? kExitFailure : kExitOk;
}

struct PruneOptions {
  std::string db;
  int success_days = 14;
  int failed_days = 90;
};

int runPrune(const PruneOptions& o) {
  constexpr int64_t kDayMs = 24LL * 3600 * 1000;
  EngineOptions options;
  options.retention.success = Duration(o.success_days * kDayMs);
  options.retention.failed = Duration(o.failed_days * kDayMs);
  int code = kExitOk;
  std::unique_ptr<Engine> engine = openEngine(o.db, std::move(options), code);
  if (!engine) return code;
  auto pruned = engine->prune();
  if (!pruned) return reportStatus(pruned.status());
  std::cout << "pruned " << *pruned << (*pruned == 1 ? " job" : " jobs") << '\n';
  return kExitOk;
}

void addManageCommand(CLI::App& jobs, Action& chosen, Op op, const std::string& name, const std::string& help) {
  auto o = std::make_shared<ManageOptions>();
  CLI::App* cmd = jobs.add_subcommand(name, help);
  addDbOption(*cmd, o->db);
  cmd->add_option("ID", o->ids, "job ids")->required()->check(jobIdValidator());
  if (op == Op::retry) {
    cmd->add_flag("--override", o->override_conflict, "on a conflict job: apply the change anyway (last write wins)");
  }
  cmd->callback([o, op, &chosen] { chosen = [o, op] { return runManage(op, *o); }; });
}

}  // namespace

void addJobManagerCommands(CLI::App& jobs, Action& chosen) {
  addManageCommand(jobs, chosen, Op::retry, "retry", "re-queue failed or conflict jobs");
  addManageCommand(jobs, chosen, Op::cancel, "cancel", "cancel queued jobs");
  addManageCommand(jobs, chosen, Op::remove, "delete", "delete jobs that are not running");

  auto o = std::make_shared<PruneOptions>();
  CLI::App* prune = jobs.add_subcommand("prune", "delete finished jobs past their retention");
  addDbOption(*prune, o->db);
  prune->add_option("--success-days", o->success_days, "keep success and skipped jobs this many days")
      ->default_val(14)
      ->check(CLI::Range(0, 36500));
  prune->add_option("--failed-days", o->failed_days, "keep failed, conflict and cancelled jobs this many days")
      ->default_val(90)
      ->check(CLI::Range(0, 36500));
  prune->callback([o, &chosen] { chosen = [o] { return runPrune(*o); }; });
}

}  // namespace snapq::cli
