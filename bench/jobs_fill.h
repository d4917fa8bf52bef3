// Fills sync_jobs with a realistic audit log for jobs_list_bench and
// bench/http_bench.sh: one INSERT ... SELECT per batch, generated inside the
// database (a recursive CTE on SQLite, generate_series on PostgreSQL), so a
// million rows take seconds, not a million round trips. The store's own
// triggers and indexes run as they would for jobs written by workers.
#pragma once

#include <cstdint>
#include <string>

namespace bench {

struct FillOptions {
  int64_t jobs = 1'000'000;
  int days = 30;            // created_at spread evenly over [now - days, now)
  int64_t now_ms = 0;       // "now" in epoch milliseconds
  int64_t batch = 100'000;  // rows per transaction
  int open_jobs = 200;      // the newest rows: 150 queued, the rest running
};

// The mix, deterministic in the row number i (1..jobs):
//   services  sim 30%, powerdns 25%, cloudflare 20%, keycloak 15%, whm 10% (instances ryder/alpha)
//   actions   sync 45% (system/scheduled 90%), update 25%, create 12%, delete 8%, one custom action 10%;
//             mutations by five users (manual) or two API tokens (api), 3% retries
//   targets   per service: acct-N, wwwN.zoneM.test., rec_N, user-N@corp.example, mailN@domainM.example
//   statuses  success 88%, failed 4%, conflict 1% (mutations), skipped 5%, cancelled 2%; the newest
//             `open_jobs` rows queued or running
//   errors    four failure texts (HTTP 503 naming the service and target, a 30 s timeout, a 422
//             naming the target, a lost worker), conflict hashes, "cancelled by <user>"
// Returns the seconds the fill took, or exits with the reason.
double fillJobs(const std::string& url, const FillOptions& options);

// Rows in sync_jobs now.
int64_t countJobs(const std::string& url);

}  // namespace bench
