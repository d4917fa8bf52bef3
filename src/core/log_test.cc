#include "snapq/log.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/time_format.h"

namespace snapq {
namespace {

using json = nlohmann::json;

// Lines a logger wrote to a memory stream.
class Captured {
 public:
  Captured() : out_(open_memstream(&buf_, &size_)) {}
  ~Captured() {
    if (out_) std::fclose(out_);
    std::free(buf_);
  }
  std::FILE* file() { return out_; }
  std::vector<std::string> lines() {
    std::fflush(out_);
    std::vector<std::string> out;
    std::istringstream in(std::string(buf_, size_));
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
  }

 private:
  char* buf_ = nullptr;
  size_t size_ = 0;
  std::FILE* out_;
};

TimePoint at() { return *parseIso("2026-11-26T10:00:00.123Z"); }

TEST(JsonLogLine, CarriesTimeLevelMessageAndTypedFields) {
  json line = json::parse(formatJsonLine(at(), LogLevel::warn, "job failed",
                                         {{"job_id", int64_t{42}}, {"service", "sim"}, {"duration_ms", 1.5}}));
  EXPECT_EQ(line["time"], "2026-11-26T10:00:00.123Z");
  EXPECT_EQ(line["level"], "warn");
  EXPECT_EQ(line["message"], "job failed");
  EXPECT_EQ(line["job_id"], 42);
  EXPECT_EQ(line["service"], "sim");
  EXPECT_DOUBLE_EQ(line["duration_ms"].get<double>(), 1.5);
}

TEST(JsonLogLine, EscapesQuotesNewlinesControlsAndBadUtf8OnOneLine) {
  std::string message = "say \"hi\"\nnext\tline \x01 and \xff\xfe bytes";
  std::string text = formatJsonLine(at(), LogLevel::info, message, {{"error", "a\"b\\c\n"}});
  EXPECT_EQ(text.find('\n'), std::string::npos);
  json line = json::parse(text);
  EXPECT_EQ(line["message"].get<std::string>().substr(0, 22), "say \"hi\"\nnext\tline \x01 a");
  EXPECT_NE(line["message"].get<std::string>().find("\xEF\xBF\xBD"), std::string::npos);  // U+FFFD
  EXPECT_EQ(line["error"], "a\"b\\c\n");
}

TEST(JsonLogLine, FieldsNeverShadowTheEnvelope) {
  json line = json::parse(formatJsonLine(at(), LogLevel::error, "m", {{"level", "debug"}, {"message", "x"}}));
  EXPECT_EQ(line["level"], "error");
  EXPECT_EQ(line["message"], "m");
}

TEST(TextLogLine, AppendsFieldsAsKeyValueQuotingWhenNeeded) {
  EXPECT_EQ(formatTextLine(LogLevel::warn, "rescued", {{"job_id", int64_t{7}}, {"why", "lease expired"}, {"e", ""}}),
            "snapq warn: rescued job_id=7 why=\"lease expired\" e=\"\"");
}

TEST(Loggers, DropLinesBelowTheirLevel) {
  Captured out;
  JsonLogger logger(LogLevel::warn, out.file(), std::make_shared<ManualClock>(at()));
  logger.log(LogLevel::info, "quiet");
  logger.log(LogLevel::debug, "quieter");
  logger.log(LogLevel::error, "loud", {{"job_id", int64_t{1}}});
  auto lines = out.lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(json::parse(lines[0])["message"], "loud");
  EXPECT_EQ(json::parse(lines[0])["time"], "2026-11-26T10:00:00.123Z");
}

TEST(Loggers, TextLoggerWritesOneLinePerMessage) {
  Captured out;
  StderrLogger logger(LogLevel::debug, out.file());
  logger.log(LogLevel::debug, "one");
  logger.log(LogLevel::info, "two", {{"worker", "h:1:abc"}});
  EXPECT_EQ(out.lines(), (std::vector<std::string>{"snapq debug: one", "snapq info: two worker=h:1:abc"}));
}

// A logger that knows nothing of fields still shows them.
TEST(Loggers, FieldsReachALoggerWithoutFieldSupport) {
  struct Plain final : Logger {
    std::vector<std::string> seen;
    void log(LogLevel, std::string_view message) override { seen.emplace_back(message); }
  } plain;
  Logger& logger = plain;
  logger.log(LogLevel::info, "done", {{"job_id", int64_t{3}}});
  EXPECT_EQ(plain.seen, std::vector<std::string>{"done job_id=3"});
}

TEST(LogOptions, ParseNamesAndRefuseOthers) {
  EXPECT_EQ(parseLogFormat("json"), LogFormat::json);
  EXPECT_EQ(parseLogFormat("text"), LogFormat::text);
  EXPECT_FALSE(parseLogFormat("JSON"));
  EXPECT_EQ(parseLogLevel("debug"), LogLevel::debug);
  EXPECT_EQ(parseLogLevel("error"), LogLevel::error);
  EXPECT_FALSE(parseLogLevel("verbose"));
}

}  // namespace
}  // namespace snapq
