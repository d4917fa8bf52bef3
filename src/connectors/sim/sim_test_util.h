// A started `snapq sim` on a free loopback port and a client that speaks to it
// over real HTTP, for the sim's tests.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "connectors/sim/sim_server.h"
#include "net/http_client.h"

namespace snapq::sim::testing {

inline SimOptions smallSim() {
  SimOptions o;
  o.port = 0;
  o.data.accounts = 50;
  o.data.zones = 3;
  o.data.records_per_zone = 4;
  o.data.seed = 7;
  return o;
}

class SimHttp {
 public:
  explicit SimHttp(SimOptions options = smallSim()) : server_(std::make_unique<SimServer>(std::move(options))) {
    const Status s = server_->start();
    EXPECT_TRUE(s.isOk()) << s.toString();
  }

  SimServer& server() { return *server_; }

  // `token` nullopt: no Authorization header at all.
  net::ClientResponse call(const std::string& method, const std::string& target, const nlohmann::json& body = nullptr,
                           const std::optional<std::string>& token = std::string("sim-token")) {
    net::ClientRequest req;
    req.method = method;
    req.url = server_->url() + target;
    req.timeout = std::chrono::seconds(20);
    if (token) req.headers.add("Authorization", "Bearer " + *token);
    if (!body.is_null()) {
      req.body = body.dump();
      req.headers.add("Content-Type", "application/json");
    }
    auto res = client_.send(req);
    EXPECT_TRUE(res) << method << " " << target << ": " << res.status().toString();
    return res ? std::move(res).value() : net::ClientResponse{};
  }

  // The response body as JSON (null when empty or not JSON).
  nlohmann::json json(const std::string& method, const std::string& target, const nlohmann::json& body = nullptr,
                      int expected_status = 0) {
    const net::ClientResponse res = call(method, target, body);
    if (expected_status != 0) {
      EXPECT_EQ(res.status, expected_status) << method << " " << target << ": " << res.body;
    }
    return nlohmann::json::parse(res.body, nullptr, false);
  }

  nlohmann::json stats() { return json("GET", "/_sim/stats", nullptr, 200); }

 private:
  std::unique_ptr<SimServer> server_;
  net::HttpClient client_;
};

}  // namespace snapq::sim::testing
