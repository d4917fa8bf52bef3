#include "queue/maintenance.h"

#include <algorithm>

namespace snapq {

Maintenance::Maintenance(Store& store, const EngineOptions& options, Clock& clock, WorkerPool& pool,
                         Rescued rescued, Prune prune, Logger& logger)
    : store_(store),
      options_(options),
      clock_(clock),
      pool_(pool),
      rescued_(std::move(rescued)),
      prune_(std::move(prune)),
      logger_(logger) {}

Maintenance::~Maintenance() { stop(); }

void Maintenance::start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  TimePoint now = clock_.now();
  last_heartbeat_ = now;
  last_rescue_ = TimePoint{};  // rescue once at start: a previous run may have died
  last_prune_ = now;
  thread_ = std::thread([this] { loop(); });
}

void Maintenance::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Maintenance::loop() {
  // Paced in real time; what is due is judged by the injected clock.
  Duration pace = std::clamp(std::min({options_.poll, options_.heartbeat, options_.rescue_interval}), Duration(10),
                             Duration(250));
  std::unique_lock lock(mu_);
  while (!stopping_) {
    lock.unlock();
    tick();
    lock.lock();
    cv_.wait_for(lock, pace, [this] { return stopping_; });
  }
}

void Maintenance::tick() {
  TimePoint now = clock_.now();
  pool_.enforceTimeouts(now);
  if (now - last_heartbeat_ >= options_.heartbeat) {
    last_heartbeat_ = now;
    Status s = store_.extendLeases(pool_.workerId(), pool_.heldJobIds(), now + options_.lease);
    if (!s) logger_.log(LogLevel::warn, "extending leases failed: " + s.toString());
  }
  if (now - last_rescue_ >= options_.rescue_interval) {
    last_rescue_ = now;
    auto rescued = store_.rescueExpired(now, 500);
    if (!rescued) logger_.log(LogLevel::warn, "rescuing expired jobs failed: " + rescued.status().toString());
    if (rescued && !rescued->empty()) {
      for (const Job& j : *rescued) {
        logger_.log(LogLevel::warn, "job " + std::to_string(j.id) + " (" + j.service + "/" + j.action +
                                        ") rescued: its worker was lost; now " + toString(j.status));
      }
      rescued_(*rescued);
      pool_.wake();
    }
  }
  if (now - last_prune_ >= options_.prune_interval) {
    last_prune_ = now;
    prune_();
  }
}

}  // namespace snapq
