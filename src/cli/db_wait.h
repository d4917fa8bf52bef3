// A node started before its PostgreSQL server answers (both started at boot,
// the server restarting): `snapq serve` and `snapq worker` wait for it, up to
// --wait-for-db, instead of exiting at once. One log line when the wait
// starts and one when the server answers; a stop signal ends the wait.
#pragma once

#include <signal.h>

#include <string>

#include "snapq/log.h"
#include "snapq/status.h"

namespace snapq::cli {

inline constexpr int kDefaultWaitForDbSeconds = 60;

struct DbWait {
  sigset_t stop_signals{};  // blocked signals that end the wait
  int seconds = 0;          // 0: no wait
};

// ok when the database answers (at once for SQLite, with no wait, or after
// one); the server's refusal of the login (invalid_argument) at once; the last
// connection error, saying how long it waited, once `seconds` passed.
// `stopped` is set (and ok returned) when a stop signal came first.
Status waitForDatabase(const std::string& url, const DbWait& wait, Logger& logger, bool& stopped);

}  // namespace snapq::cli
