// Opening, migrations and the read side (audit log) of the SQLite driver.
#include "store/sqlite/sqlite_store.h"

#include "core/time_format.h"
#include "store/sqlite/job_rows.h"
#include "store/sqlite/migrations.h"

namespace snapq::sqlite {
namespace {

Status configure(Db& db, const StoreOptions& options, bool writer) {
  std::string pragmas = "PRAGMA busy_timeout = " + std::to_string(options.busy_timeout.count()) + ";";
  if (writer) {
    pragmas += "PRAGMA journal_mode = WAL;";
    pragmas += options.relaxed_durability ? "PRAGMA synchronous = NORMAL;" : "PRAGMA synchronous = FULL;";
    pragmas += "PRAGMA cache_size = -32000; PRAGMA temp_store = MEMORY;";
  } else {
    pragmas += "PRAGMA query_only = 1; PRAGMA cache_size = -16000;";
  }
  return db.exec(pragmas);
}

}  // namespace

Result<std::shared_ptr<SqliteStore>> SqliteStore::open(const std::string& path, const StoreOptions& options) {
  if (path.empty()) return Status::invalidArgument("sqlite database path is empty");
  auto writer_db = Db::open(path, false);
  if (!writer_db) return writer_db.status();
  if (Status s = configure(**writer_db, options, true); !s) return s;
  std::shared_ptr<SqliteStore> store(new SqliteStore());
  store->path_ = path;
  for (int i = 0; i < std::max(1, options.read_connections); ++i) {
    auto reader = Db::open(path, false);
    if (!reader) return reader.status();
    if (Status s = configure(**reader, options, false); !s) return s;
    store->readers_.push_back(std::move(*reader));
  }
  store->writer_ = std::make_unique<Writer>(std::move(*writer_db));
  store->snapshots_ = std::make_unique<SqliteSnapshots>(
      *store->writer_, [reader_of = store.get()](const std::function<Status(Db&)>& fn) {
        auto db = reader_of->reader();
        return fn(*db);
      });
  store->auth_ = std::make_unique<SqliteAuth>(
      *store->writer_, [reader_of = store.get()](const std::function<Status(Db&)>& fn) {
        auto db = reader_of->reader();
        return fn(*db);
      });
  store->writer_->onWorkQueued([raw = store.get()] { raw->signal_.bump(); });
  store->writer_->beforeCommit([raw = store.get()](Db& db) { return raw->audit_.flush(db); });
  return store;
}

SqliteStore::~SqliteStore() = default;

SqliteStore::ReadLease::~ReadLease() {
  {
    std::lock_guard lock(store_.readers_mu_);
    store_.readers_.push_back(std::move(db_));
  }
  store_.readers_cv_.notify_one();
}

SqliteStore::ReadLease SqliteStore::reader() {
  std::unique_lock lock(readers_mu_);
  readers_cv_.wait(lock, [this] { return !readers_.empty(); });
  auto db = std::move(readers_.back());
  readers_.pop_back();
  return ReadLease(*this, std::move(db));
}

int SqliteStore::latestSchemaVersion() const { return migrations().back().version; }

Status SqliteStore::migrate() {
  return writer_->runStatus([](Db& db) -> Status {
    if (Status s = db.exec("CREATE TABLE IF NOT EXISTS schema_migrations ("
                           "version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL)");
        !s)
      return s;
    auto current = db.prepare("SELECT coalesce(max(version), 0) FROM schema_migrations");
    if (!current) return current.status();
    auto row = (*current)->step();
    if (!row) return row.status();
    int64_t version = (*current)->int64(0);
    (*current)->reset();
    for (const Migration& m : migrations()) {
      if (m.version <= version) continue;
      if (Status s = db.exec(m.sql); !s) {
        return Status::internal("migration " + std::to_string(m.version) + " failed: " + s.message());
      }
      auto record = db.prepare("INSERT INTO schema_migrations (version, description, applied_at) VALUES (?1, ?2, ?3)");
      if (!record) return record.status();
      (*record)->bind(1, m.version).bind(2, m.description).bind(3, formatIso(SystemClock().now()));
      if (Status s = (*record)->run(); !s) return s;
    }
    return Status::ok();
  });
}

Result<int> SqliteStore::schemaVersion() {
  auto db = reader();
  auto stmt = db->prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'");
  if (!stmt) return stmt.status();
  if (auto r = (*stmt)->step(); !r) return r.status();
  bool exists = (*stmt)->int64(0) > 0;
  (*stmt)->reset();
  if (!exists) return 0;
  auto version = db->prepare("SELECT coalesce(max(version), 0) FROM schema_migrations");
  if (!version) return version.status();
  if (auto r = (*version)->step(); !r) return r.status();
  int v = static_cast<int>((*version)->int64(0));
  (*version)->reset();
  return v;
}

Result<Job> SqliteStore::getJob(int64_t id) {
  auto db = reader();
  auto stmt = db->prepare("SELECT " + kJobColumns + " FROM sync_jobs WHERE id = ?1");
  if (!stmt) return stmt.status();
  (*stmt)->bind(1, id);
  auto row = (*stmt)->step();
  if (!row) return row.status();
  if (!*row) return Status::notFound("job " + std::to_string(id) + " does not exist");
  Job job = readJob(**stmt);
  (*stmt)->reset();
  return job;
}

Result<std::vector<JobEvent>> SqliteStore::jobEvents(int64_t id) {
  auto db = reader();
  auto stmt = db->prepare(
      "SELECT id, job_id, at, type, message, actor_type, actor_name FROM sync_job_events "
      "WHERE job_id = ?1 ORDER BY id");
  if (!stmt) return stmt.status();
  (*stmt)->bind(1, id);
  std::vector<JobEvent> events;
  while (true) {
    auto row = (*stmt)->step();
    if (!row) return row.status();
    if (!*row) break;
    Stmt& s = **stmt;
    JobEvent e;
    e.id = s.int64(0);
    e.job_id = s.int64(1);
    e.at = parseIso(s.text(2)).value_or(TimePoint{});
    e.type = s.text(3);
    e.message = s.text(4);
    e.actor.type = parseActorType(s.text(5)).value_or(ActorType::system);
    e.actor.name = s.text(6);
    events.push_back(std::move(e));
  }
  return events;
}

Result<std::optional<TimePoint>> SqliteStore::nextRunAt(const std::vector<std::string>& queues) {
  auto db = reader();
  std::string sql = "SELECT min(run_at) FROM sync_jobs WHERE status = 'queued'";
  if (!queues.empty()) sql += " AND queue IN (SELECT value FROM json_each(?1))";
  auto stmt = db->prepare(sql);
  if (!stmt) return stmt.status();
  if (!queues.empty()) (*stmt)->bind(1, jsonArray(queues));
  auto row = (*stmt)->step();
  if (!row) return row.status();
  std::optional<TimePoint> next;
  if (*row && !(*stmt)->isNull(0)) next = parseIso((*stmt)->text(0));
  (*stmt)->reset();
  return next;
}

}  // namespace snapq::sqlite
