#include "store/postgres/pg_conn.h"

#include <poll.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "core/time_format.h"

namespace snapq::pg {
namespace {

constexpr Oid kInt8 = 20;
constexpr Oid kBool = 16;
constexpr Oid kBytea = 17;
constexpr Oid kTimestamptz = 1184;
constexpr Oid kTextArray = 1009;
constexpr Oid kInt8Array = 1016;
constexpr Oid kTimestamptzArray = 1185;
constexpr Duration kFirstBackoff{100};
constexpr Duration kMaxBackoff{5000};

bool retryableState(std::string_view state) {
  static constexpr std::string_view kStates[] = {"40001", "40P01", "55P03", "57P01", "57P02", "57P03"};
  if (state.starts_with("08") || state.starts_with("53") || state.starts_with("58")) return true;
  return std::find(std::begin(kStates), std::end(kStates), state) != std::end(kStates);
}

// libpq's messages may span lines ("...failed: No such file or directory\n\tIs
// the server running locally...?", one line per host tried): one log line each.
std::string oneLine(const char* message) {
  std::string in = message ? message : "", out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '\n') {
      out += in[i];
      continue;
    }
    while (i + 1 < in.size() && (in[i + 1] == '\t' || in[i + 1] == ' ' || in[i + 1] == '\n')) ++i;
    if (i + 1 < in.size()) out += "; ";
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// libpq prefixes what the server answered with "FATAL:". A server starting
// up, shutting down, recovering or full refuses for now (SQLSTATE 57P03 and
// 53300, whose codes libpq does not expose for a login); anything else it
// says to a login is about the login. A server that answers in another
// language is taken to refuse for now: waited for, which is the safe side.
bool refusedLogin(std::string_view message) {
  if (message.find("FATAL:") == std::string_view::npos) return false;
  for (std::string_view for_now : {"the database system is", "too many clients", "connection slots are reserved"}) {
    if (message.find(for_now) != std::string_view::npos) return false;
  }
  return true;
}

// Connections made in this process so far. A connection waiting out its
// backoff tries again at once when another one has connected since its own
// attempt failed: the server is back, and a call on it should not report it
// unreachable (the engine would log the outage again right after its end).
std::atomic<uint64_t> g_connections_made{0};

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return 0;
}

}  // namespace

Params& Params::add(Oid type, std::string value, int format) {
  types_.push_back(type);
  values_.push_back(std::move(value));
  nulls_.push_back(false);
  formats_.push_back(format);
  return *this;
}

Params& Params::null(Oid type) {
  add(type, {});
  nulls_.back() = true;
  return *this;
}

Params& Params::text(std::string_view v) { return add(kText, std::string(v)); }
Params& Params::int64(int64_t v) { return add(kInt8, std::to_string(v)); }
Params& Params::boolean(bool v) { return add(kBool, v ? "t" : "f"); }
Params& Params::time(TimePoint t) { return add(kTimestamptz, formatIso(t)); }
Params& Params::bytesOrNull(std::string_view v) { return v.empty() ? null(kBytea) : add(kBytea, std::string(v), 1); }
Params& Params::textArray(const std::vector<std::string>& items) { return add(kTextArray, arrayLiteral(items)); }
Params& Params::textArray(const std::vector<std::string>& items, const std::vector<bool>& present) {
  return add(kTextArray, arrayLiteral(items, &present));
}
Params& Params::int64Array(const std::vector<int64_t>& items) {
  std::string out = "{";
  for (size_t i = 0; i < items.size(); ++i) out += (i ? "," : "") + std::to_string(items[i]);
  return add(kInt8Array, out + "}");
}
Params& Params::timeArray(const std::vector<TimePoint>& items) {
  std::vector<std::string> texts;
  texts.reserve(items.size());
  for (TimePoint t : items) texts.push_back(formatIso(t));
  return add(kTimestamptzArray, arrayLiteral(texts));
}

std::vector<const char*> Params::valuePointers() const {
  std::vector<const char*> out;
  out.reserve(values_.size());
  for (size_t i = 0; i < values_.size(); ++i) out.push_back(nulls_[i] ? nullptr : values_[i].data());
  return out;
}

std::vector<int> Params::lengths() const {
  std::vector<int> out;
  out.reserve(values_.size());
  for (const std::string& v : values_) out.push_back(static_cast<int>(v.size()));
  return out;
}

std::string arrayLiteral(const std::vector<std::string>& items, const std::vector<bool>* present) {
  std::string out = "{";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    if (present && !(*present)[i]) {
      out += "NULL";
      continue;
    }
    out += '"';
    for (char c : items[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

std::string epochMs(const std::string& column) { return "(extract(epoch FROM " + column + ") * 1000)::int8"; }

std::string Rows::text(int row, int col) const {
  return std::string(PQgetvalue(res_.get(), row, col), static_cast<size_t>(PQgetlength(res_.get(), row, col)));
}

int64_t Rows::int64(int row, int col) const { return std::strtoll(PQgetvalue(res_.get(), row, col), nullptr, 10); }

bool Rows::boolean(int row, int col) const { return PQgetvalue(res_.get(), row, col)[0] == 't'; }

std::optional<TimePoint> Rows::optTime(int row, int col) const {
  if (isNull(row, col)) return std::nullopt;
  return time(row, col);
}

std::string Rows::bytes(int row, int col) const {
  const char* p = PQgetvalue(res_.get(), row, col);
  size_t n = static_cast<size_t>(PQgetlength(res_.get(), row, col));
  if (n < 2 || p[0] != '\\' || p[1] != 'x') return {};
  std::string out;
  out.reserve((n - 2) / 2);
  for (size_t i = 2; i + 1 < n; i += 2) out += static_cast<char>(hexValue(p[i]) << 4 | hexValue(p[i + 1]));
  return out;
}

int64_t Rows::affected() const { return std::strtoll(PQcmdTuples(res_.get()), nullptr, 10); }

Result<std::unique_ptr<Conn>> Conn::open(std::string url, std::vector<std::string> session_settings) {
  std::unique_ptr<Conn> conn(new Conn(std::move(url), std::move(session_settings)));
  if (Status s = conn->connect(); !s) {
    if (refusedLogin(s.message())) return Status::invalidArgument(s.message());
    return s;
  }
  return conn;
}

Conn::~Conn() {
  if (conn_) PQfinish(conn_);
}

Status Conn::connect() {
  if (conn_) PQfinish(conn_);
  prepared_.clear();
  notify_requested_ = false;
  // The URL may override the timeout (it comes after it); nothing may override the encoding.
  const char* keys[] = {"connect_timeout", "dbname", "fallback_application_name", "client_encoding", nullptr};
  const char* values[] = {"10", url_.c_str(), "snapq", "UTF8", nullptr};
  conn_ = PQconnectdbParams(keys, values, 1);
  if (PQstatus(conn_) != CONNECTION_OK) {
    std::string message = "cannot connect to postgres: " + oneLine(PQerrorMessage(conn_));
    PQfinish(conn_);
    conn_ = nullptr;
    backoff_ = backoff_.count() == 0 ? kFirstBackoff : std::min(backoff_ * 2, kMaxBackoff);
    next_attempt_ = std::chrono::steady_clock::now() + backoff_;
    connections_at_failure_ = g_connections_made.load();
    return Status::unavailable(std::move(message));
  }
  g_connections_made.fetch_add(1);
  backoff_ = Duration(0);
  // A library does not write to stderr: server notices ("already exists, skipping") are dropped.
  PQsetNoticeProcessor(
      conn_, [](void*, const char*) {}, nullptr);
  std::string setup = "SET bytea_output = 'hex'";
  for (const std::string& s : settings_) setup += "; " + s;
  return exec(setup);
}

Status Conn::ready() {
  if (conn_ && PQstatus(conn_) == CONNECTION_OK) return Status::ok();
  if (pinned_) return Status::unavailable("the postgres connection was lost during the transaction");
  auto now = std::chrono::steady_clock::now();
  if (now < next_attempt_ && g_connections_made.load() == connections_at_failure_) {
    auto wait = std::chrono::duration_cast<Duration>(next_attempt_ - now).count();
    return Status::unavailable("postgres is unreachable; next connection attempt in " + std::to_string(wait) + " ms");
  }
  return connect();
}

Status Conn::readyWhenIdle() {
  // Reads whatever is waiting (a server that ends a session sends its FATAL,
  // then closes); at the end of the stream libpq marks the connection bad.
  pollfd waiting{socket(), POLLIN, 0};
  while (conn_ && PQstatus(conn_) == CONNECTION_OK && !inTransaction() && poll(&waiting, 1, 0) == 1 &&
         PQconsumeInput(conn_) == 1) {
  }
  return ready();
}

Status Conn::resultStatus(PGresult* res, std::string_view what) {
  ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return Status::ok();
  std::string message = std::string(what) + ": ";
  const char* primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  message += primary ? primary : oneLine(PQerrorMessage(conn_));
  const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  if (!conn_ || PQstatus(conn_) != CONNECTION_OK) return Status::unavailable(std::move(message));
  if (state && std::strcmp(state, "23505") == 0) return Status::alreadyExists(std::move(message));
  if (state && retryableState(state)) return Status::unavailable(std::move(message));
  return Status::internal(std::move(message));
}

Result<Rows> Conn::query(const std::string& sql, const Params& params) {
  if (Status s = ready(); !s) return s;
  std::string key = sql;
  key += '\x1f';
  for (Oid t : params.types()) key += std::to_string(t) + ",";
  auto it = prepared_.find(key);
  if (it == prepared_.end()) {
    std::string name = "s" + std::to_string(prepared_.size() + 1);
    PGresult* res = PQprepare(conn_, name.c_str(), sql.c_str(), params.size(), params.types().data());
    Status s = resultStatus(res, "postgres prepare");
    PQclear(res);
    if (!s) return s;
    it = prepared_.emplace(std::move(key), std::move(name)).first;
  }
  auto values = params.valuePointers();
  auto lengths = params.lengths();
  PGresult* res = PQexecPrepared(conn_, it->second.c_str(), params.size(), values.data(), lengths.data(),
                                 params.formats().data(), 0);
  if (Status s = resultStatus(res, "postgres"); !s) {
    PQclear(res);
    return s;
  }
  return Rows(res);
}

Status Conn::exec(const std::string& sql) {
  if (Status s = ready(); !s) return s;
  PGresult* res = PQexec(conn_, sql.c_str());
  Status s = resultStatus(res, "postgres");
  PQclear(res);
  return s;
}

bool Conn::inTransaction() const {
  if (!conn_) return false;
  auto st = PQtransactionStatus(conn_);
  return st == PQTRANS_INTRANS || st == PQTRANS_INERROR;
}

}  // namespace snapq::pg
