// snapq config check FILE: every problem of a config file, with its line,
// the way compilers report errors, so editors can jump to them.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/cli_common.h"
#include "queue/cron.h"
#include "snapq/config.h"

namespace snapq::cli {
namespace {

struct CheckArgs {
  std::string file;
  bool dump = false;
  std::vector<std::string> connectors;
};

std::string counted(size_t n, const char* noun) { return std::to_string(n) + " " + noun + (n == 1 ? "" : "s"); }

int runCheck(const CheckArgs& args) {
  LoadOptions options;
  options.connectors = {std::string(kRestConnector)};
  options.connectors.insert(options.connectors.end(), args.connectors.begin(), args.connectors.end());
  options.check_schedule = [](std::string_view expression) -> std::optional<std::string> {
    auto parsed = CronSchedule::parse(expression);
    if (parsed) return std::nullopt;
    return parsed.status().message();
  };
  const ConfigCheck check = checkConfig(args.file, options);
  if (!check.ok()) {
    for (const ConfigProblem& p : check.problems) std::cerr << formatProblem(args.file, p) << '\n';
    printError(args.file + ": " + counted(check.problems.size(), "problem"));
    return kExitFailure;
  }
  if (args.dump) {
    std::cout << configToJson(*check.config) << '\n';
    return kExitOk;
  }
  std::cout << args.file << ": ok (" << counted(check.config->services.size(), "service") << ", "
            << counted(check.config->resourceCount(), "resource") << ")\n";
  return kExitOk;
}

}  // namespace

void addConfigCommand(CLI::App& app, Action& chosen) {
  CLI::App* config = app.add_subcommand("config", "work with configuration files");
  auto args = std::make_shared<CheckArgs>();
  CLI::App* check = config->add_subcommand(
      "check", "check a configuration file and report every problem as FILE:LINE:COL: message (exit 1)");
  check->add_option("FILE", args->file, "the YAML configuration file")->required();
  check->add_flag("--dump", args->dump, "print the effective configuration as JSON (secrets shown as ***)");
  check->add_option("--connector", args->connectors,
                    "a C++ connector name the program will register, besides rest (repeatable)");
  check->callback([args, &chosen] { chosen = [args] { return runCheck(*args); }; });
}

}  // namespace snapq::cli
