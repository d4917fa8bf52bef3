// snapq health: what the health page shows (docs/API.md "Health"), read from
// the database: totals of the window, each service's success rate, latency
// percentiles, pending work and last sync, the latest failures and the worker
// registry (every process sharing the database, with its last heartbeat).
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <sstream>

#include "cli/cli_common.h"
#include "cli/jobs_format.h"
#include "core/health_json.h"
#include "core/time_format.h"

namespace snapq::cli {
namespace {

struct HealthOptions {
  std::string db;
  std::string window = "24h";
  bool json = false;
};

std::string orDash(const std::optional<int64_t>& ms) { return ms ? formatDurationMs(*ms) : "-"; }

std::string successRate(const ServiceHealth& s) {
  std::optional<double> percent = successRatePercent(s);
  if (!percent) return "-";
  std::ostringstream out;
  out.precision(1);
  out << std::fixed << *percent << "%";
  return out.str();
}

std::string formatHealth(const HealthWindow& window, TimePoint now, const HealthData& data) {
  const ServiceHealth& t = data.report.totals;
  std::ostringstream out;
  out << "jobs created in the last " << window.name << ": " << t.total << " (success " << t.success << ", failed "
      << t.failed << ", conflict " << t.conflict << ", skipped " << t.skipped << ", cancelled " << t.cancelled
      << "); pending now: " << t.pending << "\n\n";
  std::vector<std::vector<std::string>> services = {
      {"SERVICE", "JOBS", "SUCCESS", "P50", "P95", "PENDING", "OLDEST DUE", "LAST SYNC"}};
  for (const ServiceHealth& s : data.report.services) {
    std::optional<Duration> waited = oldestDueAge(s, now);
    services.push_back({s.service, std::to_string(s.total), successRate(s), orDash(s.p50_ms), orDash(s.p95_ms),
                        std::to_string(s.pending), waited ? formatDurationMs(waited->count()) : "-",
                        s.last_sync_at ? formatIso(*s.last_sync_at) : "-"});
  }
  out << (data.report.services.empty() ? "no service has jobs in the window\n" : formatTable(services));

  out << "\nlatest failures and conflicts: ";
  if (data.recent_failures.empty()) {
    out << "none\n";
  } else {
    out << data.recent_failures.size() << "\n";
    std::vector<std::vector<std::string>> rows = {{"ID", "STATUS", "SERVICE", "ACTION", "TARGET", "FINISHED", "ERROR"}};
    for (const Job& j : data.recent_failures) {
      std::string error = j.error.size() > 60 ? j.error.substr(0, 57) + "..." : j.error;
      rows.push_back({std::to_string(j.id), toString(j.status), j.service, j.action, jobTarget(j),
                      j.finished_at ? formatIso(*j.finished_at) : "-", error});
    }
    out << formatTable(rows);
  }

  out << "\nworkers: ";
  if (data.workers.empty()) {
    out << "none registered\n";
  } else {
    out << data.workers.size() << "\n";
    std::vector<std::vector<std::string>> rows = {{"ID", "HOST", "PID", "STARTED", "LAST SEEN", "RUNNING"}};
    for (const WorkerRecord& w : data.workers) {
      rows.push_back({w.id, w.host, std::to_string(w.pid), formatIso(w.started_at), formatIso(w.heartbeat_at),
                      std::to_string(w.running_jobs)});
    }
    out << formatTable(rows);
  }
  return out.str();
}

int runHealth(const HealthOptions& o) {
  const HealthWindow* window = findHealthWindow(o.window);
  if (window == nullptr) return usageError("--window: '" + o.window + "' is not one of 1h, 24h, 7d, 30d");
  int code = kExitOk;
  std::shared_ptr<Store> store = openReadyStore(o.db, code);
  if (!store) return code;
  const TimePoint now = SystemClock().now();
  auto data = readHealth(*store, *window, now);
  if (!data) return reportStatus(data.status());
  if (o.json) {
    std::cout << healthToJson(*window, now, *data, {}, nullptr).dump(2) << '\n';
  } else {
    std::cout << formatHealth(*window, now, *data);
  }
  return kExitOk;
}

}  // namespace

void addHealthCommand(CLI::App& app, Action& chosen) {
  auto o = std::make_shared<HealthOptions>();
  CLI::App* cmd = app.add_subcommand(
      "health", "jobs of a time window per service, latest failures and the registered workers (from the database)");
  addDbOption(*cmd, o->db);
  cmd->add_option("--window", o->window, "1h, 24h, 7d or 30d")->default_str(o->window)->type_name("W");
  cmd->add_flag("--json", o->json,
                "print JSON as the HTTP API does (without circuits: they live in the serving process)");
  cmd->callback([o, &chosen] { chosen = [o] { return runHealth(*o); }; });
}

}  // namespace snapq::cli
