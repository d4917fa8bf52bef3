// The audit log listing: filters, keyset pagination, and status counts.
#include "store/postgres/job_rows.h"
#include "store/postgres/postgres_store.h"

namespace snapq::pg {
namespace {

// WHERE clauses and their typed parameters, built from a filter.
struct Where {
  std::string sql;
  Params params;

  void add(const std::string& clause) { sql += (sql.empty() ? " WHERE " : " AND ") + clause; }
  std::string next() const { return "$" + std::to_string(params.size() + 1); }
  void addList(const std::string& column, const std::vector<std::string>& values) {
    if (values.empty()) return;
    add(column + " = ANY(" + next() + ")");
    params.textArray(values);
  }
};

// ILIKE's escape character is the backslash: wildcards in the search text are literal.
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
  if (!f.target_type.empty()) {
    w.add("target_type = " + w.next());
    w.params.text(f.target_type);
  }
  if (!f.target_id.empty()) {
    w.add("target_id = " + w.next());
    w.params.text(f.target_id);
  }
  if (!f.idempotency_key.empty()) {
    w.add("idempotency_key = " + w.next());
    w.params.text(f.idempotency_key);
  }
  if (!f.q.empty()) {
    std::string p = w.next();
    w.add("(target_id ILIKE " + p + " OR action ILIKE " + p + " OR error ILIKE " + p + ")");
    w.params.text(likeEscaped(f.q));
  }
  if (f.since) {
    w.add("created_at >= " + w.next());
    w.params.time(*f.since);
  }
  if (f.until) {
    w.add("created_at < " + w.next());
    w.params.time(*f.until);
  }
  return w;
}

Result<JobPage> listIn(Conn& conn, const JobFilter& filter) {
  JobPage page;
  Where w = buildWhere(filter, true);
  if (filter.before_id) {
    w.add("id < " + w.next());
    w.params.int64(*filter.before_id);
  }
  auto rows = conn.query("SELECT " + kJobColumns + " FROM sync_jobs" + w.sql + " ORDER BY id DESC LIMIT " +
                             std::to_string(filter.limit + 1),
                         w.params);
  if (!rows) return rows.status();
  for (int r = 0; r < rows->size(); ++r) page.jobs.push_back(readJob(*rows, r));
  if (static_cast<int>(page.jobs.size()) > filter.limit) {
    page.jobs.pop_back();
    page.next_before_id = page.jobs.back().id;
  }

  Where cw = buildWhere(filter, false);
  auto counts = conn.query("SELECT status, count(*) FROM sync_jobs" + cw.sql + " GROUP BY status", cw.params);
  if (!counts) return counts.status();
  for (JobStatus s : kAllJobStatuses) page.status_counts[s] = 0;
  for (int r = 0; r < counts->size(); ++r) {
    if (auto s = parseJobStatus(counts->text(r, 0))) page.status_counts[*s] = counts->int64(r, 1);
  }
  return page;
}

}  // namespace

Result<JobPage> PostgresStore::listJobs(const JobFilter& filter) {
  if (filter.limit < 1 || filter.limit > 1000) return Status::invalidArgument("limit must be between 1 and 1000");
  return read<JobPage>([&filter](Conn& conn) -> Result<JobPage> {
    // One snapshot for both queries, so the page and its counts agree.
    if (Status s = conn.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"); !s) return s;
    conn.pin(true);
    auto page = listIn(conn, filter);
    Status end = conn.exec(page ? "COMMIT" : "ROLLBACK");
    conn.pin(false);
    if (!page) return page;
    if (!end) return end;
    return page;
  });
}

}  // namespace snapq::pg
