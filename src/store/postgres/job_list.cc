// The audit log listing: filters, keyset pagination and status counts. How the
// counts are taken is shared with the SQLite driver (store/job_list_plan.h).
#include <algorithm>

#include "store/job_list_plan.h"
#include "store/postgres/job_rows.h"
#include "store/postgres/postgres_store.h"
#include "store/snapshot_plan.h"

namespace snapq::pg {
namespace {

using joblist::kCountScanLimit;

// Parameters of one statement: each call adds one and returns its placeholder.
struct Args {
  Params params;
  std::string text(std::string_view v) { return add(params.text(v)); }
  std::string texts(const std::vector<std::string>& v) { return add(params.textArray(v)); }
  std::string time(TimePoint t) { return add(params.time(t)); }
  std::string int64(int64_t v) { return add(params.int64(v)); }

 private:
  std::string add(Params&) { return "$" + std::to_string(params.size()); }
};

struct Terms {
  std::string sql;
  void add(const std::string& clause) {
    if (!clause.empty()) sql += (sql.empty() ? "" : " AND ") + clause;
  }
  std::string where(const std::string& extra = {}) const {
    std::string all = sql;
    if (!extra.empty()) all += (all.empty() ? "" : " AND ") + extra;
    return all.empty() ? "" : " WHERE " + all;
  }
};

std::string listTerm(Args& a, const std::string& column, const std::vector<std::string>& values) {
  if (values.empty()) return "";
  if (values.size() == 1) return column + " = " + a.text(values.front());
  return column + " = ANY(" + a.texts(values) + ")";
}

// The search: ILIKE on the three columns joined by U+001F, the expression of
// the trigram index (migration 5), is a match in one of them as long as q does
// not hold that character itself. The index holds finished jobs only, so the
// term carries its predicate. A q the index cannot draw trigrams from (it would
// match every entry), one holding U+001F, or a search among the few open jobs
// (read through their own partial indexes) checks each column on its own.
std::string searchTerm(Args& a, const std::string& q, bool indexed) {
  std::string p = a.text(snap::likePattern(q));
  if (!indexed || q.find('\x1f') != std::string::npos || !joblist::pgTrgmUsable(q)) {
    return "(target_id ILIKE " + p + " OR action ILIKE " + p + " OR error ILIKE " + p + ")";
  }
  const std::string joined = "(target_id || E'\\x1f' || action || E'\\x1f' || coalesce(error, ''))";
  if (std::string word = joblist::pgTrgmNarrowWord(q); !word.empty()) {
    // The index reads q's rarest word; the whole q is checked on the rows it
    // finds, through an expression the index does not serve (|| '').
    return joined + " ILIKE " + a.text(snap::likePattern(word)) + " AND (" + joined + " || '') ILIKE " + p +
           " AND " + kFinishedSql;
  }
  return joined + " ILIKE " + p + " AND " + kFinishedSql;
}

// Every filter but the statuses and the cursor.
Terms filterTerms(const JobFilter& f, Args& a, bool indexed_search = true) {
  Terms t;
  t.add(listTerm(a, "service", f.services));
  t.add(listTerm(a, "instance", f.instances));
  t.add(listTerm(a, "action", f.actions));
  t.add(listTerm(a, "actor_name", f.actors));
  std::vector<std::string> triggers;
  for (TriggerSource s : f.triggers) triggers.emplace_back(toString(s));
  t.add(listTerm(a, "trigger_source", triggers));
  if (!f.target_type.empty()) t.add("target_type = " + a.text(f.target_type));
  if (!f.target_id.empty()) t.add("target_id = " + a.text(f.target_id));
  if (!f.idempotency_key.empty()) t.add("idempotency_key = " + a.text(f.idempotency_key));
  if (!f.q.empty()) t.add(searchTerm(a, f.q, indexed_search));
  if (f.since) t.add("created_at >= " + a.time(*f.since));
  if (f.until) t.add("created_at < " + a.time(*f.until));
  return t;
}

// One status, spelled so the indexes that serve it apply: a finished status
// repeats the audit indexes' predicate, and the ones other than success
// sync_jobs_unsuccessful's too.
std::string statusTerm(JobStatus s) {
  std::string is = std::string("status = '") + toString(s) + "'";
  if (s == JobStatus::queued || s == JobStatus::running) return is;
  if (s == JobStatus::success) return is + " AND " + kFinishedSql;
  return is + " AND " + kFinishedSql + " AND status <> 'success'";
}

bool isOpen(JobStatus s) { return s == JobStatus::queued || s == JobStatus::running; }

// "(status = 'a' OR status = 'b') AND <finished>"; empty when none of them
// is finished.
std::string finishedTerm(const std::vector<JobStatus>& statuses) {
  std::string any;
  for (JobStatus s : statuses) {
    if (!isOpen(s)) any += std::string(any.empty() ? "" : " OR ") + "status = '" + toString(s) + "'";
  }
  return any.empty() ? "" : "(" + any + ") AND " + kFinishedSql;
}

Status readPage(Conn& conn, const JobFilter& f, JobPage& page) {
  Args a;
  const std::string limit = " LIMIT " + std::to_string(f.limit + 1);
  auto arm = [&](Terms t, const std::string& status) {
    if (f.before_id) t.add("id < " + a.int64(*f.before_id));
    return "SELECT " + kJobColumns + " FROM sync_jobs" + t.where(status) + " ORDER BY id DESC" + limit;
  };
  std::vector<std::string> arms;
  if (!f.q.empty()) {
    // A search: finished jobs through the trigram index, open ones (few)
    // through their own partial indexes.
    std::vector<JobStatus> statuses = f.statuses;
    if (statuses.empty()) statuses.assign(kAllJobStatuses.begin(), kAllJobStatuses.end());
    std::string finished = f.statuses.empty() ? kFinishedSql : finishedTerm(statuses);
    if (!finished.empty()) arms.push_back(arm(filterTerms(f, a), finished));
    for (JobStatus s : statuses) {
      if (isOpen(s)) arms.push_back(arm(filterTerms(f, a, false), statusTerm(s)));
    }
  } else if (!f.statuses.empty()) {
    // One arm per status, each reading its own index newest first.
    Terms t = filterTerms(f, a);
    for (JobStatus s : f.statuses) arms.push_back(arm(t, statusTerm(s)));
  } else if (Terms t = filterTerms(f, a); !t.sql.empty()) {
    // Filtered: finished jobs through the audit indexes, which hold no open
    // ones (migration 8), open ones through their own partial indexes.
    for (const std::string& part : kStatusPartsSql) arms.push_back(arm(t, part));
  } else {
    arms.push_back(arm(Terms{}, ""));  // newest first along the primary key
  }
  std::string sql = arms.front();
  if (arms.size() > 1) {  // merged, at most limit + 1 rows from each
    sql.clear();
    for (const std::string& one : arms) sql += std::string(sql.empty() ? "" : " UNION ALL ") + "(" + one + ")";
    sql = "SELECT * FROM (" + sql + ") arms ORDER BY id DESC" + limit;
  }
  auto rows = conn.query(sql, a.params);
  if (!rows) return rows.status();
  for (int r = 0; r < rows->size(); ++r) page.jobs.push_back(readJob(*rows, r));
  if (static_cast<int>(page.jobs.size()) > f.limit) {
    page.jobs.pop_back();
    page.next_before_id = page.jobs.back().id;
  }
  return Status::ok();
}

// The sync_job_counts rows of one span ("day" or "hour") over a range of bucket starts.
Terms bucketTerms(Args& a, const char* span, const joblist::TimeRange& r, const std::vector<std::string>& services) {
  Terms t;
  t.add(std::string("span = '") + span + "'");
  if (r.from) t.add("bucket >= " + a.time(*r.from));
  if (r.to) t.add("bucket < " + a.time(*r.to));
  t.add(listTerm(a, "service", services));
  return t;
}

// Finished jobs from sync_job_counts over whole days and hours, and from the
// jobs themselves at the ends of the window (under an hour each).
std::string counterParts(const JobFilter& f, Args& a) {
  std::string sql;
  joblist::CountSpans spans = joblist::countSpans(f.since, f.until);
  auto buckets = [&](const char* span, const joblist::TimeRange& r) {
    Terms t = bucketTerms(a, span, r, f.services);
    t.add(listTerm(a, "actor_name", f.actors));
    sql += " UNION ALL SELECT 'f', unnest(ARRAY['success', 'failed', 'conflict', 'skipped', 'cancelled']), "
           "unnest(ARRAY[coalesce(sum(success), 0), coalesce(sum(failed), 0), coalesce(sum(conflict), 0), "
           "coalesce(sum(skipped), 0), coalesce(sum(cancelled), 0)]) FROM sync_job_counts" + t.where();
  };
  for (const auto& r : spans.days) buckets("day", r);
  for (const auto& r : spans.hours) buckets("hour", r);
  for (const auto& r : spans.rows) {
    Terms t = filterTerms(joblist::edgeFilter(f, r), a);
    sql += " UNION ALL SELECT 'f', status, count(*) FROM sync_jobs" +
           t.where(kFinishedSql) + " GROUP BY status";
  }
  return sql;
}

// Filters the counters do not carry: kCountScanLimit of the matching jobs,
// whichever the planner reaches first (part 's'; their number tells whether
// there were more). Asking for the newest would make a wide search fetch and
// sort every match.
std::string scanPart(const JobFilter& f, Args& a) {
  Terms t = filterTerms(f, a);
  return " UNION ALL SELECT 's', status, count(*) FROM (SELECT status FROM sync_jobs" +
         t.where(kFinishedSql) + " LIMIT " + std::to_string(kCountScanLimit) +
         ") matched GROUP BY status";
}

// All counts in one round trip: open jobs exactly through their partial
// indexes (part 'o'), finished ones from the counters or the scan.
Status countStatuses(Conn& conn, const JobFilter& f, JobPage& page) {
  Args a;
  std::string sql;
  for (JobStatus s : {JobStatus::queued, JobStatus::running}) {
    Terms t = filterTerms(f, a, false);
    sql += std::string(sql.empty() ? "" : " UNION ALL ") + "SELECT 'o', '" + toString(s) + "', count(*) FROM sync_jobs" +
           t.where(statusTerm(s));
  }
  bool counters = joblist::countersServe(f);
  sql += counters ? counterParts(f, a) : scanPart(f, a);
  auto rows = conn.query(sql, a.params);
  if (!rows) return rows.status();
  int64_t scanned = 0;
  for (int r = 0; r < rows->size(); ++r) {
    std::string part = rows->text(r, 0);
    auto s = parseJobStatus(rows->text(r, 1));
    int64_t n = rows->int64(r, 2);
    if (part == "s") scanned += n;
    if (!s || (part != "o" && (*s == JobStatus::queued || *s == JobStatus::running))) continue;
    page.status_counts[*s] += n;
  }
  if (!counters) page.status_counts_exact = scanned < kCountScanLimit;
  return Status::ok();
}

Result<JobPage> listIn(Conn& conn, const JobFilter& filter) {
  JobPage page;
  for (JobStatus s : kAllJobStatuses) page.status_counts[s] = 0;
  if (Status s = readPage(conn, filter, page); !s) return s;
  if (!filter.with_counts) {
    page.status_counts.clear();
    return page;
  }
  if (joblist::countFromPage(filter, page)) return page;
  if (Status s = countStatuses(conn, filter, page); !s) return s;
  return page;
}

// The names of the actors with jobs in the query's window and services, each
// with the type of its newest job: finished jobs from the counters over whole
// days and hours and from the jobs at the ends of the window, open jobs (few)
// through their partial indexes.
Result<std::vector<Actor>> actorsIn(Conn& conn, const JobActorQuery& q) {
  Args a;
  std::string parts;
  auto part = [&](const std::string& sql) { parts += (parts.empty() ? "" : " UNION ") + sql; };
  joblist::CountSpans spans = joblist::countSpans(q.since, q.until);
  // A counter row is one shard of a bucket (migration 6) and may be non-zero
  // while the shards' sum is zero (a job counted in one, deleted through another).
  const std::string counted = " GROUP BY actor_name HAVING sum(success + failed + conflict + skipped + cancelled) > 0";
  for (const auto& r : spans.days) {
    part("SELECT actor_name FROM sync_job_counts" + bucketTerms(a, "day", r, q.services).where() + counted);
  }
  for (const auto& r : spans.hours) {
    part("SELECT actor_name FROM sync_job_counts" + bucketTerms(a, "hour", r, q.services).where() + counted);
  }
  JobFilter window;
  window.services = q.services;
  for (const auto& r : spans.rows) {
    part("SELECT actor_name FROM sync_jobs" +
         filterTerms(joblist::edgeFilter(window, r), a).where(kFinishedSql));
  }
  window.since = q.since;
  window.until = q.until;
  for (JobStatus open_status : {JobStatus::queued, JobStatus::running}) {
    part("SELECT actor_name FROM sync_jobs" + filterTerms(window, a).where(statusTerm(open_status)));
  }
  // The newest of the actor's jobs: the newest of each status part's.
  std::string newest = unionOfStatusParts([](const std::string& part) {
    return "(SELECT id, actor_type FROM sync_jobs j WHERE j.actor_name = n.actor_name AND " + part +
           " ORDER BY id DESC LIMIT 1)";
  });
  const std::string newest_type = "(SELECT actor_type FROM (" + newest + ") newest ORDER BY id DESC LIMIT 1)";
  auto rows = conn.query("SELECT n.actor_name, " + newest_type + " FROM (" + parts + ") n", a.params);
  if (!rows) return rows.status();
  std::vector<Actor> actors;
  for (int r = 0; r < rows->size(); ++r) {
    actors.push_back({parseActorType(rows->text(r, 1)).value_or(ActorType::system), rows->text(r, 0)});
  }
  // Bytewise, as the SQLite driver sorts (a collation would depend on the database's locale).
  std::sort(actors.begin(), actors.end(), [](const Actor& x, const Actor& y) { return x.name < y.name; });
  return actors;
}

}  // namespace

Result<std::vector<Actor>> PostgresStore::listJobActors(const JobActorQuery& query) {
  return read<std::vector<Actor>>([&query](Conn& conn) { return actorsIn(conn, query); });
}

Result<JobPage> PostgresStore::listJobs(const JobFilter& filter) {
  if (filter.limit < 1 || filter.limit > 1000) return Status::invalidArgument("limit must be between 1 and 1000");
  return read<JobPage>([&filter](Conn& conn) -> Result<JobPage> {
    // One snapshot for both queries, so the page and its counts agree. Plans
    // are made for each call's values: a generic plan cannot tell a rare
    // search text from a common one, or which partial index applies.
    if (Status s = conn.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; "
                             "SET LOCAL plan_cache_mode = force_custom_plan");
        !s)
      return s;
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
