#include "cli_fixture.h"

#include <stdlib.h>

#include <chrono>
#include <thread>

#include "snapq/engine.h"

namespace snapq::clitest {
namespace {

bool waitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

DispatchRequest request(const std::string& service, const std::string& action, const std::string& type,
                        const std::string& id) {
  DispatchRequest r;
  r.service = service;
  r.action = action;
  r.target_type = type;
  r.target_id = id;
  r.actor = Actor::user("alice");
  r.payload = nlohmann::json{{"id", id}}.dump();
  return r;
}

}  // namespace

CliTest::CliTest() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "snapq-cli-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
  dir_ = tmpl;
}

CliTest::~CliTest() {
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

nlohmann::json CliTest::runJson(std::vector<std::string> args) {
  args.push_back("--db");
  args.push_back(db());
  RunResult r = run(args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto parsed = nlohmann::json::parse(r.out, nullptr, false);
  EXPECT_FALSE(parsed.is_discarded()) << r.out;
  return parsed;
}

void CliTest::migrate() {
  RunResult r = run({"migrate", "--db", db()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
}

CliTest::Seeded CliTest::seed() {
  auto store = openStore(db());
  if (!store) throw std::runtime_error(store.status().toString());
  if (Status s = (*store)->migrate(); !s) throw std::runtime_error(s.toString());
  EngineOptions options;
  options.queues = {"dns"};  // the sim jobs stay queued
  options.poll = std::chrono::milliseconds(20);
  // The CLI's key file, so both sides could open each other's sealed payloads.
  auto engine = Engine::open(*store, {std::nullopt, dbPath() + ".key"}, options);
  if (!engine) throw std::runtime_error(engine.status().toString());
  JobType sync;
  sync.service = "dns";
  sync.action = "sync";
  sync.handler = [](JobContext&) { return Outcome::ok(R"({"records":3})"); };
  sync.retry.max_attempts = 1;
  JobType push = sync;
  push.action = "push";
  push.handler = [](JobContext&) { return Outcome::reject("remote said 422 bad record"); };
  (*engine)->registerJobType(sync);
  (*engine)->registerJobType(push);

  Seeded seeded;
  auto dispatch = [&](DispatchRequest r, std::vector<int64_t>& ids) {
    auto d = (*engine)->dispatch(std::move(r));
    if (!d) throw std::runtime_error(d.status().toString());
    ids.push_back(d->id);
  };
  for (const char* id : {"1", "2", "3"}) dispatch(request("sim", "update", "account", id), seeded.queued);
  for (const char* id : {"a.example", "b.example", "c.example", "d.example"}) {
    dispatch(request("dns", "sync", "zone", id), seeded.succeeded);
  }
  for (const char* id : {"a.example", "b.example"}) dispatch(request("dns", "push", "zone", id), seeded.failed);

  if (Status s = (*engine)->start(); !s) throw std::runtime_error(s.toString());
  const bool done = waitFor(
      [&] {
        JobFilter f;
        f.services = {"dns"};
        f.statuses = {JobStatus::queued, JobStatus::running};
        auto page = (*store)->listJobs(f);
        return page && page->jobs.empty();
      },
      std::chrono::seconds(20));
  (*engine)->stop();
  if (!done) throw std::runtime_error("seeded dns jobs did not finish");
  return seeded;
}

}  // namespace snapq::clitest
