// An asynchronous HTTP/1.1 server (Boost.Beast underneath, invisible here):
// a few io threads serve any number of keep-alive connections, so an idle or
// slow client costs a socket and a timer, never a thread.
//
// Handlers run on the io threads. A synchronous Handler must be quick. An
// AsyncHandler gets a Responder and may answer later, from any thread, or
// after a delay that waits on a timer instead of blocking an io thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "net/http_message.h"
#include "snapq/status.h"

namespace snapq::net {

struct HttpServerOptions {
  std::string host = "127.0.0.1";  // an IP address ("0.0.0.0", "::1") or "localhost"
  uint16_t port = 0;               // 0: the system picks a free port; see HttpServer::port()
  int io_threads = 1;
  size_t body_limit = 1 << 20;     // larger bodies are refused with 413
  size_t header_limit = 16 << 10;  // a larger request head is refused with 431
  // Waiting for the next request on an open connection (keep-alive).
  std::chrono::milliseconds idle_timeout{30'000};
  // Reading one request, from its first byte to its last: a client that
  // trickles bytes cannot hold a connection longer than this.
  std::chrono::milliseconds read_timeout{10'000};
  std::chrono::milliseconds write_timeout{10'000};
  // Connections beyond this are answered 503 and closed at once.
  size_t max_connections = 1024;
  // stop() waits this long for requests in flight before closing their connections.
  std::chrono::milliseconds stop_grace{5'000};
  std::string server_name = "snapq";
};

namespace detail {
class ResponseSink;  // implemented in http_server.cc
}

// The one answer to one request. Move-only; send()/sendAfter() may be called
// from any thread, once. A Responder dropped without answering answers 500,
// so a handler that forgets cannot leave a client waiting forever.
class Responder {
 public:
  explicit Responder(std::shared_ptr<detail::ResponseSink> sink);
  Responder(Responder&&) noexcept;
  Responder& operator=(Responder&&) noexcept;
  Responder(const Responder&) = delete;
  Responder& operator=(const Responder&) = delete;
  ~Responder();

  void send(HttpResponse response);
  // Waits `delay` on a timer (no thread blocks), then calls `fill` on an io
  // thread and sends what it produced. A server stopping cuts the wait short.
  void sendAfter(std::chrono::milliseconds delay, std::function<void(HttpResponse&)> fill);

 private:
  std::shared_ptr<detail::ResponseSink> sink_;
};

using Handler = std::function<void(const HttpRequest&, HttpResponse&)>;
using AsyncHandler = std::function<void(HttpRequest, Responder)>;

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, Handler handler);
  HttpServer(HttpServerOptions options, AsyncHandler handler);
  // Stops (gracefully) if still running.
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds, listens and starts the io threads. Fails with invalid_argument for
  // a bad host and unavailable when the address cannot be bound (in use).
  Status start();
  // The bound port (the chosen one when options.port was 0); 0 before start().
  uint16_t port() const;
  const HttpServerOptions& options() const;
  // Connections open right now.
  size_t connections() const;

  // Graceful stop: stop accepting, close idle connections, let requests in
  // flight finish (their responses carry "Connection: close") for up to
  // stop_grace, then close whatever is left and join the io threads.
  // Idempotent; blocks until done. Must not be called from a handler.
  void stop();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace snapq::net
