// A blocking HTTP client on one libcurl easy handle. The handle keeps its
// connections open between requests, so a client reused for many requests to
// one service pays the TCP (and TLS) set-up once.
//
// Thread-compatible: one HttpClient per thread (or a caller-held lock); any
// number of clients may run in parallel.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "net/http_message.h"
#include "snapq/status.h"

namespace snapq::net {

struct ClientRequest {
  std::string method = "GET";
  std::string url;  // http:// or https:// only
  Headers headers;
  std::string body;  // sent when non-empty (and always for POST, PUT and PATCH)
  // For the whole exchange: connecting, sending, waiting and reading.
  std::chrono::milliseconds timeout{30'000};
  // Set: the response body is handed over piece by piece as it arrives (a
  // streamed response, server-sent events) instead of collected in
  // ClientResponse::body, and max_response_bytes does not apply. Returning
  // false ends the transfer (and closes its connection); send() then returns
  // the response's status and headers as a success.
  std::function<bool(std::string_view piece)> on_body;
};

struct ClientResponse {
  int status = 0;
  Headers headers;  // of the final response (not of a "100 Continue")
  std::string body;
};

struct HttpClientOptions {
  std::string user_agent = "snapq";
  // A response body beyond this ends the request with an error instead of
  // filling memory.
  size_t max_response_bytes = 64 << 20;
  // Empty: no proxy, whatever http_proxy says (snapq talks to the services
  // it is configured for, and tests to loopback).
  std::string proxy;
  // A PEM file of the certificate authorities that https servers' certificates
  // must chain to, instead of the system's (a test CA, a private one). Peers
  // are always verified, host names included.
  std::string ca_file;
};

// Why a request got no response. The difference matters to a caller that
// wrote: after `connect` nothing reached the server; after `timeout` or
// `transfer` the server may have acted on it.
enum class TransportError { none, connect, timeout, transfer, invalid_request, other };

class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options = {});
  ~HttpClient();
  HttpClient(HttpClient&&) noexcept;
  HttpClient& operator=(HttpClient&&) noexcept;
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Any HTTP status is a response (a 503 is not an error here). Errors:
  // unavailable when the service could not be reached or did not answer in
  // time (connection refused, DNS, timeout, reset), invalid_argument for a
  // malformed URL or an unsupported scheme, internal otherwise. Messages name
  // the method and the URL without its query string (which may carry
  // credentials) and never any header.
  Result<ClientResponse> send(const ClientRequest& request);

  // What the last failed send() ran into; none after a response.
  TransportError lastError() const { return last_error_; }

 private:
  struct Handle;
  std::unique_ptr<Handle> handle_;
  HttpClientOptions options_;
  TransportError last_error_ = TransportError::none;
};

}  // namespace snapq::net
