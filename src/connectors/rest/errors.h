// How the rest connector turns a failed exchange into a RemoteError: the
// kind decides what the job does next (retry, wait, fail), and the message
// carries the service's own reason, short and readable, never an HTML page
// and never a credential.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/http_client.h"
#include "snapq/clock.h"
#include "snapq/connector.h"
#include "snapq/status.h"

namespace snapq::rest {

// Reasons are cut to about this many bytes (at a character boundary).
inline constexpr size_t kMaxReasonBytes = 300;

// What a person should read of an error response body: from JSON, the
// `message` / `error` / `error_description` / `errors` members (and field
// details); else the text with HTML tags, scripts and styles removed and
// whitespace collapsed. Empty when the body says nothing.
std::string serviceReason(std::string_view body, std::string_view content_type = "");

// Retry-After as delta-seconds ("120") or an HTTP-date (IMF-fixdate,
// RFC 850 or asctime), relative to `now`; a date in the past waits 0.
// nullopt when the value is neither.
std::optional<Duration> parseRetryAfter(std::string_view value, TimePoint now);
inline constexpr Duration kDefaultRetryAfter = std::chrono::seconds(1);

// The error for an HTTP answer that is not a success. `what` is
// "METHOD /path" (never the query). 5xx and 408 are retryable; 429
// rate_limited with its Retry-After (1 s when absent); 401/403 rejected as
// "authentication failed"; 404 not_found; other statuses rejected.
RemoteError statusError(const std::string& what, const net::ClientResponse& response, TimePoint now);

// The error for a request that got no answer: unreachable or timed out is
// retryable; a malformed request (bad URL) or anything else is rejected.
RemoteError transportError(const std::string& what, const Status& status);

// "METHOD /path: <detail>" as a rejected error, for answers the connector
// cannot use (not JSON, no items array, a bad Location).
RemoteError rejected(const std::string& what, const std::string& detail, int http_status = 0);

// Replaces credentials in text with "***". Thread-safe: a token obtained
// while running is added by one thread while others redact.
class Redactor {
 public:
  // Values shorter than this are not redacted (they would mangle messages
  // more than they could reveal).
  static constexpr size_t kMinLength = 4;

  // A credential of the configuration (kept for the connector's life).
  void add(const std::string& secret);
  // A credential obtained while running (an OAuth2 access token); only the
  // last few are kept, which covers every token a request can still carry.
  void addTransient(const std::string& secret);
  // `text` with every known credential and every value of `extra` replaced.
  std::string apply(std::string text, const std::vector<std::string>& extra = {}) const;

 private:
  static constexpr size_t kTransientKept = 4;
  mutable std::mutex mu_;
  std::vector<std::string> secrets_;
  std::vector<std::string> transient_;
};

}  // namespace snapq::rest
