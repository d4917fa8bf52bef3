#include "test_support.h"

#include <stdlib.h>

namespace snapq::testing {

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "snapq-test-XXXXXX").string();
  char* made = mkdtemp(tmpl.data());
  if (!made) throw std::runtime_error("mkdtemp failed");
  path_ = made;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::shared_ptr<Store> openTestStore(const std::string& driver, const TempDir& dir) {
  if (driver != "sqlite") throw std::runtime_error("unknown driver " + driver);
  auto store = openStore("sqlite:" + dir.file("test.db"));
  if (!store) throw std::runtime_error(store.status().toString());
  Status migrated = (*store)->migrate();
  if (!migrated) throw std::runtime_error(migrated.toString());
  return *store;
}

bool waitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return condition();
}

}  // namespace snapq::testing
