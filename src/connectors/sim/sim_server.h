// `snapq sim`: a simulated external service, a real HTTP server on loopback
// that behaves like a slow, rate-limited SaaS API (see docs/ARCHITECTURE.md,
// "The simulated service", and ../shared/API.md).
//
// Latency waits on timers of the asynchronous server (net::Responder::
// sendAfter), not in a thread: a hundred requests delayed by a second each
// occupy no io thread while they wait.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "connectors/sim/sim_store.h"
#include "connectors/sim/sim_traffic.h"
#include "net/http_server.h"
#include "snapq/clock.h"
#include "snapq/status.h"

namespace snapq::sim {

struct SimOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 9100;  // 0: a free port, see SimServer::port()
  std::string token = "sim-token";
  DataShape data;  // accounts 200, zones 10, records per zone 20, seed 1
  Chaos chaos;     // the initial latency, error rate and rate limit
  int io_threads = 2;
};

// invalid_argument naming the first bad option, in the CLI's words.
Status validateSimOptions(const SimOptions& options);

// Listings: page 1 and 50 per page unless asked; per_page above 1000 is
// served as 1000 (meta.per_page says so).
inline constexpr int64_t kDefaultPerPage = 50;
inline constexpr int64_t kMaxPerPage = 1000;

class SimServer {
 public:
  explicit SimServer(SimOptions options, std::shared_ptr<const Clock> clock = nullptr);
  ~SimServer();
  SimServer(const SimServer&) = delete;
  SimServer& operator=(const SimServer&) = delete;

  Status start();
  // Graceful: requests in flight are answered (their latency cut short).
  void stop();
  uint16_t port() const { return server_.port(); }
  // "http://127.0.0.1:9100"
  std::string url() const;
  const SimOptions& options() const { return options_; }

 private:
  void handle(net::HttpRequest request, net::Responder responder);
  bool authorized(const net::HttpRequest& request) const;
  Reply route(const net::HttpRequest& request, const std::vector<std::string>& segments, bool empty_lists);
  Reply control(const net::HttpRequest& request, const std::vector<std::string>& segments);
  nlohmann::json stats() const;

  SimOptions options_;
  SimStore store_;
  Traffic traffic_;
  net::HttpServer server_;
};

}  // namespace snapq::sim
