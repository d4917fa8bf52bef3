// Helpers shared by the test suites: temporary directories, store factories,
// and waiting on a condition with a deadline (never a bare sleep).
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "snapq/store.h"

namespace snapq::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// A migrated store of the named driver: "sqlite" in `dir`; "postgres" in a
// fresh database on the server of $SNAPQ_TEST_POSTGRES_URL (started by
// scripts/test.sh), dropped when the last reference to the store goes. Throws
// when the store cannot be had, naming the reason. `url`, when given, receives
// the store's URL (for rawQuery and rawExec).
std::shared_ptr<Store> openTestStore(const std::string& driver, const TempDir& dir, std::string* url = nullptr);

// Plain SQL on a test store's database, for checks below the Store interface
// (sqlite: and postgres:// URLs). Every value comes back as text; NULL as "".
Result<std::vector<std::vector<std::string>>> rawQuery(const std::string& url, const std::string& sql);
Status rawExec(const std::string& url, const std::string& sql);

// A PostgreSQL server of the test's own (scripts/pg.sh, found through
// $SNAPQ_TEST_PG_SCRIPT, which scripts/test.sh exports) in a temporary
// directory, stopped when it goes: for tests that stop or restart the server,
// which would cut off the tests sharing $SNAPQ_TEST_POSTGRES_URL. Each method
// throws, naming the command, when the script fails.
class PrivatePostgres {
 public:
  PrivatePostgres();  // started
  ~PrivatePostgres();
  PrivatePostgres(const PrivatePostgres&) = delete;
  PrivatePostgres& operator=(const PrivatePostgres&) = delete;
  const std::string& url() const { return url_; }
  void stop();     // fast shutdown: clients are cut off
  void restart();  // started again (after stop(), or a fast shutdown and start), data kept

 private:
  TempDir dir_;
  std::string script_, url_;
};

// Polls `condition` until it holds or `timeout` passes; returns whether it held.
bool waitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout = std::chrono::seconds(20));

}  // namespace snapq::testing
