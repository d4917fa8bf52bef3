#include "notify/webhooks.h"

#include <algorithm>

#include "core/job_json.h"
#include "core/time_format.h"

namespace snapq {
namespace {

std::optional<WebhookEvent> eventOf(JobStatus status) {
  switch (status) {
    case JobStatus::failed: return WebhookEvent::failed;
    case JobStatus::conflict: return WebhookEvent::conflict;
    case JobStatus::success: return WebhookEvent::success;
    default: return std::nullopt;  // skipped: nothing happened; cancelled: a person did it
  }
}

std::string instanceName(const std::string& service, size_t index) { return service + "." + std::to_string(index); }

}  // namespace

int webhookConcurrency(int workers) { return std::max(1, workers / 4); }

nlohmann::json webhookJobSummary(const Job& job) {
  nlohmann::json summary = jobToJson(job);
  for (const char* key : {"payload", "progress", "locked_by", "lease_until", "expected_hash"}) summary.erase(key);
  return summary;
}

nlohmann::json webhookBody(const std::string& event, int64_t delivery_id, const nlohmann::json& job, TimePoint now) {
  return {{"event", event}, {"delivery", std::to_string(delivery_id)}, {"job", job}, {"sent_at", formatIso(now)}};
}

Webhooks::Webhooks(const Config& config, Engine& engine, WebhookOptions options)
    : config_(config), engine_(engine), options_(std::move(options)) {}

std::unique_ptr<Webhooks> Webhooks::install(const Config& config, Engine& engine, WebhookOptions options) {
  std::unique_ptr<Webhooks> hooks(new Webhooks(config, engine, std::move(options)));
  const Webhooks* self = hooks.get();
  for (const char* event : {"failed", "conflict", "success"}) {
    JobType type;
    type.service = std::string(kWebhookService);
    type.action = event;
    type.retry = defaultWebhookRetry();
    type.timeout = std::chrono::seconds(15);
    for (const ServiceSpec& service : config.services) {
      for (size_t i = 0; i < service.webhooks.size(); ++i) {
        const WebhookSpec& hook = service.webhooks[i];
        // The request's own timeout ends the attempt; this only guards the handler.
        type.instances[instanceName(service.name, i)] =
            InstanceOverride{hook.retry, hook.timeout + std::chrono::seconds(5)};
      }
    }
    type.handler = [self](JobContext& ctx) { return self->deliver(ctx); };
    engine.registerJobType(std::move(type));
  }
  engine.onFinalState([self](const Job& job) { return self->notificationsFor(job); });
  return hooks;
}

std::vector<DispatchRequest> Webhooks::notificationsFor(const Job& job) const {
  std::vector<DispatchRequest> out;
  if (job.service == kWebhookService) return out;  // a delivery never notifies about itself
  auto event = eventOf(job.status);
  const ServiceSpec* service = config_.service(job.service);
  if (!event || service == nullptr) return out;
  for (size_t i = 0; i < service->webhooks.size(); ++i) {
    const WebhookSpec& hook = service->webhooks[i];
    if (std::find(hook.events.begin(), hook.events.end(), *event) == hook.events.end()) continue;
    DispatchRequest r;
    r.service = std::string(kWebhookService);
    r.instance = instanceName(service->name, i);
    r.action = webhookEventName(*event);
    r.target_type = "job";
    r.target_id = std::to_string(job.id);
    r.trigger_source = TriggerSource::event;
    r.actor = Actor::system();
    // Which webhook, by position, never its URL: that stays in the config.
    r.payload =
        nlohmann::json{{"service", service->name}, {"webhook", i}, {"event", r.action}, {"job", webhookJobSummary(job)}}
            .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace snapq
