// Delivers job changes to listeners on a thread of its own, so a slow
// listener never holds up the store's writer or a worker. "Finished"
// listeners see only final states reached by an attempt or a rescue.
#pragma once

#include <condition_variable>
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
  // Whether anyone listens to every change (callers skip copying jobs otherwise).
  bool wantsChanges() const;

 private:
  void loop();
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<JobListener> finished_;
  std::vector<JobChangeListener> changed_;
  std::deque<JobChange> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace snapq
