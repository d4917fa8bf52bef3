// Group commit for SQLite: one thread owns the write connection and runs every
// write (dispatches, claims, completions, manager actions) handed to it. The
// writes that pile up while one transaction commits share the next one, so a
// commit's fsync is paid once for many jobs. Each write runs inside its own
// savepoint: one failing write rolls back alone, not its neighbours.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <thread>

#include "store/sqlite/sqlite_db.h"

namespace snapq::sqlite {

class Writer {
 public:
  using Work = std::function<Status(Db&)>;
  // Called on the writer thread after the transaction committed (or failed).
  using Done = std::function<void(const Status&)>;

  explicit Writer(std::unique_ptr<Db> db, int max_batch = 512);
  ~Writer();  // finishes what was submitted, then stops
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  void submit(Work work, Done done);
  // Submits and waits for the commit; the value comes from `work`.
  template <typename T>
  Result<T> run(std::function<Result<T>(Db&)> work) {
    auto value = std::make_shared<std::optional<Result<T>>>();
    // Shared so the writer thread never touches a promise the caller already dropped.
    auto committed = std::make_shared<std::promise<Status>>();
    auto future = committed->get_future();
    submit([&work, value](Db& db) {
             *value = work(db);
             return (*value)->isOk() ? Status::ok() : (*value)->status();
           },
           [committed](const Status& s) { committed->set_value(s); });
    Status s = future.get();
    if (!s) return s;
    return std::move(**value);
  }
  Status runStatus(Work work);

  // Called from inside a write (on the writer thread): once the transaction
  // commits, `on_work_queued` runs (idle workers look for work again). Set the
  // callback before the first write.
  void requestWake() { wake_requested_ = true; }
  void onWorkQueued(std::function<void()> callback) { on_work_queued_ = std::move(callback); }
  // Runs on the writer thread at the end of every transaction, after its
  // writes and outside their savepoints, just before COMMIT: writes that are
  // cheaper once per transaction than once per job. Its failure rolls the
  // whole transaction back and fails every write in it. Set before the first write.
  void beforeCommit(Work hook) { before_commit_ = std::move(hook); }

 private:
  struct Op {
    Work work;
    Done done;
  };
  void loop();
  void runBatch(std::deque<Op>& batch);
  Status runOne(Op& op);

  std::unique_ptr<Db> db_;
  int max_batch_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Op> pending_;
  bool stopping_ = false;
  bool wake_requested_ = false;  // writer thread only
  std::function<void()> on_work_queued_;
  Work before_commit_;
  std::thread thread_;
};

}  // namespace snapq::sqlite
