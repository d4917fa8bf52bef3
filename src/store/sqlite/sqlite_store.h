// The SQLite driver: WAL, one group-committing writer thread, a small pool of
// read connections. All of its SQL lives in this folder.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

#include "snapq/store.h"
#include "store/work_signal.h"
#include "store/sqlite/audit_index.h"
#include "store/sqlite/auth.h"
#include "store/sqlite/count_cache.h"
#include "store/sqlite/search_cache.h"
#include "store/sqlite/snapshots.h"
#include "store/sqlite/sqlite_db.h"
#include "store/sqlite/writer.h"

namespace snapq::sqlite {

// The transaction handed to caller-supplied writes.
class SqliteTxn final : public Txn {
 public:
  explicit SqliteTxn(Db& db) : db_(db) {}
  Db& db() { return db_; }

 private:
  Db& db_;
};

class SqliteStore final : public Store {
 public:
  static Result<std::shared_ptr<SqliteStore>> open(const std::string& path, const StoreOptions& options);
  ~SqliteStore() override;

  std::string driverName() const override { return "sqlite"; }
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

  // Wake-ups, health, worker registry and leadership (nodes.cc).
  uint64_t workEpoch() override { return signal_.epoch(); }
  bool waitForWork(uint64_t seen_epoch, Duration timeout) override { return signal_.waitFor(seen_epoch, timeout); }
  Status ping() override;
  Status heartbeatWorker(const WorkerRecord& worker) override;
  Status removeWorker(const std::string& worker_id) override;
  Result<std::vector<WorkerRecord>> listWorkers() override;
  Result<DeadWorkerRescue> rescueDeadWorkers(const DeadWorkerRequest& request) override;
  Result<bool> tryLeadership(const LeadershipRequest& request) override;
  Status releaseLeadership(const std::string& name, const std::string& holder) override;

 private:
  SqliteStore() = default;

  // A read connection, returned to the pool when the lease ends.
  class ReadLease {
   public:
    ReadLease(SqliteStore& store, std::unique_ptr<Db> db) : store_(store), db_(std::move(db)) {}
    ~ReadLease();
    ReadLease(const ReadLease&) = delete;
    ReadLease& operator=(const ReadLease&) = delete;
    Db& operator*() { return *db_; }
    Db* operator->() { return db_.get(); }

   private:
    SqliteStore& store_;
    std::unique_ptr<Db> db_;
  };
  ReadLease reader();

  std::string path_;
  // In-process only: other processes sharing the file notice new work by polling.
  // Declared before the writer, whose thread bumps it until the writer is gone.
  WorkSignal signal_;
  // Writer thread only: what the open transaction's writes reported (audit_index.h).
  AuditIndex audit_;
  std::unique_ptr<Writer> writer_;
  std::mutex readers_mu_;
  std::condition_variable readers_cv_;
  std::vector<std::unique_ptr<Db>> readers_;
  std::unique_ptr<SqliteSnapshots> snapshots_;  // uses the writer and the readers
  std::unique_ptr<SqliteAuth> auth_;            // likewise
  SearchTermCache search_terms_;                // listJobs' choice of trigrams per q
  StatusCountCache status_counts_;              // listJobs' counts while nothing changed
};

}  // namespace snapq::sqlite
