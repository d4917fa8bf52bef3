// Errors as values: every fallible call across a module boundary returns a
// Status or a Result<T>. The code tells callers (and the HTTP layer, later)
// what kind of failure it is; the message is for a person.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace snapq {

enum class ErrorCode {
  ok = 0,
  invalid_argument,  // bad input from a caller (CLI exit 2, HTTP 400/422)
  not_found,         // unknown job, service, resource or key (HTTP 404)
  invalid_state,     // the object's state does not allow it (HTTP 409)
  already_exists,    // a unique constraint refused it
  failed_precondition,  // the caller's expectation no longer holds (If-Match; HTTP 412)
  unavailable,       // the store or a service cannot be reached now; retryable
  internal,          // a bug or an unexpected library failure
};

const char* errorCodeName(ErrorCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status ok() { return {}; }
  static Status invalidArgument(std::string m) { return {ErrorCode::invalid_argument, std::move(m)}; }
  static Status notFound(std::string m) { return {ErrorCode::not_found, std::move(m)}; }
  static Status invalidState(std::string m) { return {ErrorCode::invalid_state, std::move(m)}; }
  static Status alreadyExists(std::string m) { return {ErrorCode::already_exists, std::move(m)}; }
  static Status failedPrecondition(std::string m) { return {ErrorCode::failed_precondition, std::move(m)}; }
  static Status unavailable(std::string m) { return {ErrorCode::unavailable, std::move(m)}; }
  static Status internal(std::string m) { return {ErrorCode::internal, std::move(m)}; }

  bool isOk() const { return code_ == ErrorCode::ok; }
  explicit operator bool() const { return isOk(); }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "not_found: job 7 does not exist"
  std::string toString() const;

 private:
  ErrorCode code_ = ErrorCode::ok;
  std::string message_;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Status status) : status_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    if (status_.isOk()) status_ = Status::internal("an ok status was returned where a value was expected");
  }

  bool isOk() const { return value_.has_value(); }
  explicit operator bool() const { return isOk(); }
  // Why there is no value; ok when there is one.
  const Status& status() const { return status_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace snapq
