#include "connectors/rest/errors.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace snapq::rest {
namespace {

using namespace std::chrono;

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool allDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int toInt(std::string_view digits) {
  int value = -1;
  std::from_chars(digits.data(), digits.data() + digits.size(), value);
  return value;
}

int monthOf(std::string_view token) {
  static constexpr std::string_view kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                                 "jul", "aug", "sep", "oct", "nov", "dec"};
  if (token.size() < 3) return 0;
  std::string prefix;
  for (char c : token.substr(0, 3)) prefix += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (int m = 0; m < 12; ++m) {
    if (prefix == kMonths[m]) return m + 1;
  }
  return 0;
}

// The three date formats HTTP allows (RFC 9110 5.6.7), read by their parts:
// "Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT",
// "Sun Nov  6 08:49:37 1994".
std::optional<TimePoint> parseHttpDate(std::string_view text) {
  std::vector<std::string_view> tokens;
  size_t i = 0;
  while (i < text.size()) {
    const size_t start = text.find_first_not_of(" ,-", i);
    if (start == std::string_view::npos) break;
    size_t end = text.find_first_of(" ,-", start);
    if (end == std::string_view::npos) end = text.size();
    tokens.push_back(text.substr(start, end - start));
    i = end;
  }
  int month = 0, day = -1, year = -1, hour = -1, minute = -1, second = -1;
  for (std::string_view t : tokens) {
    if (t.find(':') != std::string_view::npos) {
      if (t.size() != 8 || t[2] != ':' || t[5] != ':') return std::nullopt;
      if (!allDigits(t.substr(0, 2)) || !allDigits(t.substr(3, 2)) || !allDigits(t.substr(6, 2))) return std::nullopt;
      hour = toInt(t.substr(0, 2));
      minute = toInt(t.substr(3, 2));
      second = toInt(t.substr(6, 2));
    } else if (allDigits(t)) {
      if (t.size() == 4) {
        year = toInt(t);
      } else if (t.size() <= 2 && day < 0) {
        day = toInt(t);
      } else if (t.size() == 2 && year < 0) {
        const int yy = toInt(t);  // RFC 850's two-digit year
        year = yy < 70 ? 2000 + yy : 1900 + yy;
      } else {
        return std::nullopt;
      }
    } else if (int m = monthOf(t); m > 0 && month == 0 && t.size() == 3) {
      month = m;
    }
  }
  if (month == 0 || day < 1 || year < 1970 || hour < 0 || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  const year_month_day date{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                            std::chrono::day(static_cast<unsigned>(day))};
  if (!date.ok()) return std::nullopt;
  return time_point_cast<Duration>(sys_days(date) + hours(hour) + minutes(minute) + seconds(second));
}

// "GET http://host/p: timed out after 10 ms" -> "timed out after 10 ms": the
// client names the URL; our messages name only the path.
std::string transportDetail(const std::string& message) {
  const size_t colon = message.find(": ");
  return colon == std::string::npos ? message : message.substr(colon + 2);
}

// "2 s" or "1500 ms".
std::string formatWait(Duration wait) {
  if (wait.count() % 1000 == 0) return std::to_string(wait.count() / 1000) + " s";
  return std::to_string(wait.count()) + " ms";
}

std::string statusText(int status) {
  const std::string phrase = net::reasonPhrase(status);
  return "HTTP " + std::to_string(status) + (phrase == "Unknown" ? "" : " " + phrase);
}

}  // namespace

std::optional<Duration> parseRetryAfter(std::string_view value, TimePoint now) {
  value = trim(value);
  if (allDigits(value)) {
    if (value.size() > 9) return std::nullopt;
    return duration_cast<Duration>(seconds(toInt(value)));
  }
  const std::optional<TimePoint> at = parseHttpDate(value);
  if (!at) return std::nullopt;
  return std::max(Duration::zero(), *at - now);
}

RemoteError statusError(const std::string& what, const net::ClientResponse& response, TimePoint now) {
  RemoteError error;
  const int status = response.status;
  error.http_status = status;
  std::string summary = statusText(status);
  const std::optional<std::string> retry_after = response.headers.get("Retry-After");
  if (status == 429) {
    error.kind = RemoteError::Kind::rate_limited;
    error.retry_after = (retry_after ? parseRetryAfter(*retry_after, now) : std::nullopt).value_or(kDefaultRetryAfter);
    summary = "rate limited (HTTP 429, retry after " + formatWait(error.retry_after) + ")";
  } else if (status >= 500 || status == 408) {
    error.kind = RemoteError::Kind::retryable;
    // A 503 may say when to come back; the retry policy may use it.
    if (retry_after) error.retry_after = parseRetryAfter(*retry_after, now).value_or(Duration::zero());
  } else if (status == 401 || status == 403) {
    error.kind = RemoteError::Kind::rejected;
    summary = "authentication failed (HTTP " + std::to_string(status) + ")";
  } else if (status == 404 || status == 410) {
    error.kind = RemoteError::Kind::not_found;
  } else {
    error.kind = RemoteError::Kind::rejected;
    if (status < 400) summary = "unexpected answer " + summary;
  }
  const std::string reason = serviceReason(response.body, response.headers.get("Content-Type").value_or(""));
  error.message = what + ": " + summary + (reason.empty() ? "" : ": " + reason);
  return error;
}

RemoteError transportError(const std::string& what, const Status& status) {
  RemoteError error;
  error.kind = status.code() == ErrorCode::unavailable ? RemoteError::Kind::retryable : RemoteError::Kind::rejected;
  error.message = what + ": " + transportDetail(status.message());
  return error;
}

RemoteError rejected(const std::string& what, const std::string& detail, int http_status) {
  RemoteError error;
  error.kind = RemoteError::Kind::rejected;
  error.message = what + ": " + detail;
  error.http_status = http_status;
  return error;
}

void Redactor::add(const std::string& secret) {
  if (secret.size() < kMinLength) return;
  std::lock_guard lock(mu_);
  if (std::find(secrets_.begin(), secrets_.end(), secret) == secrets_.end()) secrets_.push_back(secret);
}

void Redactor::addTransient(const std::string& secret) {
  if (secret.size() < kMinLength) return;
  std::lock_guard lock(mu_);
  if (std::find(transient_.begin(), transient_.end(), secret) != transient_.end()) return;
  if (transient_.size() == kTransientKept) transient_.erase(transient_.begin());
  transient_.push_back(secret);
}

std::string Redactor::apply(std::string text, const std::vector<std::string>& extra) const {
  auto scrub = [&text](const std::string& secret) {
    if (secret.size() < kMinLength) return;
    for (size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 3)) {
      text.replace(at, secret.size(), "***");
    }
  };
  {
    std::lock_guard lock(mu_);
    // Longest first, so a secret containing another is replaced whole.
    std::vector<const std::string*> all;
    for (const std::string& s : secrets_) all.push_back(&s);
    for (const std::string& s : transient_) all.push_back(&s);
    for (const std::string& s : extra) all.push_back(&s);
    std::sort(all.begin(), all.end(), [](const std::string* a, const std::string* b) { return a->size() > b->size(); });
    for (const std::string* s : all) scrub(*s);
  }
  return text;
}

}  // namespace snapq::rest
