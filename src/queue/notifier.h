// Delivers "job finished" notices to listeners on a thread of its own, so a
// slow listener never holds up the store's writer or a worker.
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
  void subscribe(JobListener listener);
  void publish(std::vector<Job> jobs);

 private:
  void loop();
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<JobListener> listeners_;
  std::deque<Job> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace snapq
