// snapq sim: the simulated external service, in the foreground until SIGINT
// or SIGTERM, then a graceful stop (requests in flight are answered).
#include <pthread.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <iostream>

#include "cli/cli_common.h"
#include "connectors/sim/sim_server.h"
#include "net/address.h"

namespace snapq::cli {
namespace {

constexpr const char* kSimFooter = R"(Resources (JSON, every request with "Authorization: Bearer <token>"):
  /v1/accounts[/{id}]  /v1/zones[/{id}]  /v1/zones/{zone_id}/records[/{id}]
  GET lists ?page=P&per_page=N (default 50, at most 1000) -> {"data":[...],"meta":{...}};
  POST creates, GET|PATCH|DELETE /{id}. Accounts take a write-only "password".
Control: POST /_sim/chaos {"latency_ms","error_rate","rate_limit","empty_lists","fail_next"},
  POST /_sim/drift {"resource","id","changes"}, GET|DELETE /_sim/stats.)";

struct SimArgs {
  std::string listen = "127.0.0.1:9100";
  sim::SimOptions options;
};

int runSim(SimArgs& args) {
  auto address = net::parseHostPort(args.listen);
  if (!address) return usageError("--listen: " + address.status().message());
  args.options.host = address->host;
  args.options.port = address->port;
  if (Status s = sim::validateSimOptions(args.options); !s) return usageError(s.message());

  // Blocked before the io threads exist, so they inherit the mask and the
  // signals reach only the sigwait below: no handler runs on an io thread.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  sim::SimServer server(args.options);
  if (Status s = server.start(); !s) return reportStatus(s);
  std::cout << "snapq sim listening on " << server.url() << " (token " << args.options.token << ", "
            << args.options.data.accounts << " accounts)" << std::endl;

  int received = 0;
  sigwait(&stop_signals, &received);
  std::cerr << "snapq sim: " << (received == SIGINT ? "interrupted" : "terminated") << ", stopping" << std::endl;
  server.stop();
  return kExitOk;
}

}  // namespace

void addSimCommand(CLI::App& app, Action& chosen) {
  auto args = std::make_shared<SimArgs>();
  sim::SimOptions& o = args->options;
  CLI::App* cmd = app.add_subcommand("sim", "run the simulated external service (demo, tests, benchmarks)");
  cmd->footer(kSimFooter);
  cmd->add_option("--listen", args->listen, "HOST:PORT to listen on; port 0 picks a free one")->capture_default_str();
  cmd->add_option("--token", o.token, "the bearer token every request must carry")->capture_default_str();
  cmd->add_option("--accounts", o.data.accounts, "accounts to generate")
      ->check(CLI::Range(int64_t{0}, int64_t{10'000'000}))
      ->capture_default_str();
  cmd->add_option("--zones", o.data.zones, "zones to generate")
      ->check(CLI::Range(int64_t{0}, int64_t{1'000'000}))
      ->capture_default_str();
  cmd->add_option("--records-per-zone", o.data.records_per_zone, "records to generate in each zone")
      ->check(CLI::Range(int64_t{0}, int64_t{10'000'000}))
      ->capture_default_str();
  cmd->add_option("--seed", o.data.seed, "seed of the generated data and of the injected errors")
      ->capture_default_str();
  cmd->add_option("--latency-ms", o.chaos.latency_ms, "delay before every API answer")
      ->check(CLI::Range(int64_t{0}, int64_t{60'000}))
      ->capture_default_str();
  cmd->add_option("--error-rate", o.chaos.error_rate, "share of API requests answered 503 (0 to 1)")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  cmd->add_option("--rate-limit", o.chaos.rate_limit, "API requests per second before 429 (0: no limit)")
      ->check(CLI::Range(int64_t{0}, int64_t{1'000'000}))
      ->capture_default_str();
  cmd->add_option("--threads", o.io_threads, "io threads")->check(CLI::Range(1, 64))->capture_default_str();
  cmd->callback([args, &chosen] { chosen = [args] { return runSim(*args); }; });
}

}  // namespace snapq::cli
