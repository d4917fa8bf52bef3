// Runs the built `snapq` program the way a user does: in a directory of its
// own, with a controlled environment, capturing exit status and both streams.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace snapq::clitest {

struct RunResult {
  int exit_code = -1;  // -1: killed (timeout or signal)
  std::string out;
  std::string err;
  // Lines of stderr (without the newline).
  std::vector<std::string> errLines() const;
};

// Runs SNAPQ_BIN with `args` in `cwd`. The environment is the test's minus
// every SNAPQ_* variable, plus USER=tester and `env`.
RunResult runSnapq(const std::vector<std::string>& args, const std::filesystem::path& cwd,
                   const std::map<std::string, std::string>& env = {},
                   std::chrono::seconds timeout = std::chrono::seconds(60));

}  // namespace snapq::clitest
