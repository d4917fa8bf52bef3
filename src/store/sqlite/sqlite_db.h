// Thin RAII over the sqlite3 C API: a connection with a statement cache, and
// statements with typed bind/column helpers. Errors become Status values.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "snapq/status.h"

namespace snapq::sqlite {

class Stmt {
 public:
  Stmt(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~Stmt() { sqlite3_finalize(stmt_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  // Binding is 1-based like SQLite; empty optionals bind NULL.
  Stmt& bind(int i, int64_t v) { sqlite3_bind_int64(stmt_, i, v); return *this; }
  Stmt& bind(int i, int v) { sqlite3_bind_int64(stmt_, i, v); return *this; }
  Stmt& bind(int i, bool v) { sqlite3_bind_int64(stmt_, i, v ? 1 : 0); return *this; }
  Stmt& bind(int i, double v) { sqlite3_bind_double(stmt_, i, v); return *this; }
  Stmt& bind(int i, std::string_view v) {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& bind(int i, const char* v) { return bind(i, std::string_view(v)); }
  Stmt& bind(int i, const std::string& v) { return bind(i, std::string_view(v)); }
  Stmt& bindBlob(int i, std::string_view v) {
    sqlite3_bind_blob(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& bindNull(int i) { sqlite3_bind_null(stmt_, i); return *this; }
  // Empty text binds NULL: the columns this is used for have no meaningful "".
  Stmt& bindTextOrNull(int i, std::string_view v) { return v.empty() ? bindNull(i) : bind(i, v); }
  Stmt& bindBlobOrNull(int i, std::string_view v) { return v.empty() ? bindNull(i) : bindBlob(i, v); }

  // SQLITE_ROW -> true, SQLITE_DONE -> false, anything else -> error.
  Result<bool> step();
  // Steps to completion; for statements that return no rows.
  Status run();
  void reset() { sqlite3_reset(stmt_); sqlite3_clear_bindings(stmt_); }

  bool isNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  int64_t int64(int col) const { return sqlite3_column_int64(stmt_, col); }
  double real(int col) const { return sqlite3_column_double(stmt_, col); }
  std::string text(int col) const;
  std::optional<std::string> optText(int col) const;
  std::string blob(int col) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

class Db {
 public:
  static Result<std::unique_ptr<Db>> open(const std::string& path, bool read_only);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // Runs one or more statements without results (DDL, PRAGMA, BEGIN/COMMIT).
  Status exec(std::string_view sql);
  // A cached, reset statement for this exact SQL text. Valid until the Db dies;
  // finish using it before preparing the same SQL again (no re-entrancy).
  Result<Stmt*> prepare(const std::string& sql);
  // exec() through the statement cache, for statements run over and over.
  Status execCached(const std::string& sql);
  int64_t changes() const { return sqlite3_changes64(db_); }
  int64_t lastInsertId() const { return sqlite3_last_insert_rowid(db_); }
  sqlite3* raw() { return db_; }
  Status error(std::string_view what) const;

 private:
  explicit Db(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::unordered_map<std::string, std::unique_ptr<Stmt>> cache_;
};

// Maps an SQLite result code to a Status with the library's message.
Status sqliteStatus(sqlite3* db, int rc, std::string_view what);

}  // namespace snapq::sqlite
