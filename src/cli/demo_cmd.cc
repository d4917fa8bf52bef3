// snapq demo: the simulated service (`snapq sim`) and the server (`snapq
// serve`) wired by examples/sim.yaml on loopback, with a fresh database, a
// first sync of every resource, and the URL and admin password printed.
#include <stdlib.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <condition_variable>
#include <iostream>
#include <map>
#include <mutex>
#include <set>

#include "cli/cli_common.h"
#include "cli/demo_config.h"
#include "cli/serve.h"
#include "connectors/sim/sim_server.h"
#include "net/address.h"
#include "sync/sync_service.h"

namespace snapq::cli {
namespace {

struct DemoArgs {
  std::string listen = "127.0.0.1:8080";
  std::string sim_listen = "127.0.0.1:0";
  std::string dir;  // empty: a new temporary directory
  int64_t accounts = 200;
  int workers = 4;
  std::string log_format;
  std::string log_level;
};

Result<std::string> demoDirectory(const std::string& wanted) {
  std::error_code ec;
  if (!wanted.empty()) {
    std::filesystem::create_directories(wanted, ec);
    if (ec) return Status::invalidArgument("--dir " + wanted + ": " + ec.message());
    if (std::filesystem::exists(std::filesystem::path(wanted) / "snapq.db")) {
      return Status::invalidArgument("--dir " + wanted + " already holds a demo database; choose an empty directory");
    }
    return wanted;
  }
  std::string pattern = (std::filesystem::temp_directory_path() / "snapq-demo.XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) return Status::unavailable("cannot create a temporary directory");
  return pattern;
}

// The jobs this engine finished, so the demo can wait for one.
class FinishedJobs {
 public:
  explicit FinishedJobs(Engine& engine) : state_(std::make_shared<State>()) {
    engine.onJobFinished([state = state_](const Job& job) {
      if (!isTerminal(job.status)) return;  // released: it runs again
      std::lock_guard lock(state->mu);
      state->ids.insert(job.id);
      state->cv.notify_all();
    });
  }
  void await(int64_t id, Duration timeout) {
    std::unique_lock lock(state_->mu);
    state_->cv.wait_for(lock, timeout, [&] { return state_->ids.count(id) > 0; });
  }

 private:
  struct State {
    std::mutex mu;
    std::condition_variable cv;
    std::set<int64_t> ids;
  };
  std::shared_ptr<State> state_;  // shared with the listener, which the engine keeps
};

// Syncs every resource once, so the first look shows data: a scoped resource
// after its parent, whose rows its sync fans out over. The scheduler does not
// also fire the ticks that passed before start-up (catch_up_schedules).
void syncEverything(Runtime& rt) {
  FinishedJobs finished(*rt.engine);
  for (const ServiceSpec& service : rt.config.services) {
    std::map<std::string, int64_t> jobs;  // resource -> its sync
    for (bool scoped : {false, true}) {
      for (const ResourceSpec& resource : service.resources) {
        if (resource.scope.has_value() != scoped) continue;
        if (scoped) {
          if (auto parent = jobs.find(resource.scope->parent); parent != jobs.end()) {
            finished.await(parent->second, Duration(60000));
          }
        }
        SyncRequest r;
        r.service = service.name;
        r.resource = resource.name;
        r.actor = Actor::system();
        auto d = rt.sync->dispatchSync(r);
        if (d) {
          jobs[resource.name] = d->id;
        } else {
          std::cerr << "snapq demo: sync of " << service.name << "/" << resource.name << ": " << d.status().message() << '\n';
        }
      }
    }
  }
}

int runDemo(const DemoArgs& args) {
  sigset_t stop_signals = blockStopSignals();
  if (auto logger = openLogger(args.log_format, args.log_level, LogLevel::info); !logger) {
    return usageError(logger.status().message());
  }
  auto sim_address = net::parseHostPort(args.sim_listen);
  if (!sim_address) return usageError("--sim-listen: " + sim_address.status().message());
  if (!net::parseHostPort(args.listen)) return usageError("--listen: " + net::parseHostPort(args.listen).status().message());
  auto dir = demoDirectory(args.dir);
  if (!dir) return args.dir.empty() ? reportStatus(dir.status()) : usageError(dir.status().message());

  sim::SimOptions sim_options;
  sim_options.host = sim_address->host;
  sim_options.port = sim_address->port;
  sim_options.data.accounts = args.accounts;
  if (Status s = sim::validateSimOptions(sim_options); !s) return usageError(s.message());
  sim::SimServer sim(sim_options);
  if (Status s = sim.start(); !s) return reportStatus(s);

  const std::string config_file = *dir + "/sim.yaml";
  std::ofstream(config_file) << kSimYaml;
  setenv("SIM_URL", sim.url().c_str(), 1);
  ServeArgs serve;
  serve.listen = args.listen;
  serve.runtime.config_file = config_file;
  serve.runtime.db = "sqlite:" + *dir + "/snapq.db";
  serve.runtime.workers = args.workers;
  serve.runtime.catch_up_schedules = false;  // syncEverything is the first round
  serve.runtime.log_format_flag = args.log_format;
  serve.runtime.log_level_flag = args.log_level;
  const std::string sim_url = sim.url();
  int code = serveUntilSignal(serve, stop_signals, [&](ServeReady& s) {
    syncEverything(s.runtime);
    std::cout << "\nsnapq demo is running\n"
              << "  open      " << s.server.url() << "\n"
              << "  sign in   admin / "
              << (s.admin_password.empty() ? std::string("(the password in SNAPQ_ADMIN_PASSWORD)") : s.admin_password)
              << "\n"
              << "  service   " << sim_url << " (snapq sim, token sim-token, " << args.accounts << " accounts)\n"
              << "  data      " << *dir << " (database, sealing key, config)\n"
              << "  try       curl -s " << s.server.url() << "/readyz\n"
              << "stop with Ctrl-C" << std::endl;
  }, "demo");
  sim.stop();
  return code;
}

}  // namespace

void addDemoCommand(CLI::App& app, Action& chosen) {
  auto args = std::make_shared<DemoArgs>();
  CLI::App* cmd = app.add_subcommand(
      "demo", "run the simulated service and the server wired together (examples/sim.yaml) until Ctrl-C");
  cmd->add_option("--listen", args->listen, "HOST:PORT of the API and UI")->capture_default_str();
  cmd->add_option("--sim-listen", args->sim_listen, "HOST:PORT of the simulated service (port 0: a free one)")
      ->capture_default_str();
  cmd->add_option("--dir", args->dir, "directory for the demo's database and key (default: a new temporary one)")
      ->type_name("DIR");
  cmd->add_option("--accounts", args->accounts, "accounts the simulated service holds")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{0}, int64_t{1'000'000}));
  cmd->add_option("--workers", args->workers, "worker threads")->capture_default_str()->check(CLI::Range(1, 64));
  addLogOptions(*cmd, args->log_format, args->log_level);
  cmd->callback([args, &chosen] { chosen = [args] { return runDemo(*args); }; });
}

}  // namespace snapq::cli
