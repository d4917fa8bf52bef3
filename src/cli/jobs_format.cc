#include "cli/jobs_format.h"

#include <algorithm>
#include <sstream>

#include "core/time_format.h"

namespace snapq::cli {
namespace {

constexpr size_t kMaxCell = 40;

std::string clip(std::string s) {
  if (s.size() > kMaxCell) s = s.substr(0, kMaxCell - 3) + "...";
  return s;
}

std::string actor(const Actor& a) { return a.type == ActorType::token ? "token:" + a.name : a.name; }

std::string countsLine(const JobPage& page) {
  std::string line;
  for (JobStatus s : kAllJobStatuses) {
    auto it = page.status_counts.find(s);
    int64_t n = it == page.status_counts.end() ? 0 : it->second;
    bool lower_bound = !page.status_counts_exact && s != JobStatus::queued && s != JobStatus::running;
    line += (line.empty() ? "" : "  ") + std::string(toString(s)) + " " + std::to_string(n) + (lower_bound ? "+" : "");
  }
  return line;
}

}  // namespace

std::string formatDurationMs(int64_t ms) {
  if (ms < 1000) return std::to_string(ms) + "ms";
  if (ms < 60'000) {
    std::string tenths = std::to_string(ms / 100 % 10);
    return std::to_string(ms / 1000) + "." + tenths + "s";
  }
  int64_t seconds = ms / 1000;
  std::string s = std::to_string(seconds % 60);
  return std::to_string(seconds / 60) + "m" + (s.size() < 2 ? "0" : "") + s + "s";
}

std::string formatTable(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width;
  for (const auto& row : rows) {
    width.resize(std::max(width.size(), row.size()));
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(width[i] - row[i].size() + 2, ' ');
    }
    out += line + '\n';
  }
  return out;
}

std::string jobTarget(const Job& job) {
  if (job.target_type.empty() && job.target_id.empty()) return "-";
  if (job.target_type.empty()) return job.target_id;
  return job.target_type + ":" + (job.target_id.empty() ? "*" : job.target_id);
}

std::string formatJobTable(const JobPage& page) {
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"ID", "STATUS", "SERVICE/INSTANCE", "ACTION", "TARGET", "ATTEMPTS", "ACTOR", "CREATED", "DURATION"});
  for (const Job& job : page.jobs) {
    rows.push_back({std::to_string(job.id), toString(job.status), clip(job.service + "/" + job.instance),
                    clip(job.action), clip(jobTarget(job)),
                    std::to_string(job.attempts) + "/" + std::to_string(job.max_attempts), clip(actor(job.actor)),
                    formatIso(job.created_at), job.duration_ms ? formatDurationMs(*job.duration_ms) : "-"});
  }
  std::ostringstream out;
  out << (page.jobs.empty() ? "no jobs match\n" : formatTable(rows));
  out << countsLine(page) << '\n';
  if (page.next_before_id) out << "next: --cursor " << *page.next_before_id << '\n';
  return out.str();
}

std::string formatJobDetails(const Job& job, const std::vector<JobEvent>& events) {
  std::ostringstream out;
  auto field = [&out](const std::string& name, const std::string& value) {
    if (!value.empty()) out << "  " << name << std::string(12 - name.size(), ' ') << value << '\n';
  };
  out << "job " << job.id << "  " << toString(job.status) << '\n';
  field("service", job.service + "/" + job.instance);
  field("action", job.action + " (" + toString(job.kind) + ")");
  field("target", jobTarget(job));
  field("attempts", std::to_string(job.attempts) + "/" + std::to_string(job.max_attempts) + "  priority " +
                        std::to_string(job.priority) + "  queue " + job.queue);
  field("trigger",
        std::string(toString(job.trigger_source)) + " by " + toString(job.actor.type) + " " + job.actor.name);
  field("created", formatIso(job.created_at));
  field("run at", formatIso(job.run_at));
  if (job.started_at) field("started", formatIso(*job.started_at));
  if (job.finished_at) {
    field("finished", formatIso(*job.finished_at) +
                          (job.duration_ms ? " (" + formatDurationMs(*job.duration_ms) + ")" : std::string()));
  }
  if (!job.locked_by.empty()) {
    field("locked by", job.locked_by + (job.lease_until ? " until " + formatIso(*job.lease_until) : std::string()));
  }
  if (job.override_conflict) field("override", "yes (apply anyway)");
  field("expected", job.expected_hash);
  field("error", job.error);
  field("payload", job.payload);
  field("result", job.result);
  field("progress", job.progress);
  out << "events:\n";
  if (events.empty()) out << "  (none)\n";
  for (const JobEvent& e : events) {
    out << "  " << formatIso(e.at) << "  " << e.type << "  " << e.message << "  (" << actor(e.actor) << ")\n";
  }
  return out.str();
}

}  // namespace snapq::cli
