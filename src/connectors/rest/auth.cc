#include "connectors/rest/auth.h"

#include <charconv>
#include <nlohmann/json.hpp>

#include "connectors/rest/url.h"
#include "net/http_message.h"

namespace snapq::rest {
namespace {

using nlohmann::json;

bool isSuccess(int status) { return status >= 200 && status < 300; }

// expires_in as a number or, as some servers send it, a numeric string.
std::optional<int64_t> secondsAt(const json& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end()) return std::nullopt;
  if (it->is_number()) return static_cast<int64_t>(it->get<double>());
  if (it->is_string()) {
    const std::string text = it->get<std::string>();
    int64_t n = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec == std::errc() && end == text.data() + text.size()) return n;
  }
  return std::nullopt;
}

RemoteError tokenError(RemoteError error) {
  error.message = "cannot get an OAuth2 token: " + error.message;
  return error;
}

}  // namespace

std::string base64Encode(std::string_view bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const uint32_t n = (static_cast<uint8_t>(bytes[i]) << 16) | (static_cast<uint8_t>(bytes[i + 1]) << 8) |
                       static_cast<uint8_t>(bytes[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  if (i < bytes.size()) {
    const bool two = i + 1 < bytes.size();
    const uint32_t n = (static_cast<uint8_t>(bytes[i]) << 16) | (two ? static_cast<uint8_t>(bytes[i + 1]) << 8 : 0);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += two ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

Auth::Auth(const InstanceSpec& instance, const Clock& clock, Redactor& redactor)
    : instance_(instance), spec_(instance.auth), clock_(clock), redactor_(redactor) {
  for (const Secret* s : {&spec_.header_value, &spec_.token, &spec_.password, &spec_.client_secret}) {
    redactor_.add(s->reveal());
  }
  if (spec_.kind == AuthKind::basic) redactor_.add(base64Encode(spec_.username + ":" + spec_.password.reveal()));
  for (const HeaderSpec& h : instance_.headers) redactor_.add(h.value.reveal());
}

int Auth::tokensFetched() const {
  std::lock_guard lock(mu_);
  return fetched_;
}

std::string Auth::tokenUrl() const {
  if (!originOf(spec_.token_url).empty()) return spec_.token_url;
  return originOf(instance_.base_url) + spec_.token_url;
}

RemoteResult<Auth::Applied> Auth::apply(net::Headers& headers, net::HttpClient& client) {
  switch (spec_.kind) {
    case AuthKind::none: return Applied{};
    case AuthKind::header: headers.set(spec_.header_name, spec_.header_value.reveal()); return Applied{};
    case AuthKind::bearer: headers.set("Authorization", "Bearer " + spec_.token.reveal()); return Applied{};
    case AuthKind::basic:
      headers.set("Authorization", "Basic " + base64Encode(spec_.username + ":" + spec_.password.reveal()));
      return Applied{};
    case AuthKind::oauth2_client_credentials: break;
  }
  std::lock_guard lock(mu_);
  Applied applied;
  const bool valid = !token_.empty() && (!expires_at_ || clock_.now() < *expires_at_);
  if (valid) {
    applied = {token_, true};
  } else {
    RemoteResult<std::string> fetched = fetchToken(client);
    if (!fetched) return fetched.error();
    applied = {*fetched, false};
  }
  headers.set("Authorization", "Bearer " + applied.token);
  return applied;
}

void Auth::reject(const std::string& token) {
  std::lock_guard lock(mu_);
  if (token_ == token) token_.clear();
}

// Called with mu_ held.
RemoteResult<std::string> Auth::fetchToken(net::HttpClient& client) {
  net::ClientRequest request;
  request.method = "POST";
  request.url = tokenUrl();
  request.timeout = instance_.policy.timeout;
  const std::string what = "POST " + pathOf(request.url);
  // The instance's static headers are for its API; a token server elsewhere does not get them.
  if (sameOrigin(request.url, instance_.base_url)) {
    for (const HeaderSpec& h : instance_.headers) request.headers.set(h.name, h.value.reveal());
  }
  request.headers.set("Accept", "application/json");
  request.headers.set("Content-Type", "application/x-www-form-urlencoded");
  request.body = "grant_type=client_credentials";
  if (!spec_.scope.empty()) request.body += "&scope=" + net::percentEncode(spec_.scope);
  const std::string id = net::percentEncode(spec_.client_id);
  const std::string secret = net::percentEncode(spec_.client_secret.reveal());
  if (spec_.client_auth_basic) {
    // RFC 6749 2.3.1: both form-encoded, then HTTP Basic.
    request.headers.set("Authorization", "Basic " + base64Encode(id + ":" + secret));
  } else {
    request.body += "&client_id=" + id + "&client_secret=" + secret;
  }

  Result<net::ClientResponse> response = client.send(request);
  if (!response) return tokenError(transportError(what, response.status()));
  if (!isSuccess(response->status)) return tokenError(statusError(what, *response, clock_.now()));
  const json body = json::parse(response->body, nullptr, false);
  auto token = body.is_object() ? body.find("access_token") : body.end();
  if (body.is_discarded() || !body.is_object() || token == body.end() || !token->is_string() ||
      token->get<std::string>().empty()) {
    return tokenError(rejected(what, "the answer has no access_token", response->status));
  }
  token_ = token->get<std::string>();
  redactor_.addTransient(token_);
  ++fetched_;
  expires_at_.reset();
  if (const std::optional<int64_t> expires_in = secondsAt(body, "expires_in")) {
    const Duration lifetime = std::chrono::seconds(std::max<int64_t>(0, *expires_in));
    expires_at_ = clock_.now() + lifetime - std::min(kMaxTokenMargin, lifetime / 4);
  }
  return token_;
}

}  // namespace snapq::rest
