// What the server's pieces share behind http_server.h: the server state the
// connections see (ServerCore), the connection seen from the server
// (Connection), and the Responder's hook into a connection (ResponseSink).
// Boost-free: Beast is compiled in http_session.cc only.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "net/http_server.h"

namespace boost::asio::ssl {
class context;
}

namespace snapq::net {
namespace detail {

class ResponseSink {
 public:
  virtual ~ResponseSink() = default;
  virtual void deliver(HttpResponse response) = 0;
  virtual void deliverAfter(std::chrono::milliseconds delay, std::function<void(HttpResponse&)> fill) = 0;
  virtual std::shared_ptr<ResponseStream> deliverStream(HttpResponse head, StreamOptions options) = 0;
};

// The server's own answers (before or instead of the handler) use the error
// shape of snapq's API.
HttpResponse errorResponse(int status, std::string_view code, std::string_view message);

// One client connection as the server sees it. Both calls hop onto the
// connection's strand and return at once.
class Connection {
 public:
  virtual ~Connection() = default;
  // Close when idle, cut a delayed response's wait short, end a stream.
  virtual void requestStop() = 0;
  virtual void requestForceClose() = 0;
};

struct ServerCore {
  ServerCore(HttpServerOptions o, AsyncHandler h) : options(std::move(o)), handler(std::move(h)) {}

  const HttpServerOptions options;
  const AsyncHandler handler;
  std::shared_ptr<boost::asio::ssl::context> tls;  // set by start() when options.tls is
  std::atomic<bool> stopping{false};

  // Strong references to open connections: one waiting for an async handler
  // has no pending I/O that would keep it alive.
  std::mutex mu;
  std::condition_variable closed_cv;
  std::unordered_map<Connection*, std::shared_ptr<Connection>> connections;

  // Responders and streams may outlive the io threads and the server itself;
  // after stop() they must not touch the io_context. Held shared while
  // handing something to a connection.
  struct Lifeline {
    std::shared_mutex mu;
    bool open = true;
  };
  const std::shared_ptr<Lifeline> lifeline = std::make_shared<Lifeline>();

  void add(const std::shared_ptr<Connection>& c) {
    std::lock_guard lock(mu);
    connections.emplace(c.get(), c);
  }
  void remove(Connection* c) {
    std::shared_ptr<Connection> keep;  // destroyed outside the lock
    {
      std::lock_guard lock(mu);
      auto it = connections.find(c);
      if (it == connections.end()) return;
      keep = std::move(it->second);
      connections.erase(it);
    }
    closed_cv.notify_all();
  }
  std::vector<std::shared_ptr<Connection>> snapshot() {
    std::lock_guard lock(mu);
    std::vector<std::shared_ptr<Connection>> out;
    out.reserve(connections.size());
    for (auto& [_, c] : connections) out.push_back(c);
    return out;
  }
  size_t count() {
    std::lock_guard lock(mu);
    return connections.size();
  }
};

}  // namespace detail
}  // namespace snapq::net
