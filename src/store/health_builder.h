// The driver-independent half of Store::jobHealth: checking the query, the
// series' bucket bounds, nearest-rank positions, and assembling the report from
// what each driver's queries return, so both drivers answer in the same shape.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "snapq/job.h"
#include "snapq/status.h"

namespace snapq::health {

inline constexpr int64_t kMaxBuckets = 10000;

Status validate(const HealthQuery& query);

// [start, end) of every series bucket; the last one ends at `now`.
struct Bounds {
  TimePoint start;
  TimePoint end;
};
std::vector<Bounds> bucketBounds(const HealthQuery& query);

// 1-based position of the nearest-rank percentile in `n` ascending values:
// ceil(n * percent / 100), what PostgreSQL's percentile_disc picks.
int64_t rankOf(int64_t n, int percent);

class Builder {
 public:
  explicit Builder(const HealthQuery& query);

  // Jobs created in the window with this status now.
  void addCreated(const std::string& service, JobStatus status, int64_t count);
  void addPending(const std::string& service, int64_t count);
  void addOldestQueued(const std::string& service, TimePoint run_at);
  // Lists the service: it has jobs that finished in the window.
  void addFinished(const std::string& service);
  // An empty service name sets the totals' percentiles.
  void setPercentiles(const std::string& service, int64_t p50_ms, int64_t p95_ms);
  // For any service, listed or not: the totals take the latest of all.
  void addLastSync(const std::string& service, TimePoint finished_at);
  // `index` into bucketBounds(); out-of-range indexes are ignored.
  void addBucket(size_t index, int64_t success, int64_t failed);

  HealthReport build() &&;

 private:
  ServiceHealth& service(const std::string& name);

  std::map<std::string, ServiceHealth> services_;
  std::map<std::string, TimePoint> last_sync_;
  HealthReport report_;
};

}  // namespace snapq::health
