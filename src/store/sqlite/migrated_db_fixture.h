// A test fixture: a fresh SQLite file with every migration applied, removed
// afterwards; query() returns one column of a statement's rows.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include "store/sqlite/migrations.h"
#include "store/sqlite/sqlite_db.h"

namespace snapq::sqlite {

class MigratedDbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->test_suite_name();
    path_ = (std::filesystem::temp_directory_path() / (name + "_" + std::to_string(getpid()) + ".db")).string();
    std::filesystem::remove(path_);
    auto db = Db::open(path_, false);
    ASSERT_TRUE(db.isOk()) << db.status().toString();
    db_ = std::move(*db);
    for (const Migration& m : migrations()) ASSERT_TRUE(db_->exec(m.sql).isOk()) << m.version;
  }
  void TearDown() override {
    db_.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_ + suffix);
  }
  // Column `column` of every row, joined by `separator`.
  std::string query(const std::string& sql, int column = 0, const std::string& separator = ";") {
    auto stmt = db_->prepare(sql);
    EXPECT_TRUE(stmt.isOk()) << sql;
    if (!stmt.isOk()) return "";
    std::string out;
    bool first = true;
    while (true) {
      auto row = (*stmt)->step();
      EXPECT_TRUE(row.isOk());
      if (!row.isOk() || !*row) break;
      out += (first ? "" : separator) + (*stmt)->text(column);
      first = false;
    }
    (*stmt)->reset();
    return out;
  }

  std::string path_;
  std::unique_ptr<Db> db_;
};

}  // namespace snapq::sqlite
