// snapq: the command-line program. Parsing is CLI11's; every command lives in
// its own *_cmd.cc and reports failures as one line on stderr.
#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>

#include "cli/cli_common.h"

#ifndef SNAPQ_VERSION
#error "SNAPQ_VERSION must be defined by the build"
#endif

int main(int argc, char** argv) {
  using namespace snapq::cli;
  CLI::App app{"snapq: a job queue that keeps snapshots of external services", "snapq"};
  app.set_version_flag("--version", std::string("snapq ") + SNAPQ_VERSION);
  app.require_subcommand(1);
  app.fallthrough(false);

  Action chosen;
  addMigrateCommand(app, chosen);
  addJobsCommand(app, chosen);
  addDemoCommand(app, chosen);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version end parsing with exit code 0; CLI11 prints them.
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) return app.exit(e);
    printError(e.what());
    return kExitUsage;
  }
  if (!chosen) return usageError("no command given; see snapq --help");
  try {
    return chosen();
  } catch (const std::exception& e) {
    // Third-party code may still throw; never end with an unhandled exception.
    printError(std::string("unexpected failure: ") + e.what());
    return kExitFailure;
  }
}
