// listJobs beyond the basics (store_audit_test.cc): the search text with its
// metacharacters and below the trigram minimum, paging a search and a status
// list, and status counts that follow every change and every time window,
// checked against the jobs the listing itself returns.
#include "conformance/store_fixture.h"
#include "store/job_list_plan.h"

namespace snapq::testing {
namespace {

class StoreJobList : public StoreTest {
 protected:
  // Every page of `f` (statuses and cursor as given), newest first.
  std::vector<Job> all(JobFilter f, int limit = 1000) {
    f.limit = limit;
    std::vector<Job> out;
    for (int pages = 0; pages < 1000; ++pages) {
      auto page = store_->listJobs(f);
      EXPECT_TRUE(page.isOk()) << page.status().toString();
      if (!page.isOk()) break;
      out.insert(out.end(), page->jobs.begin(), page->jobs.end());
      if (!page->next_before_id) break;
      f.before_id = page->next_before_id;
    }
    return out;
  }
  std::vector<int64_t> search(const std::string& q) {
    JobFilter f;
    f.q = q;
    return ids(all(f));
  }
  // What status_counts must say for `f`: the statuses of every job it lists
  // once the status filter is dropped.
  std::map<JobStatus, int64_t> expectedCounts(JobFilter f) {
    f.statuses.clear();
    f.before_id.reset();
    std::map<JobStatus, int64_t> out;
    for (JobStatus s : kAllJobStatuses) out[s] = 0;
    for (const Job& j : all(f)) ++out[j.status];
    return out;
  }
  // Asked with limit 1, so a page rarely holds every match and the counts come
  // from the count queries rather than from the page.
  void expectCounts(JobFilter f, const std::string& what) {
    f.limit = 1;
    auto page = store_->listJobs(f);
    ASSERT_TRUE(page.isOk()) << what << ": " << page.status().toString();
    EXPECT_EQ(page->status_counts, expectedCounts(f)) << what;
    EXPECT_TRUE(page->status_counts_exact) << what;
  }
  // Claims every queued job and ends each with the transition `pick` gives it.
  void finishAll(const std::function<Transition(int64_t id)>& pick, TimePoint now = t0()) {
    std::vector<JobCompletion> done;
    for (const Job& j : claim(10000, now)) {
      JobCompletion c;
      c.job_id = j.id;
      c.worker_id = "w1";
      c.transition = pick(j.id);
      c.started_at = now;
      c.finished_at = now + Duration(10);
      c.run_at = now;
      if (c.transition == Transition::fail) c.error = "attempt 1 failed: boom";
      done.push_back(c);
    }
    auto r = store_->completeJobsAndWait(done);
    ASSERT_TRUE(r.isOk()) << r.status().toString();
  }
};

TEST_P(StoreJobList, SearchTextIsLiteralCaseInsensitiveAndWorksBelowThreeCharacters) {
  auto target = [&](const std::string& id, const std::string& action = "act") {
    NewJob j = job("svc", action);
    j.target_id = id;
    return insert(j);
  };
  int64_t percent = target("50%_off");
  int64_t backslash = target("a_b\\c");
  int64_t quotes = target("say \"hi\"");
  int64_t apostrophe = target("it's");
  int64_t abc = target("abc");
  int64_t upper = target("xyz-ABC-9");
  int64_t across = target("zzc", "dact");  // joined with its action: "zzc dact"
  using Ids = std::vector<int64_t>;
  EXPECT_EQ(search("%"), Ids{percent});
  EXPECT_EQ(search("_"), (Ids{backslash, percent}));
  EXPECT_EQ(search("\\"), Ids{backslash});
  EXPECT_EQ(search("\""), Ids{quotes});
  EXPECT_EQ(search("'"), Ids{apostrophe});
  EXPECT_EQ(search("\"hi\""), Ids{quotes}) << "quotes inside a longer search";
  EXPECT_EQ(search("%_o"), Ids{percent}) << "wildcards are literal in a search long enough for the index";
  EXPECT_EQ(search("_b\\"), Ids{backslash});
  EXPECT_EQ(search("ab"), (Ids{upper, abc})) << "two characters, case-insensitive";
  EXPECT_EQ(search("aBc"), (Ids{upper, abc}));
  EXPECT_EQ(search("C-9"), Ids{upper});
  EXPECT_EQ(search("c d"), Ids{}) << "a match never spans two columns";
  EXPECT_EQ(search("zzc"), Ids{across});
  EXPECT_EQ(search("dac"), Ids{across}) << "the action is searched";
  EXPECT_EQ(search("nothing like it"), Ids{});
  NewJob failed = job("svc", "act");
  int64_t boom = insert(failed);
  ASSERT_EQ(claim(10).size(), 8u);
  ASSERT_TRUE(complete(boom, Transition::fail));
  EXPECT_EQ(search("BOOM"), Ids{boom}) << "the error is searched, also once written by a completion";
  EXPECT_EQ(search("TTEMPT 1"), Ids{boom});
}

TEST_P(StoreJobList, ASearchOfSeveralWordsMatchesTheWholeTextNotEachWord) {
  // Finished jobs (the trigram index's rows): a word of q alone is not a match.
  std::vector<int64_t> ids;
  for (const char* id : {"acct-4217", "x-4217-acct", "acct-9999", "ACCT-4217-b"}) {
    NewJob j = job("svc", "act");
    j.target_id = id;
    ids.push_back(insert(j));
  }
  finishAll([](int64_t) { return Transition::succeed; });
  using Ids = std::vector<int64_t>;
  EXPECT_EQ(search("acct-4217"), (Ids{ids[3], ids[0]}));
  EXPECT_EQ(search("4217-ACCT"), Ids{ids[1]});
  EXPECT_EQ(search("cct-99"), Ids{ids[2]});
}

TEST_P(StoreJobList, SearchFollowsAJobThroughRetriesDeletesAndPruning) {
  NewJob j = job("svc", "act");
  j.target_id = "host-7";
  int64_t id = insert(j);
  auto fail = [&](const std::string& error, TimePoint at) {
    ASSERT_EQ(claim(1, at).size(), 1u);
    JobCompletion c;
    c.job_id = id;
    c.worker_id = "w1";
    c.transition = Transition::fail;
    c.error = error;
    c.started_at = at;
    c.finished_at = at;
    auto r = store_->completeJobsAndWait({c});
    ASSERT_TRUE(r.isOk() && r->front());
  };
  using Ids = std::vector<int64_t>;
  fail("attempt 1 failed: boom", t0());
  EXPECT_EQ(search("boom"), Ids{id});
  ASSERT_TRUE(store_->retryJob({id, Actor::user("bob"), t0(), false, "", {}}).isOk());
  EXPECT_EQ(search("boom"), Ids{}) << "a retry clears the error";
  EXPECT_EQ(search("host-7"), Ids{id}) << "found while queued";
  fail("attempt 1 failed: kaput", t0() + Duration(1000));
  EXPECT_EQ(search("kaput"), Ids{id});
  EXPECT_EQ(search("boom"), Ids{});
  NewJob other = job("svc", "act");
  other.target_id = "host-8";
  int64_t old = insert(other);
  ASSERT_TRUE(store_->cancelJob({old, Actor::user("bob"), t0(), false, "", {}}).isOk());
  EXPECT_EQ(search("host-"), (Ids{old, id}));
  EXPECT_EQ(search("cancelled by bob"), Ids{old});
  ASSERT_TRUE(store_->deleteJob({id, Actor::user("bob"), t0(), false, "", {}}).isOk());
  EXPECT_EQ(search("kaput"), Ids{});
  ASSERT_TRUE(store_->pruneJobs({t0(), t0() + Duration(86400000), 500}).isOk());
  EXPECT_EQ(search("host-"), Ids{}) << "pruned";
}

TEST_P(StoreJobList, SearchResultsPageWithTheCursorAndCountExactly) {
  std::vector<int64_t> matching;
  for (int i = 0; i < 60; ++i) {
    NewJob j = job(i % 3 ? "dns" : "mail");
    j.target_id = (i % 2 ? "acct-1" : "host-") + std::to_string(i);
    int64_t id = insert(j);
    if (i % 2) matching.insert(matching.begin(), id);
  }
  JobFilter f;
  f.q = "ACCT-1";
  f.limit = 7;
  std::vector<int64_t> seen;
  int pages = 0;
  while (true) {
    auto page = store_->listJobs(f);
    ASSERT_TRUE(page.isOk()) << page.status().toString();
    for (const Job& j : page->jobs) seen.push_back(j.id);
    EXPECT_EQ(page->status_counts[JobStatus::queued], 30) << "every page counts the whole search";
    EXPECT_TRUE(page->status_counts_exact);
    ++pages;
    if (!page->next_before_id) break;
    f.before_id = page->next_before_id;
  }
  EXPECT_EQ(seen, matching);
  EXPECT_EQ(pages, 5);
  f = {};
  f.q = "acct-1";
  f.services = {"mail"};
  std::vector<int64_t> mail;
  for (const Job& j : all(f, 3)) mail.push_back(j.id);
  EXPECT_EQ(mail.size(), 10u) << "the search combines with the other filters";
}

TEST_P(StoreJobList, StatusListsPageNewestFirstAcrossTheirIndexes) {
  std::vector<int64_t> ids;
  for (int i = 0; i < 24; ++i) ids.push_back(insert(job(i % 2 ? "dns" : "mail")));
  finishAll([&](int64_t id) { return id % 3 == 0 ? Transition::fail : Transition::succeed; });
  for (int i = 0; i < 6; ++i) ids.push_back(insert(job("dns")));
  ASSERT_EQ(claim(2).size(), 2u);  // two running, four queued
  JobFilter f;
  f.statuses = {JobStatus::queued, JobStatus::failed, JobStatus::running};
  std::vector<int64_t> expected;
  for (auto it = ids.rbegin(); it != ids.rend(); ++it) {
    JobStatus s = get(*it).status;
    if (s == JobStatus::queued || s == JobStatus::failed || s == JobStatus::running) expected.push_back(*it);
  }
  EXPECT_EQ(this->ids(all(f, 2)), expected);
  f.services = {"dns"};
  std::vector<int64_t> dns;
  for (int64_t id : expected) {
    if (get(id).service == "dns") dns.push_back(id);
  }
  EXPECT_EQ(this->ids(all(f, 3)), dns);
}

TEST_P(StoreJobList, PagesMergeOpenAndFinishedJobsNewestFirstAtEveryLimit) {
  // Finished and open jobs with interleaved ids: a search reads them through
  // different indexes, as does a list of an open and a finished status.
  for (int i = 0; i < 14; ++i) {
    NewJob j = job("dns");
    j.target_type = "record";
    j.target_id = "hit-" + std::to_string(i);
    insert(j, t0() + Duration(i));
  }
  // All fail, then every other one is retried: open ids sit between
  // finished ones all the way down.
  std::vector<JobCompletion> done;
  const std::vector<Job> claimed = claim(14, t0() + Duration(100));
  ASSERT_EQ(claimed.size(), 14u);
  for (const Job& j : claimed) {
    JobCompletion c;
    c.job_id = j.id;
    c.worker_id = "w1";
    c.transition = Transition::fail;
    c.started_at = t0();
    c.finished_at = t0() + Duration(10);
    c.run_at = t0();
    c.error = "boom";
    done.push_back(c);
  }
  ASSERT_TRUE(store_->completeJobsAndWait(done).isOk());
  for (size_t i = 0; i < done.size(); i += 2) {
    ASSERT_TRUE(store_->retryJob({done[i].job_id, Actor::user("bob"), t0(), false, "", {}}).isOk());
  }
  JobFilter everything;
  const std::vector<int64_t> newest_first = ids(all(everything));
  ASSERT_EQ(newest_first.size(), 14u);
  JobFilter search, statuses;
  search.q = "hit";
  statuses.statuses = {JobStatus::queued, JobStatus::failed};
  for (int limit = 1; limit <= 6; ++limit) {
    EXPECT_EQ(ids(all(search, limit)), newest_first) << "search, limit " << limit;
    EXPECT_EQ(ids(all(statuses, limit)), newest_first) << "statuses, limit " << limit;
  }
}

TEST_P(StoreJobList, CountsFollowEveryChangeOfAJob) {
  for (int i = 0; i < 12; ++i) {
    NewJob j = job(i % 2 ? "dns" : "mail");
    j.actor = i % 3 ? Actor::user("alice") : Actor::system();
    insert(j, t0() + Duration(i * 60000));
  }
  JobFilter none, dns, alice, dns_alice;
  dns.services = {"dns"};
  alice.actors = {"alice"};
  dns_alice.services = {"dns"};
  dns_alice.actors = {"alice"};
  dns_alice.statuses = {JobStatus::failed};
  auto check = [&](const std::string& step) {
    expectCounts(none, step + ", no filter");
    expectCounts(dns, step + ", service");
    expectCounts(alice, step + ", actor");
    expectCounts(dns_alice, step + ", service and actor");
  };
  check("queued");
  finishAll([](int64_t id) {
    switch (id % 4) {
      case 0: return Transition::succeed;
      case 1: return Transition::fail;
      case 2: return Transition::conflict;
      default: return Transition::skip;
    }
  }, t0() + Duration(12 * 60000));
  check("finished");
  auto failed = store_->listJobs([] {
    JobFilter f;
    f.statuses = {JobStatus::failed};
    return f;
  }());
  ASSERT_TRUE(failed.isOk());
  ASSERT_FALSE(failed->jobs.empty());
  ManagerRequest retry{failed->jobs.front().id, Actor::user("bob"), t0(), false, "", {}};
  ASSERT_TRUE(store_->retryJob(retry).isOk());
  check("retried");
  int64_t fresh = insert(job("dns"));
  ASSERT_TRUE(store_->cancelJob({fresh, Actor::user("bob"), t0(), false, "", {}}).isOk());
  check("cancelled");
  ASSERT_TRUE(store_->deleteJob({fresh, Actor::user("bob"), t0(), false, "", {}}).isOk());
  check("deleted");
  auto pruned = store_->pruneJobs({t0() + Duration(3600000), t0(), 500});
  ASSERT_TRUE(pruned.isOk());
  EXPECT_GT(*pruned, 0);
  check("pruned");
  auto page = store_->listJobs(none);
  ASSERT_TRUE(page.isOk());
  EXPECT_EQ(page->status_counts[JobStatus::success], 0) << "the pruned successes are gone from the counts";
}

TEST_P(StoreJobList, CountsFollowAChangeMadeThroughAnotherHandle) {
  // Another handle on the same database stands for another process (a CLI, a
  // worker) or node. Counts asked again and again while nothing changed, then
  // after each change made there, and paged with a cursor.
  for (int i = 0; i < 6; ++i) insert(job(i % 2 ? "dns" : "mail"));
  auto other = openStore(url_);
  ASSERT_TRUE(other.isOk()) << other.status().toString();
  JobFilter none, dns, paged;
  dns.services = {"dns"};
  auto check = [&](const std::string& step) {
    for (int round = 0; round < 3; ++round) {
      expectCounts(none, step + ", no filter");
      expectCounts(dns, step + ", service");
    }
    JobFilter second = paged;
    second.limit = 1;
    auto first = store_->listJobs(second);
    ASSERT_TRUE(first.isOk());
    ASSERT_TRUE(first->next_before_id.has_value()) << step;
    second.before_id = first->next_before_id;
    auto next = store_->listJobs(second);
    ASSERT_TRUE(next.isOk());
    EXPECT_EQ(next->status_counts, expectedCounts(paged)) << step << ", second page";
  };
  check("queued");
  InsertJobsRequest more;
  more.now = t0();
  more.jobs = {job("dns"), job("dns")};
  ASSERT_TRUE((*other)->insertJobs(std::move(more)).isOk());
  check("two more queued elsewhere");
  ClaimRequest c;
  c.now = t0();
  c.worker_id = "w2";
  c.limit = 3;
  auto claimed = (*other)->claimJobs(c);
  ASSERT_TRUE(claimed.isOk());
  ASSERT_EQ(claimed->size(), 3u);
  check("three claimed elsewhere");
  std::vector<JobCompletion> done;
  for (const Job& j : *claimed) {
    JobCompletion d;
    d.job_id = j.id;
    d.worker_id = "w2";
    d.transition = j.id % 2 ? Transition::succeed : Transition::fail;
    d.started_at = t0();
    d.finished_at = t0() + Duration(10);
    d.run_at = t0();
    if (d.transition == Transition::fail) d.error = "boom";
    done.push_back(d);
  }
  ASSERT_TRUE((*other)->completeJobsAndWait(done).isOk());
  check("finished elsewhere");
}

TEST_P(StoreJobList, CountsFollowRescuesAndEqualAPlainCount) {
  NewJob last_try = job("dns");
  last_try.max_attempts = 1;
  for (int i = 0; i < 4; ++i) insert(last_try);
  insert(job("dns"));
  ASSERT_EQ(claim(3, t0(), "lost").size(), 3u);
  // "lost"'s leases (30 s) run out: its last tries fail.
  auto rescued = store_->rescueExpired({t0() + Duration(31000), 100, {}, {}});
  ASSERT_TRUE(rescued.isOk()) << rescued.status().toString();
  ASSERT_EQ(rescued->size(), 3u);
  expectCounts(JobFilter{}, "rescued on expiry");
  // A dead worker's jobs: its last try fails, the other job is queued again.
  ASSERT_EQ(claim(2, t0() + Duration(40000), "dead").size(), 2u);
  WorkerRecord dead;
  dead.id = "dead";
  dead.started_at = dead.heartbeat_at = t0() + Duration(40000);
  ASSERT_TRUE(store_->heartbeatWorker(dead).isOk());
  auto gone = store_->rescueDeadWorkers({t0() + Duration(60000), t0() + Duration(61000), 100, {}, {}});
  ASSERT_TRUE(gone.isOk()) << gone.status().toString();
  ASSERT_EQ(gone->jobs.size(), 2u);
  expectCounts(JobFilter{}, "rescued from a dead worker");
  JobFilter dns;
  dns.services = {"dns"};
  expectCounts(dns, "rescued, service");
  auto raw = rawQuery(url_, "SELECT status, count(*) FROM sync_jobs GROUP BY status");
  ASSERT_TRUE(raw.isOk()) << raw.status().toString();
  std::map<JobStatus, int64_t> plain;
  for (JobStatus s : kAllJobStatuses) plain[s] = 0;
  for (const auto& row : *raw) plain[*parseJobStatus(row.at(0))] = std::stoll(row.at(1));
  JobFilter one;
  one.limit = 1;
  auto page = store_->listJobs(one);
  ASSERT_TRUE(page.isOk());
  EXPECT_EQ(page->status_counts, plain) << "the counters agree with COUNT(*)";
  EXPECT_EQ(plain[JobStatus::failed], 4);
  EXPECT_EQ(plain[JobStatus::queued], 1);
}

// Migration 5 on a database that already holds jobs: its objects are dropped
// (the schema of version 4, jobs kept) and migrate() applies it again.
TEST_P(StoreJobList, MigrationFiveCountsAndIndexesTheJobsAlreadyThere) {
  for (int i = 0; i < 30; ++i) {
    NewJob j = job(i % 3 ? "dns" : "mail");
    j.target_id = "host-" + std::to_string(i);
    j.actor = i % 2 ? Actor::user("alice") : Actor::system();
    insert(j, t0() + Duration(i * 40 * 60000));
  }
  finishAll([](int64_t id) { return id % 3 ? Transition::succeed : Transition::fail; }, t0() + Duration(86400000));
  insert(job("dns"));
  const std::string undo =
      GetParam() == "sqlite"
          ? "DROP TABLE sync_job_counts; DROP TABLE sync_jobs_search; DROP INDEX sync_jobs_unsuccessful; "
            "DELETE FROM schema_migrations WHERE version >= 5"
          : "DROP TABLE sync_job_counts; DROP TABLE sync_job_count_changes; "
            "DROP TRIGGER sync_jobs_counts_insert ON sync_jobs; DROP TRIGGER sync_jobs_counts_update ON sync_jobs; "
            "DROP TRIGGER sync_jobs_counts_delete ON sync_jobs; DROP FUNCTION sync_job_counts_note(); "
            "DROP FUNCTION sync_job_counts_fold(); DROP FUNCTION sync_job_counts_note_statement(); "
            "DROP INDEX sync_jobs_search; DROP INDEX sync_jobs_unsuccessful; "
            "DROP STATISTICS sync_jobs_search_text; DELETE FROM schema_migrations WHERE version >= 5";
  ASSERT_TRUE(rawExec(url_, undo).isOk());
  ASSERT_TRUE(store_->migrate().isOk());
  JobFilter dns, since;
  dns.services = {"dns"};
  dns.actors = {"alice"};
  since.since = t0() + Duration(5 * 3600000 + 60000);
  for (const JobFilter& f : {JobFilter{}, dns, since}) expectCounts(f, "migrated");
  EXPECT_EQ(search("host-25"), ids(all([] {
              JobFilter f;
              f.target_id = "host-25";
              return f;
            }())))
      << "finished before the migration, found through its index";
  EXPECT_EQ(search("HOST-17").size(), 1u);
  EXPECT_EQ(search("host-1").size(), 11u) << "host-1, host-10 .. host-19";
}

TEST_P(StoreJobList, CountsHonourEveryTimeWindow) {
  // Jobs every 17 minutes over about two and a half days, in every status.
  const TimePoint start = t0() - Duration(7 * 60000);  // 15:53, not on an hour
  for (int i = 0; i < 200; ++i) {
    NewJob j = job(i % 2 ? "dns" : "mail");
    j.actor = i % 5 ? Actor::user("alice") : Actor::system();
    insert(j, start + Duration(i * 17 * 60000));
  }
  const TimePoint done = start + Duration(200 * 17 * 60000);
  finishAll(
      [](int64_t id) {
        switch (id % 6) {
          case 0: return Transition::succeed;
          case 1: return Transition::fail;
          case 2: return Transition::conflict;
          case 3: return Transition::skip;
          default: return Transition::succeed;
        }
      },
      done);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(store_->cancelJob({insert(job("dns"), start + Duration(i * 3600000)),
                                                             Actor::user("bob"), done, false, "", {}})
                                              .isOk());
  ASSERT_EQ(claim(3, done).size(), 0u);
  const Duration minute(60000), hour(3600000), day(86400000);
  struct Window {
    std::string name;
    std::optional<TimePoint> since, until;
  };
  std::vector<Window> windows = {
      {"since, mid-hour", t0() + 7 * minute, std::nullopt},
      {"since, on the hour", t0() + 2 * hour, std::nullopt},
      {"since, on the day", t0() + 8 * hour, std::nullopt},
      {"until only", std::nullopt, t0() + day + 13 * minute},
      {"within one hour", t0() + hour + 5 * minute, t0() + hour + 50 * minute},
      {"across an hour", t0() + hour + 50 * minute, t0() + 2 * hour + 10 * minute},
      {"within one day", t0() + 3 * minute, t0() + 6 * hour + 1 * minute},
      {"across days", t0() + 5 * hour + 59 * minute, t0() + 2 * day + 1 * minute},
      {"whole days", t0() + 8 * hour, t0() + 8 * hour + day},
      {"empty", t0() + day, t0() + day},
      {"backwards", t0() + day, t0()},
      {"before everything", std::nullopt, start},
  };
  for (const Window& w : windows) {
    JobFilter f;
    f.since = w.since;
    f.until = w.until;
    expectCounts(f, w.name);
    f.services = {"mail"};
    f.actors = {"alice", "system"};
    f.statuses = {JobStatus::success};
    expectCounts(f, w.name + ", service and actors");
  }
}

TEST_P(StoreJobList, CountsOfAWideSearchAreLowerBoundsAndSaySo) {
  constexpr int kCap = joblist::kCountScanLimit;
  InsertJobsRequest bulk;
  bulk.now = t0();
  for (int i = 0; i <= kCap; ++i) {
    NewJob j = job("bulk");
    j.target_id = "bulk-" + std::to_string(i);
    bulk.jobs.push_back(j);
  }
  ASSERT_TRUE(store_->insertJobs(std::move(bulk)).isOk());
  finishAll([](int64_t) { return Transition::succeed; });
  JobFilter wide;
  wide.q = "bulk-";
  auto page = store_->listJobs(wide);
  ASSERT_TRUE(page.isOk()) << page.status().toString();
  EXPECT_FALSE(page->status_counts_exact);
  EXPECT_EQ(page->status_counts[JobStatus::success], kCap) << "the first kCountScanLimit matching jobs";
  JobFilter narrow;
  narrow.q = "bulk-1";  // bulk-1, bulk-1x, bulk-1xx: fewer than kCap
  page = store_->listJobs(narrow);
  ASSERT_TRUE(page.isOk());
  EXPECT_TRUE(page->status_counts_exact);
  EXPECT_EQ(page->status_counts, expectedCounts(narrow));
  page = store_->listJobs(JobFilter{});
  ASSERT_TRUE(page.isOk());
  EXPECT_TRUE(page->status_counts_exact) << "the counters count any number exactly";
  EXPECT_EQ(page->status_counts[JobStatus::success], kCap + 1);
}

// Just below the cap the counts are exact and equal a plain count; one more
// match and the finished counts are lower bounds over exactly kCountScanLimit
// jobs, while queued and running stay exact.
TEST_P(StoreJobList, CountsOfASearchAreExactUpToTheCapAndLowerBoundsBeyond) {
  constexpr int kCap = joblist::kCountScanLimit;
  InsertJobsRequest bulk;
  bulk.now = t0();
  for (int i = 0; i < kCap - 1; ++i) {
    NewJob j = job("mix");
    j.target_id = "mix-" + std::to_string(i);
    bulk.jobs.push_back(j);
  }
  ASSERT_TRUE(store_->insertJobs(std::move(bulk)).isOk());
  finishAll([](int64_t id) { return id % 3 == 0 ? Transition::fail : Transition::succeed; });
  for (int i = 0; i < 3; ++i) {  // open jobs match too, counted apart from the cap (not due: never claimed here)
    NewJob j = job("mix");
    j.target_id = "mix-open-" + std::to_string(i);
    j.run_at = t0() + Duration(3'600'000);
    insert(j);
  }
  JobFilter f;
  f.q = "MIX-";
  expectCounts(f, "kCountScanLimit - 1 finished matches");

  NewJob one = job("mix");
  one.target_id = "mix-last";
  insert(one);
  finishAll([](int64_t) { return Transition::skip; });
  std::map<JobStatus, int64_t> truth = expectedCounts(f);
  f.limit = 1;
  auto page = store_->listJobs(f);
  ASSERT_TRUE(page.isOk()) << page.status().toString();
  EXPECT_FALSE(page->status_counts_exact);
  int64_t finished = 0;
  for (JobStatus s : joblist::kFinishedStatuses) {
    EXPECT_LE(page->status_counts[s], truth[s]) << toString(s) << ": a lower bound";
    finished += page->status_counts[s];
  }
  EXPECT_EQ(finished, kCap);
  EXPECT_EQ(page->status_counts[JobStatus::queued], truth[JobStatus::queued]);
  EXPECT_EQ(page->status_counts[JobStatus::running], truth[JobStatus::running]);
  EXPECT_EQ(truth[JobStatus::queued], 3);
  EXPECT_EQ(truth[JobStatus::skipped], 1);
}

TEST_P(StoreJobList, ALookupWithoutCountsListsTheSameJobs) {
  for (int i = 0; i < 5; ++i) insert(job(i % 2 ? "dns" : "mail"));
  JobFilter f;
  f.services = {"dns"};
  f.limit = 1;
  auto counted = store_->listJobs(f);
  f.with_counts = false;
  auto bare = store_->listJobs(f);
  ASSERT_TRUE(counted.isOk() && bare.isOk());
  EXPECT_EQ(ids(bare->jobs), ids(counted->jobs));
  EXPECT_EQ(bare->next_before_id, counted->next_before_id);
  EXPECT_TRUE(bare->status_counts.empty());
  EXPECT_EQ(counted->status_counts[JobStatus::queued], 2);
}

INSTANTIATE_TEST_SUITE_P(Drivers, StoreJobList, allDrivers(), driverName);

}  // namespace
}  // namespace snapq::testing
