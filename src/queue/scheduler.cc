#include "queue/scheduler.h"

#include "core/time_format.h"

namespace snapq {

Scheduler::Scheduler(std::vector<ScheduleEntry> entries, Clock& clock, Logger& logger)
    : entries_(std::move(entries)), clock_(clock), logger_(logger) {}

Scheduler::~Scheduler() { stop(); }

int Scheduler::tick() {
  TimePoint now = clock_.now();
  int fired = 0;
  for (const ScheduleEntry& entry : entries_) {
    std::optional<TimePoint> last;
    {
      std::lock_guard lock(mu_);
      if (auto it = fired_.find(entry.name); it != fired_.end()) last = it->second;
    }
    // The latest tick at or before now that this scheduler has not fired.
    auto due = entry.cron.latest(last.value_or(TimePoint{}), now);
    if (!due) continue;
    if (Status s = entry.fire(*due); !s) {
      logger_.log(LogLevel::warn, "schedule " + entry.name + " (" + formatIso(*due) + ") did not fire: " + s.message());
      continue;
    }
    std::lock_guard lock(mu_);
    fired_[entry.name] = *due;
    ++fired;
  }
  return fired;
}

void Scheduler::skipOverdue() {
  TimePoint now = clock_.now();
  std::lock_guard lock(mu_);
  for (const ScheduleEntry& entry : entries_) {
    if (auto due = entry.cron.latest(TimePoint{}, now)) fired_[entry.name] = *due;
  }
}

std::optional<TimePoint> Scheduler::nextRun(const std::string& name) const {
  for (const ScheduleEntry& entry : entries_) {
    if (entry.name == name) return entry.cron.next(clock_.now());
  }
  return std::nullopt;
}

void Scheduler::start(std::function<bool()> may_fire) {
  if (entries_.empty()) return;
  thread_ = std::jthread([this, may_fire = std::move(may_fire)](std::stop_token stop) {
    while (!stop.stop_requested()) {
      if (!may_fire || may_fire()) tick();
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, stop, std::chrono::seconds(1), [] { return false; });
    }
  });
}

void Scheduler::stop() {
  if (!thread_.joinable()) return;
  thread_.request_stop();
  cv_.notify_all();
  thread_.join();
}

}  // namespace snapq
