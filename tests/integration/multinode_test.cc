// Three `snapq worker` processes share one PostgreSQL database with a
// dispatcher (this test). The worker leading "maintenance" is SIGKILLed
// midway: another takes the lead, rescues the dead worker's jobs from the
// registry, and every job still ends in success. Every execution beyond the
// first is explained by a rescue (a job's claims <= 1 + its "rescued" events).
#include <sys/wait.h>

#include <cstdlib>
#include <map>
#include <thread>

#include "node_process.h"
#include "snapq/engine.h"
#include "test_support.h"

namespace snapq::testing {
namespace {

constexpr int kJobs = 20000;
constexpr int kBulk = 1000;
constexpr const char* kSecret = "multinode-test-secret";

// Polls `condition` every `every` until it holds or `timeout` passes.
bool waitEvery(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
               std::chrono::milliseconds every = std::chrono::milliseconds(200)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(every);
  }
  return true;
}

int64_t count(const std::string& url, const std::string& sql) {
  auto rows = rawQuery(url, sql);
  if (!rows || rows->empty()) return -1;
  return std::stoll(rows->at(0).at(0));
}

std::string leaderOf(const std::string& url) {
  auto rows = rawQuery(url, "SELECT holder FROM leader_leases WHERE name = 'maintenance' AND lease_until > now()");
  return rows && !rows->empty() ? rows->at(0).at(0) : "";
}

TEST(MultiNodeWorkers, ThreeWorkerProcessesOneKilledEveryJobSucceedsAndDuplicatesAreRescues) {
  TempDir dir;
  std::string url;
  auto store = openTestStore("postgres", dir, &url);
  setenv("SNAPQ_SECRET_KEY", kSecret, 1);

  std::vector<std::unique_ptr<NodeProcess>> nodes;
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    nodes.push_back(std::make_unique<NodeProcess>(
        std::vector<std::string>{"worker", "--db", url, "--workers", "4", "--heartbeat-ms", "500"},
        dir.file("worker" + std::to_string(i) + ".log")));
  }
  for (int i = 0; i < 3; ++i) {
    std::string line = nodes[i]->readLine(std::chrono::seconds(30));
    // "snapq worker <id> ready: db postgres, 4 workers"
    ASSERT_EQ(line.rfind("snapq worker ", 0), 0u) << "worker " << i << " did not get ready: '" << line << "'";
    EXPECT_NE(line.find("ready: db postgres, 4 workers"), std::string::npos) << line;
    ids.push_back(line.substr(13, line.find(' ', 13) - 13));
  }
  ASSERT_TRUE(waitEvery([&] { return count(url, "SELECT count(*) FROM workers") == 3; }, std::chrono::seconds(20)))
      << "the three workers should register";
  std::string leader;
  ASSERT_TRUE(waitEvery([&] { return !(leader = leaderOf(url)).empty(); }, std::chrono::seconds(30)));
  size_t victim = std::find(ids.begin(), ids.end(), leader) - ids.begin();
  ASSERT_LT(victim, ids.size()) << "the maintenance leader " << leader << " is none of the three";

  // The dispatcher: an engine that only dispatches (never started).
  auto engine = Engine::open(store, {std::string(kSecret), ""});
  ASSERT_TRUE(engine.isOk()) << engine.status().toString();
  bool killed = false;
  int64_t held_at_death = 0;
  for (int sent = 0; sent < kJobs; sent += kBulk) {
    std::vector<DispatchRequest> batch;
    for (int i = 0; i < kBulk; ++i) {
      DispatchRequest r;
      r.service = "snapq";
      r.action = "noop";
      r.max_attempts = 5;
      r.actor = Actor::system();
      batch.push_back(std::move(r));
    }
    auto dispatched = (*engine)->dispatchMany(std::move(batch));
    ASSERT_TRUE(dispatched.isOk()) << dispatched.status().toString();
    if (!killed && sent + kBulk >= kJobs / 2) {
      // Midway, while it holds jobs: kill the leader without warning.
      waitEvery([&] { return count(url, "SELECT count(*) FROM sync_jobs WHERE locked_by = '" + leader + "'") > 0; },
                std::chrono::seconds(10), std::chrono::milliseconds(5));
      nodes[victim]->signal(SIGKILL);
      EXPECT_EQ(nodes[victim]->wait(std::chrono::seconds(10)), 128 + SIGKILL);
      killed = true;
      // What it held when it died: a dead process changes nothing more (a
      // transaction it had open is rolled back), so this count is exact.
      held_at_death = count(url, "SELECT count(*) FROM sync_jobs WHERE status = 'running' AND locked_by = '" +
                                     leader + "'");
      std::printf("killed %s (maintenance leader) holding %lld running jobs\n", leader.c_str(),
                  static_cast<long long>(held_at_death));
    }
  }

  ASSERT_TRUE(waitEvery(
      [&] { return count(url, "SELECT count(*) FROM sync_jobs WHERE status IN ('queued', 'running')") == 0; },
      std::chrono::seconds(180)))
      << "jobs left open: " << count(url, "SELECT count(*) FROM sync_jobs WHERE status IN ('queued', 'running')");

  EXPECT_EQ(count(url, "SELECT count(*) FROM sync_jobs"), kJobs) << "no job lost, none duplicated";
  EXPECT_EQ(count(url, "SELECT count(*) FROM sync_jobs WHERE status = 'success'"), kJobs);
  // A job is claimed once per execution; each claim after the first needs a rescue.
  EXPECT_EQ(count(url,
                  "SELECT count(*) FROM sync_jobs j WHERE j.attempts > 1 + (SELECT count(*) FROM sync_job_events e "
                  "WHERE e.job_id = j.id AND e.type = 'rescued')"),
            0)
      << "a job ran again without a rescue to explain it";
  int64_t reclaimed = count(url, "SELECT count(*) FROM sync_jobs WHERE attempts > 1");
  int64_t extra = count(url, "SELECT coalesce(sum(attempts - 1), 0) FROM sync_jobs");
  int64_t by_registry = count(url,
                              "SELECT count(*) FROM sync_job_events WHERE type = 'rescued' "
                              "AND message LIKE '%stopped sending heartbeats%'");
  int64_t by_lease = count(url,
                           "SELECT count(*) FROM sync_job_events WHERE type = 'rescued' "
                           "AND message LIKE '%lease expired%'");
  std::printf("multinode: %d jobs, all success; %lld jobs claimed again (%lld extra claims); rescued events: "
              "%lld from the dead worker's registry entry, %lld from expired leases\n",
              kJobs, static_cast<long long>(reclaimed), static_cast<long long>(extra),
              static_cast<long long>(by_registry), static_cast<long long>(by_lease));
  EXPECT_LE(reclaimed, by_registry + by_lease);
  EXPECT_GE(by_registry + by_lease, held_at_death) << "every job the dead worker held is rescued";
  if (held_at_death > 0) {
    EXPECT_GT(by_registry, 0) << "the registry should rescue them before their leases expire";
  }

  // The dead worker leaves the registry once a survivor took the lead (within
  // a lease period, 15 s) and ran its rescue, even if it held no job.
  ASSERT_TRUE(waitEvery([&] { return count(url, "SELECT count(*) FROM workers WHERE id = '" + leader + "'") == 0; },
                        std::chrono::seconds(60)));
  EXPECT_EQ(count(url, "SELECT count(*) FROM workers WHERE id = '" + leader + "'"), 0);
  EXPECT_EQ(count(url, "SELECT count(*) FROM workers"), 2);
  std::string new_leader = leaderOf(url);
  EXPECT_FALSE(new_leader.empty());
  EXPECT_NE(new_leader, leader);

  // Graceful stop: exit 0, registry emptied, lead released.
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (i != victim) nodes[i]->signal(SIGTERM);
  }
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (i == victim) continue;
    EXPECT_EQ(nodes[i]->wait(std::chrono::seconds(30)), 0) << "worker " << i;
  }
  EXPECT_EQ(count(url, "SELECT count(*) FROM workers"), 0);
  EXPECT_EQ(leaderOf(url), "");
}

}  // namespace
}  // namespace snapq::testing
