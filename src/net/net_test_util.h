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
  return "http://127.0.0.1:" + std::to_string(server.port()) + target;
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
  explicit RawConnection(uint16_t port) : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = fd_ >= 0 && connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~RawConnection() {
    if (fd_ >= 0) close(fd_);
  }
  bool connected() const { return connected_; }
  bool sendText(const std::string& text) {
    return ::send(fd_, text.data(), text.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(text.size());
  }
  // Everything until the server closes (or `timeout`).
  std::string readAll(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    timeval tv{static_cast<time_t>(timeout.count() / 1000), static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::string out;
    char buf[4096];
    while (true) {
      const ssize_t n = recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) break;
      out.append(buf, static_cast<size_t>(n));
    }
    return out;
  }

 private:
  int fd_;
  bool connected_ = false;
};

}  // namespace snapq::net::testing
