#include "store/sqlite/writer.h"

#include <vector>

namespace snapq::sqlite {

Writer::Writer(std::unique_ptr<Db> db, int max_batch)
    : db_(std::move(db)), max_batch_(max_batch), thread_([this] { loop(); }) {}

Writer::~Writer() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void Writer::submit(Work work, Done done) {
  {
    std::lock_guard lock(mu_);
    pending_.push_back(Op{std::move(work), std::move(done)});
  }
  cv_.notify_one();
}

Status Writer::runStatus(Work work) {
  auto committed = std::make_shared<std::promise<Status>>();
  auto future = committed->get_future();
  submit(std::move(work), [committed](const Status& s) { committed->set_value(s); });
  return future.get();
}

void Writer::loop() {
  std::deque<Op> batch;
  while (true) {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !pending_.empty(); });
      if (pending_.empty()) return;  // stopping and drained
      while (!pending_.empty() && static_cast<int>(batch.size()) < max_batch_) {
        batch.push_back(std::move(pending_.front()));
        pending_.pop_front();
      }
    }
    runBatch(batch);
    batch.clear();
  }
}

void Writer::runBatch(std::deque<Op>& batch) {
  std::vector<Status> results;
  wake_requested_ = false;
  Status txn = db_->execCached("BEGIN IMMEDIATE");
  if (txn) {
    // Writes that arrive while this transaction is open join it before the
    // commit: the fsync is the expensive part, running a write is not.
    for (size_t i = 0; i < batch.size(); ++i) {
      results.push_back(runOne(batch[i]));
      if (i + 1 == batch.size() && static_cast<int>(batch.size()) < max_batch_) {
        std::lock_guard lock(mu_);
        while (!pending_.empty() && static_cast<int>(batch.size()) < max_batch_) {
          batch.push_back(std::move(pending_.front()));
          pending_.pop_front();
        }
      }
    }
    if (before_commit_) txn = before_commit_(*db_);
    if (txn) txn = db_->execCached("COMMIT");
    if (!txn) (void)db_->execCached("ROLLBACK");
  }
  // A write that asked for a wake-up may have been rolled back alone; waking
  // for nothing costs one empty claim, missing a wake-up costs a poll.
  if (txn && wake_requested_ && on_work_queued_) on_work_queued_();
  results.resize(batch.size());
  for (size_t i = 0; i < batch.size(); ++i) {
    if (batch[i].done) batch[i].done(txn ? results[i] : txn);
  }
}

Status Writer::runOne(Op& op) {
  if (Status s = db_->execCached("SAVEPOINT op"); !s) return s;
  Status result = op.work(*db_);
  if (!result) (void)db_->execCached("ROLLBACK TO op");
  (void)db_->execCached("RELEASE op");
  return result;
}

}  // namespace snapq::sqlite
