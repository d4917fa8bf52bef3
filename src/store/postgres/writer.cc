#include "store/postgres/writer.h"

#include <vector>

namespace snapq::pg {

Writer::Writer(std::unique_ptr<Conn> conn, int max_batch)
    : conn_(std::move(conn)), max_batch_(max_batch), thread_([this] { loop(); }) {}

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

Status Writer::begin() {
  conn_->pin(false);
  Status s = conn_->exec("BEGIN");
  // A connection that died while idle is noticed only now; nothing has run in
  // this transaction yet, so one reconnect and a second BEGIN are safe.
  if (!s && s.code() == ErrorCode::unavailable && !conn_->inTransaction()) s = conn_->exec("BEGIN");
  if (s) conn_->pin(true);
  (void)conn_->takeNotifyRequest();
  (void)conn_->takeTouchedSnapshots();
  touched_snapshots_.clear();
  return s;
}

void Writer::runBatch(std::deque<Op>& batch) {
  std::vector<Status> results;
  bool notify = false;
  Status txn = begin();
  if (txn) {
    // Writes that arrive while this transaction is open join it before the
    // commit: the WAL flush is the expensive part, running a write is not.
    for (size_t i = 0; i < batch.size(); ++i) {
      results.push_back(runOne(batch[i], notify));
      if (i + 1 == batch.size() && static_cast<int>(batch.size()) < max_batch_) {
        std::lock_guard lock(mu_);
        while (!pending_.empty() && static_cast<int>(batch.size()) < max_batch_) {
          batch.push_back(std::move(pending_.front()));
          pending_.pop_front();
        }
      }
    }
    txn = commit(notify);
    if (txn && notify && on_work_queued_) on_work_queued_();
  }
  conn_->pin(false);
  results.resize(batch.size());
  for (size_t i = 0; i < batch.size(); ++i) {
    if (batch[i].done) batch[i].done(txn ? results[i] : txn);
  }
}

// Round trips are the cost here (a batch's writes run one after another on one
// connection), so a write's RELEASE travels with the next write's SAVEPOINT,
// and the last one with the NOTIFY and the COMMIT: a batch of n writes takes
// 2n + 2 round trips instead of 3n + 3.
Status Writer::runOne(Op& op, bool& notify) {
  if (!conn_->inTransaction()) return Status::unavailable("the postgres connection was lost during the transaction");
  if (Status s = conn_->exec(release_pending_ ? "RELEASE SAVEPOINT op; SAVEPOINT op" : "SAVEPOINT op"); !s) {
    release_pending_ = false;
    return s;
  }
  release_pending_ = false;
  Status result = op.work(*conn_);
  bool wants_notify = conn_->takeNotifyRequest();
  std::set<std::string> touched = conn_->takeTouchedSnapshots();
  if (result) {
    notify = notify || wants_notify;
    touched_snapshots_.merge(touched);
    release_pending_ = true;
    return result;
  }
  (void)conn_->exec("ROLLBACK TO SAVEPOINT op; RELEASE SAVEPOINT op");
  return result;
}

Status Writer::commit(bool notify) {
  std::string sql = release_pending_ ? "RELEASE SAVEPOINT op; " : "";
  release_pending_ = false;
  // COMMIT of a transaction in the error state reports success and rolls back,
  // so that state is checked first.
  if (PQtransactionStatus(conn_->raw()) != PQTRANS_INTRANS) {
    if (conn_->inTransaction()) (void)conn_->exec("ROLLBACK");
    return Status::unavailable("the postgres transaction was lost before its commit");
  }
  // Snapshot generations (snapshot.h) move here, once per table and in name
  // order: two nodes' transactions then take these row locks in the same
  // order and never deadlock, and hold them only for the commit. The names are
  // checked identifiers (snap::checkTable), safe as literals.
  for (const std::string& table : touched_snapshots_) {
    sql += "INSERT INTO snapshot_generations AS g (table_name, generation) VALUES ('" + table +
           "', 1) ON CONFLICT (table_name) DO UPDATE SET generation = g.generation + 1; ";
  }
  touched_snapshots_.clear();
  if (notify) sql += std::string("NOTIFY ") + kWorkChannel + "; ";
  // One string: a failing statement stops the rest, so a failed NOTIFY never commits.
  Status s = conn_->exec(sql + "COMMIT");
  if (!s && conn_->inTransaction()) (void)conn_->exec("ROLLBACK");
  return s;
}

}  // namespace snapq::pg
