#pragma once

#include <string>
#include <vector>

namespace snapq::pg {

struct Migration {
  int version;
  std::string description;
  std::string sql;
};

// Same version numbers as the SQLite driver's migrations, for the same changes.
const std::vector<Migration>& migrations();

// Key of the transaction-level advisory lock every migrating node takes first,
// so nodes starting at once apply each migration exactly once.
inline constexpr long long kMigrationLockKey = 0x736e617071'6d6967;  // "snapq" "mig"

}  // namespace snapq::pg
