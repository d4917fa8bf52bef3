// Group commit for PostgreSQL, the twin of the SQLite driver's writer: one
// thread owns the write connection and runs every write handed to it. The
// writes that pile up while one transaction commits share the next one, so a
// commit's WAL flush is paid once for many jobs. Each write runs inside its own
// savepoint: one failing write rolls back alone, not its neighbours. After a
// batch in which some write asked for it (Conn::requestNotify) commits, one
// `NOTIFY snapq_jobs` follows in a transaction of its own, at most one per
// kNotifyGap (see sendNotify), never one per job. Writes of one
// kind from several threads (single dispatches) can run as one statement: see
// Combinable.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <vector>
#include <thread>

#include "store/postgres/pg_conn.h"

namespace snapq::pg {

inline constexpr const char* kWorkChannel = "snapq_jobs";

// A write that may share one statement with the other writes of its type in
// the same transaction: ten threads dispatching one job each cost one INSERT
// and one savepoint instead of ten of each (PostgreSQL's CPU per statement, not
// per row, is what single dispatches spend). If the shared run fails it is
// rolled back and every write runs alone, in its own savepoint, as usual.
class Combinable {
 public:
  virtual ~Combinable() = default;
  // Runs `all` (this one first, each of this dynamic type) as one write.
  virtual Status runTogether(Conn& conn, const std::vector<Combinable*>& all) = 0;
  // runTogether sends exactly one statement and nothing else needs to share
  // its transaction: a batch of only such writes commits with that statement.
  virtual bool oneStatement() const { return false; }
};

class Writer {
 public:
  using Work = std::function<Status(Conn&)>;
  // Called on the writer thread after the transaction committed (or failed).
  using Done = std::function<void(const Status&)>;

  // 64 writes at most per transaction: each write's savepoint becomes a
  // subtransaction, and past 64 of them in one transaction PostgreSQL's
  // snapshots overflow to pg_subtrans lookups, which slows every session.
  explicit Writer(std::unique_ptr<Conn> conn, int max_batch = 64);
  ~Writer();  // finishes what was submitted, then stops
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // `combine`: optional; when other pending writes have one of the same type,
  // they may run together through it instead of each running its `work`.
  void submit(Work work, Done done, std::shared_ptr<Combinable> combine = nullptr);
  // Submits and waits for the commit; the value comes from `work`.
  template <typename T>
  Result<T> run(std::function<Result<T>(Conn&)> work) {
    auto value = std::make_shared<std::optional<Result<T>>>();
    // Shared so the writer thread never touches a promise the caller already dropped.
    auto committed = std::make_shared<std::promise<Status>>();
    auto future = committed->get_future();
    submit(
        [&work, value](Conn& conn) {
          *value = work(conn);
          return (*value)->isOk() ? Status::ok() : (*value)->status();
        },
        [committed](const Status& s) { committed->set_value(s); });
    Status s = future.get();
    if (!s) return s;
    return std::move(**value);
  }
  Status runStatus(Work work, std::shared_ptr<Combinable> combine = nullptr);

  // Runs on the writer thread after a transaction that asked for a NOTIFY
  // committed, so this process's own workers wake without the round trip
  // through the listening connection. Set before the first write.
  void onWorkQueued(std::function<void()> callback) { on_work_queued_ = std::move(callback); }

 private:
  struct Op {
    Work work;
    Done done;
    std::shared_ptr<Combinable> combine;
  };
  void loop();
  void runBatch(std::deque<Op>& batch);
  bool runOneStatement(std::deque<Op>& batch);  // false: not run, take the transaction's path
  Status begin();
  Status runOne(Op& op, bool& notify);
  // Runs batch[i] with the later not yet run writes it combines with; fills their results.
  void runGroup(std::deque<Op>& batch, size_t i, std::vector<std::optional<Status>>& results, bool& notify);
  Status savepoint();
  void kept();  // the write that just ran stays
  void undo();  // the write that just ran failed: undo it alone
  void settle(bool ok, bool& notify);  // kept() or undo(), with what the write asked for
  // Moves pending writes into `batch`, up to max_batch_.
  void takePending(std::deque<Op>& batch);
  Status commit();
  void committed(bool notify);  // after a commit: the NOTIFY it asked for, this process's workers
  void sendNotify(bool now);  // now: even before next_notify_at_

  std::unique_ptr<Conn> conn_;
  int max_batch_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Op> pending_;
  bool stopping_ = false;
  // Writer thread only.
  std::set<std::string> touched_snapshots_;  // of this transaction's kept writes
  bool release_pending_ = false;  // the last write's RELEASE is not sent yet
  bool fresh_ = false;            // no write has run in this transaction yet
  bool bare_ = false;             // the running write has no savepoint (it is the first)
  bool notify_due_ = false;  // a commit queued work; the NOTIFY is not sent yet
  std::chrono::steady_clock::time_point next_notify_at_{};
  static constexpr std::chrono::milliseconds kNotifyGap{5};
  std::function<void()> on_work_queued_;
  size_t last_batch_ = 0;  // writes in the batch that ran last
  // How long a batch waits for as many writes as the last one had (see loop):
  // about a thread's wake-up on a busy machine, well under a WAL flush.
  static constexpr std::chrono::microseconds kGather{200};
  std::thread thread_;
};

}  // namespace snapq::pg
