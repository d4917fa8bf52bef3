// CPU time of other processes on this machine, from /proc: what the PostgreSQL
// server (its postmaster and every backend) and the worker processes spent
// inside a timed window, which getrusage cannot see while they still run.
#pragma once

#include <sys/types.h>

#include <vector>

namespace bench {

// User + system seconds of `pid` (all its threads) and of its children: the
// live ones from /proc and the reaped ones from its cutime/cstime. Backends
// that PostgreSQL forks and reaps within a window are counted. -1 when `pid`
// cannot be read.
double processTreeCpuSeconds(pid_t pid);

// The sum over `pids` (each a whole tree); -1 when any cannot be read.
double processTreeCpuSeconds(const std::vector<pid_t>& pids);

}  // namespace bench
