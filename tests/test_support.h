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

// A migrated store of the named driver in `dir`.
std::shared_ptr<Store> openTestStore(const std::string& driver, const TempDir& dir);

// Polls `condition` until it holds or `timeout` passes; returns whether it held.
bool waitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout = std::chrono::seconds(20));

}  // namespace snapq::testing
