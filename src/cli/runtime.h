// What the commands that touch snapshots share: the config file, the store,
// an engine and the sync service with the `rest` connector, opened the same
// way everywhere (a flag wins over the environment, which wins over the file).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/db_wait.h"
#include "notify/webhooks.h"
#include "queue/cluster_scheduler.h"
#include "snapq/config.h"
#include "snapq/engine.h"
#include "sync/sync_service.h"

namespace CLI {
class App;
}

namespace snapq::cli {

struct RuntimeArgs {
  std::string db;           // --db; empty: $SNAPQ_DB, the config's, the default
  std::string config_file;  // --config; empty: $SNAPQ_CONFIG
  std::optional<int> workers;
  std::vector<std::string> queues;
  std::optional<Duration> heartbeat;
  LogLevel log_level = LogLevel::warn;  // a one-shot command keeps quiet; a worker says more
  std::string log_format_flag;          // --log-format; empty: $SNAPQ_LOG_FORMAT, else text
  std::string log_level_flag;           // --log-level; empty: $SNAPQ_LOG_LEVEL, else log_level
  bool config_optional = false;         // serve: without a file, no services (jobs, users, health)
  bool migrate = false;                 // serve: bring the schema up to date first (safe on every node)
  // false: a schedule's tick that passed before start-up is not fired (Scheduler::skipOverdue);
  // the demo syncs everything itself at start.
  bool catch_up_schedules = true;
  // serve and worker: a PostgreSQL server that does not answer yet is waited for.
  DbWait wait_for_db;
};

// Adds --config and --db to a command.
void addRuntimeOptions(CLI::App& cmd, RuntimeArgs& args);
// Adds --log-format and --log-level (for the long-running commands).
void addLogOptions(CLI::App& cmd, std::string& format_flag, std::string& level_flag);
// Adds --wait-for-db SECONDS (serve and worker; default kDefaultWaitForDbSeconds).
void addWaitForDbOption(CLI::App& cmd, int& seconds);
// The logger the flags ask for, else $SNAPQ_LOG_FORMAT and $SNAPQ_LOG_LEVEL,
// else the config file's `log:` (when given), else text at `default_level`;
// invalid_argument naming a bad value.
Result<std::shared_ptr<Logger>> openLogger(const std::string& format_flag, const std::string& level_flag,
                                           LogLevel default_level, const Config* config = nullptr);

class Runtime {
 public:
  // Prints the reason and sets exit_code on failure. `run_jobs`: the engine
  // gets the sealing key (it may dispatch and run jobs); else it only manages.
  static std::unique_ptr<Runtime> open(const RuntimeArgs& args, bool run_jobs, int& exit_code);
  ~Runtime();

  // Workers, maintenance and the cron scheduler of the resources' sync
  // schedules (which fires only on the node that leads "scheduler").
  Status start();

  Config config;
  std::string url;
  std::shared_ptr<Store> store;
  std::unique_ptr<Engine> engine;
  std::unique_ptr<SyncService> sync;
  std::unique_ptr<Webhooks> webhooks;
  std::unique_ptr<ClusterScheduler> scheduler;
  std::shared_ptr<Logger> logger;
  bool catch_up_schedules = true;  // RuntimeArgs::catch_up_schedules
};

}  // namespace snapq::cli
