// snapq jobs list|show|retry|cancel|delete|prune on a database seeded through
// the library.
#include <algorithm>
#include <set>

#include "cli_fixture.h"

namespace snapq::clitest {
namespace {

using nlohmann::json;

std::vector<int64_t> ids(const json& page) {
  std::vector<int64_t> out;
  for (const json& j : page["jobs"]) out.push_back(j["id"].get<int64_t>());
  return out;
}

TEST_F(CliTest, ListFiltersByStatusServiceAndText) {
  Seeded s = seed();
  json failed = runJson({"jobs", "list", "--json", "--status", "failed"});
  EXPECT_EQ(ids(failed), (std::vector<int64_t>{s.failed[1], s.failed[0]}));  // newest first
  EXPECT_EQ(failed["jobs"][0]["error"], "attempt 1 failed: remote said 422 bad record");
  // The counts ignore the status filter.
  EXPECT_EQ(failed["status_counts"]["queued"], 3);
  EXPECT_EQ(failed["status_counts"]["success"], 4);
  EXPECT_EQ(failed["status_counts"]["failed"], 2);

  json both = runJson({"jobs", "list", "--json", "--status", "failed,queued"});
  EXPECT_EQ(both["jobs"].size(), 5u);
  json sim = runJson({"jobs", "list", "--json", "--service", "sim"});
  EXPECT_EQ(ids(sim), (std::vector<int64_t>{s.queued[2], s.queued[1], s.queued[0]}));
  json text = runJson({"jobs", "list", "--json", "-q", "bad record"});
  EXPECT_EQ(text["jobs"].size(), 2u);
  json zone = runJson({"jobs", "list", "--json", "--target-type", "zone", "--target-id", "a.example"});
  EXPECT_EQ(ids(zone), (std::vector<int64_t>{s.failed[0], s.succeeded[0]}));
  json actor = runJson({"jobs", "list", "--json", "--actor", "system"});
  EXPECT_EQ(actor["jobs"].size(), 0u);
  EXPECT_EQ(runJson({"jobs", "list", "--json", "--since", "1h"})["jobs"].size(), 9u);
  EXPECT_EQ(runJson({"jobs", "list", "--json", "--until", "1h"})["jobs"].size(), 0u);
  EXPECT_EQ(runJson({"jobs", "list", "--json", "--since", "2000-01-01T00:00:00Z"})["jobs"].size(), 9u);

  RunResult table = run({"jobs", "list", "--db", db(), "--service", "dns", "--status", "failed"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("ID"), std::string::npos);
  EXPECT_NE(table.out.find("dns/default"), std::string::npos);
  EXPECT_NE(table.out.find("zone:a.example"), std::string::npos);
  EXPECT_NE(table.out.find("1/1"), std::string::npos);
  EXPECT_NE(table.out.find("failed 2"), std::string::npos) << table.out;
  EXPECT_EQ(table.out.find("next:"), std::string::npos);
}

TEST_F(CliTest, LimitAndCursorPageThroughEveryJobOnce) {
  Seeded s = seed();
  std::vector<int64_t> seen;
  std::vector<std::string> args = {"jobs", "list", "--json", "--limit", "2"};
  for (int page_no = 0; page_no < 10; ++page_no) {
    json page = runJson(args);
    ASSERT_LE(page["jobs"].size(), 2u);
    for (int64_t id : ids(page)) seen.push_back(id);
    if (page["next_cursor"].is_null()) break;
    args = {"jobs", "list", "--json", "--limit", "2", "--cursor", page["next_cursor"].get<std::string>()};
  }
  std::vector<int64_t> all = s.queued;
  all.insert(all.end(), s.succeeded.begin(), s.succeeded.end());
  all.insert(all.end(), s.failed.begin(), s.failed.end());
  std::sort(all.rbegin(), all.rend());
  EXPECT_EQ(seen, all);

  RunResult text = run({"jobs", "list", "--db", db(), "--limit", "2"});
  EXPECT_NE(text.out.find("next: --cursor " + std::to_string(all[1])), std::string::npos) << text.out;
}

TEST_F(CliTest, ShowPrintsTheJobAndItsHistory) {
  Seeded s = seed();
  json job = runJson({"jobs", "show", std::to_string(s.failed[0]), "--json"});
  EXPECT_EQ(job["id"], s.failed[0]);
  EXPECT_EQ(job["status"], "failed");
  EXPECT_EQ(job["actor"], (json{{"type", "user"}, {"name", "alice"}}));
  EXPECT_EQ(job["payload"], (json{{"id", "a.example"}}));
  EXPECT_FALSE(job.contains("sealed_payload"));
  ASSERT_TRUE(job["events"].is_array());
  ASSERT_FALSE(job["events"].empty());
  EXPECT_EQ(job["events"].back()["type"], "attempt_failed");

  RunResult text = run({"jobs", "show", std::to_string(s.failed[0]), "--db", db()});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_TRUE(text.out.starts_with("job " + std::to_string(s.failed[0]) + "  failed\n")) << text.out;
  EXPECT_NE(text.out.find("remote said 422 bad record"), std::string::npos);
  EXPECT_NE(text.out.find("attempt_failed"), std::string::npos);

  RunResult missing = run({"jobs", "show", "999999", "--db", db()});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.err, "snapq: error: job 999999 does not exist\n");
}

TEST_F(CliTest, CancelMovesAQueuedJobToCancelledOnlyOnce) {
  Seeded s = seed();
  const std::string id = std::to_string(s.queued[0]);
  RunResult r = run({"jobs", "cancel", id, "--db", db()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "job " + id + " cancelled\n");
  json job = runJson({"jobs", "show", id, "--json"});
  EXPECT_EQ(job["status"], "cancelled");
  EXPECT_EQ(job["events"].back()["actor"], (json{{"type", "user"}, {"name", "cli:tester"}}));

  r = run({"jobs", "cancel", id, "--db", db()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "snapq: error: job " + id + " is cancelled; only queued jobs can be cancelled\n");
}

TEST_F(CliTest, RetryRequeuesFailedJobsAndRefusesOthers) {
  Seeded s = seed();
  const std::string queued = std::to_string(s.queued[0]);
  RunResult r = run({"jobs", "retry", queued, "--db", db()});
  EXPECT_EQ(r.exit_code, 1);
  ASSERT_EQ(r.errLines().size(), 1u) << r.err;
  EXPECT_NE(r.err.find("job " + queued + " is queued; only failed or conflict jobs can be"), std::string::npos)
      << r.err;

  const std::string failed = std::to_string(s.failed[0]);
  r = run({"jobs", "retry", failed, "--db", db()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "job " + failed + " re-queued\n");
  json job = runJson({"jobs", "show", failed, "--json"});
  EXPECT_EQ(job["status"], "queued");
  EXPECT_EQ(job["attempts"], 0);
}

TEST_F(CliTest, DeleteReportsEachIdAndFailsWhenAnyFailed) {
  Seeded s = seed();
  const std::string gone = std::to_string(s.succeeded[0]);
  RunResult r = run({"jobs", "delete", gone, "999999", "--db", db()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "job " + gone + " deleted\n");
  EXPECT_EQ(r.err, "snapq: error: job 999999 does not exist\n");
  EXPECT_EQ(run({"jobs", "show", gone, "--db", db()}).exit_code, 1);

  r = run({"jobs", "delete", std::to_string(s.succeeded[1]), std::to_string(s.failed[0]), "--db", db()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(runJson({"jobs", "list", "--json"})["jobs"].size(), 6u);
}

TEST_F(CliTest, PruneRemovesFinishedJobsPastRetention) {
  Seeded s = seed();
  RunResult r = run({"jobs", "prune", "--db", db()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "pruned 0 jobs\n");

  r = run({"jobs", "prune", "--success-days", "0", "--db", db()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "pruned 4 jobs\n");
  json counts = runJson({"jobs", "list", "--json"})["status_counts"];
  EXPECT_EQ(counts["success"], 0);
  EXPECT_EQ(counts["failed"], 2);
  EXPECT_EQ(counts["queued"], 3);

  r = run({"jobs", "prune", "--success-days", "0", "--failed-days", "0", "--db", db()});
  EXPECT_EQ(r.out, "pruned 2 jobs\n");
  EXPECT_EQ(ids(runJson({"jobs", "list", "--json"})), (std::vector<int64_t>{s.queued[2], s.queued[1], s.queued[0]}));
}

TEST_F(CliTest, HealthShowsTheWindowPerServiceTheLatestFailuresAndTheWorkers) {
  Seeded s = seed();
  json h = runJson({"health", "--json"});
  EXPECT_EQ(h["window"], "24h");
  EXPECT_EQ(h["totals"]["total"], 9);
  EXPECT_EQ(h["totals"]["success"], 4);
  EXPECT_EQ(h["totals"]["failed"], 2);
  EXPECT_EQ(h["totals"]["pending"], 3);
  ASSERT_EQ(h["services"].size(), 2u);
  EXPECT_EQ(h["services"][0]["service"], "dns");
  EXPECT_EQ(h["services"][0]["total"], 6);
  EXPECT_EQ(h["services"][0]["success_rate"], 66.7);
  EXPECT_FALSE(h["services"][0].contains("circuit")) << "circuits live in the serving process";
  EXPECT_EQ(h["services"][1]["service"], "sim");
  EXPECT_EQ(h["services"][1]["pending"], 3);
  ASSERT_EQ(h["recent_failures"].size(), 2u);
  EXPECT_EQ(h["recent_failures"][0]["id"], s.failed[1]);
  EXPECT_EQ(h["workers"].size(), 0u) << "the seeding engine left the registry when it stopped";
  EXPECT_EQ(h["series"].size(), 24u);

  RunResult text = run({"health", "--db", db(), "--window", "1h"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("jobs created in the last 1h: 9 (success 4, failed 2"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("pending now: 3"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("66.7%"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("latest failures and conflicts: 2"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("remote said 422 bad record"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("workers: none registered"), std::string::npos) << text.out;

  RunResult bad = run({"health", "--db", db(), "--window", "2h"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--window: '2h' is not one of 1h, 24h, 7d, 30d"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace snapq::clitest
