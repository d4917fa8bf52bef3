// A running `snapq sim` on loopback, a store of the driver under test, an
// engine and the sync service wired by examples/sim.yaml (or a test's own
// config text), for the sim-backed protocol tests.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "connectors/sim/sim_test_util.h"
#include "snapq/config.h"
#include "snapq/engine.h"
#include "sync/sync_service.h"
#include "test_support.h"

namespace snapq::testing {

class SyncSimTest : public ::testing::TestWithParam<std::string> {
 protected:
  // Starts the sim with `accounts` accounts (3 zones of 4 records).
  void startSim(int64_t accounts);
  // Loads examples/sim.yaml (or `yaml`, where ${SIM_URL} is the sim) and
  // starts the engine with the sync service on a fresh store.
  void startSnapq(const std::string& yaml = {}, int workers = 4);
  void TearDown() override;
  // For suites that add to the engine: its options and environment before it
  // opens, and what they install once the sync service is open (before start).
  virtual void configureEngine(EngineOptions&, Env&) {}
  virtual void beforeStart() {}

  SnapshotTable table(const std::string& resource) const;
  // Dispatches and waits for the job to be final.
  Job syncAndWait(const std::string& resource, bool force = false, std::optional<std::string> scope = {});
  Job waitFinal(int64_t id, std::chrono::milliseconds timeout = std::chrono::seconds(60));
  Result<Dispatched> mutate(const std::string& resource, const std::string& action, const std::string& key,
                            nlohmann::json data, const std::string& if_match = {});
  std::optional<SnapshotRow> row(const std::string& resource, const std::string& key);
  int64_t rowCount(const std::string& resource);
  nlohmann::json result(const Job& job) const { return nlohmann::json::parse(job.result, nullptr, false); }
  nlohmann::json simStats() { return sim_->json("GET", "/_sim/stats"); }
  void chaos(const nlohmann::json& settings) { sim_->json("POST", "/_sim/chaos", settings, 200); }

  TempDir dir_;
  std::unique_ptr<sim::testing::SimHttp> sim_;
  std::optional<Config> config_;
  std::shared_ptr<Store> store_;
  std::string store_url_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<SyncService> sync_;
};

std::string driverName(const ::testing::TestParamInfo<std::string>& info);

}  // namespace snapq::testing
