// Running the server (API, workers, scheduler, pruner) until SIGTERM/SIGINT,
// shared by `snapq serve` and `snapq demo`.
#pragma once

#include <signal.h>

#include <functional>
#include <string>

#include "cli/db_wait.h"
#include "cli/runtime.h"
#include "http/api_server.h"

namespace snapq::cli {

struct ServeArgs {
  RuntimeArgs runtime;
  std::string listen;  // empty: $SNAPQ_LISTEN, else 127.0.0.1:8080
  int handler_threads = 8;
  bool access_log = true;  // one info line per request on stderr
  bool page_cache = true;  // http::ApiServerOptions::page_cache
  bool token_cache = true;  // auth::AuthOptions::token_cache_ttl: 2 s, or 0
  std::string tls_cert;  // both set: HTTPS only
  std::string tls_key;
  int wait_for_db_s = kDefaultWaitForDbSeconds;  // --wait-for-db
};

// What a caller may do once everything runs, before waiting for the signal.
struct ServeReady {
  Runtime& runtime;
  http::ApiServer& server;
  std::string admin_password;  // set when this start created admin with a generated password
};

// Blocks SIGTERM/SIGINT before any thread exists; the caller must not have
// started threads yet.
sigset_t blockStopSignals();

// Opens, starts, calls `ready` (which prints what the user needs), waits for
// a stop signal, stops gracefully. Returns the exit code.
int serveUntilSignal(ServeArgs args, sigset_t& stop_signals, const std::function<void(ServeReady&)>& ready,
                     const std::string& who = "serve");

}  // namespace snapq::cli
