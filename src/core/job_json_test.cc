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

namespace snapq {
namespace {

std::string dumped(const nlohmann::json& j) { return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); }

// Every field set, texts with what JSON must escape, text beyond ASCII and
// bytes that are not UTF-8.
Job finishedJob() {
  Job job;
  job.id = 9'000'000'001;
  job.service = "dns";
  job.instance = "eu-1";
  job.action = "update";
  job.kind = JobKind::mutation;
  job.target_type = "record";
  job.target_id = "www.\"quoted\"\\back\tslash/é";
  job.status = JobStatus::failed;
  job.attempts = 5;
  job.max_attempts = 5;
  job.priority = -3;
  job.queue = "dns";
  job.trigger_source = TriggerSource::api;
  job.actor = Actor::token("ci-bot");
  job.payload = nlohmann::json{{"ttl", 300}, {"content", "1.2.3.4"}, {"password", "***"}, {"n", 1.5}}.dump();
  job.result = nlohmann::json{{"remote", {{"status", 503}, {"body", "x\ny"}}}}.dump();
  job.error = std::string("HTTP 503: \x01\x1f control, \xff\xfe not UTF-8, \xe2\x82\xac euro, emoji \xf0\x9f\x98\x80");
  job.expected_hash = "sha256:abc";
  job.progress = R"({"pages":3})";
  job.override_conflict = true;
  job.created_at = *parseIso("2026-11-25T10:00:00.000Z");
  job.run_at = *parseIso("2026-11-25T10:00:01.500Z");
  job.started_at = *parseIso("2026-11-25T10:00:02.000Z");
  job.finished_at = *parseIso("2026-11-25T10:00:03.250Z");
  job.duration_ms = 1250;
  job.locked_by = "node-1:42";
  job.lease_until = *parseIso("2026-11-25T10:05:00.000Z");
  return job;
}

TEST(JobPageJsonText, IsByteForByteTheDumpOfTheJsonTree) {
  JobPage page;
  Job not_json = queuedJob();
  not_json.id = 3;
  not_json.payload = "not json {";  // shown as a string
  not_json.result = "";
  page.jobs = {finishedJob(), queuedJob(), not_json};
  page.next_before_id = 3;
  page.status_counts = {{JobStatus::failed, 11}, {JobStatus::queued, 2}, {JobStatus::success, 1'000'000}};
  page.status_counts_exact = false;
  EXPECT_EQ(jobPageJsonText(page), dumped(jobPageToJson(page)));
  for (const Job& job : page.jobs) EXPECT_EQ(jobJsonText(job), dumped(jobToJson(job)));

  JobPage empty;
  EXPECT_EQ(jobPageJsonText(empty), dumped(jobPageToJson(empty)));
}

TEST(JobPageJsonText, StoredJsonInAnotherFormIsCopiedAndMeansTheSame) {
  Job job = queuedJob();
  job.payload = "{ \"b\": [1, 2],\n  \"a\": {\"c\": null} }";
  const std::string text = jobJsonText(job);
  EXPECT_NE(text.find(job.payload), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(text), jobToJson(job));
}

}  // namespace
}  // namespace snapq
