#include "snapq/log.h"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "core/time_format.h"

namespace snapq {
namespace {

constexpr const char* kLevelNames[] = {"debug", "info", "warn", "error"};

// Text values stay one token: quoted (JSON-style) when they hold a space, a
// quote, '=' or a control character, so a line still splits on spaces.
void appendTextValue(std::string& out, const LogField& field) {
  bool plain = field.number || !field.value.empty();
  for (unsigned char c : field.value) {
    if (c <= ' ' || c == '"' || c == '=' || c == 0x7f) plain = false;
  }
  if (plain) {
    out += field.value;
  } else {
    out += nlohmann::json(field.value).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
}

// "message key=value key=value".
std::string withFields(std::string_view message, const LogFields& fields) {
  std::string line(message);
  for (const LogField& f : fields) {
    line += ' ' + f.key + '=';
    appendTextValue(line, f);
  }
  return line;
}

}  // namespace

const char* toString(LogLevel level) { return kLevelNames[static_cast<int>(level)]; }

std::optional<LogLevel> parseLogLevel(std::string_view text) {
  for (int i = 0; i < 4; ++i) {
    if (text == kLevelNames[i]) return static_cast<LogLevel>(i);
  }
  return std::nullopt;
}

const char* toString(LogFormat format) { return format == LogFormat::json ? "json" : "text"; }

std::optional<LogFormat> parseLogFormat(std::string_view text) {
  if (text == "text") return LogFormat::text;
  if (text == "json") return LogFormat::json;
  return std::nullopt;
}

LogField::LogField(std::string k, double v) : key(std::move(k)), number(true) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.3f", v);
  value = buf;
}

void Logger::logFields(LogLevel level, std::string_view message, const LogFields& fields) {
  if (fields.empty()) return log(level, message);
  log(level, withFields(message, fields));
}

std::string formatTextLine(LogLevel level, std::string_view message, const LogFields& fields) {
  return std::string("snapq ") + toString(level) + ": " + withFields(message, fields);
}

std::string formatJsonLine(TimePoint at, LogLevel level, std::string_view message, const LogFields& fields) {
  // ordered_json: time, level and message lead every line, fields follow in the caller's order.
  nlohmann::ordered_json line;
  line["time"] = formatIso(at);
  line["level"] = toString(level);
  line["message"] = message;
  for (const LogField& f : fields) {
    if (f.key == "time" || f.key == "level" || f.key == "message") continue;  // never shadow the envelope
    if (f.number) {
      auto parsed = nlohmann::ordered_json::parse(f.value, nullptr, false);
      if (parsed.is_number()) {
        line[f.key] = std::move(parsed);
        continue;
      }
    }
    line[f.key] = f.value;
  }
  // Invalid UTF-8 (a remote's error text) becomes U+FFFD instead of throwing.
  return line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

void LineLogger::logFields(LogLevel level, std::string_view message, const LogFields& fields) {
  if (level < min_) return;
  std::string text = line(level, message, fields);
  text += '\n';
  std::lock_guard lock(mu_);
  std::fwrite(text.data(), 1, text.size(), out_);
  std::fflush(out_);
}

std::string StderrLogger::line(LogLevel level, std::string_view message, const LogFields& fields) const {
  return formatTextLine(level, message, fields);
}

std::string JsonLogger::line(LogLevel level, std::string_view message, const LogFields& fields) const {
  return formatJsonLine(clock_->now(), level, message, fields);
}

std::shared_ptr<Logger> makeLogger(LogFormat format, LogLevel min, std::FILE* out) {
  if (format == LogFormat::json) return std::make_shared<JsonLogger>(min, out);
  return std::make_shared<StderrLogger>(min, out);
}

}  // namespace snapq
