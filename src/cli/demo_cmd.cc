// snapq demo: the queue at work until the HTTP server exists. Dispatches a
// batch of "provision account" jobs whose handler is slow, sometimes fails and
// is retried, sometimes is rejected, and whose payload holds a password that
// the audit log shows masked.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>

#include "cli/cli_common.h"
#include "cli/jobs_format.h"

namespace snapq::cli {
namespace {

// Sent in every payload; the handler checks it arrives unsealed, the audit
// log must only ever show "***".
constexpr const char* kDemoPassword = "demo-Secret-4711";
constexpr auto kTick = std::chrono::milliseconds(500);
constexpr auto kStallLimit = std::chrono::seconds(60);

volatile std::sig_atomic_t g_interrupted = 0;
extern "C" void onInterrupt(int) { g_interrupted = 1; }

struct DemoOptions {
  std::string db;
  int jobs = 200;
  int workers = 4;
};

// What the handler saw, for the progress line and the summary.
class DemoState {
 public:
  void started(int64_t id) {
    std::lock_guard lock(mu_);
    waiting_retry_.erase(id);
  }
  void willRetry(int64_t id) {
    std::lock_guard lock(mu_);
    waiting_retry_.insert(id);
    ++retried_;
  }
  size_t retrying() {
    std::lock_guard lock(mu_);
    return waiting_retry_.size();
  }
  int64_t retried() {
    std::lock_guard lock(mu_);
    return retried_;
  }
  double uniform() { return random_.uniform(); }

 private:
  std::mutex mu_;
  std::set<int64_t> waiting_retry_;
  int64_t retried_ = 0;
  DefaultRandom random_;
};

Outcome provision(JobContext& ctx, DemoState& state) {
  const Job& job = ctx.job();
  state.started(job.id);
  auto payload = nlohmann::json::parse(ctx.payload(), nullptr, false);
  if (payload.is_discarded() || payload.value("password", "") != kDemoPassword) {
    return Outcome::reject("the real payload did not arrive (password missing)");
  }
  const auto work = std::chrono::milliseconds(5 + static_cast<int>(state.uniform() * 26));
  std::mutex mu;
  std::condition_variable_any cv;
  std::unique_lock lock(mu);
  cv.wait_for(lock, ctx.stopToken(), work, [] { return false; });
  if (ctx.stopToken().stop_requested()) return Outcome::retry("interrupted by shutdown");

  const double roll = state.uniform();
  if (roll < 0.03) return Outcome::reject("simulated validation error: quota_mb exceeds the plan");
  if (roll < 0.23) {
    if (job.attempts < job.max_attempts) state.willRetry(job.id);
    return Outcome::retry("simulated timeout talking to the provider");
  }
  return Outcome::ok(nlohmann::json{{"account", job.target_id}, {"took_ms", work.count()}}.dump());
}

std::vector<DispatchRequest> demoJobs(int count) {
  std::vector<DispatchRequest> out;
  out.reserve(static_cast<size_t>(count));
  for (int i = 1; i <= count; ++i) {
    char id[32];
    std::snprintf(id, sizeof id, "acct-%04d", i);
    DispatchRequest r;
    r.service = "demo";
    r.action = "provision";
    r.target_type = "account";
    r.target_id = id;
    r.trigger_source = TriggerSource::manual;
    r.actor = Actor::user("demo");
    r.payload = nlohmann::json{{"account", id},
                               {"email", std::string(id) + "@example.com"},
                               {"quota_mb", 512},
                               {"password", kDemoPassword}}
                    .dump();
    out.push_back(std::move(r));
  }
  return out;
}

// Status counts of this run's jobs (created since `start`).
Result<std::map<JobStatus, int64_t>> countsSince(Store& store, TimePoint start) {
  JobFilter f;
  f.services = {"demo"};
  f.since = start;
  f.limit = 1;
  auto page = store.listJobs(f);
  if (!page) return page.status();
  return page->status_counts;
}

int runDemo(const DemoOptions& o) {
  auto opened = openStore(o.db);
  if (!opened) return reportStatus(opened.status());
  std::shared_ptr<Store> store = std::move(*opened);
  if (Status s = store->migrate(); !s) return reportStatus(s);

  EngineOptions options;
  options.workers = o.workers;
  options.poll = std::chrono::milliseconds(250);
  options.grace = std::chrono::seconds(2);
  auto engine_or = Engine::open(store, engineKeys(o.db), options);
  if (!engine_or) return reportStatus(engine_or.status());
  Engine& engine = **engine_or;

  auto state = std::make_shared<DemoState>();
  JobType type;
  type.service = "demo";
  type.action = "provision";
  type.retry.max_attempts = 3;
  type.retry.backoff = {std::chrono::milliseconds(50), std::chrono::milliseconds(100)};
  type.timeout = std::chrono::seconds(10);
  type.handler = [state](JobContext& ctx) { return provision(ctx, *state); };
  engine.registerJobType(std::move(type));

  // Shared with the listener, which worker threads may call until the engine is gone.
  // Wakes the progress loop early when the last job finishes.
  struct Wakeup {
    std::mutex mu;
    std::condition_variable cv;
    int64_t finished = 0;
  };
  auto wakeup = std::make_shared<Wakeup>();
  engine.onJobFinished([wakeup](const Job&) {
    {
      std::lock_guard lock(wakeup->mu);
      ++wakeup->finished;
    }
    wakeup->cv.notify_all();
  });

  const TimePoint start = engine.clock().now();
  const auto started = std::chrono::steady_clock::now();
  auto dispatched = engine.dispatchMany(demoJobs(o.jobs));
  if (!dispatched) return reportStatus(dispatched.status());
  const int64_t first_id = dispatched->empty() ? 0 : dispatched->front().id;
  std::signal(SIGINT, onInterrupt);
  if (Status s = engine.start(); !s) return reportStatus(s);

  const bool tty = isatty(STDERR_FILENO) != 0;
  std::map<JobStatus, int64_t> counts;
  int64_t finished = 0, last_finished = -1;
  auto last_change = std::chrono::steady_clock::now();
  while (true) {
    {
      std::unique_lock lock(wakeup->mu);
      wakeup->cv.wait_for(lock, kTick, [&] { return wakeup->finished >= o.jobs; });
    }
    auto now_counts = countsSince(engine.store(), start);
    if (!now_counts) return reportStatus(now_counts.status());
    counts = std::move(*now_counts);
    const int64_t open = counts[JobStatus::queued] + counts[JobStatus::running];
    finished = o.jobs - open;
    std::cerr << (tty ? "\r" : "") << finished << "/" << o.jobs << " finished: " << counts[JobStatus::success]
              << " success, " << counts[JobStatus::failed] << " failed, " << state->retrying() << " retrying"
              << (tty ? "   " : "\n") << std::flush;
    if (open == 0 || g_interrupted) break;
    if (finished != last_finished) {
      last_finished = finished;
      last_change = std::chrono::steady_clock::now();
    } else if (std::chrono::steady_clock::now() - last_change > kStallLimit) {
      break;
    }
  }
  if (tty) std::cerr << '\n';
  engine.stop();
  std::signal(SIGINT, SIG_DFL);

  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  if (finished < o.jobs) {
    printError(std::string(g_interrupted ? "interrupted" : "no progress for 60 s") + "; " +
               std::to_string(o.jobs - finished) + " jobs stay queued for the next run");
    return kExitFailure;
  }
  std::cout << "demo finished in " << formatDurationMs(took.count()) << " with " << o.workers << " workers: " << o.jobs
            << " jobs, " << counts[JobStatus::success] << " success, " << counts[JobStatus::failed] << " failed; "
            << state->retried() << " failed attempts were retried\n"
            << "each payload holds a password; the audit log shows it masked:\n"
            << "  snapq jobs show " << first_id << " --db " << o.db << "\n"
            << "the failed jobs:\n"
            << "  snapq jobs list --db " << o.db << " --status failed\n";
  return kExitOk;
}

}  // namespace

void addDemoCommand(CLI::App& app, Action& chosen) {
  auto o = std::make_shared<DemoOptions>();
  CLI::App* cmd = app.add_subcommand("demo", "run a batch of demo jobs through the queue and show the outcome");
  addDbOption(*cmd, o->db);
  cmd->add_option("--jobs", o->jobs, "how many jobs to dispatch")->default_val(200)->check(CLI::Range(1, 100000));
  cmd->add_option("--workers", o->workers, "worker threads")->default_val(4)->check(CLI::Range(1, 64));
  cmd->callback([o, &chosen] { chosen = [o] { return runDemo(*o); }; });
}

}  // namespace snapq::cli
