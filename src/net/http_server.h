// An asynchronous HTTP/1.1 server (Boost.Beast underneath, invisible here):
// a few io threads serve any number of keep-alive connections, so an idle or
// slow client costs a socket and a timer, never a thread.
//
// Handlers run on the io threads. A synchronous Handler must be quick. An
// AsyncHandler gets a Responder and may answer later, from any thread, or
// after a delay that waits on a timer instead of blocking an io thread, or
// stream a response of unbounded length (server-sent events).
//
// With `HttpServerOptions::tls` set, the server speaks HTTPS only.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "net/http_message.h"
#include "snapq/status.h"

namespace snapq::net {

// PEM files for HTTPS. The certificate file may hold a chain (leaf first); the
// key must be unencrypted and match the leaf.
struct TlsFiles {
  std::string cert_file;
  std::string key_file;
};

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
  // Writing one response; for a streamed response, each write to the socket.
  std::chrono::milliseconds write_timeout{10'000};
  // Connections beyond this are answered 503 (under TLS: closed) at once.
  size_t max_connections = 1024;
  // stop() waits this long for requests in flight (and streams sending what
  // they queued) before closing their connections.
  std::chrono::milliseconds stop_grace{5'000};
  std::string server_name = "snapq";
  // Set: HTTPS only (TLS 1.2 or later); a plain HTTP client gets its connection
  // closed. start() checks the files and fails with invalid_argument naming the
  // file and the reason when one is missing, unreadable, not PEM, or when the
  // key does not match the certificate.
  std::optional<TlsFiles> tls;
};

struct StreamOptions {
  // Bytes written to the stream and not yet sent to the client. Beyond this the
  // client is too slow to follow and the stream is closed rather than letting it
  // hold the server's memory (an event-stream client reconnects and catches up).
  // A single write larger than this closes the stream too.
  size_t max_buffered = 256 << 10;
};

namespace detail {
class ResponseSink;   // implemented in server_core.h
class StreamChannel;  // implemented in stream_channel.h
}  // namespace detail

// The body of a streamed response (see Responder::stream). Thread-safe: any
// thread may write or close, concurrently with the server's io threads.
class ResponseStream {
 public:
  explicit ResponseStream(std::shared_ptr<detail::StreamChannel> channel);
  // Closes the stream (as close()): a stream the caller drops ends its response.
  ~ResponseStream();
  ResponseStream(const ResponseStream&) = delete;
  ResponseStream& operator=(const ResponseStream&) = delete;

  // Queues `chunk` for sending; never blocks. False when the stream is closed:
  // by the caller, because the client went away, because the server is
  // stopping, or because this chunk took the unsent bytes over
  // StreamOptions::max_buffered (the stream is then closed and the chunk dropped).
  bool write(std::string chunk);
  // Ends the response once what was written has been sent (the terminating
  // chunk), then closes the connection. Idempotent.
  void close();
  bool open() const;
  // Bytes written and not yet sent.
  size_t buffered() const;

 private:
  std::shared_ptr<detail::StreamChannel> channel_;
};

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
  // Sends `head` (status and headers; its body and any Content-Length or
  // Transfer-Encoding are ignored) and returns the stream that carries the body:
  // chunked (HTTP/1.1) or until the connection closes (HTTP/1.0). The connection
  // then belongs to the stream: no idle or read timeout applies, the write
  // timeout applies to each write to the socket, and the connection ends when the
  // stream is closed, the client goes away (noticed without waiting for a write),
  // or the server stops (stop() closes open streams after sending what they
  // queued). Writes before the head is sent are queued behind it. A HEAD request
  // or a 204/304 status gets the head alone, and the stream comes back closed.
  std::shared_ptr<ResponseStream> stream(HttpResponse head, StreamOptions options = {});

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
  // a bad host or bad TLS files and unavailable when the address cannot be
  // bound (in use).
  Status start();
  // The bound port (the chosen one when options.port was 0); 0 before start().
  uint16_t port() const;
  const HttpServerOptions& options() const;
  // Connections open right now.
  size_t connections() const;
  // Whether the server speaks HTTPS (options().tls is set): what decides, for
  // example, whether cookies are marked Secure.
  bool tls() const;

  // Graceful stop: stop accepting, close idle connections, let requests in
  // flight finish (their responses carry "Connection: close") and open streams
  // send what they queued, for up to stop_grace, then close whatever is left
  // and join the io threads.
  // Idempotent; blocks until done. Must not be called from a handler.
  void stop();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace snapq::net
