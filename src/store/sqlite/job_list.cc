// The audit log listing: filters, keyset pagination and status counts. How the
// counts are taken is shared with the PostgreSQL driver (store/job_list_plan.h).
#include <algorithm>
#include <functional>
#include <set>
#include <tuple>

#include "store/job_list_plan.h"
#include "store/snapshot_plan.h"
#include "store/sqlite/job_rows.h"
#include "store/sqlite/sqlite_store.h"

namespace snapq::sqlite {
namespace {

using joblist::kCountScanLimit;

// WHERE terms over `sync_jobs j` and their parameters (bound as text, in order).
struct Where {
  std::string sql;
  std::vector<std::string> params;

  void add(const std::string& clause) { sql += (sql.empty() ? "" : " AND ") + clause; }
  std::string next() const { return "?" + std::to_string(params.size() + 1); }
  void addParam(const std::string& clause, std::string value) {
    params.push_back(std::move(value));
    add(clause);
  }
  // A parameter for a term the caller places itself; returns its placeholder.
  std::string param(std::string value) {
    std::string p = next();
    params.push_back(std::move(value));
    return p;
  }
  void addList(const std::string& column, const std::vector<std::string>& values) {
    if (values.empty()) return;
    if (values.size() == 1) return addParam(column + " = " + next(), values.front());
    addParam(column + " IN (SELECT value FROM json_each(" + next() + "))", jsonArray(values));
  }
  std::string clause(const std::string& extra = {}) const {
    std::string all = sql;
    if (!extra.empty()) all += (all.empty() ? "" : " AND ") + extra;
    return all.empty() ? "" : " WHERE " + all;
  }
};

std::string asciiLower(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

// Every filter but the statuses and the cursor. q is matched as a substring here in
// any case: the trigram index only narrows the candidates down.
Where filterWhere(const JobFilter& f) {
  Where w;
  w.addList("j.service", f.services);
  w.addList("j.instance", f.instances);
  w.addList("j.action", f.actions);
  w.addList("j.actor_name", f.actors);
  std::vector<std::string> triggers;
  for (TriggerSource t : f.triggers) triggers.emplace_back(toString(t));
  w.addList("j.trigger_source", triggers);
  if (!f.target_type.empty()) w.addParam("j.target_type = " + w.next(), f.target_type);
  if (!f.target_id.empty()) w.addParam("j.target_id = " + w.next(), f.target_id);
  if (!f.idempotency_key.empty()) w.addParam("j.idempotency_key = " + w.next(), f.idempotency_key);
  if (!f.q.empty()) {
    // What LIKE '%q%' means (literal, ASCII case folded, as SQLite's lower()
    // folds) at a third of its cost: it runs on every candidate row.
    std::string p = w.next();
    w.addParam("(instr(lower(j.target_id), " + p + ") OR instr(lower(j.action), " + p + ") OR instr(lower(j.error), " +
                   p + "))",
               asciiLower(f.q));
  }
  if (f.since) w.addParam("j.created_at >= " + w.next(), iso(*f.since));
  if (f.until) w.addParam("j.created_at < " + w.next(), iso(*f.until));
  return w;
}

std::string jobColumns() {
  static const std::string prefixed = [] {
    std::string out = "j.";
    for (char c : kJobColumns) {
      out += c;
      if (c == ' ') out += "j.";
    }
    return out;
  }();
  return prefixed;
}

// The SQL that picks one status with the index that serves it. Open jobs are
// read through their partial indexes (few rows, sorted afterwards); the rarer
// finished statuses through sync_jobs_unsuccessful, whose predicate the query
// repeats so SQLite knows it applies; successes are most rows, read in id order.
struct StatusAccess {
  std::string indexed_by;
  std::string terms;
};
StatusAccess statusAccess(JobStatus s) {
  std::string is = std::string("j.status = '") + toString(s) + "'";
  switch (s) {
    case JobStatus::queued: return {" INDEXED BY sync_jobs_claim", is};
    case JobStatus::running: return {" INDEXED BY sync_jobs_running", is};
    case JobStatus::success: return {"", is};
    default: return {"", is + " AND j.status != 'queued' AND j.status != 'running' AND j.status != 'success'"};
  }
}

template <typename Fn>
Status eachRow(Db& db, const std::string& sql, const std::vector<std::string>& params, Fn&& fn) {
  auto stmt = db.prepare(sql);
  if (!stmt) return stmt.status();
  for (size_t i = 0; i < params.size(); ++i) (*stmt)->bind(static_cast<int>(i + 1), params[i]);
  while (true) {
    auto row = (*stmt)->step();
    if (!row) {
      (*stmt)->reset();
      return row.status();
    }
    if (!*row) break;
    fn(**stmt);
  }
  (*stmt)->reset();
  return Status::ok();
}

// The FTS5 query for q: the (at most three) trigrams of q that are rarest among
// the newest 16384 jobs. An AND over common trigrams costs milliseconds in FTS5
// while adding little, and any subset of q's trigrams still finds every match.
// The choice is kept for the next calls with the same q (search_cache.h).
Result<std::string> searchTerms(Db& db, SearchTermCache& cache, const std::string& q) {
  std::vector<std::string> all = joblist::trigrams(q, 8);
  if (all.empty()) return std::string();
  int64_t newest = 0;
  if (Status s = eachRow(db, "SELECT coalesce(max(id), 0) FROM sync_jobs", {}, [&](Stmt& r) { newest = r.int64(0); });
      !s)
    return s;
  if (auto kept = cache.find(q, newest)) return *kept;
  constexpr int kProbeCap = 1024;
  std::vector<std::pair<int64_t, std::string>> seen;
  for (const std::string& t : all) {
    std::string term = joblist::fts5Query(t);
    int64_t n = 0;
    Status s = eachRow(db,
                       "SELECT count(*) FROM (SELECT 1 FROM sync_jobs_search WHERE sync_jobs_search MATCH ?1 "
                       "AND rowid > CAST(?2 AS INTEGER) LIMIT " + std::to_string(kProbeCap) + ")",
                       {term, std::to_string(newest - 16384)}, [&](Stmt& r) { n = r.int64(0); });
    if (!s) return s;
    seen.emplace_back(n, term);
  }
  std::stable_sort(seen.begin(), seen.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string query = seen.front().second;
  for (size_t i = 1; i < seen.size() && i < 3 && seen[i].first < kProbeCap; ++i) query += " AND " + seen[i].second;
  cache.put(q, newest, query);
  return query;
}

// The statuses the filter asks for, or all of them.
std::vector<JobStatus> wanted(const JobFilter& f) {
  return f.statuses.empty() ? std::vector<JobStatus>(kAllJobStatuses.begin(), kAllJobStatuses.end()) : f.statuses;
}

bool isOpen(JobStatus s) { return s == JobStatus::queued || s == JobStatus::running; }

// "(j.status = 'a' OR j.status = 'b')"; all finished ones as "not open".
std::string finishedTerm(const std::vector<JobStatus>& statuses) {
  std::string any;
  int n = 0;
  for (JobStatus s : statuses) {
    if (isOpen(s)) continue;
    any += std::string(any.empty() ? "" : " OR ") + "j.status = '" + toString(s) + "'";
    ++n;
  }
  if (n == static_cast<int>(joblist::kFinishedStatuses.size())) return "j.status != 'queued' AND j.status != 'running'";
  return n == 0 ? "" : "(" + any + ")";
}

// Finished jobs through the search index (it holds those only), newest first.
// `floor` (a placeholder, optional): only ids above it.
std::string searchArm(const std::string& columns, const Where& w, const std::string& match,
                      const std::string& finished, const std::string& cursor, const std::string& limit,
                      const std::string& floor = "") {
  std::string terms = "s.sync_jobs_search MATCH " + match + " AND " + finished;
  if (!cursor.empty()) terms += " AND s.rowid < CAST(" + cursor + " AS INTEGER)";
  if (!floor.empty()) terms += " AND s.rowid > CAST(" + floor + " AS INTEGER)";
  return "SELECT " + columns + " FROM sync_jobs_search s CROSS JOIN sync_jobs j ON j.id = s.rowid" +
         w.clause(terms) + " ORDER BY s.rowid DESC" + limit;
}

// One status through the index that serves it, newest first.
std::string statusArm(JobStatus s, const Where& w, const std::string& cursor, const std::string& limit,
                      const std::string& floor = "") {
  StatusAccess a = statusAccess(s);
  std::string terms = a.terms;
  if (!cursor.empty()) terms += " AND j.id < CAST(" + cursor + " AS INTEGER)";
  if (!floor.empty()) terms += " AND j.id > CAST(" + floor + " AS INTEGER)";
  return "SELECT " + jobColumns() + " FROM sync_jobs j" + a.indexed_by + w.clause(terms) + " ORDER BY j.id DESC" +
         limit;
}

// `terms`: the FTS5 query of f.q (searchTerms), empty when q is shorter than a trigram.
Status readPage(Db& db, const JobFilter& f, const std::string& terms, JobPage& page) {
  Where w = filterWhere(f);
  std::string cursor;
  if (f.before_id) cursor = w.param(std::to_string(*f.before_id));
  const std::string limit = " LIMIT " + std::to_string(f.limit + 1);
  // Several arms (a search, a list of statuses): at most limit + 1 rows each,
  // merged here. A UNION ALL with an outer ORDER BY made SQLite copy every
  // arm's full rows (payload and result) through temporary B-trees: more than
  // the arms cost themselves. Once the arms read so far hold limit + 1 rows,
  // the next ones only need ids above the newest limit + 1 (`floor`): the
  // open jobs' arms then match q on a few rows, not on every open job.
  std::vector<std::function<std::string(const std::string& floor)>> arms;
  if (!terms.empty()) {
    // A search: finished jobs through the trigram index, open ones (few)
    // through their own partial indexes; the substring match decides in every arm.
    std::string match = w.param(terms);
    std::vector<JobStatus> statuses = wanted(f);
    if (std::string finished = finishedTerm(statuses); !finished.empty()) {
      arms.push_back([=, &w](const std::string& floor) {
        return searchArm(jobColumns(), w, match, finished, cursor, limit, floor);
      });
    }
    for (JobStatus s : statuses) {
      if (isOpen(s)) arms.push_back([=, &w](const std::string& floor) { return statusArm(s, w, cursor, limit, floor); });
    }
  } else if (!f.statuses.empty()) {
    for (JobStatus s : f.statuses) {
      arms.push_back([=, &w](const std::string& floor) { return statusArm(s, w, cursor, limit, floor); });
    }
  } else {
    arms.push_back([&](const std::string&) {
      return "SELECT " + jobColumns() + " FROM sync_jobs j" +
             w.clause(cursor.empty() ? "" : "j.id < CAST(" + cursor + " AS INTEGER)") + " ORDER BY j.id DESC" + limit;
    });
  }
  std::string floor;
  size_t floor_param = 0;
  if (arms.size() > 1) {
    floor = w.param("0");
    floor_param = w.params.size() - 1;
  }
  const size_t keep = static_cast<size_t>(f.limit) + 1;
  // Every arm gets all the parameters; one that does not use the last ones
  // ignores them (SQLITE_RANGE).
  for (const auto& arm : arms) {
    if (Status s = eachRow(db, arm(floor), w.params, [&](Stmt& r) { page.jobs.push_back(readJob(r)); }); !s) return s;
    if (!floor.empty() && page.jobs.size() >= keep) {
      std::vector<int64_t> ids;
      for (const Job& j : page.jobs) ids.push_back(j.id);
      std::nth_element(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(keep - 1), ids.end(), std::greater<>());
      w.params[floor_param] = std::to_string(ids[keep - 1]);
    }
  }
  if (arms.size() > 1) {
    std::sort(page.jobs.begin(), page.jobs.end(), [](const Job& a, const Job& b) { return a.id > b.id; });
    if (page.jobs.size() > static_cast<size_t>(f.limit) + 1) page.jobs.resize(static_cast<size_t>(f.limit) + 1);
  }
  if (static_cast<int>(page.jobs.size()) > f.limit) {
    page.jobs.pop_back();
    page.next_before_id = page.jobs.back().id;
  }
  return Status::ok();
}

// Queued and running: exact, through the partial indexes of open jobs.
Status countOpen(Db& db, const JobFilter& f, JobPage& page) {
  Where w = filterWhere(f);
  for (JobStatus s : {JobStatus::queued, JobStatus::running}) {
    StatusAccess a = statusAccess(s);
    Status st = eachRow(db, "SELECT count(*) FROM sync_jobs j" + a.indexed_by + w.clause(a.terms), w.params,
                        [&](Stmt& r) { page.status_counts[s] = r.int64(0); });
    if (!st) return st;
  }
  return Status::ok();
}

void tally(JobPage& page, const std::string& status, int64_t n) {
  if (auto s = parseJobStatus(status); s && *s != JobStatus::queued && *s != JobStatus::running) {
    page.status_counts[*s] += n;
  }
}

// The sync_job_counts rows of one span ("day" or "hour", whose buckets are
// created_at's first `prefix` characters) over a range of bucket starts.
Where bucketWhere(const char* span, const joblist::TimeRange& r, size_t prefix,
                  const std::vector<std::string>& services) {
  Where w;
  w.params = {span, r.from ? iso(*r.from).substr(0, prefix) : "", r.to ? iso(*r.to).substr(0, prefix) : "~"};
  w.add("span = ?1 AND bucket >= ?2 AND bucket < ?3");
  w.addList("service", services);
  return w;
}

// Finished jobs from sync_job_counts: whole days and hours from its rows, the
// ends of the window (under an hour each) from the jobs themselves.
Status countFinishedFromCounters(Db& db, const JobFilter& f, JobPage& page) {
  joblist::CountSpans spans = joblist::countSpans(f.since, f.until);
  auto bucketCounts = [&](const char* span, const joblist::TimeRange& r, size_t prefix) {
    Where w = bucketWhere(span, r, prefix, f.services);
    w.addList("actor_name", f.actors);
    return eachRow(db,
                   "SELECT coalesce(sum(success), 0), coalesce(sum(failed), 0), coalesce(sum(conflict), 0), "
                   "coalesce(sum(skipped), 0), coalesce(sum(cancelled), 0) FROM sync_job_counts" + w.clause(),
                   w.params, [&](Stmt& row) {
                     for (size_t i = 0; i < joblist::kFinishedStatuses.size(); ++i) {
                       page.status_counts[joblist::kFinishedStatuses[i]] += row.int64(static_cast<int>(i));
                     }
                   });
  };
  for (const auto& r : spans.days) {
    if (Status s = bucketCounts("day", r, 10); !s) return s;
  }
  for (const auto& r : spans.hours) {
    if (Status s = bucketCounts("hour", r, 13); !s) return s;
  }
  for (const auto& r : spans.rows) {
    Where w = filterWhere(joblist::edgeFilter(f, r));
    Status s = eachRow(db,
                       "SELECT j.status, count(*) FROM sync_jobs j INDEXED BY sync_jobs_created" +
                           w.clause("j.status != 'queued' AND j.status != 'running'") + " GROUP BY j.status",
                       w.params, [&](Stmt& row) { tally(page, row.text(0), row.int64(1)); });
    if (!s) return s;
  }
  return Status::ok();
}

// Filters the counters do not carry: the newest kCountScanLimit matching
// finished jobs (the open ones were counted exactly).
Status countFinishedByScan(Db& db, const JobFilter& f, const std::string& terms, JobPage& page) {
  Where w = filterWhere(f);
  const std::string limit = " LIMIT " + std::to_string(kCountScanLimit);
  const std::string finished = "j.status != 'queued' AND j.status != 'running'";
  std::string sql;
  if (!terms.empty()) {
    std::string match = w.param(terms);
    sql = searchArm("j.status", w, match, finished, "", limit);
  } else {
    sql = "SELECT j.status FROM sync_jobs j" + w.clause(finished) + " ORDER BY j.id DESC" + limit;
  }
  int64_t seen = 0;
  Status s = eachRow(db, sql, w.params, [&](Stmt& row) {
    ++seen;
    tally(page, row.text(0), 1);
  });
  page.status_counts_exact = seen < kCountScanLimit;
  return s;
}

// Names of the actors with jobs in the query's window and services: finished
// jobs from the counters over whole days and hours and from the jobs at the
// ends of the window, open jobs (few) through their partial indexes.
Status actorNames(Db& db, const JobActorQuery& q, std::set<std::string>& names) {
  auto collect = [&](const std::string& sql, const Where& w) {
    return eachRow(db, sql, w.params, [&](Stmt& r) { names.insert(r.text(0)); });
  };
  joblist::CountSpans spans = joblist::countSpans(q.since, q.until);
  for (auto [span, ranges, prefix] : {std::tuple{"day", &spans.days, size_t{10}}, {"hour", &spans.hours, size_t{13}}}) {
    for (const joblist::TimeRange& r : *ranges) {
      Where w = bucketWhere(span, r, prefix, q.services);
      if (Status s = collect("SELECT DISTINCT actor_name FROM sync_job_counts" + w.clause(), w); !s) return s;
    }
  }
  JobFilter window;
  window.services = q.services;
  for (const joblist::TimeRange& r : spans.rows) {
    Where w = filterWhere(joblist::edgeFilter(window, r));
    Status s = collect("SELECT DISTINCT j.actor_name FROM sync_jobs j INDEXED BY sync_jobs_created" +
                           w.clause("j.status != 'queued' AND j.status != 'running'"),
                       w);
    if (!s) return s;
  }
  window.since = q.since;
  window.until = q.until;
  Where w = filterWhere(window);
  for (JobStatus open_status : {JobStatus::queued, JobStatus::running}) {
    StatusAccess a = statusAccess(open_status);
    if (Status s = collect("SELECT DISTINCT j.actor_name FROM sync_jobs j" + a.indexed_by + w.clause(a.terms), w); !s) {
      return s;
    }
  }
  return Status::ok();
}

}  // namespace

Result<std::vector<Actor>> SqliteStore::listJobActors(const JobActorQuery& query) {
  auto db = reader();
  if (Status s = db->execCached("BEGIN"); !s) return s;
  struct Commit {
    Db& db;
    ~Commit() { (void)db.execCached("COMMIT"); }
  } commit{*db};
  std::set<std::string> names;  // sorted by name, bytewise
  if (Status s = actorNames(*db, query, names); !s) return s;
  std::vector<Actor> actors;
  for (const std::string& name : names) {
    Actor a{ActorType::system, name};
    Status s = eachRow(*db,
                       "SELECT actor_type FROM sync_jobs INDEXED BY sync_jobs_actor WHERE actor_name = ?1 "
                       "ORDER BY id DESC LIMIT 1",
                       {name}, [&](Stmt& r) { a.type = parseActorType(r.text(0)).value_or(ActorType::system); });
    if (!s) return s;
    actors.push_back(std::move(a));
  }
  return actors;
}

Result<JobPage> SqliteStore::listJobs(const JobFilter& filter) {
  if (filter.limit < 1 || filter.limit > 1000) return Status::invalidArgument("limit must be between 1 and 1000");
  auto db = reader();
  if (Status s = db->execCached("BEGIN"); !s) return s;  // one consistent view for the page and its counts
  struct Commit {
    Db& db;
    ~Commit() { (void)db.execCached("COMMIT"); }
  } commit{*db};

  JobPage page;
  for (JobStatus s : kAllJobStatuses) page.status_counts[s] = 0;
  // Chosen once: the page and the count then read the same candidates.
  std::string terms;
  if (joblist::codePoints(filter.q) >= 3) {
    auto chosen = searchTerms(*db, search_terms_, filter.q);
    if (!chosen) return chosen.status();
    terms = std::move(*chosen);
  }
  if (Status s = readPage(*db, filter, terms, page); !s) return s;
  if (!filter.with_counts) {
    page.status_counts.clear();
    return page;
  }
  if (joblist::countFromPage(filter, page)) return page;
  int64_t version = 0;  // read inside the transaction: the version of what it reads
  if (Status s = eachRow(*db, "PRAGMA data_version", {}, [&](Stmt& r) { version = r.int64(0); }); !s) return s;
  const std::string key = StatusCountCache::keyOf(filter);
  if (auto kept = status_counts_.find(&*db, version, key)) {
    page.status_counts = std::move(kept->counts);
    page.status_counts_exact = kept->exact;
    return page;
  }
  if (Status s = countOpen(*db, filter, page); !s) return s;
  Status counted = joblist::countersServe(filter) ? countFinishedFromCounters(*db, filter, page)
                                                  : countFinishedByScan(*db, filter, terms, page);
  if (!counted) return counted;
  status_counts_.put(&*db, version, key, {page.status_counts, page.status_counts_exact});
  return page;
}

}  // namespace snapq::sqlite
