// The PostgreSQL driver: one group-committing writer thread on its own
// connection, a small pool of read connections, and a LISTEN connection that
// wakes idle workers when another node (or this one) queues work. All of its
// SQL lives in this folder.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

#include "snapq/store.h"
#include "store/work_signal.h"
#include "store/postgres/auth.h"
#include "store/postgres/pg_conn.h"
#include "store/postgres/snapshots.h"
#include "store/postgres/writer.h"

namespace snapq::pg {

class WorkListener;

// The transaction handed to caller-supplied writes.
class PgTxn final : public Txn {
 public:
  explicit PgTxn(Conn& conn) : conn_(conn) {}
  Conn& conn() { return conn_; }

 private:
  Conn& conn_;
};

// The writer connection's session settings (see writerSettings in postgres_store.cc).
std::vector<std::string> writerSettings(const StoreOptions& options);

class PostgresStore final : public Store {
 public:
  // `url`: a libpq connection URI (postgres:// or postgresql://). Opens without migrating.
  static Result<std::shared_ptr<PostgresStore>> open(const std::string& url, const StoreOptions& options);
  ~PostgresStore() override;

  std::string driverName() const override { return "postgres"; }
  Status migrate() override;
  Result<int> schemaVersion() override;
  int latestSchemaVersion() const override;

  Result<std::vector<InsertedJob>> insertJobs(InsertJobsRequest request) override;
  Result<std::vector<Job>> claimJobs(const ClaimRequest& request) override;
  void completeJobs(std::vector<JobCompletion> completions, CompletionCallback done) override;
  Status extendLeases(const std::string& worker_id, const std::vector<int64_t>& job_ids,
                      TimePoint lease_until) override;
  Status setProgress(int64_t job_id, const std::string& worker_id, std::string progress) override;
  Result<std::vector<Job>> rescueExpired(const RescueRequest& request) override;
  Result<std::optional<TimePoint>> nextRunAt(const std::vector<std::string>& queues) override;

  Result<Job> getJob(int64_t id) override;
  Result<std::vector<JobEvent>> jobEvents(int64_t id) override;
  Result<JobPage> listJobs(const JobFilter& filter) override;
  Result<std::vector<Actor>> listJobActors(const JobActorQuery& query) override;  // job_list.cc
  Result<HealthReport> jobHealth(const HealthQuery& query) override;  // job_health.cc

  Result<Job> retryJob(const ManagerRequest& request) override;
  Result<Job> cancelJob(const ManagerRequest& request) override;
  Status deleteJob(const ManagerRequest& request) override;
  Result<int64_t> pruneJobs(const PruneRequest& request) override;
  SnapshotStore& snapshots() override { return *snapshots_; }
  AuthStore& auth() override { return *auth_; }

  // The epoch moves when this process committed queued work, when a
  // `NOTIFY snapq_jobs` arrived (jobs were queued or re-queued by any node) or
  // when the listening connection was re-established (notifications may have
  // been missed). The first call opens the listening connection.
  uint64_t workEpoch() override;
  bool waitForWork(uint64_t seen_epoch, Duration timeout) override;
  bool wakesEveryNode() const override { return true; }

  // Health, worker registry and leadership (nodes.cc).
  Status ping() override;
  Status heartbeatWorker(const WorkerRecord& worker) override;
  Status removeWorker(const std::string& worker_id) override;
  Result<std::vector<WorkerRecord>> listWorkers() override;
  Result<DeadWorkerRescue> rescueDeadWorkers(const DeadWorkerRequest& request) override;
  Result<bool> tryLeadership(const LeadershipRequest& request) override;
  Status releaseLeadership(const std::string& name, const std::string& holder) override;

 private:
  PostgresStore() = default;

  // Runs a read on a pooled connection. Reads are idempotent, so one that
  // failed because the connection had died while idle runs once more on a
  // fresh connection.
  template <typename T>
  Result<T> read(const std::function<Result<T>(Conn&)>& fn);

  void startListener();

  std::string url_;
  // Declared before the writer and the listener, whose threads bump it.
  WorkSignal signal_;
  std::unique_ptr<Writer> writer_;
  std::mutex readers_mu_;
  std::condition_variable readers_cv_;
  std::vector<std::unique_ptr<Conn>> readers_;
  std::mutex listener_mu_;
  std::unique_ptr<WorkListener> listener_;
  std::unique_ptr<PgSnapshots> snapshots_;  // uses the writer and the readers
  std::unique_ptr<PgAuth> auth_;            // likewise
};

template <typename T>
Result<T> PostgresStore::read(const std::function<Result<T>(Conn&)>& fn) {
  std::unique_ptr<Conn> conn;
  {
    std::unique_lock lock(readers_mu_);
    readers_cv_.wait(lock, [this] { return !readers_.empty(); });
    conn = std::move(readers_.back());
    readers_.pop_back();
  }
  Result<T> result = fn(*conn);
  if (!result && result.status().code() == ErrorCode::unavailable && !conn->inTransaction()) result = fn(*conn);
  {
    std::lock_guard lock(readers_mu_);
    readers_.push_back(std::move(conn));
  }
  readers_cv_.notify_one();
  return result;
}

}  // namespace snapq::pg
