// Audit log listing benchmark: Store::listJobs (the page and its status_counts;
// the actors_* lines time Store::listJobActors, the user filter's choices)
// on a large sync_jobs table, per query type the UI sends. The database is
// filled once (bench/jobs_fill.cc, inside the database) unless it already holds
// the jobs; then every query type runs --rounds times, one call at a time, and
// one JSON line per query type goes to stdout with p50/p99 in milliseconds.
//
//   jobs_list_bench --db sqlite:PATH|postgres://URL [--jobs 1000000] [--days 30]
//                   [--rounds 200] [--queries LIST] [--fill-only] [--no-migrate] [--label TEXT]
//
// --fill-only fills (migrating first) and exits: bench/http_bench.sh uses it to
// give `snapq serve` a million jobs. --no-migrate leaves the schema as it is
// (to fill or measure a database of an older build).
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "jobs_fill.h"
#include "snapq/store.h"

namespace {

using snapq::JobFilter;
using snapq::JobStatus;
using Json = nlohmann::ordered_json;
using Clock = std::chrono::steady_clock;

struct Options {
  std::string db;
  int64_t jobs = 1'000'000;
  int days = 30;
  int rounds = 200;
  std::vector<std::string> queries;  // empty: all
  bool fill_only = false;
  bool migrate = true;
  std::string label;
};

[[noreturn]] void usage(const std::string& error = {}) {
  if (!error.empty()) std::cerr << "jobs_list_bench: " << error << "\n";
  std::cerr << "usage: jobs_list_bench --db sqlite:PATH|postgres://URL [--jobs N] [--days N] [--rounds N]\n"
               "                       [--queries LIST] [--fill-only] [--no-migrate] [--label TEXT]\n";
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) usage(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--db") {
      o.db = next();
    } else if (arg == "--jobs") {
      o.jobs = std::atoll(next().c_str());
    } else if (arg == "--days") {
      o.days = std::atoi(next().c_str());
    } else if (arg == "--rounds") {
      o.rounds = std::atoi(next().c_str());
    } else if (arg == "--queries") {
      std::stringstream in(next());
      for (std::string q; std::getline(in, q, ',');) {
        if (!q.empty()) o.queries.push_back(q);
      }
    } else if (arg == "--fill-only") {
      o.fill_only = true;
    } else if (arg == "--no-migrate") {
      o.migrate = false;
    } else if (arg == "--label") {
      o.label = next();
    } else {
      usage("unknown argument " + arg);
    }
  }
  if (o.db.empty()) usage("--db is required");
  if (o.jobs < 1000 || o.days < 1 || o.rounds < 1) usage("--jobs >= 1000, --days >= 1, --rounds >= 1");
  return o;
}

[[noreturn]] void fail(const std::string& what, const snapq::Status& s) {
  std::cerr << "jobs_list_bench: " << what << ": " << s.toString() << "\n";
  std::exit(1);
}

double loadAverage1() {
  double l = -1;
  std::ifstream in("/proc/loadavg");
  in >> l;
  return l;
}

std::string utcNow() {
  std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

Json machineInfo() {
  utsname u{};
  uname(&u);
  std::string cpu = "unknown";
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("model name", 0) == 0 && line.find(':') != std::string::npos) {
      cpu = line.substr(line.find(':') + 2);
      break;
    }
  }
  return {{"nproc", static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN))}, {"cpu", cpu}, {"kernel", u.release}};
}

// One query type: a filter, possibly different each round (cursor, search text).
struct Query {
  std::string name;
  std::function<JobFilter(int round)> filter;
};

std::vector<Query> queries(snapq::TimePoint now, int64_t jobs) {
  using snapq::Duration;
  const auto day = Duration(86'400'000);
  auto since = [now, day](int days) { return now - day * days; };
  // A deep page: a cursor somewhere in the older 90% of the table.
  auto deep = [jobs](int round) { return jobs / 10 + (static_cast<int64_t>(round) * 7919) % (jobs * 9 / 10); };
  std::vector<Query> all;
  all.push_back({"none_page1", [](int) { return JobFilter{}; }});
  all.push_back({"none_deep", [deep](int r) {
                   JobFilter f;
                   f.before_id = deep(r);
                   return f;
                 }});
  all.push_back({"status_failed_conflict", [](int) {
                   JobFilter f;
                   f.statuses = {JobStatus::failed, JobStatus::conflict};
                   return f;
                 }});
  all.push_back({"status_failed_conflict_deep", [deep](int r) {
                   JobFilter f;
                   f.statuses = {JobStatus::failed, JobStatus::conflict};
                   f.before_id = deep(r);
                   return f;
                 }});
  all.push_back({"status_queued", [](int) {
                   JobFilter f;
                   f.statuses = {JobStatus::queued};
                   return f;
                 }});
  all.push_back({"service", [](int) {
                   JobFilter f;
                   f.services = {"cloudflare"};
                   return f;
                 }});
  all.push_back({"service_deep", [deep](int r) {
                   JobFilter f;
                   f.services = {"cloudflare"};
                   f.before_id = deep(r);
                   return f;
                 }});
  all.push_back({"since_7d", [since](int) {
                   JobFilter f;
                   f.since = since(7);
                   return f;
                 }});
  all.push_back({"since_24h", [since](int) {
                   JobFilter f;
                   f.since = since(1);
                   return f;
                 }});
  all.push_back({"actor", [](int) {
                   JobFilter f;
                   f.actors = {"carol"};
                   return f;
                 }});
  all.push_back({"service_failed_since_7d", [since](int) {
                   JobFilter f;
                   f.services = {"powerdns"};
                   f.statuses = {JobStatus::failed};
                   f.since = since(7);
                   return f;
                 }});
  all.push_back({"actor_service_since_7d", [since](int) {
                   JobFilter f;
                   f.actors = {"alice"};
                   f.services = {"sim"};
                   f.since = since(7);
                   return f;
                 }});
  all.push_back({"window_20d_19d", [since](int) {
                   JobFilter f;
                   f.since = since(20);
                   f.until = since(19);
                   return f;
                 }});
  // Store::listJobActors (the user filter's choices) over the same window and service.
  all.push_back({"actors_7d", [since](int) {
                   JobFilter f;
                   f.since = since(7);
                   return f;
                 }});
  all.push_back({"actors_30d", [since](int) {
                   JobFilter f;
                   f.since = since(30);
                   return f;
                 }});
  all.push_back({"actors_service_24h", [since](int) {
                   JobFilter f;
                   f.services = {"powerdns"};
                   f.since = since(1);
                   return f;
                 }});
  all.push_back({"q_target", [](int r) {  // acct-N: a few dozen jobs each
                   JobFilter f;
                   f.q = "acct-" + std::to_string(10000 + (r * 7919) % 90000);
                   return f;
                 }});
  all.push_back({"q_target_repeated", [](int) {  // the same q every call, as a UI paging or reloading
                   JobFilter f;
                   f.q = "acct-4217";
                   return f;
                 }});
  all.push_back({"q_error", [](int) {  // about 1% of all jobs
                   JobFilter f;
                   f.q = "timed out";
                   return f;
                 }});
  all.push_back({"q_error_page2", [](int) {
                   JobFilter f;
                   f.q = "timed out";
                   f.limit = 25;
                   return f;  // the cursor is filled in by the runner from page 1
                 }});
  all.push_back({"q_target_failed", [](int r) {
                   JobFilter f;
                   f.q = "zone" + std::to_string(r % 50) + ".test";
                   f.statuses = {JobStatus::failed, JobStatus::conflict};
                   return f;
                 }});
  all.push_back({"q_service_since_7d", [since](int r) {
                   JobFilter f;
                   f.q = "@domain" + std::to_string(r % 300) + ".";
                   f.services = {"whm"};
                   f.since = since(7);
                   return f;
                 }});
  all.push_back({"q_short", [](int r) {  // below the trigram minimum
                   JobFilter f;
                   f.q = std::to_string(10 + r % 90);
                   return f;
                 }});
  all.push_back({"q_short_rare", [](int) {
                   JobFilter f;
                   f.q = "Q~";  // matches nothing: the worst case of a short search
                   return f;
                 }});
  return all;
}

// CPU time of the whole process: with SQLite, the store's work is all in this
// process (its writer thread idles during the calls).
double cpuMs() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  size_t rank = static_cast<size_t>(p * static_cast<double>(v.size()) + 0.999999);
  return v[std::min(v.size(), std::max<size_t>(rank, 1)) - 1];
}

template <typename Page>
bool countsExact(const Page& page) {
  if constexpr (requires { page.status_counts_exact; }) {
    return page.status_counts_exact;
  } else {
    return true;  // builds before counts could be inexact
  }
}

Json runQuery(snapq::Store& store, const Query& q, const Options& o) {
  std::vector<double> ms;
  ms.reserve(o.rounds);
  double cpu = 0;
  size_t rows = 0;
  int64_t counted = 0;
  bool exact = true;
  auto run = [&](int round, bool timed) {
    JobFilter f = q.filter(round);
    if (q.name == "q_error_page2") {
      auto first = store.listJobs(f);
      if (!first) fail(q.name, first.status());
      f.before_id = first->next_before_id;
    }
    double cpu_started = cpuMs();
    if (q.name.rfind("actors_", 0) == 0) {
      auto started = Clock::now();
      auto actors = store.listJobActors({f.services, f.since, f.until});
      double elapsed = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
      double cpu_used = cpuMs() - cpu_started;
      if (!actors) fail(q.name, actors.status());
      if (!timed) return;
      ms.push_back(elapsed);
      cpu += cpu_used;
      rows += actors->size();
      return;
    }
    auto started = Clock::now();
    auto page = store.listJobs(f);
    double elapsed = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
    double cpu_used = cpuMs() - cpu_started;
    if (!page) fail(q.name, page.status());
    if (!timed) return;
    ms.push_back(elapsed);
    cpu += cpu_used;
    rows += page->jobs.size();
    counted = 0;
    for (const auto& [status, n] : page->status_counts) counted += n;
    exact = exact && countsExact(*page);
  };
  for (int r = 0; r < 3; ++r) run(r, false);  // warm the caches and the statement caches
  for (int r = 0; r < o.rounds; ++r) run(r, true);
  double sum = 0;
  for (double v : ms) sum += v;
  return {{"query", q.name},
          {"rounds", o.rounds},
          {"p50_ms", percentile(ms, 0.50)},
          {"p99_ms", percentile(ms, 0.99)},
          {"mean_ms", sum / static_cast<double>(ms.size())},
          {"cpu_ms_per_call", cpu / static_cast<double>(ms.size())},  // this process only (not a PostgreSQL server)
          {"max_ms", *std::max_element(ms.begin(), ms.end())},
          {"rows_per_page", static_cast<double>(rows) / static_cast<double>(ms.size())},
          {"counted_last", counted},
          {"counts_exact", exact}};
}

}  // namespace

int main(int argc, char** argv) {
  Options o = parse(argc, argv);
  auto store = snapq::openStore(o.db);
  if (!store) fail("open " + o.db, store.status());
  if (o.migrate) {
    if (snapq::Status s = (*store)->migrate(); !s) fail("migrate", s);
  }
  const std::string driver = (*store)->driverName();
  const auto now = snapq::SystemClock().now();
  Json machine = machineInfo();

  int64_t present = bench::countJobs(o.db);
  if (present < o.jobs) {
    bench::FillOptions fill;
    fill.jobs = o.jobs - present;
    fill.days = o.days;
    fill.now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
    double load = loadAverage1();
    std::string started = utcNow();
    double seconds = bench::fillJobs(o.db, fill);
    Json line = {{"bench", "jobs_list"}, {"driver", driver}, {"phase", "fill"}, {"jobs", fill.jobs},
                 {"seconds", seconds}, {"rows_per_s", static_cast<double>(fill.jobs) / seconds},
                 {"load1", load}, {"started_at", started}, {"machine", machine}};
    if (!o.label.empty()) line["label"] = o.label;
    std::cout << line.dump() << std::endl;
  }
  if (o.fill_only) return 0;

  int64_t jobs = bench::countJobs(o.db);
  for (const Query& q : queries(now, jobs)) {
    if (!o.queries.empty() && std::find(o.queries.begin(), o.queries.end(), q.name) == o.queries.end()) continue;
    double load = loadAverage1();
    std::string started = utcNow();
    Json line = {{"bench", "jobs_list"}, {"driver", driver}, {"jobs", jobs}};
    line.update(runQuery(**store, q, o));
    line["load1"] = load;
    line["started_at"] = started;
    line["machine"] = machine;
    if (!o.label.empty()) line["label"] = o.label;
    std::cout << line.dump() << std::endl;
  }
  return 0;
}
