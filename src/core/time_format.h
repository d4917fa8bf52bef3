// ISO-8601 timestamps and human durations as they appear in the store, the
// API and the config ("2026-11-25T10:00:00.000Z", "15m", "7d").
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "snapq/clock.h"

namespace snapq {

// Always UTC, always milliseconds, always 'Z': one fixed width so stored
// timestamps sort lexicographically in time order.
std::string formatIso(TimePoint t);

// "YYYY-MM-DDTHH:MM:SS[.f{1,9}](Z|+HH:MM|-HH:MM)" or a bare "YYYY-MM-DD"
// (midnight UTC). Fractions below a millisecond are truncated.
std::optional<TimePoint> parseIso(std::string_view text);

// "<positive integer><unit>", unit one of ms|s|m|h|d.
std::optional<Duration> parseDuration(std::string_view text);

}  // namespace snapq
