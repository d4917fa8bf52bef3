// What queue_bench needs to measure PostgreSQL with several worker processes:
// a fresh database per phase on a server, and worker processes (queue_bench
// itself with --worker-only) that wait for "go" and run until told to stop.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace bench {

// A database created on the server of `server_url` for one phase, dropped on destruction.
class PgDatabase {
 public:
  PgDatabase(const std::string& server_url, const std::string& name);
  ~PgDatabase();
  PgDatabase(const PgDatabase&) = delete;
  PgDatabase& operator=(const PgDatabase&) = delete;
  const std::string& url() const { return url_; }

 private:
  std::string server_url_, name_, url_;
};

// N worker processes on one database. Each opens its engine and reports
// ready; go() starts them all; the destructor stops them (stdin closed) and
// waits for them.
class WorkerProcesses {
 public:
  WorkerProcesses(const std::string& self, const std::string& url, int processes, int workers, int prefetch);
  ~WorkerProcesses();
  WorkerProcesses(const WorkerProcesses&) = delete;
  WorkerProcesses& operator=(const WorkerProcesses&) = delete;
  void go();
  std::vector<pid_t> pids() const;

 private:
  struct Child {
    pid_t pid = -1;
    int in = -1;   // its stdin
    int out = -1;  // its stdout
  };
  std::vector<Child> children_;
};

// The child side: `queue_bench --worker-only --db URL --workers W [--prefetch N]`.
int workerOnlyMain(const std::string& url, int workers, int prefetch);

}  // namespace bench
