// GET /metrics over real HTTP: the exposition parses as Prometheus text, the
// jobs this process finished and the external requests it sent are counted
// with the right labels, gauges are read from the store at scrape time, a 429
// shows up as its code and as a rate-limit wait, and the endpoint needs
// sync.job.view unless it is configured open.
#include <cmath>
#include <cstdlib>
#include <functional>
#include <optional>
#include <set>

#include "api_fixture.h"

namespace snapq::testing {
namespace {

using json = nlohmann::json;
using LabelMap = std::map<std::string, std::string>;

const std::string kAccounts = "/api/v1/services/sim/accounts";

bool validName(const std::string& name, bool colon) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && !(colon && c == ':')) return false;
  }
  return true;
}

// A strict reader of the text format: every line is a HELP, a TYPE or a
// sample `name{label="value",...} value`; a family's HELP and TYPE come once,
// before its samples, and its samples stand together.
struct Scrape {
  struct Sample {
    std::string name;
    LabelMap labels;
    double value = 0;
  };
  std::map<std::string, std::string> types;  // family -> type
  std::vector<Sample> samples;
  std::vector<std::string> problems;

  explicit Scrape(const std::string& text) {
    if (text.empty() || text.back() != '\n') problems.push_back("the text does not end with a newline");
    std::set<std::string> helped, closed;
    std::string current;  // the family whose samples are being read
    size_t start = 0;
    while (start < text.size()) {
      size_t end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      const std::string line = text.substr(start, end - start);
      start = end + 1;
      if (line.rfind("# HELP ", 0) == 0 || line.rfind("# TYPE ", 0) == 0) {
        const bool help = line[2] == 'H';
        std::string rest = line.substr(7);
        const std::string name = rest.substr(0, rest.find(' '));
        if (!validName(name, true)) problems.push_back("bad family name: " + line);
        if (help && !helped.insert(name).second) problems.push_back("second HELP: " + line);
        if (!help) {
          const std::string type = rest.find(' ') == std::string::npos ? "" : rest.substr(rest.find(' ') + 1);
          if (type != "counter" && type != "gauge" && type != "histogram") problems.push_back("bad TYPE: " + line);
          if (!types.emplace(name, type).second) problems.push_back("second TYPE: " + line);
        }
        if (closed.count(name) != 0 || name == current) problems.push_back("HELP/TYPE after samples: " + line);
        continue;
      }
      if (line.empty() || line[0] == '#') {
        problems.push_back("unexpected line: '" + line + "'");
        continue;
      }
      std::optional<Sample> s = parseSample(line);
      if (!s) {
        problems.push_back("malformed sample: " + line);
        continue;
      }
      const std::string family = familyOf(s->name);
      if (types.count(family) == 0) problems.push_back("sample before its TYPE: " + line);
      if (family != current) {
        if (!current.empty()) closed.insert(current);
        if (closed.count(family) != 0) problems.push_back("family split in two: " + line);
        current = family;
      }
      samples.push_back(std::move(*s));
    }
  }

  std::string familyOf(const std::string& name) const {
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      const std::string sfx = suffix;
      if (name.size() > sfx.size() && name.compare(name.size() - sfx.size(), sfx.size(), sfx) == 0) {
        auto it = types.find(name.substr(0, name.size() - sfx.size()));
        if (it != types.end() && it->second == "histogram") return it->first;
      }
    }
    return name;
  }

  static std::optional<Sample> parseSample(const std::string& line) {
    Sample s;
    size_t i = 0;
    while (i < line.size() && line[i] != '{' && line[i] != ' ') ++i;
    s.name = line.substr(0, i);
    if (!validName(s.name, true)) return std::nullopt;
    if (i < line.size() && line[i] == '{') {
      ++i;
      while (i < line.size() && line[i] != '}') {
        size_t eq = line.find("=\"", i);
        if (eq == std::string::npos) return std::nullopt;
        std::string label = line.substr(i, eq - i);
        if (!validName(label, false)) return std::nullopt;
        std::string value;
        for (i = eq + 2; i < line.size() && line[i] != '"'; ++i) {
          if (line[i] == '\\') {
            if (++i >= line.size()) return std::nullopt;
            if (line[i] == 'n')
              value += '\n';
            else if (line[i] == '\\' || line[i] == '"')
              value += line[i];
            else
              return std::nullopt;
          } else {
            value += line[i];
          }
        }
        if (i >= line.size()) return std::nullopt;
        ++i;  // the closing quote
        if (!s.labels.emplace(label, value).second) return std::nullopt;
        if (i < line.size() && line[i] == ',') ++i;
      }
      if (i >= line.size()) return std::nullopt;
      ++i;  // '}'
    }
    if (i >= line.size() || line[i] != ' ') return std::nullopt;
    const std::string number = line.substr(i + 1);
    if (number == "+Inf")
      s.value = INFINITY;
    else if (number == "-Inf")
      s.value = -INFINITY;
    else if (number == "NaN")
      s.value = NAN;
    else {
      char* end = nullptr;
      s.value = std::strtod(number.c_str(), &end);
      if (number.empty() || end != number.c_str() + number.size()) return std::nullopt;
    }
    return s;
  }

  std::optional<double> value(const std::string& name, const LabelMap& labels = {}) const {
    for (const Sample& s : samples) {
      if (s.name == name && s.labels == labels) return s.value;
    }
    return std::nullopt;
  }
  double valueOr0(const std::string& name, const LabelMap& labels = {}) const {
    return value(name, labels).value_or(0);
  }

  // The buckets of one histogram series, in the order they came.
  std::vector<std::pair<std::string, double>> buckets(const std::string& family, const LabelMap& series) const {
    std::vector<std::pair<std::string, double>> out;
    for (const Sample& s : samples) {
      if (s.name != family + "_bucket" || s.labels.count("le") == 0) continue;
      LabelMap rest = s.labels;
      rest.erase("le");
      if (rest == series) out.emplace_back(s.labels.at("le"), s.value);
    }
    return out;
  }
};

std::string problemsOf(const Scrape& s) {
  std::string out;
  for (const std::string& p : s.problems) out += p + "\n";
  return out;
}

// Checks one histogram series: bounds ascending, counts cumulative, +Inf last
// and equal to _count.
void expectWellFormedHistogram(const Scrape& s, const std::string& family, const LabelMap& series, double count) {
  auto buckets = s.buckets(family, series);
  ASSERT_GE(buckets.size(), 2u) << family;
  EXPECT_EQ(buckets.back().first, "+Inf");
  double previous_bound = -INFINITY, previous_count = 0;
  for (const auto& [le, n] : buckets) {
    const double bound = le == "+Inf" ? INFINITY : std::stod(le);
    EXPECT_GT(bound, previous_bound) << "le=" << le;
    EXPECT_GE(n, previous_count) << "le=" << le << " is not cumulative";
    previous_bound = bound;
    previous_count = n;
  }
  EXPECT_EQ(buckets.back().second, count);
  EXPECT_EQ(s.value(family + "_count", series), count);
  auto sum = s.value(family + "_sum", series);
  ASSERT_TRUE(sum.has_value());
  EXPECT_GE(*sum, 0);
}

class MetricsTest : public ApiTest {
 protected:
  net::ClientResponse get(const Caller& who) { return call("GET", "/metrics", who); }
  Scrape scrape(const Caller& who) {
    net::ClientResponse res = get(who);
    EXPECT_EQ(res.status, 200) << res.body;
    EXPECT_EQ(res.headers.get("Content-Type").value_or(""), "text/plain; version=0.0.4; charset=utf-8");
    Scrape s(res.body);
    EXPECT_TRUE(s.problems.empty()) << problemsOf(s) << "---\n" << res.body;
    return s;
  }
  // Scrapes until `ready` holds (the engine's listeners run on a thread of their own).
  Scrape scrapeUntil(const Caller& who, const std::function<bool(const Scrape&)>& ready) {
    std::optional<Scrape> last;
    waitFor([&] {
      last.emplace(scrape(who));
      return ready(*last);
    });
    return *last;
  }
};

TEST_P(MetricsTest, ASyncAndAMutationAreCountedAndTheGaugesComeFromTheStore) {
  startApi(12);
  Caller vic = token("vic");
  Caller olga = token("olga");
  const double answered_before = scrape(vic).valueOr0("snapq_external_requests_total",
                                                      {{"service", "sim"}, {"instance", "default"}, {"code", "200"}});

  json sync = expect(202, "POST", kAccounts + "/sync", olga, "{}");
  Job synced = waitFinal(sync["job"]["id"].get<int64_t>());
  ASSERT_EQ(synced.status, JobStatus::success) << synced.error;
  json update = expect(202, "PATCH", kAccounts + "/3", olga, R"({"data":{"quota_mb":77}})");
  ASSERT_EQ(waitFinal(update["job"]["id"].get<int64_t>()).status, JobStatus::success);

  const LabelMap sync_success = {{"service", "sim"}, {"action", "sync"}, {"status", "success"}};
  const LabelMap update_success = {{"service", "sim"}, {"action", "update"}, {"status", "success"}};
  Scrape s = scrapeUntil(vic, [&](const Scrape& s) {
    return s.valueOr0("snapq_jobs_finished_total", sync_success) == 1 &&
           s.valueOr0("snapq_jobs_finished_total", update_success) == 1;
  });
  EXPECT_EQ(s.value("snapq_jobs_finished_total", sync_success), 1);
  EXPECT_EQ(s.value("snapq_jobs_finished_total", update_success), 1);
  EXPECT_EQ(s.types["snapq_jobs_finished_total"], "counter");
  EXPECT_EQ(s.types["snapq_job_duration_seconds"], "histogram");
  expectWellFormedHistogram(s, "snapq_job_duration_seconds", {{"service", "sim"}, {"action", "sync"}}, 1);
  expectWellFormedHistogram(s, "snapq_job_duration_seconds", {{"service", "sim"}, {"action", "update"}}, 1);
  const double synced_s = std::chrono::duration<double>(*synced.finished_at - *synced.started_at).count();
  EXPECT_NEAR(s.value("snapq_job_duration_seconds_sum", {{"service", "sim"}, {"action", "sync"}}).value_or(NAN),
              synced_s, 0.002);

  EXPECT_GT(s.valueOr0("snapq_external_requests_total", {{"service", "sim"}, {"instance", "default"}, {"code", "200"}}),
            answered_before)
      << "the sync's list and the update's GET and PATCH";
  EXPECT_EQ(s.types["snapq_external_requests_total"], "counter");

  EXPECT_EQ(s.value("snapq_snapshot_rows", {{"service", "sim"}, {"resource", "accounts"}}), 12);
  EXPECT_EQ(s.value("snapq_snapshot_rows", {{"service", "sim"}, {"resource", "zones"}}), 0) << "not synced yet";
  EXPECT_EQ(s.value("snapq_snapshot_rows", {{"service", "sim"}, {"resource", "records"}}), 0);
  EXPECT_EQ(s.value("snapq_queue_pending", {{"service", "sim"}}), 0);
  EXPECT_EQ(s.value("snapq_queue_oldest_age_seconds", {{"service", "sim"}}), 0);
  const double finished_s = std::chrono::duration<double>(synced.finished_at->time_since_epoch()).count();
  EXPECT_NEAR(s.value("snapq_last_sync_timestamp_seconds", {{"service", "sim"}}).value_or(NAN), finished_s, 0.002);
  EXPECT_EQ(s.value("snapq_circuit_state", {{"service", "sim"}, {"instance", "default"}}), 0);
  EXPECT_EQ(s.value("snapq_rate_limit_waits_total", {{"service", "sim"}, {"instance", "default"}}), 0);
  EXPECT_EQ(s.value("snapq_up"), 1);
  EXPECT_GE(s.valueOr0("snapq_workers"), 1) << "this engine's own heartbeat";
  bool versioned = false;
  for (const Scrape::Sample& sample : s.samples) {
    if (sample.name == "snapq_build_info") versioned = sample.labels.count("version") == 1 && sample.value == 1;
  }
  EXPECT_TRUE(versioned);

  // Deterministic: the same state gives the same text.
  EXPECT_EQ(get(vic).body, get(vic).body);
}

TEST_P(MetricsTest, WaitingWorkIsQueueDepthAndAgeAndACancelFinishesIt) {
  startApi(3);
  engine_->stop();  // nothing runs what is queued now
  Caller olga = token("olga");
  json sync = expect(202, "POST", kAccounts + "/sync", olga, "{}");
  const LabelMap sim = {{"service", "sim"}};
  Scrape waiting = scrapeUntil(olga, [&](const Scrape& s) {
    return s.valueOr0("snapq_queue_pending", sim) == 1 && s.valueOr0("snapq_queue_oldest_age_seconds", sim) > 0;
  });
  EXPECT_EQ(waiting.value("snapq_queue_pending", sim), 1);
  EXPECT_GT(waiting.valueOr0("snapq_queue_oldest_age_seconds", sim), 0);
  EXPECT_LT(waiting.valueOr0("snapq_queue_oldest_age_seconds", sim), 60);

  expect(200, "POST", "/api/v1/jobs/" + std::to_string(sync["job"]["id"].get<int64_t>()) + "/cancel", olga, "{}");
  const LabelMap cancelled = {{"service", "sim"}, {"action", "sync"}, {"status", "cancelled"}};
  Scrape after =
      scrapeUntil(olga, [&](const Scrape& s) { return s.valueOr0("snapq_jobs_finished_total", cancelled) == 1; });
  EXPECT_EQ(after.value("snapq_jobs_finished_total", cancelled), 1) << "a manager's cancel finishes a job";
  EXPECT_EQ(after.value("snapq_queue_pending", sim), 0);
  EXPECT_EQ(after.value("snapq_queue_oldest_age_seconds", sim), 0);
  EXPECT_TRUE(after.buckets("snapq_job_duration_seconds", {{"service", "sim"}, {"action", "sync"}}).empty())
      << "a cancelled job never ran";
}

TEST_P(MetricsTest, A429IsCountedByItsCodeAndAsARateLimitWait) {
  startApi(6);
  ASSERT_EQ(syncAndWait("accounts").status, JobStatus::success);
  Caller vic = token("vic");
  Caller olga = token("olga");
  const LabelMap limited = {{"service", "sim"}, {"instance", "default"}, {"code", "429"}};
  const LabelMap instance = {{"service", "sim"}, {"instance", "default"}};
  const double limited_before = scrape(vic).valueOr0("snapq_external_requests_total", limited);

  chaos({{"rate_limit", 1}});
  std::vector<int64_t> ids;
  for (int key = 1; key <= 3; ++key) {
    json queued = expect(202, "PATCH", kAccounts + "/" + std::to_string(key), olga,
                         json{{"data", {{"quota_mb", 300 + key}}}}.dump());
    ids.push_back(queued["job"]["id"].get<int64_t>());
  }
  Scrape s = scrapeUntil(vic, [&](const Scrape& s) {
    return s.valueOr0("snapq_external_requests_total", limited) > limited_before &&
           s.valueOr0("snapq_rate_limit_waits_total", instance) > 0;
  });
  EXPECT_GT(s.valueOr0("snapq_external_requests_total", limited), limited_before) << "the sim answered 429";
  EXPECT_GT(s.valueOr0("snapq_rate_limit_waits_total", instance), 0);
  // At one request a second a mutation's read and write rarely pass in a row: lift the limit.
  chaos({{"rate_limit", 0}});
  for (int64_t id : ids) EXPECT_EQ(waitFinal(id).status, JobStatus::success) << "a 429 only puts a job off";
}

TEST_P(MetricsTest, ARequestWithoutAnAnswerCountsAsErrorAndOpensTheCircuit) {
  startApi(2, R"(
services:
  sim:
    connector: rest
    base_url: ${SIM_URL}
    auth: {kind: bearer, token: sim-token}
    policy:
      retry: {attempts: 1}
      circuit_breaker: {failures: 1, cool_down: 60s}
    instances:
      default: {}
      gone: {base_url: "http://127.0.0.1:1"}
    resources:
      accounts:
        key: id
        fields: {id: integer, email: string}
        list: {path: /v1/accounts, items: data}
)");
  Caller admin = token("admin");
  json sync = expect(202, "POST", kAccounts + "/sync", admin, R"({"instance":"gone"})");
  Job failed = waitFinal(sync["job"]["id"].get<int64_t>());
  ASSERT_EQ(failed.status, JobStatus::failed);
  const LabelMap sync_failed = {{"service", "sim"}, {"action", "sync"}, {"status", "failed"}};
  Scrape s =
      scrapeUntil(admin, [&](const Scrape& s) { return s.valueOr0("snapq_jobs_finished_total", sync_failed) == 1; });
  EXPECT_EQ(s.value("snapq_jobs_finished_total", sync_failed), 1);
  EXPECT_GE(s.valueOr0("snapq_external_requests_total", {{"service", "sim"}, {"instance", "gone"}, {"code", "error"}}),
            1);
  EXPECT_EQ(s.value("snapq_circuit_state", {{"service", "sim"}, {"instance", "gone"}}), 2) << "open";
  EXPECT_EQ(s.value("snapq_circuit_state", {{"service", "sim"}, {"instance", "default"}}), 0);
  EXPECT_FALSE(s.value("snapq_last_sync_timestamp_seconds", {{"service", "sim"}})) << "never synced";
}

TEST_P(MetricsTest, NeedsTheAuditPermission) {
  startApi(1);
  net::ClientResponse anonymous_res = get(anonymous());
  EXPECT_EQ(anonymous_res.status, 401);
  EXPECT_EQ(body(anonymous_res)["error"]["code"], "unauthenticated");
  EXPECT_EQ(expect(403, "GET", "/metrics", token("olga", "snapshot.view"))["error"]["details"]["permission"],
            "sync.job.view");
  scrape(session("vic"));
  scrape(token("vic", "sync.job.view"));
  expect(405, "POST", "/metrics", token("admin"), "{}");
}

TEST_P(MetricsTest, AnOpenEndpointNeedsNoCredentials) {
  api_options_.metrics_open = true;
  startApi(1);
  Scrape s = scrape(anonymous());
  EXPECT_EQ(s.value("snapq_up"), 1);
}

INSTANTIATE_TEST_SUITE_P(Drivers, MetricsTest, ::testing::Values("sqlite", "postgres"), driverName);

}  // namespace
}  // namespace snapq::testing
