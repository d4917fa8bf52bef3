#include "cli/db_wait.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>

#include "cli/cli_common.h"
#include "snapq/clock.h"
#include "snapq/store.h"

namespace snapq::cli {
namespace {

std::string elapsedSince(std::chrono::steady_clock::time_point start) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f s",
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return text;
}

// Sleeps `pause`, or less when a stop signal comes: then its number, else 0.
int pauseUnlessStopped(const sigset_t& stop_signals, Duration pause) {
  timespec ts{static_cast<time_t>(pause.count() / 1000), static_cast<long>(pause.count() % 1000) * 1000000};
  int received = -1;
  while ((received = sigtimedwait(&stop_signals, nullptr, &ts)) < 0 && errno == EINTR) {}
  return std::max(received, 0);
}

}  // namespace

Status waitForDatabase(const std::string& url, const DbWait& wait, Logger& logger, bool& stopped) {
  stopped = false;
  if (!sqlitePath(url).empty() || wait.seconds <= 0) return Status::ok();
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + std::chrono::seconds(wait.seconds);
  const std::string limit = std::to_string(wait.seconds) + " s";
  Duration backoff{250};
  bool waiting = false;
  while (true) {
    auto store = openStore(url);
    if (store) {
      if (waiting) logger.log(LogLevel::info, "the database answers, after " + elapsedSince(start));
      return Status::ok();
    }
    if (store.status().code() != ErrorCode::unavailable) return store.status();
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) {
      return Status::unavailable("the database did not answer within " + limit +
                                 " (--wait-for-db): " + store.status().message());
    }
    if (!waiting) {
      logger.log(LogLevel::warn,
                 "waiting up to " + limit + " for the database (--wait-for-db): " + store.status().message());
      waiting = true;
    }
    auto left = std::chrono::duration_cast<Duration>(deadline - now) + Duration(1);
    if (int signal = pauseUnlessStopped(wait.stop_signals, std::min(backoff, left))) {
      logger.log(LogLevel::info, std::string(signal == SIGTERM ? "SIGTERM" : "SIGINT") +
                                     " received while waiting for the database; stopping");
      stopped = true;
      return Status::ok();
    }
    backoff = std::min(backoff * 2, Duration(5000));
  }
}

}  // namespace snapq::cli
