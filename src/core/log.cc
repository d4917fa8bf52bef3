#include "snapq/log.h"

#include <cstdio>

namespace snapq {

void StderrLogger::log(LogLevel level, std::string_view message) {
  if (level < min_) return;
  static const char* names[] = {"debug", "info", "warn", "error"};
  std::lock_guard lock(mu_);
  std::fprintf(stderr, "snapq %s: %.*s\n", names[static_cast<int>(level)], static_cast<int>(message.size()),
               message.data());
}

}  // namespace snapq
