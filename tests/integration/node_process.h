// `snapq worker` processes for the multi-node tests: started with a pipe on
// stdout (their "ready" line) and stderr in a log file, stopped with a signal.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace snapq::testing {

class NodeProcess {
 public:
  // Runs SNAPQ_BIN with `args`; stderr goes to `log_file`.
  NodeProcess(const std::vector<std::string>& args, const std::string& log_file);
  ~NodeProcess();  // SIGKILL if still running
  NodeProcess(const NodeProcess&) = delete;
  NodeProcess& operator=(const NodeProcess&) = delete;

  // Waits for the first stdout line (or EOF / the deadline); "" if none came.
  std::string readLine(std::chrono::milliseconds timeout);
  void signal(int sig);
  // Waits for the process to end; its exit status (-1 on timeout, 128+N when killed by N).
  int wait(std::chrono::milliseconds timeout);
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
  std::string buffered_;
  bool reaped_ = false;
};

}  // namespace snapq::testing
