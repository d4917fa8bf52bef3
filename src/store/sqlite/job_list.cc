// The audit log listing: filters, keyset pagination, and status counts.
#include <nlohmann/json.hpp>

#include "store/sqlite/job_rows.h"
#include "store/sqlite/sqlite_store.h"

namespace snapq::sqlite {
namespace {

// WHERE clauses and their parameters, built from a filter.
struct Where {
  std::string sql;
  std::vector<std::string> params;  // bound as text, in order

  void add(const std::string& clause) { sql += (sql.empty() ? " WHERE " : " AND ") + clause; }
  void addParam(const std::string& clause, std::string value) {
    params.push_back(std::move(value));
    add(clause);
  }
  std::string next() const { return "?" + std::to_string(params.size() + 1); }
  void addList(const std::string& column, const std::vector<std::string>& values) {
    if (values.empty()) return;
    std::string p = next();
    addParam(column + " IN (SELECT value FROM json_each(" + p + "))", jsonArray(values));
  }
};

std::string likeEscaped(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  return "%" + out + "%";
}

Where buildWhere(const JobFilter& f, bool with_status) {
  Where w;
  w.addList("service", f.services);
  w.addList("instance", f.instances);
  w.addList("action", f.actions);
  w.addList("actor_name", f.actors);
  if (!f.triggers.empty()) {
    std::vector<std::string> names;
    for (TriggerSource t : f.triggers) names.emplace_back(toString(t));
    w.addList("trigger_source", names);
  }
  if (with_status && !f.statuses.empty()) {
    std::vector<std::string> names;
    for (JobStatus s : f.statuses) names.emplace_back(toString(s));
    w.addList("status", names);
  }
  if (!f.target_type.empty()) w.addParam("target_type = " + w.next(), f.target_type);
  if (!f.target_id.empty()) w.addParam("target_id = " + w.next(), f.target_id);
  if (!f.idempotency_key.empty()) w.addParam("idempotency_key = " + w.next(), f.idempotency_key);
  if (!f.q.empty()) {
    std::string p = w.next();
    w.addParam("(target_id LIKE " + p + " ESCAPE '\\' OR action LIKE " + p + " ESCAPE '\\' OR error LIKE " + p +
                   " ESCAPE '\\')",
               likeEscaped(f.q));
  }
  if (f.since) w.addParam("created_at >= " + w.next(), iso(*f.since));
  if (f.until) w.addParam("created_at < " + w.next(), iso(*f.until));
  return w;
}

void bindAll(Stmt& stmt, const std::vector<std::string>& params) {
  for (size_t i = 0; i < params.size(); ++i) stmt.bind(static_cast<int>(i + 1), params[i]);
}

}  // namespace

Result<JobPage> SqliteStore::listJobs(const JobFilter& filter) {
  if (filter.limit < 1 || filter.limit > 1000) return Status::invalidArgument("limit must be between 1 and 1000");
  auto db = reader();
  if (Status s = db->execCached("BEGIN"); !s) return s;  // one consistent view for both queries
  struct Commit {
    Db& db;
    ~Commit() { (void)db.execCached("COMMIT"); }
  } commit{*db};

  JobPage page;
  Where w = buildWhere(filter, true);
  if (filter.before_id) w.addParam("id < CAST(" + w.next() + " AS INTEGER)", std::to_string(*filter.before_id));
  auto stmt = db->prepare("SELECT " + kJobColumns + " FROM sync_jobs" + w.sql + " ORDER BY id DESC LIMIT " +
                          std::to_string(filter.limit + 1));
  if (!stmt) return stmt.status();
  bindAll(**stmt, w.params);
  while (true) {
    auto row = (*stmt)->step();
    if (!row) return row.status();
    if (!*row) break;
    page.jobs.push_back(readJob(**stmt));
  }
  if (static_cast<int>(page.jobs.size()) > filter.limit) {
    page.jobs.pop_back();
    page.next_before_id = page.jobs.back().id;
  }

  Where cw = buildWhere(filter, false);
  auto counts = db->prepare("SELECT status, count(*) FROM sync_jobs" + cw.sql + " GROUP BY status");
  if (!counts) return counts.status();
  bindAll(**counts, cw.params);
  for (JobStatus s : kAllJobStatuses) page.status_counts[s] = 0;
  while (true) {
    auto row = (*counts)->step();
    if (!row) return row.status();
    if (!*row) break;
    if (auto s = parseJobStatus((*counts)->text(0))) page.status_counts[*s] = (*counts)->int64(1);
  }
  return page;
}

}  // namespace snapq::sqlite
