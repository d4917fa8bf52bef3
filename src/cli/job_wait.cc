#include "cli/job_wait.h"

#include <unistd.h>

#include <chrono>
#include <iostream>
#include <thread>

#include <nlohmann/json.hpp>

namespace snapq::cli {
namespace {

constexpr auto kPoll = std::chrono::milliseconds(100);

class ProgressLine {
 public:
  explicit ProgressLine(std::string label) : label_(std::move(label)), tty_(isatty(STDERR_FILENO) == 1) {}
  ~ProgressLine() {
    if (drawn_) std::cerr << '\n';
  }
  void show(const std::string& text) {
    if (!tty_ || text == last_) return;
    last_ = text;
    std::cerr << "\r\033[K" << label_ << ": " << text << std::flush;
    drawn_ = true;
  }

 private:
  std::string label_;
  bool tty_;
  bool drawn_ = false;
  std::string last_;
};

std::string describe(const Job& job) {
  if (job.status == JobStatus::queued) return job.attempts > 0 ? "waiting to retry" : "queued";
  auto p = nlohmann::json::parse(job.progress, nullptr, false);
  if (!p.is_object()) return "running";
  std::string out = "running";
  if (p.contains("pages")) out += ", page " + p["pages"].dump();
  if (p.contains("fetched")) out += ", " + p["fetched"].dump() + " objects fetched";
  return out;
}

}  // namespace

Result<Job> waitForJob(Store& store, int64_t id, const std::string& label) {
  ProgressLine line(label);
  while (true) {
    auto job = store.getJob(id);
    if (!job) return job.status();
    if (isTerminal(job->status)) return job;
    line.show(describe(*job));
    std::this_thread::sleep_for(kPoll);
  }
}

Status waitForQuietTarget(Store& store, const std::string& service, const std::string& action,
                          const std::string& target_type, const std::string& label) {
  ProgressLine line(label);
  JobFilter filter;
  filter.services = {service};
  filter.actions = {action};
  filter.target_type = target_type;
  filter.statuses = {JobStatus::queued, JobStatus::running};
  filter.limit = 1;
  while (true) {
    auto page = store.listJobs(filter);
    if (!page) return page.status();
    int64_t open = 0;
    for (JobStatus s : filter.statuses) {
      if (auto it = page->status_counts.find(s); it != page->status_counts.end()) open += it->second;
    }
    if (open == 0) return Status::ok();
    line.show(std::to_string(open) + " job(s) queued or running");
    std::this_thread::sleep_for(kPoll);
  }
}

}  // namespace snapq::cli
