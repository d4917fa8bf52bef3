// Opening, migrations, the wake-up hook and the read side of the PostgreSQL driver.
#include "store/postgres/postgres_store.h"

#include "store/postgres/job_rows.h"
#include "store/postgres/listener.h"
#include "store/postgres/migrations.h"

namespace snapq::pg {

namespace {

// A write that waits this long for another node's row lock gives up as unavailable.
std::string lockTimeout(const StoreOptions& options) {
  return "SET lock_timeout = " + std::to_string(options.busy_timeout.count());
}

}  // namespace

std::vector<std::string> writerSettings(const StoreOptions& options) {
  // The writer's statements name their rows by key: ids (claims, completions,
  // leases), snapshot keys, names. Its plans are cached per statement
  // (prepared), and a plan made while sync_jobs' statistics were young (a new
  // database, a table that grew since the last ANALYZE) joined 300 completions
  // to every running job by scanning both, 60-150 ms instead of 2 ms; a plan
  // made for a batch of 1,000 hashed the whole table. Without sequential
  // scans, hash and merge joins (still used where nothing else can run a
  // statement) every such plan probes the keys' indexes, whatever the
  // statistics say. Migrations turn them back on for their transaction.
  // Where nothing but a sequential scan can run a statement, that scan is
  // costed 10^10 and PostgreSQL would JIT-compile the statement (past
  // jit_above_cost: 100-200 ms each run, for statements that take
  // milliseconds), so the writer compiles nothing.
  std::vector<std::string> settings = {lockTimeout(options), "SET enable_seqscan = off", "SET enable_hashjoin = off",
                                       "SET enable_mergejoin = off", "SET jit = off"};
  if (options.relaxed_durability) settings.emplace_back("SET synchronous_commit = off");
  return settings;
}

Result<std::shared_ptr<PostgresStore>> PostgresStore::open(const std::string& url, const StoreOptions& options) {
  if (url.empty()) return Status::invalidArgument("postgres URL is empty");
  auto writer_conn = Conn::open(url, writerSettings(options));
  if (!writer_conn) return writer_conn.status();
  std::shared_ptr<PostgresStore> store(new PostgresStore());
  store->url_ = url;
  for (int i = 0; i < std::max(1, options.read_connections); ++i) {
    auto reader = Conn::open(url, {lockTimeout(options), "SET default_transaction_read_only = on"});
    if (!reader) return reader.status();
    store->readers_.push_back(std::move(*reader));
  }
  store->writer_ = std::make_unique<Writer>(std::move(*writer_conn));
  store->snapshots_ = std::make_unique<PgSnapshots>(
      *store->writer_, [reader_of = store.get()](const std::function<Status(Conn&)>& fn) {
        return reader_of->read<bool>([&fn](Conn& conn) -> Result<bool> {
          if (Status s = fn(conn); !s) return s;
          return true;
        }).status();
      });
  store->auth_ = std::make_unique<PgAuth>(
      *store->writer_, [reader_of = store.get()](const std::function<Status(Conn&)>& fn) {
        return reader_of->read<bool>([&fn](Conn& conn) -> Result<bool> {
          if (Status s = fn(conn); !s) return s;
          return true;
        }).status();
      });
  store->writer_->onWorkQueued([raw = store.get()] { raw->signal_.bump(); });
  return store;
}

PostgresStore::~PostgresStore() = default;

void PostgresStore::startListener() {
  std::lock_guard lock(listener_mu_);
  if (!listener_) listener_ = std::make_unique<WorkListener>(url_, [this] { signal_.bump(); });
}

uint64_t PostgresStore::workEpoch() {
  startListener();
  return signal_.epoch();
}

bool PostgresStore::waitForWork(uint64_t seen_epoch, Duration timeout) {
  startListener();
  return signal_.waitFor(seen_epoch, timeout);
}

int PostgresStore::latestSchemaVersion() const { return migrations().back().version; }

Status PostgresStore::migrate() {
  return writer_->runStatus([](Conn& conn) -> Status {
    // Nodes starting at once queue here; each later one then finds the work done.
    if (Status s = conn.query("SELECT pg_advisory_xact_lock($1)", Params().int64(kMigrationLockKey)).status(); !s)
      return s;
    // A migration may read whole tables (backfills, ANALYZE): the planner's
    // usual choices, not the writer's key-probing ones (see open()).
    if (Status s = conn.exec("SET LOCAL enable_seqscan = on; SET LOCAL enable_hashjoin = on; "
                             "SET LOCAL enable_mergejoin = on");
        !s)
      return s;
    if (Status s =
            conn.exec("CREATE TABLE IF NOT EXISTS schema_migrations ("
                      "version integer PRIMARY KEY, description text NOT NULL, applied_at timestamptz NOT NULL)");
        !s)
      return s;
    auto current = conn.query("SELECT coalesce(max(version), 0) FROM schema_migrations");
    if (!current) return current.status();
    int64_t version = current->int64(0, 0);
    for (const Migration& m : migrations()) {
      if (m.version <= version) continue;
      if (Status s = conn.exec(m.sql); !s) {
        return Status::internal("migration " + std::to_string(m.version) + " failed: " + s.message());
      }
      Params p;
      p.int64(m.version).text(m.description).time(SystemClock().now());
      if (Status s =
              conn.query("INSERT INTO schema_migrations (version, description, applied_at) VALUES ($1, $2, $3)", p)
                  .status();
          !s)
        return s;
    }
    return Status::ok();
  });
}

Result<int> PostgresStore::schemaVersion() {
  return read<int>([](Conn& conn) -> Result<int> {
    auto exists = conn.query("SELECT to_regclass('schema_migrations') IS NOT NULL");
    if (!exists) return exists.status();
    if (!exists->boolean(0, 0)) return 0;
    auto version = conn.query("SELECT coalesce(max(version), 0) FROM schema_migrations");
    if (!version) return version.status();
    return static_cast<int>(version->int64(0, 0));
  });
}

Result<Job> PostgresStore::getJob(int64_t id) {
  return read<Job>([id](Conn& conn) -> Result<Job> {
    static const std::string sql = "SELECT " + kJobColumns + " FROM sync_jobs WHERE id = $1";
    auto rows = conn.query(sql, Params().int64(id));
    if (!rows) return rows.status();
    if (rows->empty()) return Status::notFound("job " + std::to_string(id) + " does not exist");
    return readJob(*rows, 0);
  });
}

Result<std::vector<JobEvent>> PostgresStore::jobEvents(int64_t id) {
  return read<std::vector<JobEvent>>([id](Conn& conn) -> Result<std::vector<JobEvent>> {
    static const std::string sql = "SELECT id, job_id, " + epochMs("at") +
                                   ", type, message, actor_type, actor_name FROM sync_job_events "
                                   "WHERE job_id = $1 ORDER BY id";
    auto rows = conn.query(sql, Params().int64(id));
    if (!rows) return rows.status();
    std::vector<JobEvent> events;
    for (int r = 0; r < rows->size(); ++r) {
      JobEvent e;
      e.id = rows->int64(r, 0);
      e.job_id = rows->int64(r, 1);
      e.at = rows->time(r, 2);
      e.type = rows->text(r, 3);
      e.message = rows->text(r, 4);
      e.actor.type = parseActorType(rows->text(r, 5)).value_or(ActorType::system);
      e.actor.name = rows->text(r, 6);
      events.push_back(std::move(e));
    }
    return events;
  });
}

Result<std::optional<TimePoint>> PostgresStore::nextRunAt(const std::vector<std::string>& queues) {
  return read<std::optional<TimePoint>>([&queues](Conn& conn) -> Result<std::optional<TimePoint>> {
    std::string sql = "SELECT " + epochMs("min(run_at)") + " FROM sync_jobs WHERE status = 'queued'";
    Params p;
    if (!queues.empty()) {
      sql += " AND queue = ANY($1)";
      p.textArray(queues);
    }
    auto rows = conn.query(sql, p);
    if (!rows) return rows.status();
    return rows->optTime(0, 0);
  });
}

}  // namespace snapq::pg
