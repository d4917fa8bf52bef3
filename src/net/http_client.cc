#include "net/http_client.h"

#include <curl/curl.h>

#include <mutex>

namespace snapq::net {
namespace {

void initCurlOnce() {
  // curl_global_init is not thread-safe in every libcurl build; once per process.
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Transfer {
  ClientResponse* response;
  size_t max_bytes;
  const std::function<bool(std::string_view)>* on_body;
  bool too_large = false;
  bool stopped = false;  // by on_body
};

size_t onBody(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  if (*t->on_body) {
    if ((*t->on_body)(std::string_view(data, n))) return n;
    t->stopped = true;
    return 0;
  }
  if (t->response->body.size() + n > t->max_bytes) {
    t->too_large = true;
    return 0;  // anything short of n aborts the transfer
  }
  t->response->body.append(data, n);
  return n;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

size_t onHeader(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  const std::string_view line = trim(std::string_view(data, n));
  if (line.starts_with("HTTP/")) {
    t->response->headers = Headers();  // a new response begins (after a "100 Continue")
  } else if (const size_t colon = line.find(':'); colon != std::string_view::npos && colon > 0) {
    t->response->headers.add(std::string(line.substr(0, colon)), std::string(trim(line.substr(colon + 1))));
  }
  return n;
}

// "https://user:pw@host:8080/a/b?token=x" -> "https://host:8080/a/b": what an
// error message may show.
std::string redactedUrl(std::string_view url) {
  url = url.substr(0, url.find_first_of("?#"));
  const size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return std::string(url);
  const size_t host_start = scheme + 3;
  const size_t path = url.find('/', host_start);
  const size_t at = url.substr(0, path).find('@', host_start);
  if (at == std::string_view::npos) return std::string(url);
  return std::string(url.substr(0, host_start)) + std::string(url.substr(at + 1));
}

bool hasLineBreak(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

class HeaderList {
 public:
  ~HeaderList() { curl_slist_free_all(list_); }
  void add(const std::string& line) { list_ = curl_slist_append(list_, line.c_str()); }
  curl_slist* get() const { return list_; }

 private:
  curl_slist* list_ = nullptr;
};

}  // namespace

struct HttpClient::Handle {
  CURL* curl = nullptr;
  ~Handle() {
    if (curl) curl_easy_cleanup(curl);
  }
};

HttpClient::HttpClient(HttpClientOptions options) : handle_(std::make_unique<Handle>()), options_(std::move(options)) {
  initCurlOnce();
  handle_->curl = curl_easy_init();
}
HttpClient::~HttpClient() = default;
HttpClient::HttpClient(HttpClient&&) noexcept = default;
HttpClient& HttpClient::operator=(HttpClient&&) noexcept = default;

Result<ClientResponse> HttpClient::send(const ClientRequest& request) {
  const std::string what = request.method + " " + redactedUrl(request.url);
  auto fail = [&](TransportError kind, Status status) {
    last_error_ = kind;
    return status;
  };
  if (!handle_ || !handle_->curl)
    return fail(TransportError::other, Status::internal(what + ": libcurl did not start"));
  if (request.method.empty() || hasLineBreak(request.method) || request.method.find(' ') != std::string::npos) {
    return fail(TransportError::invalid_request, Status::invalidArgument(what + ": invalid method"));
  }

  CURL* c = handle_->curl;
  curl_easy_reset(c);  // options only: open connections stay in the handle's cache
  ClientResponse response;
  Transfer transfer{&response, options_.max_response_bytes, &request.on_body};
  char error_text[CURL_ERROR_SIZE] = {0};
  // libcurl's option type. NOLINTNEXTLINE(google-runtime-int)
  const long timeout_ms = static_cast<long>(std::max<int64_t>(1, request.timeout.count()));

  curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // no SIGALRM for DNS timeouts: threads
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  curl_easy_setopt(c, CURLOPT_PROXY, options_.proxy.c_str());
  if (!options_.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, options_.ca_file.c_str());
  curl_easy_setopt(c, CURLOPT_USERAGENT, options_.user_agent.c_str());
  curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");  // whatever libcurl can decode
  curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error_text);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, onBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, onHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &transfer);

  const std::string& m = request.method;
  const bool sends_body = !request.body.empty() || m == "POST" || m == "PUT" || m == "PATCH";
  if (m == "HEAD") {
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else if (m == "GET" && !sends_body) {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, m.c_str());
  }
  if (sends_body && m != "HEAD") {
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
  }

  HeaderList headers;
  for (const auto& [name, value] : request.headers) {
    if (name.empty() || hasLineBreak(name) || hasLineBreak(value) || name.find(':') != std::string::npos) {
      return fail(TransportError::invalid_request, Status::invalidArgument(what + ": invalid header field"));
    }
    // "Name;" is libcurl's way to send a header with an empty value.
    std::string line = name;
    line += value.empty() ? ";" : ": ";
    line += value;
    headers.add(line);
  }
  // No "Expect: 100-continue" round trip, and no form content type that the
  // caller did not ask for.
  if (!request.headers.has("Expect")) headers.add("Expect:");
  if (sends_body && !request.headers.has("Content-Type")) headers.add("Content-Type:");
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());

  const CURLcode code = curl_easy_perform(c);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, nullptr);
  if (code != CURLE_OK && !(code == CURLE_WRITE_ERROR && transfer.stopped)) {
    const std::string detail = error_text[0] ? error_text : curl_easy_strerror(code);
    switch (code) {
      case CURLE_COULDNT_CONNECT:
      case CURLE_COULDNT_RESOLVE_HOST:
      case CURLE_COULDNT_RESOLVE_PROXY:
        return fail(TransportError::connect, Status::unavailable(what + ": cannot connect: " + detail));
      case CURLE_OPERATION_TIMEDOUT:
        return fail(TransportError::timeout,
                    Status::unavailable(what + ": timed out after " + std::to_string(timeout_ms) + " ms"));
      case CURLE_SEND_ERROR:
      case CURLE_RECV_ERROR:
      case CURLE_GOT_NOTHING:
      case CURLE_PARTIAL_FILE:
      case CURLE_SSL_CONNECT_ERROR:
      case CURLE_HTTP2:
      case CURLE_HTTP2_STREAM:
        return fail(TransportError::transfer, Status::unavailable(what + ": connection failed: " + detail));
      case CURLE_URL_MALFORMAT:
      case CURLE_UNSUPPORTED_PROTOCOL:
        return fail(TransportError::invalid_request, Status::invalidArgument(what + ": " + detail));
      case CURLE_WRITE_ERROR:
        if (transfer.too_large) {
          return fail(TransportError::other, Status::internal(what + ": response body exceeds " +
                                                              std::to_string(options_.max_response_bytes) + " bytes"));
        }
        [[fallthrough]];
      default: return fail(TransportError::other, Status::internal(what + ": " + detail));
    }
  }
  long status = 0;  // NOLINT(google-runtime-int): libcurl's type
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  response.status = static_cast<int>(status);
  last_error_ = TransportError::none;
  return response;
}

}  // namespace snapq::net
