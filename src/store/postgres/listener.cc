#include "store/postgres/listener.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "store/postgres/pg_conn.h"
#include "store/postgres/writer.h"

namespace snapq::pg {

WorkListener::WorkListener(std::string url, std::function<void()> on_work)
    : url_(std::move(url)), on_work_(std::move(on_work)) {
  wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  thread_ = std::thread([this] { loop(); });
}

WorkListener::~WorkListener() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  uint64_t one = 1;
  if (wake_fd_ >= 0) (void)!write(wake_fd_, &one, sizeof one);
  thread_.join();
  if (wake_fd_ >= 0) close(wake_fd_);
}

bool WorkListener::pause(Duration d) {
  std::unique_lock lock(mu_);
  return !cv_.wait_for(lock, d, [this] { return stopping_; });
}

void WorkListener::loop() {
  std::string listen = std::string("LISTEN ") + kWorkChannel;
  Duration backoff{100};
  while (true) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
    }
    auto conn = Conn::open(url_);
    if (!conn || !(*conn)->exec(listen)) {
      if (!pause(backoff)) return;
      backoff = std::min(backoff * 2, Duration(5000));
      continue;
    }
    backoff = Duration(100);
    // Listening again after a gap: whatever was announced meanwhile is lost, so
    // waiters look for work once more.
    on_work_();
    PGconn* raw = (*conn)->raw();
    while (true) {
      pollfd fds[2] = {{PQsocket(raw), POLLIN, 0}, {wake_fd_, POLLIN, 0}};
      int n = poll(fds, 2, 1000);
      if (n < 0 && errno != EINTR) break;
      if (fds[1].revents) return;
      if (n <= 0) continue;
      if (!PQconsumeInput(raw)) break;  // the connection is gone: reconnect
      bool any = false;
      while (PGnotify* note = PQnotifies(raw)) {
        any = true;
        PQfreemem(note);
      }
      if (any) on_work_();
    }
  }
}

}  // namespace snapq::pg
