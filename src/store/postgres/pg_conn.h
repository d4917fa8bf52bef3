// Thin RAII over libpq: a connection that prepares each SQL text once, typed
// parameters, result rows with typed accessors, and reconnection with backoff.
// Errors become Status values: lost connections, serialization failures and
// lock timeouts are `unavailable`, unique violations `already_exists`.
#pragma once

#include <libpq-fe.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "snapq/clock.h"
#include "snapq/status.h"

namespace snapq::pg {

// Parameters of one statement, $1 first. Each carries its type, so a statement
// may leave some of them unused and needs no casts.
class Params {
 public:
  Params& text(std::string_view v);
  // Empty text binds NULL: the columns this is used for have no meaningful "".
  Params& textOrNull(std::string_view v) { return v.empty() ? null(kText) : text(v); }
  Params& int64(int64_t v);
  Params& boolean(bool v);
  Params& time(TimePoint t);
  Params& bytesOrNull(std::string_view v);  // bytea, sent in binary
  Params& textArray(const std::vector<std::string>& items);
  // NULL elements where `present` is false.
  Params& textArray(const std::vector<std::string>& items, const std::vector<bool>& present);
  Params& int64Array(const std::vector<int64_t>& items);
  Params& timeArray(const std::vector<TimePoint>& items);

  int size() const { return static_cast<int>(types_.size()); }
  const std::vector<Oid>& types() const { return types_; }
  // Pointers into this object, valid while it lives unchanged.
  std::vector<const char*> valuePointers() const;
  std::vector<int> lengths() const;
  const std::vector<int>& formats() const { return formats_; }

 private:
  static constexpr Oid kText = 25;
  Params& add(Oid type, std::string value, int format = 0);
  Params& null(Oid type);

  std::vector<Oid> types_;
  std::vector<std::string> values_;
  std::vector<bool> nulls_;
  std::vector<int> formats_;
};

// A statement's result (text format).
class Rows {
 public:
  explicit Rows(PGresult* res) : res_(res, &PQclear) {}
  int size() const { return PQntuples(res_.get()); }
  bool empty() const { return size() == 0; }
  int columns() const { return PQnfields(res_.get()); }
  bool isNull(int row, int col) const { return PQgetisnull(res_.get(), row, col) != 0; }
  std::string text(int row, int col) const;
  int64_t int64(int row, int col) const;
  bool boolean(int row, int col) const;
  // A column rendered as epoch milliseconds (see epochMs()).
  TimePoint time(int row, int col) const { return TimePoint(Duration(int64(row, col))); }
  std::optional<TimePoint> optTime(int row, int col) const;
  // A bytea column in hex output, decoded.
  std::string bytes(int row, int col) const;
  // Rows changed by an INSERT/UPDATE/DELETE without RETURNING.
  int64_t affected() const;

 private:
  std::shared_ptr<PGresult> res_;
};

// "(extract(epoch FROM col) * 1000)::int8": how every timestamp is read back,
// exact to the millisecond whatever the session's time zone.
std::string epochMs(const std::string& column);

// "'{\"a\",\"b\"}'"-style literal for an array parameter.
std::string arrayLiteral(const std::vector<std::string>& items, const std::vector<bool>* present = nullptr);

class Conn {
 public:
  // Connects once; failure is `unavailable` (the server may come later), or
  // `invalid_argument` when the server answered and refused this login (no such
  // role or database, a password or pg_hba.conf rule): the URL is wrong, and
  // waiting will not make it right. A reconnection later is always `unavailable`.
  static Result<std::unique_ptr<Conn>> open(std::string url, std::vector<std::string> session_settings = {});
  ~Conn();
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  // Connected and usable; otherwise reconnects, at most once per backoff step
  // (100 ms doubling to 5 s) and fails `unavailable` in between, unless another
  // connection of this process has connected since (the server is back).
  Status ready();
  // ready(), after reading what the server sent while the connection sat idle,
  // so one it has closed meanwhile (a restart) is reopened before it is used.
  Status readyWhenIdle();
  // The last statement's failure came from the server over a live connection
  // (it was rolled back), not from a connection lost on the way.
  bool answered() const { return conn_ && PQstatus(conn_) == CONNECTION_OK; }
  // Prepares `sql` on first use on this connection, then executes it.
  Result<Rows> query(const std::string& sql, const Params& params = {});
  // Runs one or more statements without parameters (DDL, BEGIN, SAVEPOINT).
  Status exec(const std::string& sql);
  bool inTransaction() const;
  // While pinned (a transaction is open) a lost connection stays lost instead
  // of reconnecting: the rest of the transaction must not run in autocommit on
  // a new session. Unpinning lets the next use reconnect.
  void pin(bool pinned) { pinned_ = pinned; }
  int socket() const { return conn_ ? PQsocket(conn_) : -1; }
  PGconn* raw() { return conn_; }

  // A write transaction asks for one NOTIFY at its commit (see Writer).
  void requestNotify() { notify_requested_ = true; }
  bool takeNotifyRequest() { return std::exchange(notify_requested_, false); }
  // A write changed this snapshot table (by its checked name): the writer moves
  // its generation once, at the commit, in name order (see Writer::commit).
  void touchSnapshot(std::string table_name) { touched_snapshots_.insert(std::move(table_name)); }
  std::set<std::string> takeTouchedSnapshots() { return std::exchange(touched_snapshots_, {}); }

 private:
  Conn(std::string url, std::vector<std::string> settings) : url_(std::move(url)), settings_(std::move(settings)) {}
  Status connect();
  Status resultStatus(PGresult* res, std::string_view what);

  std::string url_;
  std::vector<std::string> settings_;
  PGconn* conn_ = nullptr;
  std::unordered_map<std::string, std::string> prepared_;  // SQL text + types -> statement name
  std::chrono::steady_clock::time_point next_attempt_{};
  Duration backoff_{0};
  uint64_t connections_at_failure_ = 0;  // see g_connections_made in pg_conn.cc
  bool notify_requested_ = false;
  std::set<std::string> touched_snapshots_;
  bool pinned_ = false;
};

}  // namespace snapq::pg
