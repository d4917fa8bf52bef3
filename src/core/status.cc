#include "snapq/status.h"

namespace snapq {

const char* errorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::ok:
      return "ok";
    case ErrorCode::invalid_argument:
      return "invalid_argument";
    case ErrorCode::not_found:
      return "not_found";
    case ErrorCode::invalid_state:
      return "invalid_state";
    case ErrorCode::already_exists:
      return "already_exists";
    case ErrorCode::failed_precondition:
      return "failed_precondition";
    case ErrorCode::unavailable:
      return "unavailable";
    case ErrorCode::internal:
      return "internal";
  }
  // Only reachable with a value cast from an out-of-range integer.
  return "unknown";
}

std::string Status::toString() const {
  if (isOk()) return "ok";
  std::string out = errorCodeName(code_);
  out += ": ";
  out += message_;
  return out;
}

}  // namespace snapq
