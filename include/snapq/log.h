// Where the library reports what it cannot return to a caller (a store that
// failed under a worker, a rescued job). Injected through Env; never given
// secrets: callers log job ids and masked values only.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "snapq/clock.h"

namespace snapq {

enum class LogLevel { debug, info, warn, error };
const char* toString(LogLevel level);
std::optional<LogLevel> parseLogLevel(std::string_view text);

// How a line looks: text for people, JSON lines for log collectors.
enum class LogFormat { text, json };
const char* toString(LogFormat format);
std::optional<LogFormat> parseLogFormat(std::string_view text);

// A detail of a line that a machine may want to select on (job_id, service,
// worker): a JSON number or string in JSON lines, key=value in text.
struct LogField {
  LogField(std::string k, std::string v) : key(std::move(k)), value(std::move(v)) {}
  LogField(std::string k, const char* v) : key(std::move(k)), value(v) {}
  LogField(std::string k, std::string_view v) : key(std::move(k)), value(v) {}
  LogField(std::string k, int64_t v) : key(std::move(k)), value(std::to_string(v)), number(true) {}
  LogField(std::string k, int v) : LogField(std::move(k), static_cast<int64_t>(v)) {}
  LogField(std::string k, double v);  // fixed, 3 decimals

  std::string key;
  std::string value;
  bool number = false;
};
using LogFields = std::vector<LogField>;

class Logger {
 public:
  virtual ~Logger() = default;
  virtual void log(LogLevel level, std::string_view message) = 0;
  // A line with fields. The default appends them to the message as key=value,
  // so a logger that knows nothing of fields still shows them.
  virtual void logFields(LogLevel level, std::string_view message, const LogFields& fields);
  void log(LogLevel level, std::string_view message, const LogFields& fields) { logFields(level, message, fields); }
};

// What the loggers below share: one whole line per call, written under a
// lock (lines of concurrent threads never interleave), at `min` and above.
class LineLogger : public Logger {
 public:
  using Logger::log;
  void log(LogLevel level, std::string_view message) override { logFields(level, message, {}); }
  void logFields(LogLevel level, std::string_view message, const LogFields& fields) override;

 protected:
  LineLogger(LogLevel min, std::FILE* out) : min_(min), out_(out) {}
  virtual std::string line(LogLevel level, std::string_view message, const LogFields& fields) const = 0;

 private:
  LogLevel min_;
  std::FILE* out_;
  std::mutex mu_;
};

// Text on stderr (or `out`): "snapq warn: message key=value".
class StderrLogger final : public LineLogger {
 public:
  explicit StderrLogger(LogLevel min = LogLevel::info, std::FILE* out = stderr) : LineLogger(min, out) {}

 private:
  std::string line(LogLevel level, std::string_view message, const LogFields& fields) const override;
};

// JSON lines on stderr (or `out`), one object per line:
// {"time":"2026-11-26T10:00:00.123Z","level":"warn","message":"...","job_id":42}.
class JsonLogger final : public LineLogger {
 public:
  explicit JsonLogger(LogLevel min = LogLevel::info, std::FILE* out = stderr,
                      std::shared_ptr<Clock> clock = std::make_shared<SystemClock>())
      : LineLogger(min, out), clock_(std::move(clock)) {}

 private:
  std::string line(LogLevel level, std::string_view message, const LogFields& fields) const override;
  std::shared_ptr<Clock> clock_;
};

// The lines themselves (without the newline), for loggers and tests.
std::string formatTextLine(LogLevel level, std::string_view message, const LogFields& fields);
std::string formatJsonLine(TimePoint at, LogLevel level, std::string_view message, const LogFields& fields);

std::shared_ptr<Logger> makeLogger(LogFormat format, LogLevel min, std::FILE* out = stderr);

}  // namespace snapq
