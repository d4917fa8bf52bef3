// Parsing of the audit-log filters as users type them, shared by the CLI
// (`snapq jobs list --status failed,conflict --since 24h`) and the HTTP API
// (`GET /api/v1/jobs?status=failed,conflict&since=24h`), so both accept and
// refuse exactly the same text with the same messages.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "snapq/clock.h"
#include "snapq/job.h"
#include "snapq/status.h"

namespace snapq {

inline constexpr int kDefaultJobLimit = 25;
inline constexpr int kMaxJobLimit = 200;

// "failed,conflict" -> {failed, conflict}. Blanks around names and empty items
// are ignored, duplicates dropped; "" is an empty list (no filter). An unknown
// name is an invalid_argument naming the accepted ones.
Result<std::vector<JobStatus>> parseStatusList(std::string_view text);

// The same for trigger sources ("manual,scheduled").
Result<std::vector<TriggerSource>> parseTriggerList(std::string_view text);

// ISO-8601 ("2026-11-25T10:00:00Z", "2026-11-25") or a relative duration
// meaning that long before `now` ("1h", "24h", "7d", "30d", any of ms|s|m|h|d).
Result<TimePoint> parseTimeBound(std::string_view text, TimePoint now);

// A listing cursor: the decimal id the next page starts below (> 0).
Result<int64_t> parseCursor(std::string_view text);

// A page size, 1..kMaxJobLimit.
Result<int> parseLimit(std::string_view text);

}  // namespace snapq
