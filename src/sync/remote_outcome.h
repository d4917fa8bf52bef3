// How a classified remote error ends a job's attempt (DESIGN.md "Mutation job" 4).
#pragma once

#include <string>

#include "snapq/connector.h"
#include "snapq/handler.h"

namespace snapq {

inline Outcome outcomeOf(const RemoteError& e, const std::string& doing) {
  std::string why = doing + ": " + e.message;
  switch (e.kind) {
    case RemoteError::Kind::rate_limited: return Outcome::rateLimited(e.retry_after, why);
    case RemoteError::Kind::retryable: return Outcome::retry(why);
    case RemoteError::Kind::not_found:
    case RemoteError::Kind::rejected: return Outcome::reject(why);
  }
  return Outcome::retry(why);
}

}  // namespace snapq
