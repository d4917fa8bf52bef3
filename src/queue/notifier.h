// Delivers job changes to listeners on a thread of its own, so a slow
// listener never holds up the store's writer or a worker. "Finished"
// listeners see only final states reached by an attempt or a rescue.
//
// Changes reach listeners in commit order. A commit wakes workers before the
// thread that asked for it returns, so a worker could publish a claim of a job
// before its dispatch is published; the dispatching thread therefore reserves a
// place inside its transaction (reserve) and fills it after the commit (fill):
// whatever is published after the reservation waits behind it.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "snapq/engine.h"

namespace snapq {

class Notifier {
 public:
  Notifier();
  ~Notifier();  // delivers what is queued, then stops
  void subscribe(JobListener finished);
  void subscribe(JobChangeListener changed);
  void publish(JobChange::Kind kind, std::vector<Job> jobs);
  void publishDeleted(Job job);
  // A place in the order for changes not yet committed; 0 when no one listens
  // to every change. Every reservation must be filled, with no jobs if the
  // write did not commit, or later changes are held back.
  uint64_t reserve();
  void fill(uint64_t reservation, JobChange::Kind kind, std::vector<Job> jobs);
  // Whether anyone listens to every change (callers skip copying jobs otherwise).
  bool wantsChanges() const;

 private:
  void loop();
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<JobListener> finished_;
  std::vector<JobChangeListener> changed_;
  struct Entry {
    uint64_t reservation = 0;  // 0: ready to deliver
    JobChange change;
  };
  std::deque<Entry> queue_;
  uint64_t last_reservation_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace snapq
