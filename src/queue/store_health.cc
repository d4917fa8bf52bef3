#include "queue/store_health.h"

#include <string>

namespace snapq {

void StoreHealth::record(const Status& status) {
  bool unavailable = !status.isOk() && status.code() == ErrorCode::unavailable;
  if (!unavailable && !status.isOk()) return;
  if (reachable_.load() == !unavailable) return;  // the common case: nothing changed
  std::lock_guard lock(mu_);
  if (reachable_.load() == !unavailable) return;
  reachable_.store(!unavailable);
  if (unavailable) {
    logger_.log(LogLevel::error, "store unavailable: " + status.message() + "; retrying");
  } else {
    logger_.log(LogLevel::info, "store reachable again");
  }
}

void StoreHealth::recordTask(std::string_view task, const Status& status) {
  record(status);
  if (!status.isOk() && status.code() != ErrorCode::unavailable) {
    logger_.log(LogLevel::warn, std::string(task) + " failed: " + status.toString());
  }
}

}  // namespace snapq
