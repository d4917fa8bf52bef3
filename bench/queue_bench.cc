// Queue throughput benchmark: the peers' method (../shared/bench/peers/RESULTS.md)
// applied to snapq's engine on SQLite. Each phase gets a fresh database file in a
// temporary directory, fully durable settings (WAL, synchronous=FULL) unless
// --relaxed, and keeps every job's audit row. One JSON line per (phase, workers)
// goes to stdout, a human summary table to stderr at the end.
//
//   queue_bench [--jobs 20000] [--workers 1,2,4,8] [--phases LIST] [--relaxed]
//               [--dir DIR] [--prefetch N] [--producers 10] [--bulk 1000]
//               [--payload empty|small] [--wait listener|poll] [--timeout 300]
//               [--label TEXT] [--db postgres://...] [--processes 1,2,4] [--changes]
//               [--server-pid PID]
//
// --db postgres://URL measures the PostgreSQL driver: every phase gets a fresh
// database on that server (created and dropped by the bench). --processes
// runs the workers in that many separate processes (this program again, with
// --worker-only), each with W worker threads, while this process dispatches
// and polls the status counts for completion. --server-pid names the server's
// postmaster when it runs on this machine: each line then also has the CPU the
// server (every backend) and the worker processes spent inside the timed
// window (server_cpu_s, server_us_per_job, workers_cpu_s, snapq_us_per_job:
// this process and the workers), not counting the phase's database set-up.
//
// --changes subscribes a no-op onJobChanged listener in this (the dispatching)
// process, as `snapq serve` has one for its live events.
//
// Phases (default: all, in this order):
//   enqueue_serial     one job per dispatch(), 1 thread
//   enqueue_single     one job per dispatch(), --producers threads in flight
//   enqueue_bulk       dispatchMany() with --bulk jobs per call, one call at a time
//   process            queue pre-filled (not timed), engine started with W workers;
//                      time from start() until every job is success
//   end_to_end_single  engine running with W workers; --producers threads dispatch
//                      one job per call; time from "go" until every job is success
//   end_to_end_bulk    same with one producer calling dispatchMany(--bulk)
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench_nodes.h"
#include "proc_cpu.h"
#include "snapq/engine.h"
#include "snapq/store.h"

// Under `valgrind --tool=callgrind` each timed region is dumped on its own
// (callgrind.out.PID.N, named after the phase); natively these are no-ops.
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define BENCH_REGION_BEGIN() CALLGRIND_ZERO_STATS
#define BENCH_REGION_END(name) CALLGRIND_DUMP_STATS_AT(name)
#else
#define BENCH_REGION_BEGIN() ((void)0)
#define BENCH_REGION_END(name) ((void)(name))
#endif

namespace {

using snapq::DispatchRequest;
using snapq::Engine;
using snapq::EngineOptions;
using snapq::JobStatus;
using SteadyClock = std::chrono::steady_clock;
using Json = nlohmann::ordered_json;

const std::vector<std::string> kAllPhases = {"enqueue_serial", "enqueue_single",    "enqueue_bulk",
                                             "process",        "end_to_end_single", "end_to_end_bulk"};

bool phaseUsesWorkers(const std::string& phase) {
  return phase == "process" || phase == "end_to_end_single" || phase == "end_to_end_bulk";
}

struct Options {
  int jobs = 20000;
  std::vector<int> workers = {1, 2, 4, 8};
  std::vector<std::string> phases = kAllPhases;
  bool relaxed = false;
  std::string dir;
  int prefetch = 0;  // 0: engine default (adaptive)
  int producers = 10;
  int bulk = 1000;
  bool small_payload = false;
  bool poll_wait = false;  // count completions by polling listJobs instead of onJobFinished
  bool changes = false;    // a no-op onJobChanged listener, as `snapq serve` has (its live events)
  int timeout_s = 300;
  std::string label;  // copied into every JSON line (e.g. the runner's session/round)
  std::string db;     // empty: SQLite files in --dir; else a postgres:// server URL
  std::vector<int> processes;  // empty: workers run in this process
  pid_t server_pid = 0;        // the PostgreSQL server's postmaster, when on this machine: its CPU is reported
  bool worker_only = false;    // internal: the child side of --processes
};

[[noreturn]] void usage(const std::string& error = {}) {
  if (!error.empty()) std::cerr << "queue_bench: " << error << "\n";
  std::cerr << "usage: queue_bench [--jobs N] [--workers 1,2,4,8] [--phases LIST] [--relaxed] [--dir DIR]\n"
               "                   [--prefetch N] [--producers N] [--bulk N] [--payload empty|small]\n"
               "                   [--wait listener|poll] [--timeout SECONDS] [--label TEXT]\n"
               "                   [--db postgres://...] [--processes 1,2,4] [--changes] [--server-pid PID]\n"
               "phases: enqueue_serial,enqueue_single,enqueue_bulk,process,end_to_end_single,end_to_end_bulk\n";
  std::exit(2);
}

std::vector<std::string> splitList(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

int parsePositive(const std::string& what, const std::string& value) {
  try {
    size_t used = 0;
    int v = std::stoi(value, &used);
    if (used != value.size() || v < 0) throw std::invalid_argument(value);
    return v;
  } catch (const std::exception&) {
    usage(what + " needs a non-negative integer, got '" + value + "'");
  }
}

Options parseArgs(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) usage(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--jobs") {
      o.jobs = parsePositive(arg, next());
    } else if (arg == "--workers") {
      o.workers.clear();
      for (const auto& w : splitList(next())) o.workers.push_back(parsePositive(arg, w));
    } else if (arg == "--phases") {
      o.phases = splitList(next());
      for (const auto& p : o.phases) {
        if (std::find(kAllPhases.begin(), kAllPhases.end(), p) == kAllPhases.end()) usage("unknown phase " + p);
      }
    } else if (arg == "--relaxed") {
      o.relaxed = true;
    } else if (arg == "--dir") {
      o.dir = next();
    } else if (arg == "--prefetch") {
      o.prefetch = parsePositive(arg, next());
    } else if (arg == "--producers") {
      o.producers = parsePositive(arg, next());
    } else if (arg == "--bulk") {
      o.bulk = parsePositive(arg, next());
    } else if (arg == "--payload") {
      std::string p = next();
      if (p != "empty" && p != "small") usage("--payload is empty or small");
      o.small_payload = p == "small";
    } else if (arg == "--wait") {
      std::string w = next();
      if (w != "listener" && w != "poll") usage("--wait is listener or poll");
      o.poll_wait = w == "poll";
    } else if (arg == "--changes") {
      o.changes = true;
    } else if (arg == "--timeout") {
      o.timeout_s = parsePositive(arg, next());
    } else if (arg == "--label") {
      o.label = next();
    } else if (arg == "--db") {
      o.db = next();
      if (!o.db.starts_with("postgres://") && !o.db.starts_with("postgresql://")) usage("--db takes a postgres:// URL");
    } else if (arg == "--processes") {
      o.processes.clear();
      for (const auto& p : splitList(next())) o.processes.push_back(parsePositive(arg, p));
    } else if (arg == "--server-pid") {
      o.server_pid = parsePositive(arg, next());
    } else if (arg == "--worker-only") {
      o.worker_only = true;
    } else if (arg == "-h" || arg == "--help") {
      usage();
    } else {
      usage("unknown argument " + arg);
    }
  }
  if (o.jobs < 1 || o.producers < 1 || o.bulk < 1 || o.workers.empty() || o.phases.empty()) {
    usage("--jobs, --producers, --bulk must be >= 1; --workers and --phases non-empty");
  }
  for (int w : o.workers) {
    if (w < 1 || w > 1024) usage("workers must be 1-1024");
  }
  for (int p : o.processes) {
    if (p < 1 || p > 64) usage("processes must be 1-64");
  }
  if (!o.processes.empty() && o.db.empty()) usage("--processes needs --db postgres://...");
  if (o.server_pid && o.db.empty()) usage("--server-pid needs --db postgres://...");
  if (o.server_pid && bench::processTreeCpuSeconds(o.server_pid) < 0) {
    usage("--server-pid " + std::to_string(o.server_pid) + ": no such process on this machine");
  }
  return o;
}

// ---------------------------------------------------------------- machine

std::string cpuModel() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      auto colon = line.find(':');
      if (colon != std::string::npos) {
        std::string v = line.substr(colon + 1);
        v.erase(0, v.find_first_not_of(" \t"));
        return v;
      }
    }
  }
  return "unknown";
}

Json machineInfo() {
  utsname u{};
  uname(&u);
  Json m;
  m["nproc"] = static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));
  m["cpu"] = cpuModel();
  m["kernel"] = std::string(u.release);
  return m;
}

// The filesystem the databases live on: a tmpfs run (fsync is free) measures the
// engine's CPU ceiling, not a durable queue.
std::string filesystemOf(const std::string& dir) {
  struct statfs f{};
  if (statfs(dir.c_str(), &f) != 0) return "unknown";
  switch (static_cast<unsigned long>(f.f_type)) {
    case 0x01021994UL: return "tmpfs";
    case 0xEF53UL: return "ext4";
    case 0x58465342UL: return "xfs";
    case 0x9123683EUL: return "btrfs";
    case 0x794C7630UL: return "overlayfs";
    case 0x2FC12FC1UL: return "zfs";
    default: {
      char buf[32];
      std::snprintf(buf, sizeof buf, "0x%lx", static_cast<unsigned long>(f.f_type));
      return buf;
    }
  }
}

double loadAverage1() {
  double l = -1;
  std::ifstream in("/proc/loadavg");
  in >> l;
  return l;
}

std::string utcNow() {
  std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

struct Cpu {
  double user = 0, sys = 0;
  static Cpu now() {
    rusage r{};
    getrusage(RUSAGE_SELF, &r);
    return {r.ru_utime.tv_sec + r.ru_utime.tv_usec / 1e6, r.ru_stime.tv_sec + r.ru_stime.tv_usec / 1e6};
  }
};

// Mean latency of an 8 kB pwrite + fdatasync in `dir`: what one durable commit
// costs at least on this disk right now (the peers' box measured ~158 us).
double fsyncProbeMicros(const std::string& dir, int rounds = 100) {
  std::string path = dir + "/fsync_probe";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return -1;
  std::vector<char> page(8192, 'x');
  auto t0 = std::chrono::steady_clock::now();
  bool ok = true;
  for (int i = 0; i < rounds && ok; ++i) {
    ok = ::pwrite(fd, page.data(), page.size(), static_cast<off_t>(i % 16) * 8192) == 8192 && ::fdatasync(fd) == 0;
  }
  double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count() / rounds;
  ::close(fd);
  std::filesystem::remove(path);
  return ok ? us : -1;
}

double secondsSince(SteadyClock::time_point t0) {
  return std::chrono::duration<double>(SteadyClock::now() - t0).count();
}

// ---------------------------------------------------------------- one phase's database

[[noreturn]] void fail(const std::string& what, const snapq::Status& s) {
  std::cerr << "queue_bench: " << what << ": " << s.toString() << "\n";
  std::exit(1);
}

// Counts finished jobs; the producer side waits on it.
struct FinishCounter {
  std::mutex mu;
  std::condition_variable cv;
  int64_t done = 0;
  int64_t target = 0;  // wake the waiter only once this many finished
  int64_t not_success = 0;
  std::optional<SteadyClock::time_point> first;

  void add(const snapq::Job& job) {
    bool reached;
    {
      std::lock_guard lock(mu);
      if (!first) first = SteadyClock::now();
      ++done;
      if (job.status != JobStatus::success) ++not_success;
      reached = done == target;
    }
    if (reached) cv.notify_all();
  }
};

// A fresh database + engine for one phase; everything is removed on destruction.
class Bench {
 public:
  Bench(const Options& o, const std::string& dir, const std::string& name, int workers, bool poll_wait)
      : o_(o), path_(dir + "/" + name + ".db"), poll_wait_(poll_wait) {
    std::string url = "sqlite:" + path_;
    if (o.db.empty()) {
      removeFiles();
    } else {
      std::string db_name = "snapq_bench_" + std::to_string(getpid()) + "_" + name;
      for (char& c : db_name) {
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
      }
      pg_ = std::make_unique<bench::PgDatabase>(o.db, db_name);
      url = pg_->url();
    }
    url_ = url;
    snapq::StoreOptions so;
    so.relaxed_durability = o.relaxed;
    auto store = snapq::openStore(url, so);
    if (!store) fail("open store", store.status());
    store_ = *store;
    if (auto s = store_->migrate(); !s) fail("migrate", s);
    EngineOptions eo;
    eo.workers = std::max(1, workers);
    eo.prefetch = o.prefetch;
    snapq::Env env;  // leadership and registry notes would interleave with the results
    env.logger = std::make_shared<snapq::StderrLogger>(snapq::LogLevel::warn);
    auto engine = Engine::open(store_, {std::string("bench-secret"), ""}, eo, env);
    if (!engine) fail("open engine", engine.status());
    engine_ = std::move(*engine);
    snapq::JobType type;
    type.service = "bench";
    type.action = "noop";
    type.handler = [](snapq::JobContext&) { return snapq::Outcome::ok(); };
    engine_->registerJobType(std::move(type));
    engine_->onJobFinished([this](const snapq::Job& job) {
      if (!poll_wait_) counter_.add(job);
    });
    if (o.changes) engine_->onJobChanged([](const snapq::JobChange&) {});
  }
  ~Bench() {
    engine_->stop();
    engine_.reset();
    store_.reset();
    if (pg_) {
      pg_.reset();
    } else {
      removeFiles();
    }
  }
  const std::string& url() const { return url_; }

  Engine& engine() { return *engine_; }
  snapq::Store& store() { return *store_; }
  FinishCounter& counter() { return counter_; }

  DispatchRequest request(int64_t i) const {
    DispatchRequest r;
    r.service = "bench";
    r.action = "noop";
    r.payload = o_.small_payload ? "{\"n\":" + std::to_string(i) + "}" : "{}";
    return r;
  }

  // Inserts [from, to) in calls of `bulk`.
  void dispatchBulk(int64_t from, int64_t to, int bulk) {
    for (int64_t i = from; i < to;) {
      std::vector<DispatchRequest> batch;
      int64_t end = std::min<int64_t>(to, i + bulk);
      batch.reserve(static_cast<size_t>(end - i));
      for (; i < end; ++i) batch.push_back(request(i));
      auto r = engine_->dispatchMany(std::move(batch));
      if (!r) fail("dispatchMany", r.status());
    }
  }

  void dispatchOneByOne(int64_t from, int64_t to) {
    for (int64_t i = from; i < to; ++i) {
      auto r = engine_->dispatch(request(i));
      if (!r) fail("dispatch", r.status());
    }
  }

  // `producers` threads share [0, jobs) one job per call; starts them all at once.
  void dispatchParallel(int jobs, int producers) {
    std::vector<std::thread> threads;
    int64_t per = jobs / producers, extra = jobs % producers, from = 0;
    for (int p = 0; p < producers; ++p) {
      int64_t n = per + (p < extra ? 1 : 0);
      threads.emplace_back([this, from, n] { dispatchOneByOne(from, from + n); });
      from += n;
    }
    for (auto& t : threads) t.join();
  }

  std::map<JobStatus, int64_t> statusCounts() {
    snapq::JobFilter f;
    f.statuses = {JobStatus::success};
    f.limit = 1;
    auto page = store_->listJobs(f);
    if (!page) fail("listJobs", page.status());
    return page->status_counts;
  }

  // Blocks until `jobs` jobs finished or the timeout passed; returns how many finished.
  int64_t waitFinished(int64_t jobs) {
    auto deadline = SteadyClock::now() + std::chrono::seconds(o_.timeout_s);
    if (poll_wait_) {
      // A status count over the whole table: every 5 ms on SQLite (in-process),
      // every 20 ms on a server shared with the workers.
      auto every = std::chrono::milliseconds(o_.db.empty() ? 5 : 20);
      while (true) {
        int64_t ok = statusCounts()[JobStatus::success];
        if (ok >= jobs || SteadyClock::now() >= deadline) return ok;
        std::this_thread::sleep_for(every);
      }
    }
    std::unique_lock lock(counter_.mu);
    counter_.target = jobs;
    counter_.cv.wait_until(lock, deadline, [&] { return counter_.done >= jobs; });
    return counter_.done;
  }

 private:
  void removeFiles() {
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::filesystem::remove(path_ + suffix);
  }

  const Options& o_;
  std::string path_;
  std::string url_;
  bool poll_wait_;
  std::unique_ptr<bench::PgDatabase> pg_;
  std::shared_ptr<snapq::Store> store_;
  std::unique_ptr<Engine> engine_;
  FinishCounter counter_;
};

// ---------------------------------------------------------------- phases

struct Row {
  std::string phase;
  int workers = 0;
  int processes = 0;  // 0: in-process workers
  double seconds = 0;
  double jobs_per_s = 0;
  double cpu_user = 0, cpu_sys = 0;
  bool ok = true;
  double fsync_us = 0;
};

Row runPhase(const Options& o, const std::string& dir, const std::string& phase, int workers, const Json& machine,
             double fsync_us, int processes = 0) {
  const std::string region =
      phase + "-w" + std::to_string(workers) + (processes ? "-p" + std::to_string(processes) : "");
  // The disk's fsync latency swings with other tenants' I/O (0.1-4 ms seen on the
  // project box within minutes): measure it right before each phase.
  double phase_fsync_us = fsyncProbeMicros(dir, 20);
  // Separate worker processes: this one cannot see their completions, it counts them in the database.
  Bench b(o, dir, region, workers, o.poll_wait || processes > 0);
  std::unique_ptr<bench::WorkerProcesses> nodes;
  auto startWorkers = [&] {
    if (processes == 0) {
      if (auto s = b.engine().start(); !s) fail("start", s);
    } else {
      nodes->go();
    }
  };
  if (processes > 0 && phaseUsesWorkers(phase)) {
    nodes = std::make_unique<bench::WorkerProcesses>("/proc/self/exe", b.url(), processes, workers, o.prefetch);
  }
  Json extra;
  int producers = 1;
  double load1 = loadAverage1();
  std::string started = utcNow();
  SteadyClock::time_point t0;
  // CPU at the window's edges: this process, the server's and the worker processes' (-1: not measured).
  struct Sample {
    Cpu self;
    double server = -1, workers = -1;
  };
  auto sample = [&] {
    Sample at{Cpu::now()};
    if (o.server_pid) at.server = bench::processTreeCpuSeconds(o.server_pid);
    if (nodes) at.workers = bench::processTreeCpuSeconds(nodes->pids());
    return at;
  };
  Sample c0;
  double seconds = 0;
  Sample c1;
  int64_t finished = o.jobs;
  bool expect_success = phaseUsesWorkers(phase);

  if (phase == "enqueue_serial") {
    c0 = sample();
    BENCH_REGION_BEGIN();
    t0 = SteadyClock::now();
    b.dispatchOneByOne(0, o.jobs);
    seconds = secondsSince(t0);
    c1 = sample();
    BENCH_REGION_END(region.c_str());
  } else if (phase == "enqueue_single") {
    producers = o.producers;
    c0 = sample();
    BENCH_REGION_BEGIN();
    t0 = SteadyClock::now();
    b.dispatchParallel(o.jobs, o.producers);
    seconds = secondsSince(t0);
    c1 = sample();
    BENCH_REGION_END(region.c_str());
  } else if (phase == "enqueue_bulk") {
    c0 = sample();
    BENCH_REGION_BEGIN();
    t0 = SteadyClock::now();
    b.dispatchBulk(0, o.jobs, o.bulk);
    seconds = secondsSince(t0);
    c1 = sample();
    BENCH_REGION_END(region.c_str());
  } else if (phase == "process") {
    b.dispatchBulk(0, o.jobs, 1000);  // not timed
    c0 = sample();
    BENCH_REGION_BEGIN();
    t0 = SteadyClock::now();
    startWorkers();
    finished = b.waitFinished(o.jobs);
    seconds = secondsSince(t0);
    c1 = sample();
    BENCH_REGION_END(region.c_str());
    std::lock_guard lock(b.counter().mu);
    if (b.counter().first) {
      double startup = std::chrono::duration<double>(*b.counter().first - t0).count();
      extra["first_finish_s"] = std::round(startup * 1e4) / 1e4;
    }
  } else {  // end_to_end_single / end_to_end_bulk
    startWorkers();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // let the fetcher go idle
    bool bulk = phase == "end_to_end_bulk";
    producers = bulk ? 1 : o.producers;
    c0 = sample();
    BENCH_REGION_BEGIN();
    t0 = SteadyClock::now();
    if (bulk) {
      b.dispatchBulk(0, o.jobs, o.bulk);
    } else {
      b.dispatchParallel(o.jobs, o.producers);
    }
    extra["dispatch_s"] = std::round(secondsSince(t0) * 1e4) / 1e4;
    finished = b.waitFinished(o.jobs);
    seconds = secondsSince(t0);
    c1 = sample();
    BENCH_REGION_END(region.c_str());
  }

  // Verify what the database says (after the timed region).
  b.engine().stop();
  nodes.reset();
  auto counts = b.statusCounts();
  int64_t want_status = expect_success ? counts[JobStatus::success] : counts[JobStatus::queued];
  int64_t total = 0;
  for (const auto& [s, n] : counts) total += n;
  bool ok = finished >= o.jobs && want_status == o.jobs && total == o.jobs;
  if (!o.poll_wait && processes == 0 && expect_success && b.counter().not_success > 0) ok = false;

  Row row{phase,
          phaseUsesWorkers(phase) ? workers : 0,
          phaseUsesWorkers(phase) ? processes : 0,
          seconds,
          o.jobs / seconds,
          c1.self.user - c0.self.user,
          c1.self.sys - c0.self.sys,
          ok,
          phase_fsync_us};
  Json j;
  j["bench"] = "queue";
  j["driver"] = o.db.empty() ? "sqlite" : "postgres";
  j["phase"] = phase;
  j["workers"] = row.workers;
  // Worker processes; cpu_* below then cover only this (dispatching) process.
  if (!o.processes.empty()) j["processes"] = row.processes;
  j["producers"] = producers;
  j["jobs"] = o.jobs;
  j["seconds"] = std::round(seconds * 1e4) / 1e4;
  j["jobs_per_s"] = std::round(row.jobs_per_s);
  j["durability"] = o.relaxed ? "normal" : "full";
  j["filesystem"] = filesystemOf(dir);
  j["cpu_user_s"] = std::round(row.cpu_user * 1e3) / 1e3;
  j["cpu_sys_s"] = std::round(row.cpu_sys * 1e3) / 1e3;
  j["cpu_pct"] = std::round((row.cpu_user + row.cpu_sys) / seconds * 1000) / 10;
  // The same window's CPU of the server (every backend) and of the worker processes.
  auto perJob = [&](double s) { return std::round(s * 1e7 / o.jobs) / 10; };  // microseconds, 0.1
  if (c0.server >= 0 && c1.server >= 0) {
    j["server_cpu_s"] = std::round((c1.server - c0.server) * 1e3) / 1e3;
    j["server_us_per_job"] = perJob(c1.server - c0.server);
  }
  if (c0.workers >= 0 && c1.workers >= 0) {
    j["workers_cpu_s"] = std::round((c1.workers - c0.workers) * 1e3) / 1e3;
    j["snapq_us_per_job"] = perJob(c1.workers - c0.workers + row.cpu_user + row.cpu_sys);
  }
  j["bulk"] = (phase == "enqueue_bulk" || phase == "end_to_end_bulk") ? o.bulk : 1;
  j["prefetch"] = o.prefetch;
  j["payload"] = o.small_payload ? "small" : "empty";
  for (auto it = extra.begin(); it != extra.end(); ++it) j[it.key()] = it.value();
  j["final_status_counts"] = Json::object();
  for (const auto& [s, n] : counts) {
    if (n) j["final_status_counts"][snapq::toString(s)] = n;
  }
  j["ok"] = ok;
  if (!ok) j["error"] = finished < o.jobs ? "timeout" : "unexpected final status counts";
  if (o.db.empty()) j["sqlite_version"] = sqlite3_libversion();
  j["started_at"] = started;
  j["load1"] = load1;
  j["fsync_us"] = std::round(phase_fsync_us);  // 8 kB pwrite+fdatasync, mean of 20, just before the phase
  j["fsync_us_at_start"] = std::round(fsync_us);
  j["machine"] = machine;
  if (!o.label.empty()) j["label"] = o.label;
  std::cout << j.dump() << std::endl;
  return row;
}

}  // namespace

int main(int argc, char** argv) {
  Options o = parseArgs(argc, argv);
  if (o.worker_only) return bench::workerOnlyMain(o.db, o.workers.front(), o.prefetch);
  std::string base = o.dir.empty() ? std::filesystem::temp_directory_path().string() : o.dir;
  std::filesystem::create_directories(base);
  std::string tmpl = base + "/queue_bench.XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (!mkdtemp(buf.data())) {
    std::perror("mkdtemp");
    return 1;
  }
  std::string dir = buf.data();
  Json machine = machineInfo();
  double fsync_us = fsyncProbeMicros(dir);

  std::vector<Row> rows;
  for (const std::string& phase : o.phases) {
    if (phaseUsesWorkers(phase) && !o.processes.empty()) {
      for (int p : o.processes) {
        for (int w : o.workers) rows.push_back(runPhase(o, dir, phase, w, machine, fsync_us, p));
      }
    } else if (phaseUsesWorkers(phase)) {
      for (int w : o.workers) rows.push_back(runPhase(o, dir, phase, w, machine, fsync_us));
    } else {
      rows.push_back(runPhase(o, dir, phase, 0, machine, fsync_us));
    }
  }
  const std::string filesystem = filesystemOf(dir);
  std::filesystem::remove_all(dir);

  std::fprintf(stderr,
               "\nqueue_bench: %d jobs, durability %s, payload %s, prefetch %s, %s, %s, "
               "%s, 8 kB write+fdatasync %.0f us (at start)\n",
               o.jobs,
               o.relaxed ? "normal (relaxed)" : "full", o.small_payload ? "small" : "empty",
               o.prefetch ? std::to_string(o.prefetch).c_str() : "default",
               o.db.empty() ? (std::string("sqlite ") + sqlite3_libversion()).c_str() : "postgres",
               machine["cpu"].get<std::string>().c_str(), filesystem.c_str(), fsync_us);
  std::fprintf(stderr, "%-18s %7s %5s %9s %11s %8s %8s %6s %9s %s\n", "phase", "workers", "procs", "seconds",
               "jobs/s", "user_s", "sys_s", "cpu%", "fsync_us", "");
  bool all_ok = true;
  for (const Row& r : rows) {
    all_ok = all_ok && r.ok;
    std::fprintf(stderr, "%-18s %7s %5s %9.3f %11.0f %8.2f %8.2f %6.0f %9.0f %s\n", r.phase.c_str(),
                 r.workers ? std::to_string(r.workers).c_str() : "-",
                 r.processes ? std::to_string(r.processes).c_str() : "-", r.seconds, r.jobs_per_s, r.cpu_user,
                 r.cpu_sys, (r.cpu_user + r.cpu_sys) / r.seconds * 100, r.fsync_us, r.ok ? "" : "FAILED");
  }
  return all_ok ? 0 : 1;
}
