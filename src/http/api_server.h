// The HTTP API of snapq (API.md "HTTP API"): routes, authentication (session
// cookie with CSRF token, or bearer token), the permission of every route
// checked here on the server, access logs. Handlers run on a small pool of
// threads, not on the io threads, so a store round trip or a group commit
// never stalls the connections an io thread serves.
#pragma once

#include <memory>
#include <string>

#include "http/api_context.h"
#include "http/event_hub.h"
#include "net/http_server.h"

namespace snapq::http {

struct ApiServerOptions {
  net::HttpServerOptions http;
  int handler_threads = 8;
  // Requests waiting for a handler thread beyond this are answered 503 at once.
  size_t max_waiting = 4096;
  bool access_log = true;
  // GET /metrics without authentication (for a scraper on a trusted network);
  // otherwise it needs sync.job.view.
  bool metrics_open = false;
  // Keep rendered snapshot listings and serve them again while the table's
  // generation is unchanged (page_cache.h).
  bool page_cache = true;
  EventHubOptions events;
};

class ApiServer {
 public:
  ApiServer(ApiContext context, ApiServerOptions options);
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  Status start();
  // Drains requests in flight, then stops the handler threads. Idempotent.
  void stop();
  uint16_t port() const;
  std::string url() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace snapq::http
