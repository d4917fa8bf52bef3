#include "core/job_json.h"

#include <gtest/gtest.h>

#include "core/time_format.h"

namespace snapq {
namespace {

using nlohmann::json;

Job queuedJob() {
  Job job;
  job.id = 7;
  job.service = "sim";
  job.instance = "default";
  job.action = "update";
  job.kind = JobKind::mutation;
  job.target_type = "account";
  job.target_id = "42";
  job.max_attempts = 3;
  job.priority = 1;
  job.queue = "sim";
  job.actor = Actor::user("alice");
  job.payload = R"({"email":"a@example.com","password":"***"})";
  job.sealed_payload = "SEALED-BYTES-hunter2";
  job.created_at = *parseIso("2026-11-25T10:00:00.000Z");
  job.run_at = *parseIso("2026-11-25T10:00:01.500Z");
  return job;
}

TEST(JobToJson, HasEveryFieldOfTheApiJobObject) {
  const json j = jobToJson(queuedJob());
  for (const char* key :
       {"id",          "service",     "instance",     "action",        "kind",       "target_type",    "target_id",
        "status",      "attempts",    "max_attempts", "priority",      "queue",      "trigger_source", "actor",
        "payload",     "result",      "error",        "expected_hash", "created_at", "run_at",         "started_at",
        "finished_at", "duration_ms", "progress",     "override",      "locked_by",  "lease_until"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_EQ(j.size(), 27u) << j.dump();
  EXPECT_EQ(j["id"], 7);
  EXPECT_EQ(j["kind"], "mutation");
  EXPECT_EQ(j["status"], "queued");
  EXPECT_EQ(j["trigger_source"], "manual");
  EXPECT_EQ(j["actor"], (json{{"type", "user"}, {"name", "alice"}}));
  EXPECT_EQ(j["payload"], (json{{"email", "a@example.com"}, {"password", "***"}}));
  EXPECT_EQ(j["created_at"], "2026-11-25T10:00:00.000Z");
  EXPECT_EQ(j["run_at"], "2026-11-25T10:00:01.500Z");
  EXPECT_EQ(j["override"], false);
}

TEST(JobToJson, AbsentValuesAreNull) {
  const json j = jobToJson(queuedJob());
  for (const char* key : {"result", "error", "expected_hash", "started_at", "finished_at", "duration_ms", "progress",
                          "locked_by", "lease_until"}) {
    EXPECT_TRUE(j[key].is_null()) << key;
  }
}

TEST(JobToJson, FinishedJobShowsTimesResultAndError) {
  Job job = queuedJob();
  job.status = JobStatus::failed;
  job.attempts = 3;
  job.result = R"({"http_status":503})";
  job.error = "attempt 3 failed: 503";
  job.expected_hash = "abc";
  job.started_at = *parseIso("2026-11-25T10:00:02.000Z");
  job.finished_at = *parseIso("2026-11-25T10:00:02.250Z");
  job.duration_ms = 250;
  job.override_conflict = true;
  const json j = jobToJson(job);
  EXPECT_EQ(j["result"], (json{{"http_status", 503}}));
  EXPECT_EQ(j["error"], "attempt 3 failed: 503");
  EXPECT_EQ(j["expected_hash"], "abc");
  EXPECT_EQ(j["started_at"], "2026-11-25T10:00:02.000Z");
  EXPECT_EQ(j["finished_at"], "2026-11-25T10:00:02.250Z");
  EXPECT_EQ(j["duration_ms"], 250);
  EXPECT_EQ(j["override"], true);
}

TEST(JobToJson, TextThatIsNotJsonIsShownAsAString) {
  Job job = queuedJob();
  job.payload = "not json";
  job.result = "plain words";
  const json j = jobToJson(job);
  EXPECT_EQ(j["payload"], "not json");
  EXPECT_EQ(j["result"], "plain words");
}

TEST(JobToJson, NeverShowsTheSealedPayload) {
  const std::string text = jobToJson(queuedJob()).dump();
  EXPECT_EQ(text.find("sealed"), std::string::npos);
  EXPECT_EQ(text.find("SEALED-BYTES"), std::string::npos);
  EXPECT_EQ(text.find("hunter2"), std::string::npos);
}

TEST(JobEventToJson, HasAtTypeMessageAndActor) {
  JobEvent e;
  e.id = 3;
  e.job_id = 7;
  e.at = *parseIso("2026-11-25T10:00:03.000Z");
  e.type = "cancelled";
  e.message = "cancelled by cli:bob";
  e.actor = Actor::user("cli:bob");
  EXPECT_EQ(jobEventToJson(e), (json{{"at", "2026-11-25T10:00:03.000Z"},
                                     {"type", "cancelled"},
                                     {"message", "cancelled by cli:bob"},
                                     {"actor", {{"type", "user"}, {"name", "cli:bob"}}}}));
}

TEST(JobPageToJson, ListsJobsCursorAndEveryStatusCount) {
  JobPage page;
  page.jobs = {queuedJob()};
  page.next_before_id = 7;
  page.status_counts[JobStatus::queued] = 4;
  json j = jobPageToJson(page);
  ASSERT_EQ(j["jobs"].size(), 1u);
  EXPECT_EQ(j["jobs"][0]["id"], 7);
  EXPECT_EQ(j["next_cursor"], "7");
  EXPECT_EQ(j["status_counts"], (json{{"queued", 4},
                                      {"running", 0},
                                      {"success", 0},
                                      {"failed", 0},
                                      {"conflict", 0},
                                      {"skipped", 0},
                                      {"cancelled", 0}}));
  EXPECT_EQ(j["status_counts_exact"], true);
  page.status_counts_exact = false;
  EXPECT_EQ(jobPageToJson(page)["status_counts_exact"], false) << "lower bounds say so";
  page.next_before_id.reset();
  page.jobs.clear();
  j = jobPageToJson(page);
  EXPECT_EQ(j["jobs"], json::array());
  EXPECT_TRUE(j["next_cursor"].is_null());
}

}  // namespace
}  // namespace snapq
