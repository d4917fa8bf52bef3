#include "store/sqlite/sqlite_db.h"

#include <mutex>

namespace snapq::sqlite {

Status sqliteStatus(sqlite3* db, int rc, std::string_view what) {
  std::string message = std::string(what) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
      return Status::unavailable(std::move(message));
    case SQLITE_CONSTRAINT:
      return Status::alreadyExists(std::move(message));
    default:
      return Status::internal(std::move(message));
  }
}

Result<bool> Stmt::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  Status s = sqliteStatus(db_, rc, "sqlite step");
  sqlite3_reset(stmt_);
  return s;
}

Status Stmt::run() {
  while (true) {
    Result<bool> r = step();
    if (!r) return r.status();
    if (!*r) return Status::ok();
  }
}

std::string Stmt::text(int col) const {
  const unsigned char* p = sqlite3_column_text(stmt_, col);
  if (!p) return {};
  return std::string(reinterpret_cast<const char*>(p),
                     static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
}

std::optional<std::string> Stmt::optText(int col) const {
  if (isNull(col)) return std::nullopt;
  return text(col);
}

std::string Stmt::blob(int col) const {
  const void* p = sqlite3_column_blob(stmt_, col);
  if (!p) return {};
  return std::string(static_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
}

namespace {
// Process-wide settings, applied once before the first connection. Memory
// statistics take a global mutex on every allocation, and each connection is
// used by one thread at a time, so both are turned off. If the host program
// initialised SQLite first these calls fail harmlessly and its settings stay.
void configureSqliteOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
    sqlite3_initialize();
  });
}
}  // namespace

Result<std::unique_ptr<Db>> Db::open(const std::string& path, bool read_only) {
  configureSqliteOnce();
  sqlite3* raw = nullptr;
  int flags = SQLITE_OPEN_NOMUTEX | (read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE));
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  if (rc != SQLITE_OK) {
    Status s = sqliteStatus(raw, rc, "cannot open database " + path);
    sqlite3_close(raw);
    return s;
  }
  sqlite3_extended_result_codes(raw, 1);
  return std::unique_ptr<Db>(new Db(raw));
}

Db::~Db() {
  cache_.clear();  // statements must be finalized before the connection closes
  sqlite3_close(db_);
}

Status Db::exec(std::string_view sql) {
  std::string copy(sql);
  char* err = nullptr;
  int rc = sqlite3_exec(db_, copy.c_str(), nullptr, nullptr, &err);
  if (rc == SQLITE_OK) return Status::ok();
  std::string message = err ? err : sqlite3_errstr(rc);
  sqlite3_free(err);
  return sqliteStatus(nullptr, rc, message);
}

Result<Stmt*> Db::prepare(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) {
    it->second->reset();
    return it->second.get();
  }
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                              &stmt, nullptr);
  if (rc != SQLITE_OK) return sqliteStatus(db_, rc, "sqlite prepare");
  auto owned = std::make_unique<Stmt>(db_, stmt);
  Stmt* p = owned.get();
  cache_.emplace(sql, std::move(owned));
  return p;
}

Status Db::execCached(const std::string& sql) {
  Result<Stmt*> stmt = prepare(sql);
  if (!stmt) return stmt.status();
  return (*stmt)->run();
}

Status Db::error(std::string_view what) const { return sqliteStatus(db_, sqlite3_errcode(db_), what); }

}  // namespace snapq::sqlite
