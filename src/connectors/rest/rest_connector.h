// The declarative `rest` connector: the Connector interface for one instance
// of a service described in the config file (include/snapq/config.h and
// resource_spec.h; users read docs/CONFIG.md). Safe to call from several
// worker threads at once: each call borrows an HTTP client (and its open
// connections) from a small pool.
//
// What it does not do: pace requests, obey Retry-After, or open a circuit.
// Whoever wraps it does that with the errors it classifies (errors.h).
#pragma once

#include <memory>

#include "net/http_client.h"
#include "snapq/clock.h"
#include "snapq/config.h"
#include "snapq/connector.h"

namespace snapq {

struct RestOptions {
  // Decides when an OAuth2 token is stale and what a Retry-After date means.
  // Must outlive the connector.
  const Clock& clock;
  net::HttpClientOptions http = {};
};

// A connector for `instance` of `service` (both copied). The service must
// be a rest service as the loader checked it (every resource has its list).
std::unique_ptr<Connector> makeRestConnector(const ServiceSpec& service, const InstanceSpec& instance,
                                             RestOptions options);

}  // namespace snapq
