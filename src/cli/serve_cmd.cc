// snapq serve: the HTTP API, workers, the cron scheduler and the pruner in one
// process, until SIGTERM or SIGINT; then requests in flight are answered, new
// ones refused, running jobs finish (or go back to the queue) and it exits 0.
#include <pthread.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>

#include "auth/auth_service.h"
#include "cli/cli_common.h"
#include "cli/runtime.h"
#include "http/api_server.h"
#include "net/address.h"

namespace snapq::cli {
namespace {

struct ServeArgs {
  RuntimeArgs runtime;
  std::string listen;
  int handler_threads = 8;
};

std::string listenAddress(const ServeArgs& args) {
  if (!args.listen.empty()) return args.listen;
  if (const char* env = std::getenv("SNAPQ_LISTEN"); env && *env) return env;
  return "127.0.0.1:8080";
}

// The first start creates `admin`: with SNAPQ_ADMIN_PASSWORD, or with a random
// password printed here, once.
Status bootstrapAdmin(auth::Auth& auth, Clock& clock) {
  std::optional<std::string> password;
  if (const char* env = std::getenv("SNAPQ_ADMIN_PASSWORD"); env && *env) password = env;
  auto boot = auth.bootstrapAdmin(clock.now(), password);
  if (!boot) return boot.status();
  if (boot->created && !boot->generated_password.empty()) {
    std::cout << "created user admin with password " << boot->generated_password
              << " (shown once; change it with: snapq user passwd admin)" << std::endl;
  } else if (boot->created) {
    std::cout << "created user admin with the password from SNAPQ_ADMIN_PASSWORD" << std::endl;
  }
  return Status::ok();
}

int runServe(ServeArgs args) {
  // Signals are taken by sigwait, never by a handler: blocked before any thread exists.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto address = net::parseHostPort(listenAddress(args));
  if (!address) return usageError("--listen: " + address.status().message());
  args.runtime.log_level = LogLevel::info;
  args.runtime.config_optional = true;
  int exit_code = kExitOk;
  auto rt = Runtime::open(args.runtime, /*run_jobs=*/true, exit_code);
  if (!rt) return exit_code;
  auth::Auth auth(rt->store->auth());
  if (Status s = bootstrapAdmin(auth, rt->engine->clock()); !s) return reportStatus(s);
  if (Status s = rt->start(); !s) return reportStatus(s);

  http::ApiServerOptions options;
  options.http.host = address->host;
  options.http.port = address->port;
  options.http.io_threads = 2;
  options.handler_threads = args.handler_threads;
  http::ApiContext context{*rt->store, *rt->engine, auth, *rt->logger, &rt->config, rt->sync.get(), nullptr};
  http::ApiServer server(context, options);
  if (Status s = server.start(); !s) return reportStatus(s);
  std::cout << "snapq serve ready: " << server.url() << " (db " << rt->store->driverName() << ", "
            << rt->engine->options().workers << " workers, " << rt->config.services.size() << " service(s))"
            << std::endl;

  int received = 0;
  sigwait(&stop_signals, &received);
  std::cerr << "snapq serve: " << (received == SIGTERM ? "SIGTERM" : "SIGINT")
            << " received; answering requests in flight, then finishing running jobs" << std::endl;
  server.stop();
  rt.reset();
  std::cerr << "snapq serve: stopped" << std::endl;
  return kExitOk;
}

}  // namespace

void addServeCommand(CLI::App& app, Action& chosen) {
  auto args = std::make_shared<ServeArgs>();
  CLI::App* cmd = app.add_subcommand("serve", "the HTTP API with workers, scheduler and pruner, until SIGTERM/SIGINT");
  addRuntimeOptions(*cmd, args->runtime);
  cmd->add_option("--listen", args->listen, "HOST:PORT to listen on (env SNAPQ_LISTEN; default 127.0.0.1:8080)")
      ->type_name("HOST:PORT");
  cmd->add_option("--workers", args->runtime.workers, "worker threads (default: the config's, else 4)")
      ->check(CLI::Range(1, 1024));
  cmd->add_option("--handler-threads", args->handler_threads, "threads answering API requests")
      ->default_val(8)
      ->check(CLI::Range(1, 256));
  cmd->callback([args, &chosen] { chosen = [args] { return runServe(*args); }; });
}

}  // namespace snapq::cli
