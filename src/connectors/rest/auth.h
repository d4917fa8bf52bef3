// The credentials of one service instance on the rest connector's requests:
// a static header, a bearer token, HTTP Basic, or an OAuth2 client-
// credentials token (RFC 6749 4.4) fetched on first use and cached until
// shortly before it expires. Thread-safe: one fetch at a time, and the
// threads that need a token meanwhile wait for that one.
#pragma once

#include <mutex>
#include <optional>
#include <string>

#include "connectors/rest/errors.h"
#include "net/http_client.h"
#include "snapq/clock.h"
#include "snapq/config.h"
#include "snapq/connector.h"

namespace snapq::rest {

std::string base64Encode(std::string_view bytes);

// A cached token is used until expires_in minus this share of it, at most
// kMaxTokenMargin: a request sent just before the expiry still arrives with
// a valid token.
inline constexpr Duration kMaxTokenMargin = std::chrono::seconds(30);

class Auth {
 public:
  // Registers the instance's credentials with `redactor`.
  Auth(const InstanceSpec& instance, const Clock& clock, Redactor& redactor);

  struct Applied {
    std::string token;    // the OAuth2 access token sent (empty for other kinds)
    bool cached = false;  // it came from the cache (a 401 may mean it was revoked)
  };

  // Adds the credential headers to a request, fetching an OAuth2 token with
  // `client` when none is cached or it expired.
  RemoteResult<Applied> apply(net::Headers& headers, net::HttpClient& client);

  // After a 401 to a request that carried `token`: drops it from the cache
  // (unless another thread replaced it already), so the next apply() fetches.
  void reject(const std::string& token);

  bool refreshes() const { return spec_.kind == AuthKind::oauth2_client_credentials; }
  // How many tokens were fetched (for tests and metrics).
  int tokensFetched() const;

 private:
  RemoteResult<std::string> fetchToken(net::HttpClient& client);
  std::string tokenUrl() const;

  const InstanceSpec& instance_;
  const AuthSpec& spec_;
  const Clock& clock_;
  Redactor& redactor_;

  mutable std::mutex mu_;
  std::string token_;
  std::optional<TimePoint> expires_at_;  // nullopt: until the service refuses it
  int fetched_ = 0;
};

}  // namespace snapq::rest
