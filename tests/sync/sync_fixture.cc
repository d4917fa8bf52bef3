#include "sync_fixture.h"

#include <fstream>
#include <sstream>

#include "connectors/rest/rest_connector.h"

namespace snapq::testing {

std::string driverName(const ::testing::TestParamInfo<std::string>& info) { return info.param; }

void SyncSimTest::startSim(int64_t accounts) {
  sim::SimOptions o = sim::testing::smallSim();
  o.data.accounts = accounts;
  sim_ = std::make_unique<sim::testing::SimHttp>(o);
}

void SyncSimTest::startSnapq(const std::string& yaml, int workers) {
  ASSERT_TRUE(sim_) << "start the sim first";
  store_ = openTestStore(GetParam(), dir_, &store_url_);
  std::string url = sim_->server().url();
  LoadOptions load;
  load.env = [url](const std::string& name) -> std::optional<std::string> {
    if (name == "SIM_URL") return url;
    return std::nullopt;
  };
  ConfigCheck check = yaml.empty() ? checkConfig(std::string(SNAPQ_SOURCE_DIR) + "/examples/sim.yaml", load)
                                   : checkConfigText(yaml, load);
  for (const ConfigProblem& p : check.problems) ADD_FAILURE() << p.line << ": " << p.message;
  ASSERT_TRUE(check.ok());
  config_ = std::move(check.config);
  EngineOptions options;
  options.workers = workers;
  options.poll = Duration(50);
  options.grace = Duration(2000);
  Env env;
  configureEngine(options, env);
  auto engine = Engine::open(store_, Engine::Keys{std::string(32, 'k'), ""}, options, env);
  ASSERT_TRUE(engine.isOk()) << engine.status().toString();
  engine_ = std::move(*engine);
  Clock& clock = engine_->clock();
  auto sync = SyncService::open(*config_, *engine_, [&clock](const ServiceSpec& s, const InstanceSpec& i) {
    return Result<std::unique_ptr<Connector>>(makeRestConnector(s, i, RestOptions{clock}));
  });
  ASSERT_TRUE(sync.isOk()) << sync.status().toString();
  sync_ = std::move(*sync);
  beforeStart();
  ASSERT_TRUE(engine_->start().isOk());
}

void SyncSimTest::TearDown() {
  if (engine_) engine_->stop();
  sync_.reset();
  engine_.reset();
  store_.reset();
  sim_.reset();
}

SnapshotTable SyncSimTest::table(const std::string& resource) const { return *sync_->table("sim", resource); }

Job SyncSimTest::waitFinal(int64_t id, std::chrono::milliseconds timeout) {
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

Job SyncSimTest::syncAndWait(const std::string& resource, bool force, std::optional<std::string> scope) {
  SyncRequest r;
  r.service = "sim";
  r.resource = resource;
  r.force = force;
  r.scope = std::move(scope);
  auto d = sync_->dispatchSync(r);
  EXPECT_TRUE(d.isOk()) << d.status().toString();
  return d ? waitFinal(d->id) : Job{};
}

Result<Dispatched> SyncSimTest::mutate(const std::string& resource, const std::string& action, const std::string& key,
                                       nlohmann::json data, const std::string& if_match) {
  MutationRequest r;
  r.service = "sim";
  r.resource = resource;
  r.action = action;
  r.key = key;
  r.data = std::move(data);
  r.if_match = if_match;
  r.actor = Actor::user("alice");
  return sync_->dispatchMutation(r);
}

std::optional<SnapshotRow> SyncSimTest::row(const std::string& resource, const std::string& key) {
  auto found = store_->snapshots().findRow(table(resource), "default", std::nullopt, key);
  EXPECT_TRUE(found.isOk()) << found.status().toString();
  return found ? *found : std::nullopt;
}

int64_t SyncSimTest::rowCount(const std::string& resource) {
  auto counts = store_->snapshots().countRows(table(resource));
  EXPECT_TRUE(counts.isOk());
  return counts ? counts->total : -1;
}

}  // namespace snapq::testing
