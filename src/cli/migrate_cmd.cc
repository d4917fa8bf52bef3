// snapq migrate: bring the database schema up to date.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "cli/cli_common.h"

namespace snapq::cli {
namespace {

int runMigrate(const std::string& url) {
  auto store = openStore(url);
  if (!store) return reportStatus(store.status());
  if (Status s = (*store)->migrate(); !s) return reportStatus(s);
  auto version = (*store)->schemaVersion();
  if (!version) return reportStatus(version.status());
  std::cout << "schema at version " << *version << '\n';
  return kExitOk;
}

}  // namespace

void addMigrateCommand(CLI::App& app, Action& chosen) {
  auto url = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("migrate", "create or upgrade the database schema");
  addDbOption(*cmd, *url);
  cmd->callback([url, &chosen] { chosen = [url] { return runMigrate(*url); }; });
}

}  // namespace snapq::cli
