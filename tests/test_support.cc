#include "test_support.h"

#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <stdexcept>

#include "store/postgres/pg_conn.h"
#include "store/sqlite/sqlite_db.h"

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

namespace {

// Runs a shell command; its output (the server's, for the test log) comes back.
std::string runScript(const std::string& command) {
  std::string out;
  FILE* p = popen(command.c_str(), "r");
  if (!p) throw std::runtime_error("cannot run '" + command + "'");
  char buf[512];
  while (std::fgets(buf, sizeof buf, p)) out += buf;
  if (pclose(p) != 0) throw std::runtime_error("'" + command + "' failed: " + out);
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

}  // namespace

PrivatePostgres::PrivatePostgres() {
  const char* script = std::getenv("SNAPQ_TEST_PG_SCRIPT");
  if (!script || !*script) {
    throw std::runtime_error(
        "SNAPQ_TEST_PG_SCRIPT is not set; run scripts/test.sh (it exports the path of "
        "scripts/pg.sh), or export it by hand");
  }
  script_ = script;
  url_ = runScript(script_ + " start " + dir_.path().string() + " 2>&1 | tail -n 1");  // the URL is the last line
  if (url_.rfind("postgresql://", 0) != 0) throw std::runtime_error("pg.sh start printed: " + url_);
}

PrivatePostgres::~PrivatePostgres() {
  (void)std::system((script_ + " stop " + dir_.path().string() + " >/dev/null 2>&1").c_str());
}

void PrivatePostgres::stop() { runScript(script_ + " stop " + dir_.path().string() + " 2>&1"); }

void PrivatePostgres::restart() { runScript(script_ + " restart " + dir_.path().string() + " 2>&1"); }

namespace {

std::shared_ptr<Store> migrated(const std::string& url) {
  auto store = openStore(url);
  if (!store) throw std::runtime_error(store.status().toString());
  Status migrated = (*store)->migrate();
  if (!migrated) throw std::runtime_error(migrated.toString());
  return *store;
}

// One throwaway database per test: the store and, when it goes, the database.
struct PostgresTestDb {
  std::string server_url;
  std::string name;
  std::shared_ptr<Store> store;
  ~PostgresTestDb() {
    store.reset();  // closes the store's connections first
    if (name.empty()) return;
    (void)rawExec(server_url, "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
  }
};

std::string withDatabase(const std::string& url, const std::string& name) {
  return url + (url.find('?') == std::string::npos ? "?" : "&") + "dbname=" + name;
}

std::shared_ptr<Store> openPostgresTestStore(std::string* url_out) {
  const char* server = std::getenv("SNAPQ_TEST_POSTGRES_URL");
  if (!server || !*server) {
    throw std::runtime_error(
        "SNAPQ_TEST_POSTGRES_URL is not set; run scripts/test.sh (it starts PostgreSQL), "
        "or export the URL printed by scripts/pg.sh start DIR");
  }
  std::random_device random;
  char suffix[32];
  snprintf(suffix, sizeof suffix, "%d_%08x", static_cast<int>(getpid()), static_cast<unsigned>(random()));
  auto db = std::make_shared<PostgresTestDb>();
  db->server_url = server;
  db->name = std::string("snapq_test_") + suffix;
  if (Status s = rawExec(db->server_url, "CREATE DATABASE " + db->name); !s) {
    db->name.clear();
    throw std::runtime_error("cannot create a test database on SNAPQ_TEST_POSTGRES_URL: " + s.toString());
  }
  std::string url = withDatabase(db->server_url, db->name);
  db->store = migrated(url);
  if (url_out) *url_out = url;
  return std::shared_ptr<Store>(db, db->store.get());
}

}  // namespace

std::shared_ptr<Store> openTestStore(const std::string& driver, const TempDir& dir, std::string* url) {
  if (driver == "postgres") return openPostgresTestStore(url);
  if (driver != "sqlite") throw std::runtime_error("unknown driver " + driver);
  std::string sqlite_url = "sqlite:" + dir.file("test.db");
  if (url) *url = sqlite_url;
  return migrated(sqlite_url);
}

Result<std::vector<std::vector<std::string>>> rawQuery(const std::string& url, const std::string& sql) {
  std::vector<std::vector<std::string>> out;
  if (url.starts_with("sqlite:")) {
    auto db = sqlite::Db::open(url.substr(7), false);
    if (!db) return db.status();
    sqlite3_stmt* raw = nullptr;
    if (int rc = sqlite3_prepare_v2((*db)->raw(), sql.c_str(), -1, &raw, nullptr); rc != SQLITE_OK) {
      return sqlite::sqliteStatus((*db)->raw(), rc, "prepare");
    }
    sqlite::Stmt stmt((*db)->raw(), raw);
    while (true) {
      auto row = stmt.step();
      if (!row) return row.status();
      if (!*row) break;
      std::vector<std::string> values;
      for (int c = 0; c < sqlite3_column_count(raw); ++c) values.push_back(stmt.text(c));
      out.push_back(std::move(values));
    }
    return out;
  }
  auto conn = pg::Conn::open(url);
  if (!conn) return conn.status();
  auto rows = (*conn)->query(sql);
  if (!rows) return rows.status();
  for (int r = 0; r < rows->size(); ++r) {
    std::vector<std::string> values;
    for (int c = 0; c < rows->columns(); ++c) values.push_back(rows->text(r, c));
    out.push_back(std::move(values));
  }
  return out;
}

Status rawExec(const std::string& url, const std::string& sql) {
  if (url.starts_with("sqlite:")) {
    auto db = sqlite::Db::open(url.substr(7), false);
    if (!db) return db.status();
    return (*db)->exec(sql);
  }
  auto conn = pg::Conn::open(url);
  if (!conn) return conn.status();
  return (*conn)->exec(sql);
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
