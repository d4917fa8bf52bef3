// Crash safety with real processes: a child works through a few thousand jobs
// and is killed with SIGKILL at random moments; after restarts every job ends
// terminal, none that was acknowledged is lost, and every re-execution shows
// in the job's attempts and history.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "test_support.h"

namespace snapq::testing {
namespace {

struct Child {
  pid_t pid = -1;
  FILE* out = nullptr;
};

Child spawn(const std::string& db, const std::string& effects, int jobs) {
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error("pipe");
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], 1);
    close(fds[0]);
    close(fds[1]);
    std::string n = std::to_string(jobs);
    execl(SNAPQ_CRASH_CHILD, SNAPQ_CRASH_CHILD, db.c_str(), effects.c_str(), n.c_str(), nullptr);
    _exit(127);
  }
  close(fds[1]);
  return {pid, fdopen(fds[0], "r")};
}

// Reads "ack K ID" lines until EOF (the child died or finished).
void collect(Child& c, std::map<int, int64_t>& acked, bool& done) {
  char line[256];
  while (std::fgets(line, sizeof line, c.out)) {
    int k;
    long long id;
    if (std::sscanf(line, "ack %d %lld", &k, &id) == 2) acked[k] = id;
    if (std::string(line) == "done\n") done = true;
  }
  std::fclose(c.out);
}

TEST(CrashSafety, SigkilledWorkersLoseNoAcknowledgedJobAndReexecutionsAreVisible) {
  TempDir dir;
  const std::string db = dir.file("crash.db");
  const std::string effects = dir.file("effects.log");
  constexpr int kJobs = 3000;
  constexpr int kKills = 8;
  std::mt19937 rng(20261126);
  std::map<int, int64_t> acked;
  int kills = 0;
  bool done = false;
  for (int round = 0; round <= kKills && !done; ++round) {
    Child child = spawn(db, effects, kJobs);
    std::thread reader([&] { collect(child, acked, done); });
    if (round < kKills) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100 + rng() % 500));
      if (kill(child.pid, SIGKILL) == 0) ++kills;
    }
    int status = 0;
    waitpid(child.pid, &status, 0);
    reader.join();
    if (round == kKills) {
      ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "the last run must finish the work";
    }
  }
  ASSERT_TRUE(done);
  EXPECT_GE(kills, 1);

  auto store = openStore("sqlite:" + db);
  ASSERT_TRUE(store.isOk());
  // Every acknowledged dispatch exists, and exactly kJobs jobs exist in all.
  ASSERT_EQ(acked.size(), static_cast<size_t>(kJobs));
  std::set<int64_t> ids;
  for (const auto& [k, id] : acked) ids.insert(id);
  ASSERT_EQ(ids.size(), static_cast<size_t>(kJobs)) << "idempotency keys kept re-dispatches from duplicating";
  JobFilter all;
  all.limit = 1;
  auto counts = (*store)->listJobs(all);
  ASSERT_TRUE(counts.isOk());
  EXPECT_EQ(counts->status_counts[JobStatus::success], kJobs) << "every job ends terminal and successful";

  std::map<int64_t, int> executions;
  std::ifstream in(effects);
  int64_t id;
  int attempt;
  while (in >> id >> attempt) ++executions[id];
  int reexecuted = 0;
  for (int64_t job_id : ids) {
    auto job = (*store)->getJob(job_id);
    ASSERT_TRUE(job.isOk()) << job_id;
    EXPECT_EQ(job->status, JobStatus::success);
    EXPECT_TRUE(job->sealed_payload.empty());
    int runs = executions[job_id];
    EXPECT_GE(runs, 1) << "job " << job_id << " succeeded without running";
    EXPECT_LE(runs, job->attempts) << "job " << job_id << " ran more often than its attempts show";
    if (runs > 1) {
      ++reexecuted;
      auto events = (*store)->jobEvents(job_id);
      ASSERT_TRUE(events.isOk());
      bool rescued = false;
      for (const JobEvent& e : *events) rescued |= e.type == "rescued";
      EXPECT_TRUE(rescued) << "job " << job_id << " re-ran without a rescued event";
    }
  }
  std::printf("crash test: %d kills, %d jobs, %d re-executed after a kill\n", kills, kJobs, reexecuted);
}

}  // namespace
}  // namespace snapq::testing
