#include "live_fixture.h"

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cctype>
#include <cstdio>
#include <cstdlib>

#include "connectors/rest/rest_connector.h"

namespace snapq::testing {

using nlohmann::json;

std::optional<std::string> requiredEnv(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr || *value == '\0') {
    ADD_FAILURE() << name << " is not set: the live tests need the real service that scripts/test.sh starts "
                  << "(scripts/pdns.sh, scripts/json-server.sh); run them through scripts/test.sh or export it "
                  << "(README.md, Development)";
    return std::nullopt;
  }
  return std::string(value);
}

std::string runCommand(const std::string& command, int* status) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) {
    if (status) *status = -1;
    return out;
  }
  std::array<char, 4096> buffer;
  size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) out.append(buffer.data(), n);
  int rc = ::pclose(pipe);
  if (status) *status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  return out;
}

std::string shellQuote(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string driverParamName(const ::testing::TestParamInfo<std::string>& info) { return info.param; }

void LiveTest::startSnapq(const std::string& example, const std::string& service,
                          const std::map<std::string, std::string>& env) {
  service_ = service;
  store_ = openTestStore(GetParam(), dir_);
  LoadOptions load;
  load.env = [env](const std::string& name) -> std::optional<std::string> {
    auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
  ConfigCheck check = checkConfig(std::string(SNAPQ_SOURCE_DIR) + "/examples/" + example, load);
  for (const ConfigProblem& p : check.problems) ADD_FAILURE() << example << ":" << p.line << ": " << p.message;
  ASSERT_TRUE(check.ok());
  config_ = std::move(check.config);
  EngineOptions options;
  options.workers = 4;
  options.poll = Duration(50);
  options.grace = Duration(2000);
  auto engine = Engine::open(store_, Engine::Keys{std::string(32, 'k'), ""}, options);
  ASSERT_TRUE(engine.isOk()) << engine.status().toString();
  engine_ = std::move(*engine);
  Clock& clock = engine_->clock();
  auto sync = SyncService::open(*config_, *engine_, [&clock](const ServiceSpec& s, const InstanceSpec& i) {
    return Result<std::unique_ptr<Connector>>(makeRestConnector(s, i, RestOptions{clock}));
  });
  ASSERT_TRUE(sync.isOk()) << sync.status().toString();
  sync_ = std::move(*sync);
  ASSERT_TRUE(engine_->start().isOk());
}

void LiveTest::TearDown() {
  if (engine_) engine_->stop();
  sync_.reset();
  engine_.reset();
  store_.reset();
}

SnapshotTable LiveTest::table(const std::string& resource) const { return *sync_->table(service_, resource); }

std::string LiveTest::uniqueName(const std::string& prefix) const {
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = prefix + std::to_string(::getpid()) + "-" + GetParam() + "-";
  for (char c : std::string(info->name())) {
    if (std::isalnum(static_cast<unsigned char>(c)))
      name += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (name.size() > 48) break;
  }
  return name;
}

Job LiveTest::waitFinal(int64_t id, std::chrono::milliseconds timeout) {
  Job job;
  bool final = waitFor(
      [&] {
        auto j = store_->getJob(id);
        if (!j) return false;
        job = *j;
        return isTerminal(job.status);
      },
      timeout);
  EXPECT_TRUE(final) << "job " << id << " still " << toString(job.status) << ": " << job.error;
  return job;
}

Job LiveTest::syncAndWait(const std::string& resource, std::optional<std::string> scope) {
  SyncRequest r;
  r.service = service_;
  r.resource = resource;
  r.scope = std::move(scope);
  auto d = sync_->dispatchSync(r);
  EXPECT_TRUE(d.isOk()) << d.status().toString();
  if (!d) return Job{};
  Job job = waitFinal(d->id);
  // A sync of a scoped resource without a scope fans out one sync per scope.
  JobFilter open;
  open.services = {service_};
  open.actions = {"sync"};
  open.target_type = resource;
  open.statuses = {JobStatus::queued, JobStatus::running};
  EXPECT_TRUE(waitFor([&] { return store_->listJobs(open)->jobs.empty(); }, std::chrono::seconds(60)))
      << "the scope syncs of " << resource << " finish";
  return job;
}

Result<Dispatched> LiveTest::mutate(const std::string& resource, const std::string& action, const std::string& key,
                                    json data, std::optional<std::string> scope, const std::string& if_match) {
  MutationRequest r;
  r.service = service_;
  r.resource = resource;
  r.action = action;
  r.key = key;
  r.scope = std::move(scope);
  r.data = std::move(data);
  r.if_match = if_match;
  r.actor = Actor::user("live-test");
  return sync_->dispatchMutation(r);
}

std::optional<SnapshotRow> LiveTest::row(const std::string& resource, const std::string& key,
                                         std::optional<std::string> scope) {
  auto found = store_->snapshots().findRow(table(resource), "default", scope, key);
  EXPECT_TRUE(found.isOk()) << found.status().toString();
  return found ? *found : std::nullopt;
}

std::vector<SnapshotRow> LiveTest::rows(const std::string& resource, std::optional<std::string> scope) {
  std::vector<SnapshotRow> out;
  SnapshotQuery query;
  query.scope = std::move(scope);
  query.limit = 1000;
  while (true) {
    auto page = store_->snapshots().listRows(table(resource), query);
    EXPECT_TRUE(page.isOk()) << page.status().toString();
    if (!page) break;
    for (SnapshotRow& r : page->rows) out.push_back(std::move(r));
    if (page->next_cursor.empty()) break;
    query.cursor = page->next_cursor;
  }
  return out;
}

LiveHttp::LiveHttp(std::string base_url, net::Headers headers)
    : base_url_(std::move(base_url)), headers_(std::move(headers)) {}

net::ClientResponse LiveHttp::call(const std::string& method, const std::string& target, const nlohmann::json& body) {
  net::ClientRequest req;
  req.method = method;
  req.url = base_url_ + target;
  req.timeout = std::chrono::seconds(20);
  req.headers = headers_;
  if (!body.is_null()) {
    req.body = body.dump();
    req.headers.set("Content-Type", "application/json");
  }
  auto res = client_.send(req);
  EXPECT_TRUE(res) << method << " " << target << ": " << res.status().toString();
  return res ? std::move(res).value() : net::ClientResponse{};
}

nlohmann::json LiveHttp::json(const std::string& method, const std::string& target, const nlohmann::json& body,
                              int expected_status) {
  const net::ClientResponse res = call(method, target, body);
  EXPECT_EQ(res.status, expected_status) << method << " " << target << ": " << res.body.substr(0, 500);
  return nlohmann::json::parse(res.body, nullptr, false);
}

}  // namespace snapq::testing
