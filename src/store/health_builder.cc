#include "store/health_builder.h"

#include <algorithm>

namespace snapq::health {

Status validate(const HealthQuery& query) {
  if (query.bucket.count() <= 0) return Status::invalidArgument("the health bucket must be positive");
  if (query.now < query.since) return Status::invalidArgument("the health window ends before it starts");
  // Ceiling division without overflow: the window is not negative here.
  const int64_t span = (query.now - query.since).count();
  const int64_t buckets = span / query.bucket.count() + (span % query.bucket.count() != 0 ? 1 : 0);
  if (buckets > kMaxBuckets) {
    return Status::invalidArgument("the health window holds more than " + std::to_string(kMaxBuckets) + " buckets");
  }
  return Status::ok();
}

std::vector<Bounds> bucketBounds(const HealthQuery& query) {
  std::vector<Bounds> out;
  for (TimePoint start = query.since; start < query.now; start += query.bucket) {
    out.push_back({start, std::min(start + query.bucket, query.now)});
  }
  return out;
}

int64_t rankOf(int64_t n, int percent) { return std::max<int64_t>(1, (n * percent + 99) / 100); }

Builder::Builder(const HealthQuery& query) {
  for (const Bounds& b : bucketBounds(query)) report_.series.push_back({b.start, 0, 0});
}

ServiceHealth& Builder::service(const std::string& name) {
  ServiceHealth& s = services_[name];
  s.service = name;
  return s;
}

void Builder::addCreated(const std::string& name, JobStatus status, int64_t count) {
  ServiceHealth& s = service(name);
  s.total += count;
  switch (status) {
    case JobStatus::success: s.success += count; break;
    case JobStatus::failed: s.failed += count; break;
    case JobStatus::conflict: s.conflict += count; break;
    case JobStatus::skipped: s.skipped += count; break;
    case JobStatus::cancelled: s.cancelled += count; break;
    case JobStatus::queued:
    case JobStatus::running: break;  // in total; counted as pending all time
  }
}

void Builder::addPending(const std::string& name, int64_t count) { service(name).pending += count; }

void Builder::addOldestQueued(const std::string& name, TimePoint run_at) {
  ServiceHealth& s = service(name);
  if (!s.oldest_queued_at || run_at < *s.oldest_queued_at) s.oldest_queued_at = run_at;
}

void Builder::addFinished(const std::string& name) { service(name); }

void Builder::setPercentiles(const std::string& name, int64_t p50_ms, int64_t p95_ms) {
  ServiceHealth& s = name.empty() ? report_.totals : service(name);
  s.p50_ms = p50_ms;
  s.p95_ms = p95_ms;
}

void Builder::addLastSync(const std::string& name, TimePoint finished_at) {
  auto [it, inserted] = last_sync_.emplace(name, finished_at);
  if (!inserted) it->second = std::max(it->second, finished_at);
}

void Builder::addBucket(size_t index, int64_t success, int64_t failed) {
  if (index >= report_.series.size()) return;
  report_.series[index].success += success;
  report_.series[index].failed += failed;
}

HealthReport Builder::build() && {
  ServiceHealth& t = report_.totals;
  t.service.clear();
  for (auto& [name, s] : services_) {  // std::map: sorted by name
    if (auto it = last_sync_.find(name); it != last_sync_.end()) s.last_sync_at = it->second;
    t.total += s.total;
    t.success += s.success;
    t.failed += s.failed;
    t.conflict += s.conflict;
    t.skipped += s.skipped;
    t.cancelled += s.cancelled;
    t.pending += s.pending;
    if (s.oldest_queued_at && (!t.oldest_queued_at || *s.oldest_queued_at < *t.oldest_queued_at)) {
      t.oldest_queued_at = s.oldest_queued_at;
    }
    report_.services.push_back(std::move(s));
  }
  for (const auto& [name, at] : last_sync_) {
    if (!t.last_sync_at || at > *t.last_sync_at) t.last_sync_at = at;
  }
  report_.last_syncs = std::move(last_sync_);
  return std::move(report_);
}

}  // namespace snapq::health
