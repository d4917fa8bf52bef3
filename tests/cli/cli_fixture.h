// A temporary directory with a snapq database, seeded through the library the
// way a server would, for tests that then run the `snapq` program on it.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli_runner.h"
#include "snapq/store.h"

namespace snapq::clitest {

class CliTest : public ::testing::Test {
 protected:
  CliTest();
  ~CliTest() override;

  const std::filesystem::path& dir() const { return dir_; }
  std::string dbPath() const { return (dir_ / "snapq.db").string(); }
  std::string db() const { return "sqlite:" + dbPath(); }

  RunResult run(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {}) {
    return runSnapq(args, dir_, env);
  }
  // Runs with `--db <db>` appended and expects exit 0 and JSON on stdout.
  nlohmann::json runJson(std::vector<std::string> args);

  void migrate();

  // Through an engine on the same database file: 3 queued "sim/update" jobs
  // (account:1..3), 4 "dns/sync" jobs run to success (zone:a.example ...),
  // and 2 "dns/push" jobs rejected ("remote said 422 bad record") to failed.
  struct Seeded {
    std::vector<int64_t> queued, succeeded, failed;
  };
  Seeded seed();

 private:
  std::filesystem::path dir_;
};

}  // namespace snapq::clitest
