// The SQLite driver: WAL, one group-committing writer thread, a small pool of
// read connections. All of its SQL lives in this folder.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

#include "snapq/store.h"
#include "store/unavailable_snapshots.h"
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
  Result<std::vector<Job>> rescueExpired(TimePoint now, int limit) override;
  Result<std::optional<TimePoint>> nextRunAt(const std::vector<std::string>& queues) override;

  Result<Job> getJob(int64_t id) override;
  Result<std::vector<JobEvent>> jobEvents(int64_t id) override;
  Result<JobPage> listJobs(const JobFilter& filter) override;

  Result<Job> retryJob(const ManagerRequest& request) override;
  Result<Job> cancelJob(const ManagerRequest& request) override;
  Status deleteJob(const ManagerRequest& request) override;
  Result<int64_t> pruneJobs(const PruneRequest& request) override;
  SnapshotStore& snapshots() override { return snapshots_; }

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
  std::unique_ptr<Writer> writer_;
  std::mutex readers_mu_;
  std::condition_variable readers_cv_;
  std::vector<std::unique_ptr<Db>> readers_;
  UnavailableSnapshots snapshots_;
};

}  // namespace snapq::sqlite
