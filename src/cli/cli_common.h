// What every `snapq` command shares: where the database and the sealing key
// are, who the actor is, and how failures become one stderr line and an exit
// status (0 success, 1 failure, 2 usage error).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "snapq/engine.h"
#include "snapq/job.h"
#include "snapq/status.h"
#include "snapq/store.h"

namespace CLI {
class App;
class Validator;
}  // namespace CLI

namespace snapq::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

// The command chosen on the command line, run after parsing succeeded.
using Action = std::function<int()>;
// Each command adds itself to `app` and, when it is chosen, sets `chosen`.
void addMigrateCommand(CLI::App& app, Action& chosen);
void addJobsCommand(CLI::App& app, Action& chosen);
void addHealthCommand(CLI::App& app, Action& chosen);
void addDemoCommand(CLI::App& app, Action& chosen);
void addSimCommand(CLI::App& app, Action& chosen);
void addConfigCommand(CLI::App& app, Action& chosen);
void addWorkerCommand(CLI::App& app, Action& chosen);
void addSyncCommand(CLI::App& app, Action& chosen);
void addDispatchCommand(CLI::App& app, Action& chosen);
void addSnapshotCommand(CLI::App& app, Action& chosen);
// snapq user add|passwd|list|remove and snapq token create|list|revoke.
void addUserCommand(CLI::App& app, Action& chosen);
void addTokenCommand(CLI::App& app, Action& chosen);
void addServeCommand(CLI::App& app, Action& chosen);
// retry, cancel, delete and prune under `snapq jobs`.
void addJobManagerCommands(CLI::App& jobs, Action& chosen);

// $SNAPQ_DB, else "sqlite:./snapq.db".
std::string defaultDbUrl();
// Adds `--db URL` with that default to `cmd`.
void addDbOption(CLI::App& cmd, std::string& url);

// Accepts a job id: a positive decimal number.
const CLI::Validator& jobIdValidator();

// The file path of a sqlite URL ("sqlite:./x.db" and "./x.db" -> "./x.db");
// empty for other drivers.
std::string sqlitePath(std::string_view url);
// Where the sealing key lives when $SNAPQ_SECRET_KEY is unset: next to the
// database ("./snapq.db" -> "./snapq.db.key"); "snapq.key" for other drivers.
std::string keyFileFor(std::string_view url);
// $SNAPQ_SECRET_KEY when set and non-empty, else the key file of `url`.
Engine::Keys engineKeys(std::string_view url);

// The person at the terminal: {user, "cli:<login name>"}.
Actor cliActor();

// "snapq: error: <message>" on stderr.
void printError(std::string_view message);
// Prints `status` and returns its exit code: 2 for invalid_argument, else 1.
int reportStatus(const Status& status);
// Prints a usage error and returns 2.
int usageError(std::string_view message);

// Opens the store for a command that needs an up-to-date schema. On failure
// it has already printed the reason (a not-initialised database gets the
// `snapq migrate` hint) and `exit_code` says what to return.
std::shared_ptr<Store> openReadyStore(const std::string& url, int& exit_code);

// Opens the store and an engine with the CLI's keys; same contract.
std::unique_ptr<Engine> openEngine(const std::string& url, EngineOptions options, int& exit_code);

}  // namespace snapq::cli
