// snapq jobs list|show: read the audit log. The manager commands (retry,
// cancel, delete, prune) are in jobs_manage_cmd.cc.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "cli/cli_common.h"
#include "cli/jobs_format.h"
#include "core/filter_parse.h"
#include "core/job_json.h"

namespace snapq::cli {
namespace {

struct ListOptions {
  std::string db;
  std::vector<std::string> services, instances, actions, actors, triggers, statuses;
  std::string target_type, target_id, q, since, until, cursor;
  std::string limit = std::to_string(kDefaultJobLimit);
  bool json = false;
};

std::string joined(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : ",") + p;
  return out;
}

// The filter as typed, validated before the store is touched.
Result<JobFilter> buildFilter(const ListOptions& o, TimePoint now) {
  JobFilter f;
  f.services = o.services;
  f.instances = o.instances;
  f.actions = o.actions;
  f.actors = o.actors;
  f.target_type = o.target_type;
  f.target_id = o.target_id;
  f.q = o.q;
  auto statuses = parseStatusList(joined(o.statuses));
  if (!statuses) return statuses.status();
  f.statuses = std::move(*statuses);
  auto triggers = parseTriggerList(joined(o.triggers));
  if (!triggers) return triggers.status();
  f.triggers = std::move(*triggers);
  if (!o.since.empty()) {
    auto since = parseTimeBound(o.since, now);
    if (!since) return Status::invalidArgument("--since: " + since.status().message());
    f.since = *since;
  }
  if (!o.until.empty()) {
    auto until = parseTimeBound(o.until, now);
    if (!until) return Status::invalidArgument("--until: " + until.status().message());
    f.until = *until;
  }
  auto limit = parseLimit(o.limit);
  if (!limit) return limit.status();
  f.limit = *limit;
  if (!o.cursor.empty()) {
    auto cursor = parseCursor(o.cursor);
    if (!cursor) return cursor.status();
    f.before_id = *cursor;
  }
  return f;
}

int runList(const ListOptions& o) {
  auto filter = buildFilter(o, SystemClock().now());
  if (!filter) return usageError(filter.status().message());
  int code = kExitOk;
  std::shared_ptr<Store> store = openReadyStore(o.db, code);
  if (!store) return code;
  auto page = store->listJobs(*filter);
  if (!page) return reportStatus(page.status());
  if (o.json) {
    std::cout << jobPageToJson(*page).dump(2) << '\n';
  } else {
    std::cout << formatJobTable(*page);
  }
  return kExitOk;
}

int runShow(const std::string& db, int64_t id, bool json) {
  int code = kExitOk;
  std::shared_ptr<Store> store = openReadyStore(db, code);
  if (!store) return code;
  auto job = store->getJob(id);
  if (!job) {
    printError(job.status().message());
    return kExitFailure;
  }
  auto events = store->jobEvents(id);
  if (!events) return reportStatus(events.status());
  if (json) {
    nlohmann::json out = jobToJson(*job);
    out["events"] = nlohmann::json::array();
    for (const JobEvent& e : *events) out["events"].push_back(jobEventToJson(e));
    std::cout << out.dump(2) << '\n';
  } else {
    std::cout << formatJobDetails(*job, *events);
  }
  return kExitOk;
}

void addListCommand(CLI::App& jobs, Action& chosen) {
  auto o = std::make_shared<ListOptions>();
  CLI::App* cmd = jobs.add_subcommand("list", "list jobs, newest first");
  addDbOption(*cmd, o->db);
  cmd->add_option("--service", o->services, "only these services (repeat or comma list)")->delimiter(',');
  cmd->add_option("--instance", o->instances, "only these instances")->delimiter(',');
  cmd->add_option("--action", o->actions, "only these actions")->delimiter(',');
  cmd->add_option("--status", o->statuses,
                  "only these statuses: queued,running,success,failed,conflict,skipped,cancelled");
  cmd->add_option("--actor", o->actors, "only jobs by these actors (user name, or system)")->delimiter(',');
  cmd->add_option("--trigger", o->triggers, "only these triggers: manual,api,scheduled,retry,event");
  cmd->add_option("--target-type", o->target_type, "only this target type");
  cmd->add_option("--target-id", o->target_id, "only this target id");
  cmd->add_option("-q,--query", o->q, "substring of target id, action or error")->type_name("TEXT");
  cmd->add_option("--since", o->since, "created at or after: ISO-8601 or 1h|24h|7d|30d ago")->type_name("TIME");
  cmd->add_option("--until", o->until, "created before: ISO-8601 or 1h|24h|7d|30d ago")->type_name("TIME");
  cmd->add_option("--limit", o->limit, "jobs per page, 1-200")->default_str(o->limit)->type_name("N");
  cmd->add_option("--cursor", o->cursor, "next page: the cursor printed by the previous page")->type_name("C");
  cmd->add_flag("--json", o->json, "print JSON as the HTTP API does");
  cmd->callback([o, &chosen] { chosen = [o] { return runList(*o); }; });
}

void addShowCommand(CLI::App& jobs, Action& chosen) {
  struct ShowOptions {
    std::string db;
    int64_t id = 0;
    bool json = false;
  };
  auto o = std::make_shared<ShowOptions>();
  CLI::App* cmd = jobs.add_subcommand("show", "show one job and its history");
  addDbOption(*cmd, o->db);
  cmd->add_option("ID", o->id, "job id")->required()->check(jobIdValidator());
  cmd->add_flag("--json", o->json, "print JSON as the HTTP API does");
  cmd->callback([o, &chosen] { chosen = [o] { return runShow(o->db, o->id, o->json); }; });
}

}  // namespace

void addJobsCommand(CLI::App& app, Action& chosen) {
  CLI::App* jobs = app.add_subcommand("jobs", "inspect and manage jobs (the audit log)");
  addListCommand(*jobs, chosen);
  addShowCommand(*jobs, chosen);
  addJobManagerCommands(*jobs, chosen);
}

}  // namespace snapq::cli
