// Where the library reports what it cannot return to a caller (a store that
// failed under a worker, a rescued job). Injected through Env; never given
// secrets: callers log job ids and masked values only.
#pragma once

#include <mutex>
#include <string_view>

namespace snapq {

enum class LogLevel { debug, info, warn, error };

class Logger {
 public:
  virtual ~Logger() = default;
  virtual void log(LogLevel level, std::string_view message) = 0;
};

// One line per message on stderr: "snapq warn: ...".
class StderrLogger final : public Logger {
 public:
  explicit StderrLogger(LogLevel min = LogLevel::info) : min_(min) {}
  void log(LogLevel level, std::string_view message) override;

 private:
  LogLevel min_;
  std::mutex mu_;
};

}  // namespace snapq
