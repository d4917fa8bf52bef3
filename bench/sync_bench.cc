// sync_bench: the snapshot side against `snapq sim` running as a separate
// process (so this process's CPU time is snapq's own), one JSON line per figure.
//
//   sync    100,000 accounts: first sync, then a re-sync after 1% drifted:
//           objects/s, rows written, CPU seconds, peak RSS.
//   budget  the sim limited to --rate requests/s and --mutations queued
//           updates: once with that limit configured in snapq, once without
//           (snapq adapts to the 429s): sustained accepted requests/s, 429s
//           received, requests per mutation.
//
// Usage: sync_bench --snapq build/snapq [--phase sync|budget|all] [--accounts 100000]
//                   [--mutations 2000] [--rate 20] [--port 19400] [--db sqlite|postgres://...]
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "connectors/rest/rest_connector.h"
#include "net/http_client.h"
#include "snapq/config.h"
#include "snapq/engine.h"
#include "sync/sync_service.h"

namespace snapq::bench {
namespace {

using json = nlohmann::json;
using Steady = std::chrono::steady_clock;

struct Options {
  std::string snapq;
  std::string phase = "all";
  int64_t accounts = 100000;
  int mutations = 2000;
  int rate = 20;
  int port = 19400;
  std::string db;  // empty: a fresh sqlite file
};

[[noreturn]] void usage(const std::string& why) {
  std::cerr << "sync_bench: " << why << "\nusage: sync_bench --snapq PATH [--phase sync|budget|all] [--accounts N]"
            << " [--mutations N] [--rate R] [--port P] [--db URL]\n";
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) usage(a + " needs a value");
      return argv[++i];
    };
    if (a == "--snapq") o.snapq = next();
    else if (a == "--phase") o.phase = next();
    else if (a == "--accounts") o.accounts = std::stoll(next());
    else if (a == "--mutations") o.mutations = std::stoi(next());
    else if (a == "--rate") o.rate = std::stoi(next());
    else if (a == "--port") o.port = std::stoi(next());
    else if (a == "--db") o.db = next();
    else usage("unknown option " + a);
  }
  if (o.snapq.empty()) usage("--snapq is required");
  return o;
}

double cpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

long peakRssMb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024;
}

// `snapq sim` in a child process.
class SimProcess {
 public:
  SimProcess(const Options& o, int64_t accounts, int rate_limit) : url_("http://127.0.0.1:" + std::to_string(o.port)) {
    pid_ = fork();
    if (pid_ == 0) {
      std::string listen = "127.0.0.1:" + std::to_string(o.port);
      std::string n = std::to_string(accounts), r = std::to_string(rate_limit);
      freopen("/dev/null", "w", stdout);
      execl(o.snapq.c_str(), o.snapq.c_str(), "sim", "--listen", listen.c_str(), "--accounts", n.c_str(),
            "--zones", "1", "--records-per-zone", "1", "--rate-limit", r.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    for (int i = 0; i < 300; ++i) {
      if (call("GET", "/_sim/stats").status == 200) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    usage("snapq sim did not start at " + url_);
  }
  ~SimProcess() {
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
  }
  net::ClientResponse call(const std::string& method, const std::string& path, const json& body = nullptr) {
    net::ClientRequest req;
    req.method = method;
    req.url = url_ + path;
    req.headers.add("Authorization", "Bearer sim-token");
    if (!body.is_null()) {
      req.body = body.dump();
      req.headers.add("Content-Type", "application/json");
    }
    auto res = client_.send(req);
    return res ? *res : net::ClientResponse{};
  }
  const std::string& url() const { return url_; }

 private:
  std::string url_;
  pid_t pid_ = -1;
  net::HttpClient client_;
};

std::string configYaml(const std::string& url, int rate_limit) {
  return R"(
services:
  sim:
    connector: rest
    base_url: )" + url + R"(
    auth: {kind: bearer, token: sim-token}
    policy:
      concurrency: 4
      rate_limit: )" + std::to_string(rate_limit) + R"(
      retry: {attempts: 10, base: 200ms, cap: 5s}
      circuit_breaker: {failures: 0}
    resources:
      accounts:
        key: id
        fields:
          id: integer
          email: {type: string, indexed: true, searchable: true}
          domain: {type: string, indexed: true, searchable: true}
          quota_mb: {type: integer, indexed: true}
          suspended: {type: boolean}
        list: {path: /v1/accounts, items: data,
               pagination: {kind: page, per_page: 1000, total_pages: meta.total_pages}}
        get: /v1/accounts/{id}
        update: {method: PATCH, path: "/v1/accounts/{id}", body: "{$payload}", returns: object}
)";
}

struct Snapq {
  Config config;
  std::shared_ptr<Store> store;
  std::unique_ptr<Engine> engine;
  std::unique_ptr<SyncService> sync;
};

std::unique_ptr<Snapq> openSnapq(const Options& o, const std::string& dir, const std::string& yaml, int workers) {
  auto s = std::make_unique<Snapq>();
  auto check = checkConfigText(yaml);
  if (!check.ok()) usage("bad config: " + check.problems[0].message);
  s->config = std::move(*check.config);
  auto store = openStore(o.db.empty() ? "sqlite:" + dir + "/bench.db" : o.db);
  if (!store || !(*store)->migrate()) usage("cannot open the store");
  s->store = *store;
  EngineOptions options;
  options.workers = workers;
  auto engine = Engine::open(s->store, Engine::Keys{std::string(32, 'b'), ""}, options,
                             Env{std::make_shared<SystemClock>(), std::make_shared<DefaultRandom>(),
                                 std::make_shared<StderrLogger>(LogLevel::warn)});
  if (!engine) usage(engine.status().toString());
  s->engine = std::move(*engine);
  Clock& clock = s->engine->clock();
  auto sync = SyncService::open(s->config, *s->engine, [&clock](const ServiceSpec& sv, const InstanceSpec& in) {
    return Result<std::unique_ptr<Connector>>(makeRestConnector(sv, in, RestOptions{clock}));
  });
  if (!sync) usage(sync.status().toString());
  s->sync = std::move(*sync);
  return s;
}

Job waitJob(Store& store, int64_t id) {
  while (true) {
    auto j = store.getJob(id);
    if (j && isTerminal(j->status)) return *j;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

void emit(json j) {
  j["bench"] = "sync_bench";
  std::cout << j.dump() << std::endl;
}

json timedSync(Snapq& s, const std::string& label) {
  SyncRequest r;
  r.service = "sim";
  r.resource = "accounts";
  double cpu0 = cpuSeconds();
  auto t0 = Steady::now();
  auto d = s.sync->dispatchSync(r);
  if (!d) usage(d.status().toString());
  Job job = waitJob(*s.store, d->id);
  double wall = std::chrono::duration<double>(Steady::now() - t0).count();
  double cpu = cpuSeconds() - cpu0;
  json stats = json::parse(job.result, nullptr, false);
  if (job.status != JobStatus::success) usage(label + " failed: " + job.error);
  int64_t fetched = stats["fetched"];
  json out = {{"phase", label},
              {"objects", fetched},
              {"wall_s", wall},
              {"cpu_s", cpu},
              {"objects_per_s", static_cast<double>(fetched) / wall},
              {"rows_written", stats["created"].get<int64_t>() + stats["updated"].get<int64_t>() +
                                   stats["deleted"].get<int64_t>()},
              {"stats", stats},
              {"peak_rss_mb", peakRssMb()}};
  emit(out);
  return out;
}

void syncPhase(const Options& o) {
  SimProcess sim(o, o.accounts, 0);
  auto dir = std::filesystem::temp_directory_path() / ("sync_bench." + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  {
    auto s = openSnapq(o, dir.string(), configYaml(sim.url(), 0), 4);
    if (!s->engine->start()) usage("engine did not start");
    timedSync(*s, "first_sync");
    int64_t drift = o.accounts / 100;
    for (int64_t i = 0; i < drift; ++i) {
      int64_t id = 1 + (i * 97) % o.accounts;
      sim.call("POST", "/_sim/drift", {{"resource", "accounts"}, {"id", id}, {"changes", {{"quota_mb", 5 + i}}}});
    }
    timedSync(*s, "resync_1pct_drift");
    s->engine->stop();
  }
  std::filesystem::remove_all(dir);
}

void budgetRun(const Options& o, bool configured) {
  SimProcess sim(o, std::max<int64_t>(o.mutations, 100), o.rate);
  auto dir = std::filesystem::temp_directory_path() / ("sync_bench_budget." + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  {
    auto s = openSnapq(o, dir.string(), configYaml(sim.url(), configured ? o.rate : 0), 8);
    if (!s->engine->start()) usage("engine did not start");
    SyncRequest r;
    r.service = "sim";
    r.resource = "accounts";
    auto d = s->sync->dispatchSync(r);
    if (!d || waitJob(*s->store, d->id).status != JobStatus::success) usage("pre-sync failed");
    s->engine->stop();
    std::vector<int64_t> ids;
    for (int i = 1; i <= o.mutations; ++i) {
      MutationRequest m;
      m.service = "sim";
      m.resource = "accounts";
      m.action = "update";
      m.key = std::to_string(i);
      m.data = {{"quota_mb", 100000 + i}};
      auto md = s->sync->dispatchMutation(m);
      if (!md) usage(md.status().toString());
      ids.push_back(md->id);
    }
    sim.call("DELETE", "/_sim/stats");
    auto t0 = Steady::now();
    if (!s->engine->start()) usage("engine did not restart");
    int ok = 0;
    for (int64_t id : ids) ok += waitJob(*s->store, id).status == JobStatus::success ? 1 : 0;
    double wall = std::chrono::duration<double>(Steady::now() - t0).count();
    s->engine->stop();
    json stats = json::parse(sim.call("GET", "/_sim/stats").body, nullptr, false);
    int64_t total = stats["requests"]["total"];
    int64_t limited = stats["rate_limited"];
    emit({{"phase", configured ? "budget_limit_configured" : "budget_no_limit_configured"},
          {"sim_rate_limit", o.rate},
          {"mutations", o.mutations},
          {"succeeded", ok},
          {"wall_s", wall},
          {"accepted_requests_per_s", static_cast<double>(total - limited) / wall},
          {"requests_429", limited},
          {"requests_per_mutation", static_cast<double>(total - limited) / o.mutations},
          {"max_requests_in_any_second", stats["max_requests_per_second"]}});
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace snapq::bench

int main(int argc, char** argv) {
  using namespace snapq::bench;
  Options o = parse(argc, argv);
  if (o.phase == "sync" || o.phase == "all") syncPhase(o);
  if (o.phase == "budget" || o.phase == "all") {
    budgetRun(o, true);
    budgetRun(o, false);
  }
  return 0;
}
