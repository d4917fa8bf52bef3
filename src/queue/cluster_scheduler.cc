#include "queue/cluster_scheduler.h"

namespace snapq {

ClusterScheduler::ClusterScheduler(Store& store, std::string holder, Clock& clock, Duration lease,
                                   std::vector<ScheduleEntry> entries, Logger& logger)
    : lease_(store, "scheduler", std::move(holder), clock, lease, &logger),
      scheduler_(std::move(entries), clock, logger) {}

ClusterScheduler::~ClusterScheduler() { stop(); }

void ClusterScheduler::start() {
  lease_.start();
  scheduler_.start([this] { return lease_.held(); });
}

void ClusterScheduler::stop() {
  scheduler_.stop();  // first: no tick fires on a lease given up
  lease_.stop();
}

int ClusterScheduler::tick() {
  (void)lease_.refresh();  // a store error leaves held() true only until the won lease runs out
  return lease_.held() ? scheduler_.tick() : 0;
}

}  // namespace snapq
