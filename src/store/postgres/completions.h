// Completions' SQL, for the driver's tests of their plans (completions.cc).
#pragma once

#include <string>
#include <vector>

#include "snapq/store.h"
#include "store/postgres/pg_conn.h"

namespace snapq::pg {

struct Statement {
  std::string sql;
  Params params;
};

// The UPDATE that applies transition `t` to a group of completions that all
// made it, RETURNING the ids it changed.
Statement transitionStatement(Transition t, const std::vector<const JobCompletion*>& group);

}  // namespace snapq::pg
