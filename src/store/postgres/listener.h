// The LISTEN side of the wake-up: a thread that owns one connection listening
// on `snapq_jobs` and counts what arrives, so idle workers on every node wake
// at once when work is queued instead of polling.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "snapq/clock.h"

namespace snapq::pg {

class WorkListener {
 public:
  explicit WorkListener(std::string url);
  ~WorkListener();  // stops the thread and closes the connection
  WorkListener(const WorkListener&) = delete;
  WorkListener& operator=(const WorkListener&) = delete;

  uint64_t epoch();
  uint64_t waitFor(uint64_t seen, Duration timeout);

 private:
  void loop();
  void bump();
  // Sleeps up to `d` unless stopped; returns false when stopping.
  bool pause(Duration d);

  std::string url_;
  std::mutex mu_;
  std::condition_variable cv_;
  uint64_t epoch_ = 0;
  bool stopping_ = false;
  int wake_fd_ = -1;  // an eventfd that interrupts poll() on stop
  std::thread thread_;
};

}  // namespace snapq::pg
