// snapq worker: runs jobs (no HTTP) until SIGTERM or SIGINT, then stops
// gracefully. Several of these, on any hosts, share the work of one
// PostgreSQL database (docs/OPERATIONS.md, "Running several nodes").
#include <pthread.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>

#include "cli/cli_common.h"
#include "cli/db_wait.h"
#include "cli/job_types.h"
#include "cli/runtime.h"
#include "queue/job_builder.h"
#include "snapq/config.h"

namespace snapq::cli {
namespace {

struct WorkerArgs {
  std::string db;
  std::string config_file;
  std::optional<int> workers;
  std::vector<std::string> queues;
  int heartbeat_ms = 10000;
  int wait_for_db_s = kDefaultWaitForDbSeconds;
  std::string log_format;
  std::string log_level;
};

std::string stopMessage(int signal, Duration grace) {
  return std::string("worker: ") + (signal == SIGTERM ? "SIGTERM" : "SIGINT") +
         " received; finishing running jobs (up to " + std::to_string(grace.count() / 1000) + " s)";
}

// With a config file: the services' sync and mutation jobs and the cron
// scheduler of their sync schedules, besides the built-in job types.
int runConfiguredWorker(const WorkerArgs& args, sigset_t& stop_signals) {
  for (const std::string& q : args.queues) {
    if (!isValidName(q)) return usageError("bad queue name '" + q + "'");
  }
  RuntimeArgs runtime;
  runtime.db = args.db;
  runtime.config_file = args.config_file;
  runtime.workers = args.workers;
  runtime.queues = args.queues;
  runtime.heartbeat = Duration(args.heartbeat_ms);
  runtime.log_level = LogLevel::info;
  runtime.log_format_flag = args.log_format;
  runtime.log_level_flag = args.log_level;
  runtime.wait_for_db = {stop_signals, args.wait_for_db_s};
  int exit_code = kExitOk;
  auto rt = Runtime::open(runtime, true, exit_code);
  if (!rt) return exit_code;
  if (Status s = rt->start(); !s) return reportStatus(s);
  std::cout << "snapq worker " << rt->engine->options().worker_id << " ready: db " << rt->store->driverName() << ", "
            << rt->engine->options().workers << " workers, " << rt->config.services.size() << " service(s)"
            << std::endl;
  int received = 0;
  sigwait(&stop_signals, &received);
  // Through the logger, so that a JSON log stays JSON lines to the end.
  std::shared_ptr<Logger> logger = rt->logger;
  logger->log(LogLevel::info, stopMessage(received, rt->engine->options().grace));
  rt.reset();
  logger->log(LogLevel::info, "worker stopped");
  return kExitOk;
}

int runWorker(const WorkerArgs& args) {
  // Signals are taken by sigwait below, never by a handler: block them before
  // any thread exists so every thread the store and engine start inherits that.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto logger = openLogger(args.log_format, args.log_level, LogLevel::info);
  if (!logger) return usageError(logger.status().message());
  if (!args.config_file.empty()) return runConfiguredWorker(args, stop_signals);

  for (const std::string& q : args.queues) {
    if (!isValidName(q)) return usageError("bad queue name '" + q + "'");
  }
  // A flag wins over the environment, which wins over the file.
  std::string url = args.db.empty() ? defaultDbUrl() : args.db;

  EngineOptions options;
  options.workers = args.workers.value_or(4);
  if (options.workers < 1 || options.workers > 1024) return usageError("--workers must be 1-1024");
  options.queues = args.queues;
  options.heartbeat = Duration(args.heartbeat_ms);

  bool stopped = false;
  if (Status s = waitForDatabase(url, {stop_signals, args.wait_for_db_s}, **logger, stopped); !s) {
    return reportStatus(s);
  }
  if (stopped) return kExitOk;
  int exit_code = kExitOk;
  std::shared_ptr<Store> store = openReadyStore(url, exit_code);
  if (!store) return exit_code;
  Env env;
  env.logger = *logger;
  auto opened = Engine::open(store, engineKeys(url), options, env);
  if (!opened) return reportStatus(opened.status());
  Engine& engine = **opened;
  registerBuiltinJobTypes(engine);
  if (Status s = engine.start(); !s) return reportStatus(s);
  std::cout << "snapq worker " << engine.options().worker_id << " ready: db " << store->driverName() << ", "
            << options.workers << " workers" << std::endl;

  int received = 0;
  sigwait(&stop_signals, &received);
  (*logger)->log(LogLevel::info, stopMessage(received, options.grace));
  engine.stop();
  (*logger)->log(LogLevel::info, "worker stopped");
  return kExitOk;
}

}  // namespace

void addWorkerCommand(CLI::App& app, Action& chosen) {
  auto args = std::make_shared<WorkerArgs>();
  CLI::App* cmd = app.add_subcommand(
      "worker", "run jobs until SIGTERM/SIGINT (no HTTP); several workers may share one PostgreSQL database");
  cmd->add_option("--db", args->db, "database URL: sqlite:PATH or postgres://... (env SNAPQ_DB, else the config's)")
      ->type_name("URL");
  cmd->add_option("--workers", args->workers, "worker threads (default: the config's, else 4)")
      ->check(CLI::Range(1, 1024));
  cmd->add_option("--queue", args->queues, "serve only this queue (repeatable; default: every queue)")
      ->type_name("Q");
  cmd->add_option("--config", args->config_file, "configuration file (database, workers, retention, services)")
      ->type_name("FILE")
      ->check(CLI::ExistingFile);
  cmd->add_option("--heartbeat-ms", args->heartbeat_ms,
                  "how often this worker records itself and extends its leases; another node rescues its jobs after "
                  "three missed heartbeats (use the same value on every node)")
      ->default_val(10000)
      ->check(CLI::Range(100, 600000));
  addWaitForDbOption(*cmd, args->wait_for_db_s);
  addLogOptions(*cmd, args->log_format, args->log_level);
  cmd->callback([args, &chosen] { chosen = [args] { return runWorker(*args); }; });
}

}  // namespace snapq::cli
