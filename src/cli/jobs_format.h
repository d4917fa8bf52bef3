// Text views of the audit log for people at a terminal (`--json` is the view
// for programs and uses core/job_json.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "snapq/job.h"

namespace snapq::cli {

// "850ms", "1.2s", "3m05s"
std::string formatDurationMs(int64_t ms);

// Rows as left-aligned columns two spaces apart, one line each.
std::string formatTable(const std::vector<std::vector<std::string>>& rows);

// "type:id", "type:*" or "-".
std::string jobTarget(const Job& job);

// An aligned table of the page, newest first, then a line with the status
// counts and, when there is a next page, "next: --cursor N".
std::string formatJobTable(const JobPage& page);

// One job's fields followed by its history.
std::string formatJobDetails(const Job& job, const std::vector<JobEvent>& events);

}  // namespace snapq::cli
