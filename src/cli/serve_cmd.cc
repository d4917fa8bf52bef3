// snapq serve: the HTTP API, workers, the cron scheduler and the pruner in one
// process, until SIGTERM or SIGINT; then requests in flight are answered, new
// ones refused, running jobs finish (or go back to the queue) and it exits 0.
#include <pthread.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <ctime>
#include <cstdlib>
#include <iostream>

#include "auth/auth_service.h"
#include "cli/cli_common.h"
#include "cli/serve.h"
#include "net/address.h"

namespace snapq::cli {
namespace {

std::string listenAddress(const ServeArgs& args) {
  if (!args.listen.empty()) return args.listen;
  if (const char* env = std::getenv("SNAPQ_LISTEN"); env && *env) return env;
  return "127.0.0.1:8080";
}

// The first start creates `admin`: with SNAPQ_ADMIN_PASSWORD, or with a random
// password (returned, to be printed once).
Result<std::string> bootstrapAdmin(auth::Auth& auth, Clock& clock) {
  std::optional<std::string> password;
  if (const char* env = std::getenv("SNAPQ_ADMIN_PASSWORD"); env && *env) password = env;
  auto boot = auth.bootstrapAdmin(clock.now(), password);
  if (!boot) return boot.status();
  if (boot->created && boot->generated_password.empty()) {
    std::cout << "created user admin with the password from SNAPQ_ADMIN_PASSWORD" << std::endl;
  }
  return boot->generated_password;
}

}  // namespace

sigset_t blockStopSignals() {
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  return stop_signals;
}

int serveUntilSignal(ServeArgs args, sigset_t& stop_signals, const std::function<void(ServeReady&)>& ready,
                     const std::string& who) {
  auto address = net::parseHostPort(listenAddress(args));
  if (!address) return usageError("--listen: " + address.status().message());
  if (args.tls_cert.empty() != args.tls_key.empty()) return usageError("--tls-cert and --tls-key go together");
  args.runtime.log_level = LogLevel::info;
  args.runtime.config_optional = true;
  args.runtime.migrate = true;
  args.runtime.wait_for_db = {stop_signals, args.wait_for_db_s};
  int exit_code = kExitOk;
  auto rt = Runtime::open(args.runtime, /*run_jobs=*/true, exit_code);
  if (!rt) return exit_code;
  auth::AuthOptions auth_options;
  if (!args.token_cache) auth_options.token_cache_ttl = Duration(0);
  auth::Auth auth(rt->store->auth(), auth_options);
  auto password = bootstrapAdmin(auth, rt->engine->clock());
  if (!password) return reportStatus(password.status());
  if (Status s = rt->start(); !s) return reportStatus(s);

  http::ApiServerOptions options;
  options.http.host = address->host;
  options.http.port = address->port;
  options.http.io_threads = 2;
  options.handler_threads = args.handler_threads;
  options.access_log = args.access_log;
  options.page_cache = args.page_cache;
  if (!args.tls_cert.empty()) options.http.tls = net::TlsFiles{args.tls_cert, args.tls_key};
  http::ApiContext context{*rt->store, *rt->engine, auth, *rt->logger, &rt->config, rt->sync.get()};
  http::ApiServer server(context, options);
  if (Status s = server.start(); !s) return reportStatus(s);
  ServeReady state{*rt, server, *password};
  ready(state);

  // Waiting for the stop signal, expired sessions go every few minutes.
  int received = 0;
  const timespec sweep_every{300, 0};
  while ((received = sigtimedwait(&stop_signals, nullptr, &sweep_every)) < 0) {
    if (errno != EAGAIN && errno != EINTR) break;
    if (auto swept = auth.sweepSessions(rt->engine->clock().now()); !swept) {
      rt->logger->log(LogLevel::warn, "deleting expired sessions failed: " + swept.status().toString());
    }
  }
  // Through the logger, so that a JSON log stays JSON lines to the end.
  std::shared_ptr<Logger> logger = rt->logger;
  logger->log(LogLevel::info, who + ": " + (received == SIGTERM ? "SIGTERM" : "SIGINT") +
                                  " received; answering requests in flight, then finishing running jobs");
  server.stop();
  rt.reset();
  logger->log(LogLevel::info, who + " stopped");
  return kExitOk;
}

void addServeCommand(CLI::App& app, Action& chosen) {
  auto args = std::make_shared<ServeArgs>();
  CLI::App* cmd = app.add_subcommand("serve", "the HTTP API with workers, scheduler and pruner, until SIGTERM/SIGINT");
  addRuntimeOptions(*cmd, args->runtime);
  addLogOptions(*cmd, args->runtime.log_format_flag, args->runtime.log_level_flag);
  cmd->add_option("--listen", args->listen, "HOST:PORT to listen on (env SNAPQ_LISTEN; default 127.0.0.1:8080)")
      ->type_name("HOST:PORT");
  cmd->add_option("--workers", args->runtime.workers, "worker threads (default: the config's, else 4)")
      ->check(CLI::Range(1, 1024));
  cmd->add_option("--handler-threads", args->handler_threads, "threads answering API requests")
      ->default_val(8)
      ->check(CLI::Range(1, 256));
  cmd->add_option("--access-log", args->access_log, "one stderr line per request: on|off (default on)");
  cmd->add_option("--page-cache", args->page_cache,
                  "serve a snapshot listing again while its table is unchanged: on|off (default on)");
  cmd->add_option("--token-cache", args->token_cache,
                  "reuse a bearer token's lookup for 2 s (revocations by other processes wait that long): on|off "
                  "(default on)");
  cmd->add_option("--tls-cert", args->tls_cert, "PEM certificate (chain) file: serve HTTPS only, with --tls-key")
      ->type_name("FILE");
  cmd->add_option("--tls-key", args->tls_key, "PEM private key file of --tls-cert (unencrypted)")->type_name("FILE");
  addWaitForDbOption(*cmd, args->wait_for_db_s);
  cmd->callback([args, &chosen] {
    chosen = [args] {
      sigset_t stop_signals = blockStopSignals();
      return serveUntilSignal(*args, stop_signals, [](ServeReady& s) {
        if (!s.admin_password.empty()) {
          std::cout << "created user admin with password " << s.admin_password
                    << " (shown once; change it with: snapq user passwd admin)" << std::endl;
        }
        std::cout << "snapq serve ready: " << s.server.url() << " (db " << s.runtime.store->driverName() << ", "
                  << s.runtime.engine->options().workers << " workers, " << s.runtime.config.services.size()
                  << " service(s))" << std::endl;
      });
    };
  });
}

}  // namespace snapq::cli
