#include "proc_cpu.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace bench {
namespace {

// Fields 14-17 of /proc/PID/stat (utime, stime, cutime, cstime), in clock ticks.
bool readTicks(pid_t pid, long long& self, long long& reaped) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return false;
  auto close = line.rfind(')');  // the command name may hold spaces
  if (close == std::string::npos) return false;
  std::istringstream rest(line.substr(close + 2));
  std::string field;
  long long v[4] = {};
  for (int i = 3; i <= 17 && rest >> field; ++i) {
    if (i >= 14) v[i - 14] = std::stoll(field);
  }
  self = v[0] + v[1];
  reaped = v[2] + v[3];
  return true;
}

}  // namespace

double processTreeCpuSeconds(pid_t pid) {
  long long self = 0, reaped = 0;
  if (!readTicks(pid, self, reaped)) return -1;
  long long ticks = self + reaped;
  std::error_code ec;
  for (const auto& task : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
    std::ifstream children(task.path() / "children");
    pid_t child = 0;
    while (children >> child) {
      long long s = 0, r = 0;
      if (readTicks(child, s, r)) ticks += s + r;  // a child that just exited is in our cutime next time
    }
  }
  return static_cast<double>(ticks) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double processTreeCpuSeconds(const std::vector<pid_t>& pids) {
  double sum = 0;
  for (pid_t p : pids) {
    double s = processTreeCpuSeconds(p);
    if (s < 0) return -1;
    sum += s;
  }
  return sum;
}

}  // namespace bench
