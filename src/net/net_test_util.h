// Helpers for the net tests: a started server on a free loopback port, URLs
// to it, a raw socket for what libcurl would never send, and waiting on a
// condition with a deadline.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "net/http_client.h"
#include "net/http_server.h"

namespace snapq::net::testing {

inline bool waitFor(const std::function<bool()>& condition,
                    std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return condition();
}

template <typename H>
std::unique_ptr<HttpServer> startServer(HttpServerOptions options, H handler) {
  auto server = std::make_unique<HttpServer>(std::move(options), std::move(handler));
  const Status s = server->start();
  EXPECT_TRUE(s.isOk()) << s.toString();
  EXPECT_NE(server->port(), 0);
  return server;
}

inline std::string urlOf(const HttpServer& server, const std::string& target) {
  return std::string(server.tls() ? "https" : "http") + "://127.0.0.1:" + std::to_string(server.port()) + target;
}

inline ClientRequest get(const std::string& url) {
  ClientRequest r;
  r.url = url;
  r.timeout = std::chrono::seconds(10);
  return r;
}

// A plain TCP connection to the server, for malformed or trickled requests.
class RawConnection {
 public:
  // `receive_buffer` > 0: a small socket receive buffer, for a client that
  // stops reading and should make the server's writes back up soon.
  explicit RawConnection(uint16_t port, int receive_buffer = 0) : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    if (fd_ >= 0 && receive_buffer > 0) setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = fd_ >= 0 && connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~RawConnection() { close(); }
  bool connected() const { return connected_; }
  bool sendText(const std::string& text) {
    return ::send(fd_, text.data(), text.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(text.size());
  }
  // Everything until the server closes (or `timeout`).
  std::string readAll(std::chrono::milliseconds timeout = std::chrono::seconds(10)) { return readUntil("", timeout); }
  // What arrives until `marker` is in it, the server closes, or `timeout`.
  std::string readUntil(const std::string& marker, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    timeval tv{static_cast<time_t>(timeout.count() / 1000), static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::string out;
    char buf[4096];
    while (marker.empty() || out.find(marker) == std::string::npos) {
      const ssize_t n = recv(fd_, buf, marker.empty() ? sizeof buf : 1, 0);  // not past the marker
      if (n <= 0) break;
      out.append(buf, static_cast<size_t>(n));
    }
    return out;
  }
  // The client goes away.
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
  bool connected_ = false;
};

}  // namespace snapq::net::testing
