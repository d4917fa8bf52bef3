#include "store/postgres/writer.h"

#include <typeinfo>
#include <utility>
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

void Writer::submit(Work work, Done done, std::shared_ptr<Combinable> combine) {
  {
    std::lock_guard lock(mu_);
    pending_.push_back(Op{std::move(work), std::move(done), std::move(combine)});
  }
  cv_.notify_one();
}

Status Writer::runStatus(Work work, std::shared_ptr<Combinable> combine) {
  auto committed = std::make_shared<std::promise<Status>>();
  auto future = committed->get_future();
  submit(std::move(work), [committed](const Status& s) { committed->set_value(s); }, std::move(combine));
  return future.get();
}

void Writer::loop() {
  std::deque<Op> batch;
  while (true) {
    {
      std::unique_lock lock(mu_);
      if (notify_due_) {
        // A NOTIFY waits for its turn (see sendNotify) unless writes come first.
        cv_.wait_until(lock, next_notify_at_, [this] { return stopping_ || !pending_.empty(); });
        if (pending_.empty()) {
          lock.unlock();
          sendNotify(stopping_);
          lock.lock();
        }
      }
      cv_.wait(lock, [this] { return stopping_ || !pending_.empty(); });
      // The writes of the last batch usually come back together (a dispatcher
      // with several calls in flight, each waiting for its commit): a moment's
      // wait lets them share the next commit instead of the first one paying
      // for a commit alone while the others queue behind it.
      if (last_batch_ > 1 && pending_.size() < last_batch_) {
        cv_.wait_until(lock, std::chrono::steady_clock::now() + kGather,
                       [this] { return stopping_ || pending_.size() >= last_batch_; });
      }
      if (pending_.empty()) return;  // stopping and drained
      while (!pending_.empty() && static_cast<int>(batch.size()) < max_batch_) {
        batch.push_back(std::move(pending_.front()));
        pending_.pop_front();
      }
    }
    runBatch(batch);
    last_batch_ = batch.size();
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
  fresh_ = true;
  bare_ = false;
  release_pending_ = false;
  return s;
}

void Writer::takePending(std::deque<Op>& batch) {
  std::lock_guard lock(mu_);
  while (!pending_.empty() && static_cast<int>(batch.size()) < max_batch_) {
    batch.push_back(std::move(pending_.front()));
    pending_.pop_front();
  }
}

void Writer::runBatch(std::deque<Op>& batch) {
  if (runOneStatement(batch)) return;
  std::vector<std::optional<Status>> results(batch.size());
  bool notify = false;
  Status txn = begin();
  if (txn) {
    // Writes that arrive while this transaction is open join it before the
    // commit: the WAL flush is the expensive part, running a write is not.
    for (size_t i = 0; i < batch.size(); ++i) {
      if (!results[i]) {
        if (batch[i].combine) {
          runGroup(batch, i, results, notify);
        } else {
          results[i] = runOne(batch[i], notify);
        }
      }
      if (i + 1 == batch.size()) {
        takePending(batch);
        results.resize(batch.size());
      }
    }
    txn = commit();
    if (txn) committed(notify);
  }
  conn_->pin(false);
  results.resize(batch.size());
  for (size_t i = 0; i < batch.size(); ++i) {
    if (batch[i].done) batch[i].done(txn ? results[i].value_or(Status::ok()) : txn);
  }
  if (notify_due_) sendNotify(false);
}

// A batch whose writes are all one statement together (single dispatches from
// several threads) needs no BEGIN and COMMIT: PostgreSQL commits the statement
// by itself, one round trip instead of three. Dispatchers with a few calls in
// flight wait on these round trips, not on the server's work. If the statement
// fails the server has rolled it back, and the transaction's path below runs
// each write in its own savepoint to find out which one failed.
bool Writer::runOneStatement(std::deque<Op>& batch) {
  for (const Op& op : batch) {
    if (!op.combine || !op.combine->oneStatement() || typeid(*op.combine) != typeid(*batch.front().combine)) {
      return false;
    }
  }
  // A connection the server closed while it sat idle (a restart) is reopened
  // first: a statement sent on it would leave unknown whether it committed.
  if (!conn_->readyWhenIdle()) return false;
  std::vector<Combinable*> all;
  for (const Op& op : batch) all.push_back(op.combine.get());
  Status s = all.front()->runTogether(*conn_, all);
  bool notify = conn_->takeNotifyRequest();
  (void)conn_->takeTouchedSnapshots();  // none: such a write changes no snapshot
  // Rolled back for certain only when the server answered; a connection lost
  // on the way leaves the outcome unknown, and nothing is run twice.
  if (!s && conn_->answered()) return false;
  if (s) committed(notify);
  for (Op& op : batch) {
    if (op.done) op.done(s);
  }
  if (notify_due_) sendNotify(false);
  return true;
}

void Writer::committed(bool notify) {
  if (!notify) return;
  notify_due_ = true;
  if (on_work_queued_) on_work_queued_();
}

// Other nodes learn of queued work from a NOTIFY sent after the commit that
// queued it, in a transaction of its own that does not wait for its WAL flush
// (it changes no data; a NOTIFY lost in a crash only leaves the others to
// their poll). Sent inside the data's transaction, it would hold PostgreSQL's
// notify lock through that commit's flush and serialise the commits of every
// node that dispatches. At most one per kNotifyGap: a stream of dispatches
// wakes every listening node ~200 times a second, not at each group commit.
void Writer::sendNotify(bool now) {
  auto at = std::chrono::steady_clock::now();
  if (!now && at < next_notify_at_) return;
  notify_due_ = false;
  next_notify_at_ = at + kNotifyGap;
  (void)conn_->exec(std::string("BEGIN; SET LOCAL synchronous_commit = off; NOTIFY ") + kWorkChannel + "; COMMIT");
}

// The first write of a transaction needs no savepoint: if it fails, rolling
// back the whole transaction undoes it alone. A batch that is one write (or
// one combined group) then costs one round trip and one subtransaction less.
Status Writer::savepoint() {
  if (!conn_->inTransaction()) return Status::unavailable("the postgres connection was lost during the transaction");
  if (std::exchange(fresh_, false)) {
    bare_ = true;
    return Status::ok();
  }
  bare_ = false;
  Status s = conn_->exec(release_pending_ ? "RELEASE SAVEPOINT op; SAVEPOINT op" : "SAVEPOINT op");
  release_pending_ = false;
  return s;
}

void Writer::kept() { release_pending_ = !std::exchange(bare_, false); }

void Writer::undo() {
  if (std::exchange(bare_, false)) {
    if (conn_->inTransaction()) (void)conn_->exec("ROLLBACK");
    (void)begin();  // the writes after it get a new transaction; if that fails, so do they
    return;
  }
  (void)conn_->exec("ROLLBACK TO SAVEPOINT op; RELEASE SAVEPOINT op");
}

// Round trips are the cost here (a batch's writes run one after another on one
// connection), so a write's RELEASE travels with the next write's SAVEPOINT,
// and the last one with the NOTIFY and the COMMIT: a batch of n writes takes
// 2n + 1 round trips instead of 3n + 3.
Status Writer::runOne(Op& op, bool& notify) {
  if (Status s = savepoint(); !s) return s;
  Status result = op.work(*conn_);
  settle(result.isOk(), notify);
  return result;
}

// After a write (or a group of them) ran: keeps what it asked for (a NOTIFY,
// snapshot generations to move) with its effects, or undoes both.
void Writer::settle(bool ok, bool& notify) {
  bool wants_notify = conn_->takeNotifyRequest();
  std::set<std::string> touched = conn_->takeTouchedSnapshots();
  if (!ok) {
    undo();
    return;
  }
  notify = notify || wants_notify;
  touched_snapshots_.merge(touched);
  kept();
}

void Writer::runGroup(std::deque<Op>& batch, size_t first, std::vector<std::optional<Status>>& results,
                      bool& notify) {
  // Whatever is pending now may join the group.
  takePending(batch);
  results.resize(batch.size());
  const std::type_info& type = typeid(*batch[first].combine);
  std::vector<size_t> members{first};
  for (size_t j = first + 1; j < batch.size(); ++j) {
    if (!results[j] && batch[j].combine && typeid(*batch[j].combine) == type) members.push_back(j);
  }
  if (members.size() > 1) {
    std::vector<Combinable*> all;
    for (size_t m : members) all.push_back(batch[m].combine.get());
    if (Status s = savepoint(); s) {
      s = all.front()->runTogether(*conn_, all);
      settle(s.isOk(), notify);
      if (s) {
        for (size_t m : members) results[m] = Status::ok();
        return;
      }
    }
    // Undone as a whole; each one alone finds out which of them failed.
  }
  for (size_t m : members) results[m] = runOne(batch[m], notify);
}

Status Writer::commit() {
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
  Status s = conn_->exec(sql + "COMMIT");
  if (!s && conn_->inTransaction()) (void)conn_->exec("ROLLBACK");
  return s;
}

}  // namespace snapq::pg
