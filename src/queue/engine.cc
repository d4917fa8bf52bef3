#include "snapq/engine.h"

#include <unistd.h>

#include <atomic>
#include <shared_mutex>
#include <unordered_map>

#include "core/masking.h"
#include "core/sealing.h"
#include "queue/executor.h"
#include "queue/job_builder.h"
#include "queue/maintenance.h"
#include "queue/notifier.h"
#include "queue/store_health.h"
#include "queue/worker_pool.h"

namespace snapq {
namespace {

std::string defaultWorkerId(Random& random) {
  char host[256] = "localhost";
  gethostname(host, sizeof(host) - 1);
  static const char* hex = "0123456789abcdef";
  std::string suffix;
  for (int i = 0; i < 6; ++i) suffix += hex[static_cast<int>(random.uniform() * 16) & 15];
  return std::string(host) + ":" + std::to_string(getpid()) + ":" + suffix;
}

}  // namespace

class Engine::Impl {
 public:
  Impl(Engine& engine, std::optional<Sealer> sealer)
      : engine_(engine),
        health_(*engine.env_.logger),
        masker_(engine.options_.mask_patterns.empty() ? Masker() : Masker(engine.options_.mask_patterns)),
        sealer_(std::move(sealer)),
        executor_(
            masker_, sealer_ ? &*sealer_ : nullptr, *engine.env_.clock, *engine.env_.random,
            engine.options_.default_retry,
            [this](const std::string& service, const std::string& action) { return findType(service, action); },
            [&engine](int64_t id, std::string json) {
              (void)engine.store_->setProgress(id, engine.options_.worker_id, std::move(json));
            },
            [this](const Job& after) { return followUps(after); }),
        pool_(
            *engine.store_, engine.options_, *engine.env_.clock, executor_, engine.options_.worker_id,
            [this](JobChange::Kind kind, std::vector<Job>& jobs) {
              if (kind == JobChange::Kind::attempted) {
                notifier_.publish(kind, std::move(jobs));
              } else if (notifier_.wantsChanges()) {
                notifier_.publish(kind, jobs);  // a copy: the pool runs these
              }
            },
            health_, *engine.env_.logger),
        maintenance_(
            *engine.store_, engine.options_, *engine.env_.clock, pool_, health_,
            [this](const std::vector<Job>& rescued) { notifier_.publish(JobChange::Kind::rescued, rescued); },
            [&engine] {
              auto pruned = engine.prune();
              if (!pruned) engine.env_.logger->log(LogLevel::warn, "pruning failed: " + pruned.status().toString());
            },
            *engine.env_.logger, [this](const Job& after) { return followUps(after); }) {}

  // `hook` (a manager operation's, may be empty), and first a
  // place in the order of job changes taken inside the transaction, before its
  // commit can wake a worker (see Notifier).
  template <typename Arg>
  std::function<Status(Txn&, Arg)> reserving(std::shared_ptr<uint64_t> reservation,
                                             std::function<Status(Txn&, Arg)> hook) {
    return [this, reservation, hook = std::move(hook)](Txn& txn, Arg arg) {
      reserveOnce(*reservation);
      return hook ? hook(txn, arg) : Status::ok();
    };
  }

  // A write that may run twice (a rolled-back try, then alone) takes one place.
  void reserveOnce(uint64_t& reservation) {
    if (reservation == 0) reservation = notifier_.reserve();
  }

  // The follow-up hook's requests as rows; one that cannot be built is logged
  // and dropped rather than failing the job's own transition.
  std::vector<NewJob> followUps(const Job& after) {
    if (!follow_up_hook_) return {};
    std::vector<NewJob> out;
    for (const DispatchRequest& request : follow_up_hook_(after)) {
      const JobType* type = findType(request.service, request.action);
      int max_attempts =
          type ? type->retryFor(request.instance).max_attempts : engine_.options_.default_retry.max_attempts;
      auto job = buildNewJob(request, masker_, sealer_ ? &*sealer_ : nullptr, max_attempts);
      if (!job) {
        engine_.env_.logger->log(LogLevel::error,
                                 "follow-up of job " + std::to_string(after.id) + " dropped: " + job.status().message(),
                                 {{"job_id", after.id}, {"service", request.service}, {"action", request.action}});
        continue;
      }
      out.push_back(std::move(*job));
    }
    return out;
  }

  const JobType* findType(const std::string& service, const std::string& action) {
    std::shared_lock lock(types_mu_);
    auto it = types_.find(service + "\n" + action);
    return it == types_.end() ? nullptr : &it->second;
  }

  Engine& engine_;
  FollowUpHook follow_up_hook_;  // set before start(), read by workers and maintenance
  StoreHealth health_;
  std::atomic<bool> started_{false};
  Masker masker_;
  std::optional<Sealer> sealer_;
  std::shared_mutex types_mu_;
  std::unordered_map<std::string, JobType> types_;
  Notifier notifier_;
  Executor executor_;
  WorkerPool pool_;
  Maintenance maintenance_;
};

Engine::Engine(std::shared_ptr<Store> store, EngineOptions options, Env env)
    : store_(std::move(store)), options_(std::move(options)), env_(std::move(env)) {}

Engine::~Engine() { stop(); }

Result<std::unique_ptr<Engine>> Engine::open(std::shared_ptr<Store> store, Keys keys, EngineOptions options,
                                             Env env) {
  if (!store) return Status::invalidArgument("no store");
  if (options.workers < 1 || options.workers > 1024) return Status::invalidArgument("workers must be 1-1024");
  std::optional<Sealer> sealer;
  if (keys.secret_key || !keys.key_file.empty()) {
    auto loaded = Sealer::load({keys.secret_key, keys.key_file});
    if (!loaded) return loaded.status();
    sealer = std::move(*loaded);
  }
  if (!env.clock) env.clock = std::make_shared<SystemClock>();
  if (!env.random) env.random = std::make_shared<DefaultRandom>();
  if (!env.logger) env.logger = std::make_shared<StderrLogger>();
  if (options.worker_id.empty()) options.worker_id = defaultWorkerId(*env.random);
  std::unique_ptr<Engine> engine(new Engine(std::move(store), std::move(options), std::move(env)));
  engine->impl_ = std::make_unique<Impl>(*engine, std::move(sealer));
  return engine;
}

void Engine::registerJobType(JobType type) {
  std::unique_lock lock(impl_->types_mu_);
  std::string key = type.service + "\n" + type.action;
  impl_->types_.insert_or_assign(std::move(key), std::move(type));
}

void Engine::onJobFinished(JobListener listener) { impl_->notifier_.subscribe(std::move(listener)); }

void Engine::onJobChanged(JobChangeListener listener) { impl_->notifier_.subscribe(std::move(listener)); }

Result<Dispatched> Engine::dispatch(DispatchRequest request) {
  std::vector<DispatchRequest> one;
  one.push_back(std::move(request));
  auto many = dispatchMany(std::move(one));
  if (!many) return many.status();
  return many->front();
}

Result<std::vector<Dispatched>> Engine::dispatchMany(std::vector<DispatchRequest> requests, DispatchHook extra) {
  if (requests.empty()) return std::vector<Dispatched>{};
  InsertJobsRequest insert;
  insert.now = env_.clock->now();
  insert.extra = std::move(extra);
  insert.jobs.reserve(requests.size());
  for (size_t i = 0; i < requests.size(); ++i) {
    const JobType* type = impl_->findType(requests[i].service, requests[i].action);
    int max_attempts =
        type ? type->retryFor(requests[i].instance).max_attempts : options_.default_retry.max_attempts;
    auto job = buildNewJob(requests[i], impl_->masker_, impl_->sealer_ ? &*impl_->sealer_ : nullptr, max_attempts);
    if (!job) {
      if (requests.size() == 1) return job.status();
      return Status(job.status().code(), "job " + std::to_string(i + 1) + ": " + job.status().message());
    }
    insert.jobs.push_back(std::move(*job));
  }
  // What listeners will see of the new jobs; copied only when someone listens.
  std::vector<NewJob> copies;
  auto reservation = std::make_shared<uint64_t>(0);
  if (impl_->notifier_.wantsChanges()) {
    copies = insert.jobs;
    insert.on_written = [impl = impl_.get(), reservation] { impl->reserveOnce(*reservation); };
  }
  const TimePoint now = insert.now;
  auto inserted = store_->insertJobs(std::move(insert));
  std::vector<Job> jobs;
  for (size_t i = 0; inserted && i < copies.size() && i < inserted->size(); ++i) {
    if (!(*inserted)[i].existing) jobs.push_back(queuedJob(copies[i], (*inserted)[i].id, now));
  }
  impl_->notifier_.fill(*reservation, JobChange::Kind::dispatched, std::move(jobs));
  if (!inserted) return inserted.status();
  std::vector<Dispatched> out;
  out.reserve(inserted->size());
  for (const InsertedJob& j : *inserted) out.push_back({j.id, j.existing});
  impl_->pool_.wake();
  return out;
}

Status Engine::start() {
  if (!impl_->sealer_) {
    return Status::invalidState("this engine was opened without a sealing key: it can manage jobs but not run them");
  }
  // Known before the first /readyz; the maintenance loop keeps it current.
  impl_->maintenance_.checkStore();
  impl_->pool_.start();
  impl_->maintenance_.start();
  impl_->started_ = true;
  return Status::ok();
}

void Engine::stop() {
  if (!impl_) return;
  impl_->maintenance_.stop();
  impl_->pool_.stop(options_.grace);
  // Last: until its jobs are released, a stopping worker is not dead.
  impl_->maintenance_.unregister();
  impl_->started_ = false;
}

bool Engine::ready() const {
  if (!impl_->started_) impl_->maintenance_.checkStore();
  return impl_->health_.ready();
}

bool Engine::leadsMaintenance() const { return impl_->maintenance_.leads(); }

void Engine::wake() { impl_->pool_.wake(); }

void Engine::onManage(ManageHook hook) { manage_hook_ = std::move(hook); }

void Engine::onRescueFailed(RescueHook hook) { impl_->maintenance_.onRescueFailed(std::move(hook)); }
void Engine::onFinalState(FollowUpHook hook) { impl_->follow_up_hook_ = std::move(hook); }

ManagerRequest Engine::managerRequest(int64_t id, const Actor& actor, BulkAction action, bool override_conflict,
                                      const std::string& address) const {
  ManagerRequest request{id, actor, env_.clock->now(), override_conflict, address, {}};
  if (manage_hook_) {
    request.extra = [hook = manage_hook_, action](Txn& txn, const Job& job) { return hook(txn, action, job); };
  }
  return request;
}

Result<Job> Engine::retry(int64_t id, const Actor& actor, bool override_conflict, const std::string& address) {
  ManagerRequest request = managerRequest(id, actor, BulkAction::retry, override_conflict, address);
  // A retried job is queued again: its change is ordered like a dispatch's.
  auto reservation = std::make_shared<uint64_t>(0);
  request.extra = impl_->reserving(reservation, std::move(request.extra));
  auto job = store_->retryJob(std::move(request));
  impl_->notifier_.fill(*reservation, JobChange::Kind::managed, job ? std::vector<Job>{*job} : std::vector<Job>{});
  if (job) impl_->pool_.wake();
  return job;
}

Result<Job> Engine::cancel(int64_t id, const Actor& actor, const std::string& address) {
  auto job = store_->cancelJob(managerRequest(id, actor, BulkAction::cancel, false, address));
  if (job) impl_->notifier_.publish(JobChange::Kind::managed, {*job});
  return job;
}

Status Engine::remove(int64_t id, const Actor& actor, const std::string& address) {
  ManagerRequest request = managerRequest(id, actor, BulkAction::remove, false, address);
  // The job as it was, seen in the delete's transaction.
  auto was = std::make_shared<Job>();
  request.extra = [was, hook = std::move(request.extra)](Txn& txn, const Job& job) {
    *was = job;
    return hook ? hook(txn, job) : Status::ok();
  };
  Status s = store_->deleteJob(request);
  if (s.isOk() && was->id != 0) impl_->notifier_.publishDeleted(*was);
  return s;
}

std::vector<BulkOutcome> Engine::bulk(BulkAction action, const std::vector<int64_t>& ids, const Actor& actor,
                                      const std::string& address) {
  std::vector<BulkOutcome> out;
  out.reserve(ids.size());
  for (int64_t id : ids) {
    Status s;
    switch (action) {
      case BulkAction::retry: s = retry(id, actor, false, address).status(); break;
      case BulkAction::cancel: s = cancel(id, actor, address).status(); break;
      case BulkAction::remove: s = remove(id, actor, address); break;
    }
    out.push_back({id, s.isOk() ? Status::ok() : s});
  }
  return out;
}

Result<int64_t> Engine::prune() {
  TimePoint now = env_.clock->now();
  PruneRequest req{now - options_.retention.success, now - options_.retention.failed, 500};
  int64_t total = 0;
  while (true) {
    auto n = store_->pruneJobs(req);
    if (!n) return n.status();
    total += *n;
    if (*n < req.batch) return total;
  }
}

}  // namespace snapq
