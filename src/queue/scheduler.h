// The cron scheduler: fires each entry once per tick of its 5-field schedule.
// An entry that is overdue when the scheduler starts (the process was down at
// its last tick) fires once, for its latest tick, not once per missed tick.
// Exactly-once across nodes comes from the entries themselves (a sync is
// dispatched with an idempotency key naming the tick); a leadership check
// (`may_fire`) only spares the other nodes the work.
#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "queue/cron.h"
#include "snapq/clock.h"
#include "snapq/log.h"
#include "snapq/status.h"

namespace snapq {

struct ScheduleEntry {
  std::string name;
  CronSchedule cron;
  std::function<Status(TimePoint tick)> fire;
};

class Scheduler {
 public:
  Scheduler(std::vector<ScheduleEntry> entries, Clock& clock, Logger& logger);
  ~Scheduler();

  // Fires what is due now; returns how many entries fired. A failed fire is
  // tried again on the next call.
  int tick();
  // Counts each entry's latest tick at or before now as fired, so the first
  // tick() owes nothing: for a caller that has just done that work itself (the
  // demo's first sync), where the catch-up would do it a second time.
  void skipOverdue();
  // When an entry fires next (nullopt: unknown entry or never again).
  std::optional<TimePoint> nextRun(const std::string& name) const;

  // Calls tick() about once a second on a thread of its own, when `may_fire`
  // (leadership) allows; stop() ends it.
  void start(std::function<bool()> may_fire = {});
  void stop();

 private:
  std::vector<ScheduleEntry> entries_;
  Clock& clock_;
  Logger& logger_;
  mutable std::mutex mu_;
  std::map<std::string, TimePoint> fired_;  // latest tick fired, per entry
  std::condition_variable_any cv_;
  std::jthread thread_;
};

}  // namespace snapq
