// snapq: the command-line program. Parsing is CLI11's; every command lives in
// its own *_cmd.cc and reports failures as one line on stderr.
#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>

#include "cli/cli_common.h"

#ifndef SNAPQ_VERSION
#error "SNAPQ_VERSION must be defined by the build"
#endif

namespace snapq::cli {
namespace {

int run(int argc, char** argv) {
  CLI::App app{"snapq: a job queue that keeps snapshots of external services", "snapq"};
  app.set_version_flag("--version", std::string("snapq ") + SNAPQ_VERSION);
  app.fallthrough(false);

  Action chosen;
  addMigrateCommand(app, chosen);
  addJobsCommand(app, chosen);
  addHealthCommand(app, chosen);
  addDemoCommand(app, chosen);
  addSimCommand(app, chosen);
  addConfigCommand(app, chosen);
  addWorkerCommand(app, chosen);
  addSyncCommand(app, chosen);
  addDispatchCommand(app, chosen);
  addSnapshotCommand(app, chosen);
  addUserCommand(app, chosen);
  addTokenCommand(app, chosen);
  addServeCommand(app, chosen);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version end parsing with exit code 0; CLI11 prints them.
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) return app.exit(e);
    printError(e.what());
    return kExitUsage;
  }
  if (!chosen) {
    // "snapq" or "snapq jobs" alone: point at the help of what was typed.
    std::string typed = app.get_name();
    for (CLI::App* cmd = &app; !cmd->get_subcommands().empty();) {
      cmd = cmd->get_subcommands().front();
      typed += " " + cmd->get_name();
    }
    return usageError("a command is required; see " + typed + " --help");
  }
  return chosen();
}

}  // namespace
}  // namespace snapq::cli

int main(int argc, char** argv) {
  // Third-party code may still throw; never end with an unhandled exception
  // (and so never with a core dump or a stack trace instead of one line).
  try {
    return snapq::cli::run(argc, argv);
  } catch (const std::exception& e) {
    snapq::cli::printError(std::string("unexpected failure: ") + e.what());
  } catch (...) {
    snapq::cli::printError("unexpected failure");
  }
  return snapq::cli::kExitFailure;
}
