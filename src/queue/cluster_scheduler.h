// The cron scheduler of one node among several sharing a store: it fires only
// while this node holds the "scheduler" lease, so each tick fires on one node,
// and another node takes over within a lease period when the leader dies. The
// entries themselves make a tick fire once even when two nodes briefly both
// believe they lead (a sync is dispatched with an idempotency key naming the tick).
#pragma once

#include <string>
#include <vector>

#include "queue/leader_lease.h"
#include "queue/scheduler.h"

namespace snapq {

class ClusterScheduler {
 public:
  // `holder`: this node's id in the cluster (its engine's worker id).
  ClusterScheduler(Store& store, std::string holder, Clock& clock, Duration lease, std::vector<ScheduleEntry> entries,
                   Logger& logger);
  ~ClusterScheduler();  // stop()
  ClusterScheduler(const ClusterScheduler&) = delete;
  ClusterScheduler& operator=(const ClusterScheduler&) = delete;

  // Before start(): see Scheduler::skipOverdue.
  void skipOverdue() { scheduler_.skipOverdue(); }

  // Threads of its own: the lease renewed every lease/3, the schedule checked
  // about every second. stop() ends them and gives the lease up.
  void start();
  void stop();

  // One round in the caller's thread instead (tests drive a ManualClock):
  // takes or renews the lease, then fires what is due if this node leads.
  // Returns how many entries fired.
  int tick();
  bool leads() const { return lease_.held(); }

 private:
  LeaderLease lease_;
  Scheduler scheduler_;
};

}  // namespace snapq
