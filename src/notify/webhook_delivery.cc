// One delivery attempt: POST the notification and classify the answer. 2xx is
// delivered; 408, 429, 5xx and transport errors are tried again (no sooner
// than a Retry-After says); any other answer is a rejection. Messages name the
// webhook by service and index, never by URL (its path or query may be the
// secret), and never quote the receiver's body.
#include <algorithm>
#include <cstdint>
#include <nlohmann/json.hpp>

#include "connectors/rest/errors.h"
#include "net/http_client.h"
#include "notify/webhooks.h"

#ifndef SNAPQ_VERSION
#error "SNAPQ_VERSION must be defined by the build"
#endif

namespace snapq {
namespace {

// A receiver cannot park a delivery for longer than this.
constexpr Duration kMaxRetryAfter = std::chrono::hours(1);

const char* transportWhy(net::TransportError e) {
  switch (e) {
    case net::TransportError::connect: return "could not connect";
    case net::TransportError::timeout: return "no answer in time";
    case net::TransportError::transfer: return "the connection broke";
    case net::TransportError::invalid_request: return "the URL is not usable";
    default: return "the request failed";
  }
}

}  // namespace

Outcome Webhooks::deliver(JobContext& ctx) const {
  const Job& job = ctx.job();
  auto payload = nlohmann::json::parse(ctx.payload(), nullptr, false);
  if (!payload.is_object() || !payload.contains("service") || !payload.contains("webhook") ||
      !payload.contains("job")) {
    return Outcome::reject("not a webhook delivery payload");
  }
  const std::string name = job.instance;
  const std::string service_name = payload["service"].is_string() ? payload["service"].get<std::string>() : "";
  const ServiceSpec* service = config_.service(service_name);
  const auto index = payload["webhook"].is_number_unsigned() ? payload["webhook"].get<size_t>() : SIZE_MAX;
  if (service == nullptr || index >= service->webhooks.size()) {
    return Outcome::reject("webhook " + name + " is no longer in the configuration");
  }
  const WebhookSpec& hook = service->webhooks[index];

  net::ClientRequest request;
  request.method = "POST";
  request.url = hook.url.reveal();
  request.timeout = hook.timeout;
  request.headers.set("Content-Type", "application/json");
  request.headers.set("X-Snapq-Event", job.action);
  request.headers.set("X-Snapq-Delivery", std::to_string(job.id));
  request.headers.set("Idempotency-Key", "snapq-webhook-" + std::to_string(job.id));
  request.body = webhookBody(job.action, job.id, payload["job"], engine_.clock().now())
                     .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);

  net::HttpClientOptions client_options;
  client_options.user_agent = std::string("snapq/") + SNAPQ_VERSION;
  client_options.max_response_bytes = 1 << 20;
  client_options.ca_file = options_.ca_file;
  net::HttpClient client(client_options);
  auto response = client.send(request);
  if (!response) {
    // The client's message names the URL's host and path: not for the audit log.
    return Outcome::retry("webhook " + name + ": " + transportWhy(client.lastError()));
  }
  const int status = response->status;
  const std::string answered = "webhook " + name + " answered HTTP " + std::to_string(status);
  if (status >= 200 && status < 300) return Outcome::ok(nlohmann::json{{"http_status", status}}.dump());
  if (status == 408 || status == 429 || status >= 500) {
    Outcome retry = Outcome::retry(answered);
    if (auto header = response->headers.get("Retry-After")) {
      if (auto wait = rest::parseRetryAfter(*header, engine_.clock().now()))
        retry.retry_after = std::min(*wait, kMaxRetryAfter);
    }
    return retry;
  }
  return Outcome::reject(answered + " (rejected)");
}

}  // namespace snapq
