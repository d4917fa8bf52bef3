// The live tests' common part: a store of the driver under test, an engine and
// the sync service wired by one of examples/*.yaml, pointed at a real service
// that scripts/test.sh started on loopback (scripts/pdns.sh, scripts/json-server.sh)
// and named in SNAPQ_TEST_* variables. A missing variable fails the test with
// the reason: these tests never skip.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "net/http_client.h"
#include "snapq/config.h"
#include "snapq/engine.h"
#include "sync/sync_service.h"
#include "test_support.h"

namespace snapq::testing {

// $name, or nullopt with a failure that says how the variable is normally set.
std::optional<std::string> requiredEnv(const std::string& name);

// Runs a command (through /bin/sh) and returns its standard output; *status gets the exit status.
std::string runCommand(const std::string& command, int* status = nullptr);

// A quoted argument for /bin/sh.
std::string shellQuote(const std::string& text);

class LiveTest : public ::testing::TestWithParam<std::string> {
 protected:
  // Loads examples/<example> with `env` as its environment and starts the engine
  // with the sync service on a fresh store of the driver under test.
  void startSnapq(const std::string& example, const std::string& service,
                  const std::map<std::string, std::string>& env);
  void TearDown() override;

  SnapshotTable table(const std::string& resource) const;
  Job waitFinal(int64_t id, std::chrono::milliseconds timeout = std::chrono::seconds(60));
  // Dispatches a sync and waits until it and the scope syncs it fanned out are final.
  Job syncAndWait(const std::string& resource, std::optional<std::string> scope = {});
  Result<Dispatched> mutate(const std::string& resource, const std::string& action, const std::string& key,
                            nlohmann::json data, std::optional<std::string> scope = {},
                            const std::string& if_match = {});
  std::optional<SnapshotRow> row(const std::string& resource, const std::string& key,
                                 std::optional<std::string> scope = {});
  std::vector<SnapshotRow> rows(const std::string& resource, std::optional<std::string> scope = {});
  static nlohmann::json result(const Job& job) { return nlohmann::json::parse(job.result, nullptr, false); }

  // A name unique to this test and driver, for objects the test creates remotely.
  std::string uniqueName(const std::string& prefix) const;

  std::string service_;
  TempDir dir_;
  std::optional<Config> config_;
  std::shared_ptr<Store> store_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<SyncService> sync_;
};

// A JSON HTTP client for the service behind snapq's back.
class LiveHttp {
 public:
  LiveHttp(std::string base_url, net::Headers headers = {});
  net::ClientResponse call(const std::string& method, const std::string& target, const nlohmann::json& body = nullptr);
  // The body as JSON after checking the status (a failure names the request and the answer).
  nlohmann::json json(const std::string& method, const std::string& target, const nlohmann::json& body = nullptr,
                      int expected_status = 200);

 private:
  std::string base_url_;
  net::Headers headers_;
  net::HttpClient client_;
};

std::string driverParamName(const ::testing::TestParamInfo<std::string>& info);

}  // namespace snapq::testing
