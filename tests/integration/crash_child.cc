// A worker process for the crash-safety test: it dispatches jobs "job-0" ..
// "job-N-1" (idempotency keys make a restart re-dispatch safely), prints
// "ack K ID" once each dispatch is acknowledged, runs the jobs, and records
// every execution in an effects file. The parent kills it with SIGKILL at
// random moments and checks that nothing acknowledged was lost.
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <random>
#include <string>
#include <thread>

#include "snapq/engine.h"

using namespace snapq;

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: crash_child DB EFFECTS JOBS\n");
    return 2;
  }
  const std::string db = argv[1];
  const int effects = open(argv[2], O_WRONLY | O_CREAT | O_APPEND, 0644);
  const int total = std::stoi(argv[3]);
  auto store = openStore("sqlite:" + db);
  if (!store || !(*store)->migrate()) {
    std::fprintf(stderr, "cannot open store\n");
    return 1;
  }
  EngineOptions options;
  options.workers = 4;
  options.lease = Duration(1000);
  options.heartbeat = Duration(200);
  options.rescue_interval = Duration(250);
  options.poll = Duration(20);
  auto engine = Engine::open(*store, {std::string("crash-test-secret"), ""}, options);
  if (!engine) {
    std::fprintf(stderr, "%s\n", engine.status().toString().c_str());
    return 1;
  }
  RetryPolicy retry;
  retry.max_attempts = 25;
  retry.backoff = {Duration(10)};
  (*engine)->registerJobType({"crash", "work",
                              [effects](JobContext& ctx) {
                                thread_local std::mt19937 rng(std::random_device{}());
                                std::this_thread::sleep_for(std::chrono::microseconds(rng() % 1500));
                                std::string line = std::to_string(ctx.job().id) + " " +
                                                   std::to_string(ctx.job().attempts) + "\n";
                                if (write(effects, line.data(), line.size()) < 0) return Outcome::retry("write");
                                return Outcome::ok();
                              },
                              retry});
  if (!(*engine)->start()) return 1;

  for (int k = 0; k < total; ++k) {
    DispatchRequest r;
    r.service = "crash";
    r.action = "work";
    r.target_type = "crash";
    r.target_id = "job-" + std::to_string(k % 97);  // shared targets: ordering under crashes too
    r.idempotency_key = "job-" + std::to_string(k);
    r.payload = R"({"k":)" + std::to_string(k) + R"(,"password":"never-on-disk"})";
    auto d = (*engine)->dispatch(r);
    if (!d) {
      std::fprintf(stderr, "dispatch failed: %s\n", d.status().toString().c_str());
      return 1;
    }
    std::printf("ack %d %lld\n", k, static_cast<long long>(d->id));
    std::fflush(stdout);
  }
  // Run until every job is terminal, then stop gracefully.
  while (true) {
    JobFilter f;
    f.limit = 1;
    auto page = (*engine)->store().listJobs(f);
    if (page) {
      int64_t open_jobs = page->status_counts[JobStatus::queued] + page->status_counts[JobStatus::running];
      int64_t all = 0;
      for (const auto& [s, n] : page->status_counts) all += n;
      if (all >= total && open_jobs == 0) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  (*engine)->stop();
  std::printf("done\n");
  return 0;
}
