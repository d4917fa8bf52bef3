// The LISTEN side of the wake-up: a thread that owns one connection listening
// on `snapq_jobs` and reports what arrives, so idle workers on every node wake
// at once when work is queued instead of polling.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "snapq/clock.h"

namespace snapq::pg {

class WorkListener {
 public:
  // `on_work` runs on the listener's thread for every batch of notifications
  // and after each (re)connection (notifications may have been missed).
  WorkListener(std::string url, std::function<void()> on_work);
  ~WorkListener();  // stops the thread and closes the connection
  WorkListener(const WorkListener&) = delete;
  WorkListener& operator=(const WorkListener&) = delete;

 private:
  void loop();
  // Sleeps up to `d` unless stopped; returns false when stopping.
  bool pause(Duration d);

  std::string url_;
  std::function<void()> on_work_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  int wake_fd_ = -1;  // an eventfd that interrupts poll() on stop
  std::thread thread_;
};

}  // namespace snapq::pg
