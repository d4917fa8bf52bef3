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

// Polls `condition` until it holds or `timeout` passes; returns whether it held.
bool waitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout = std::chrono::seconds(20));

}  // namespace snapq::testing
