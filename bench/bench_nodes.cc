#include "bench_nodes.h"

#include <libpq-fe.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

#include "snapq/engine.h"

namespace bench {
namespace {

void execOrDie(const std::string& server_url, const std::string& sql) {
  PGconn* conn = PQconnectdb(server_url.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::cerr << "queue_bench: cannot connect to the --db server: " << PQerrorMessage(conn);
    std::exit(1);
  }
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);  // "does not exist, skipping" is expected
  PGresult* res = PQexec(conn, sql.c_str());
  if (PQresultStatus(res) != PGRES_COMMAND_OK) {
    std::cerr << "queue_bench: " << sql << ": " << PQerrorMessage(conn);
    std::exit(1);
  }
  PQclear(res);
  PQfinish(conn);
}

bool readLine(int fd, std::string& line) {
  line.clear();
  char c;
  while (read(fd, &c, 1) == 1) {
    if (c == '\n') return true;
    line += c;
  }
  return false;
}

}  // namespace

PgDatabase::PgDatabase(const std::string& server_url, const std::string& name)
    : server_url_(server_url), name_(name) {
  execOrDie(server_url_, "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  execOrDie(server_url_, "CREATE DATABASE " + name_);
  url_ = server_url_ + (server_url_.find('?') == std::string::npos ? "?" : "&") + "dbname=" + name_;
}

PgDatabase::~PgDatabase() { execOrDie(server_url_, "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)"); }

WorkerProcesses::WorkerProcesses(const std::string& self, const std::string& url, int processes, int workers,
                                 int prefetch) {
  for (int i = 0; i < processes; ++i) {
    int in[2], out[2];
    if (pipe(in) != 0 || pipe(out) != 0) {
      std::perror("pipe");
      std::exit(1);
    }
    pid_t pid = fork();
    if (pid == 0) {
      dup2(in[0], 0);
      dup2(out[1], 1);
      close(in[1]);
      close(out[0]);
      std::string w = std::to_string(workers), p = std::to_string(prefetch);
      execl(self.c_str(), self.c_str(), "--worker-only", "--db", url.c_str(), "--workers", w.c_str(), "--prefetch",
            p.c_str(), nullptr);
      _exit(127);
    }
    close(in[0]);
    close(out[1]);
    children_.push_back({pid, in[1], out[0]});
  }
  for (Child& c : children_) {
    std::string line;
    if (!readLine(c.out, line) || line != "ready") {
      std::cerr << "queue_bench: a worker process did not get ready\n";
      std::exit(1);
    }
  }
}

void WorkerProcesses::go() {
  for (Child& c : children_) {
    if (write(c.in, "go\n", 3) != 3) std::perror("write");
  }
}

std::vector<pid_t> WorkerProcesses::pids() const {
  std::vector<pid_t> all;
  for (const Child& c : children_) all.push_back(c.pid);
  return all;
}

WorkerProcesses::~WorkerProcesses() {
  for (Child& c : children_) close(c.in);  // EOF: stop gracefully
  for (Child& c : children_) {
    waitpid(c.pid, nullptr, 0);
    close(c.out);
  }
}

int workerOnlyMain(const std::string& url, int workers, int prefetch) {
  auto store = snapq::openStore(url);
  if (!store) {
    std::cerr << "queue_bench --worker-only: " << store.status().toString() << "\n";
    return 1;
  }
  snapq::EngineOptions options;
  options.workers = workers;
  options.prefetch = prefetch;
  snapq::Env env;  // leadership and registry notes would interleave with the results
  env.logger = std::make_shared<snapq::StderrLogger>(snapq::LogLevel::warn);
  auto engine = snapq::Engine::open(*store, {std::string("bench-secret"), ""}, options, env);
  if (!engine) {
    std::cerr << "queue_bench --worker-only: " << engine.status().toString() << "\n";
    return 1;
  }
  snapq::JobType type;
  type.service = "bench";
  type.action = "noop";
  type.handler = [](snapq::JobContext&) { return snapq::Outcome::ok(); };
  (*engine)->registerJobType(std::move(type));
  std::cout << "ready" << std::endl;
  std::string line;
  if (!readLine(0, line) || line != "go") return 0;
  if (auto s = (*engine)->start(); !s) {
    std::cerr << "queue_bench --worker-only: " << s.toString() << "\n";
    return 1;
  }
  while (readLine(0, line)) {
  }
  (*engine)->stop();
  return 0;
}

}  // namespace bench
