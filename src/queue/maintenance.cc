#include "queue/maintenance.h"

#include <unistd.h>

#include <algorithm>

#ifndef SNAPQ_VERSION
#error "SNAPQ_VERSION must be defined by the build"
#endif

namespace snapq {
namespace {

// How often the loop pings the store (real time): what /readyz reports lags
// an outage by at most this much.
constexpr auto kCheckEvery = std::chrono::seconds(1);

std::string hostName() {
  char host[256] = "localhost";
  gethostname(host, sizeof(host) - 1);
  return host;
}

}  // namespace

Maintenance::Maintenance(Store& store, const EngineOptions& options, Clock& clock, WorkerPool& pool,
                         StoreHealth& health, Rescued rescued, Prune prune, Logger& logger, FollowUps follow_ups)
    : store_(store),
      options_(options),
      clock_(clock),
      pool_(pool),
      health_(health),
      rescued_(std::move(rescued)),
      prune_(std::move(prune)),
      logger_(logger),
      follow_ups_(std::move(follow_ups)),
      lease_(store, "maintenance", pool.workerId(), clock, options.leader_lease, &logger) {}

Maintenance::~Maintenance() { stop(); }

void Maintenance::start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  TimePoint now = clock_.now();
  started_at_ = now;
  last_heartbeat_ = now;
  last_worker_heartbeat_ = TimePoint{};  // register at once
  last_rescue_ = TimePoint{};  // rescue once at start: a previous run may have died
  last_prune_ = now;
  thread_ = std::thread([this] { loop(); });
}

void Maintenance::stop() {
  {
    std::lock_guard lock(mu_);
    if (!thread_.joinable()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
  lease_.release();
}

void Maintenance::unregister() {
  if (!registered_) return;
  registered_ = false;
  Status s = store_.removeWorker(pool_.workerId());
  if (!s) logger_.log(LogLevel::warn, "removing this worker from the registry failed: " + s.toString());
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

void Maintenance::checkStore() {
  Status s = store_.ping();
  health_.record(s);
  if (!s) return;
  auto version = store_.schemaVersion();
  health_.record(version.status());
  // A newer schema (migrated by a newer node) still serves this one: migrations only add.
  if (version) health_.setSchemaCurrent(*version >= store_.latestSchemaVersion());
}

void Maintenance::heartbeatWorker(TimePoint now) {
  last_worker_heartbeat_ = now;
  WorkerRecord w;
  w.id = pool_.workerId();
  static const std::string host = hostName();
  w.host = host;
  w.pid = getpid();
  w.started_at = started_at_;
  w.heartbeat_at = now;
  w.running_jobs = static_cast<int>(pool_.heldJobIds().size());
  w.queues = options_.queues;
  w.version = SNAPQ_VERSION;
  Status s = store_.heartbeatWorker(w);
  health_.recordTask("worker heartbeat", s);
  if (!s) return;
  registered_ = true;
  last_registered_ = now;
}

void Maintenance::tick() {
  auto steady = std::chrono::steady_clock::now();
  if (steady - last_check_ >= kCheckEvery) {
    last_check_ = steady;
    checkStore();
  }
  TimePoint now = clock_.now();
  pool_.enforceTimeouts(now);
  pool_.retryCompletions();
  // Heartbeats come before any rescue, so a clock that jumped never makes
  // this worker look dead to itself.
  if (now - last_worker_heartbeat_ >= options_.heartbeat) heartbeatWorker(now);
  if (now - last_heartbeat_ >= options_.heartbeat) {
    last_heartbeat_ = now;
    // Only with leases to extend: the store answers "none" without a server,
    // which would count as reaching it.
    if (std::vector<int64_t> held = pool_.heldJobIds(); !held.empty()) {
      health_.recordTask("extending leases", store_.extendLeases(pool_.workerId(), held, now + options_.lease));
    }
  }
  lease_.refreshIfDue();
  if (now - last_rescue_ >= options_.rescue_interval) {
    last_rescue_ = now;
    rescue(now);
  }
  if (now - last_prune_ >= options_.prune_interval && lease_.held()) {
    last_prune_ = now;
    prune_();
  }
}

void Maintenance::rescue(TimePoint now) {
  auto expired = store_.rescueExpired({now, 500, rescue_failed_, follow_ups_});
  health_.recordTask("rescuing expired jobs", expired.status());
  if (expired && !expired->empty()) logRescued(*expired, "its lease expired");

  // Dead workers: only on the leader, and only while this worker's own row is
  // fresh (otherwise it is this node that lost touch, not the others).
  Duration timeout = options_.worker_timeout.count() > 0 ? options_.worker_timeout : options_.heartbeat * 3;
  if (!lease_.held() || !registered_ || now - last_registered_ >= timeout) return;
  auto dead = store_.rescueDeadWorkers({now - timeout, now, 100, rescue_failed_, follow_ups_});
  health_.recordTask("rescuing the jobs of dead workers", dead.status());
  if (!dead) return;
  for (const std::string& w : dead->workers) {
    logger_.log(LogLevel::warn, "worker " + w + " sent no heartbeat for " + std::to_string(timeout.count()) +
                                    " ms: removed from the registry, its running jobs rescued");
  }
  if (!dead->jobs.empty()) logRescued(dead->jobs, "its worker stopped sending heartbeats");
}

void Maintenance::logRescued(const std::vector<Job>& jobs, const std::string& why) {
  // A dead node may have held a thousand jobs: name a few, count the rest.
  constexpr size_t kNamed = 10;
  for (size_t i = 0; i < jobs.size() && i < kNamed; ++i) {
    const Job& j = jobs[i];
    logger_.log(LogLevel::warn,
                "job " + std::to_string(j.id) + " (" + j.service + "/" + j.action + ") rescued: " + why + "; now " +
                    toString(j.status),
                {{"job_id", j.id}, {"service", j.service}, {"action", j.action}, {"status", toString(j.status)}});
  }
  if (jobs.size() > kNamed) {
    logger_.log(LogLevel::warn, "... and " + std::to_string(jobs.size() - kNamed) + " more jobs rescued: " + why);
  }
  rescued_(jobs);
  pool_.wake();
}

}  // namespace snapq
