// Webhook notifications (docs/CONFIG.md, "Webhooks"). A job of a service with
// webhooks that reaches a final state the webhook listens for (failed,
// conflict, success) dispatches one delivery job per webhook in the same
// transaction as that state (Engine::onFinalState), so a crash cannot lose it.
// A delivery is an ordinary job: service `webhook`, instance
// `<service>.<index>`, action the event, target `job` <id>; it is retried
// with the webhook's policy, audited, and held to a few workers at a time so
// a slow or dead receiver never holds the workers of syncs and mutations.
// The URL is a secret: it is read from the config at delivery and never
// stored in the job, its events or its error.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "snapq/config.h"
#include "snapq/engine.h"

namespace snapq {

inline constexpr std::string_view kWebhookService = "webhook";

// Deliveries that may run at once with `workers` worker threads: a quarter of
// them, at least one (EngineOptions::service_concurrency["webhook"]).
int webhookConcurrency(int workers);

struct WebhookOptions {
  std::string ca_file;  // https receivers: trust these CAs instead of the system's
};

class Webhooks {
 public:
  // Registers the delivery job type and the engine's final-state hook; before
  // engine.start(). `config` must outlive the engine's use of it.
  static std::unique_ptr<Webhooks> install(const Config& config, Engine& engine, WebhookOptions options = {});

  // The deliveries a job in its final state calls for (none for deliveries themselves).
  std::vector<DispatchRequest> notificationsFor(const Job& job) const;

 private:
  Webhooks(const Config& config, Engine& engine, WebhookOptions options);
  Outcome deliver(JobContext& ctx) const;

  const Config& config_;
  Engine& engine_;
  WebhookOptions options_;
};

// What a receiver gets: {"event","delivery","job":{...no payload},"sent_at"}.
nlohmann::json webhookBody(const std::string& event, int64_t delivery_id, const nlohmann::json& job, TimePoint now);

// The job as a notification shows it: the API's job object without payload,
// progress or lock details.
nlohmann::json webhookJobSummary(const Job& job);

}  // namespace snapq
