// A fixed set of threads running queued tasks, with a cap on how many may wait.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace snapq::http {

class HandlerPool {
 public:
  HandlerPool(int threads, size_t max_waiting);
  ~HandlerPool();  // runs what is queued, then joins
  HandlerPool(const HandlerPool&) = delete;
  HandlerPool& operator=(const HandlerPool&) = delete;

  // False when `max_waiting` tasks already wait (the caller answers 503).
  bool post(std::function<void()> task);

 private:
  void run();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  size_t max_waiting_;
  bool stopping_ = false;
  std::vector<std::jthread> threads_;
};

}  // namespace snapq::http
