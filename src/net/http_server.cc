// The server: the acceptor, the io threads, stop(), and the Responder's side
// of a response. The connections themselves live in http_session.cc (the one
// place Beast's templates are compiled).
//
// Threads: one io_context run by `io_threads` threads; each connection lives
// on its own strand (see http_session.cc).
#include "net/http_server.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <mutex>
#include <thread>

#include "net/http_session.h"
#include "net/server_core.h"
#include "net/stream_channel.h"
#include "net/tls_context.h"

namespace snapq::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using Millis = std::chrono::milliseconds;

namespace {

using detail::errorResponse;
using detail::ServerCore;

std::string jsonEscape(std::string_view s) {
  std::string out;
  for (const char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    if (static_cast<unsigned char>(c) < 0x20) continue;
    out.push_back(c);
  }
  return out;
}

AsyncHandler wrap(Handler handler) {
  return [handler = std::move(handler)](const HttpRequest& request, Responder responder) {
    HttpResponse response;
    try {
      handler(request, response);
    } catch (const std::exception&) {
      response = errorResponse(500, "internal", "the request handler failed");
    }
    responder.send(std::move(response));
  };
}

}  // namespace

HttpResponse detail::errorResponse(int status, std::string_view code, std::string_view message) {
  HttpResponse r;
  r.json(status, R"({"error":{"code":")" + jsonEscape(code) + R"(","message":")" + jsonEscape(message) + "\"}}");
  return r;
}

Responder::Responder(std::shared_ptr<detail::ResponseSink> sink) : sink_(std::move(sink)) {}
Responder::Responder(Responder&&) noexcept = default;
Responder& Responder::operator=(Responder&& other) noexcept {
  if (this != &other) {
    if (sink_) sink_->deliver(errorResponse(500, "internal", "the request handler did not answer"));
    sink_ = std::move(other.sink_);
  }
  return *this;
}
Responder::~Responder() {
  if (sink_) sink_->deliver(errorResponse(500, "internal", "the request handler did not answer"));
}

void Responder::send(HttpResponse response) {
  if (!sink_) return;
  std::exchange(sink_, nullptr)->deliver(std::move(response));
}

void Responder::sendAfter(Millis delay, std::function<void(HttpResponse&)> fill) {
  if (!sink_) return;
  std::exchange(sink_, nullptr)->deliverAfter(delay, std::move(fill));
}

std::shared_ptr<ResponseStream> Responder::stream(HttpResponse head, StreamOptions options) {
  if (!sink_) return std::make_shared<ResponseStream>(detail::StreamChannel::closedChannel());
  return std::exchange(sink_, nullptr)->deliverStream(std::move(head), options);
}

class HttpServer::Impl {
 public:
  Impl(HttpServerOptions options, AsyncHandler handler)
      : core_(std::move(options), std::move(handler)), acceptor_(asio::make_strand(ioc_)) {}

  Status start() {
    const HttpServerOptions& o = core_.options;
    if (started_) return Status::invalidState("the HTTP server was already started");
    if (o.tls) {
      auto tls = detail::loadTlsContext(*o.tls);
      if (!tls) return tls.status();
      core_.tls = std::move(*tls);
    }
    error_code ec;
    const asio::ip::address address = asio::ip::make_address(o.host == "localhost" ? "127.0.0.1" : o.host, ec);
    if (ec) return Status::invalidArgument("cannot listen on '" + o.host + "': not an IP address");
    const tcp::endpoint endpoint(address, o.port);
    const std::string where = o.host + ":" + std::to_string(o.port);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return Status::unavailable("cannot listen on " + where + ": " + ec.message());
    port_ = acceptor_.local_endpoint(ec).port();
    started_ = true;
    accept();
    for (int i = 0; i < std::max(1, o.io_threads); ++i) {
      threads_.emplace_back([this] {
        while (true) {
          try {
            ioc_.run();
            return;
          } catch (const std::exception&) {
            // A handler let an exception escape; keep serving the others.
          }
        }
      });
    }
    return Status::ok();
  }

  void stop() {
    if (!started_ || stopped_) return;
    stopped_ = true;
    core_.stopping = true;
    asio::post(acceptor_.get_executor(), [this] {
      error_code ec;
      acceptor_.close(ec);
    });
    for (auto& c : core_.snapshot()) c->requestStop();
    if (!waitForConnections(core_.options.stop_grace)) {
      for (auto& c : core_.snapshot()) c->requestForceClose();
      waitForConnections(Millis(2000));
    }
    {
      std::unique_lock lock(core_.lifeline->mu);
      core_.lifeline->open = false;
    }
    work_.reset();
    ioc_.stop();
    for (auto& t : threads_) t.join();
    threads_.clear();
    std::lock_guard lock(core_.mu);
    core_.connections.clear();
  }

  uint16_t port() const { return port_; }
  const HttpServerOptions& options() const { return core_.options; }
  size_t connections() { return core_.count(); }
  bool tls() const { return core_.options.tls.has_value(); }

 private:
  bool waitForConnections(Millis timeout) {
    std::unique_lock lock(core_.mu);
    return core_.closed_cv.wait_for(lock, timeout, [this] { return core_.connections.empty(); });
  }

  void accept() {
    acceptor_.async_accept(asio::make_strand(ioc_), [this](error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
      if (ec) {
        // Out of file descriptors or similar: pause instead of spinning.
        auto timer = std::make_shared<asio::steady_timer>(acceptor_.get_executor(), Millis(100));
        timer->async_wait([this, timer](error_code) { accept(); });
        return;
      }
      if (connections() >= core_.options.max_connections) {
        refuse(socket, !core_.tls);
      } else {
        // Small writes (a streamed event) go out at once instead of waiting
        // for the client's acknowledgement of the previous one.
        socket.set_option(tcp::no_delay(true), ec);
        detail::startConnection(std::move(socket), core_);
      }
      accept();
    });
  }

  // Over the connection cap: a short 503 without reading the request (a
  // non-blocking write of a few bytes into an empty socket buffer). Under TLS
  // the answer would need a handshake first: the connection is just closed.
  static void refuse(tcp::socket& socket, bool answer) {
    static const std::string kBusy = [] {
      const std::string body =
          R"({"error":{"code":"unavailable","message":"too many connections; try again shortly"}})";
      return "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nConnection: close\r\n"
             "Retry-After: 1\r\nContent-Length: " +
             std::to_string(body.size()) + "\r\n\r\n" + body;
    }();
    error_code ec;
    socket.non_blocking(true, ec);
    if (answer) socket.write_some(asio::buffer(kBusy.data(), kBusy.size()), ec);
    socket.shutdown(tcp::socket::shutdown_both, ec);
    socket.close(ec);
  }

  ServerCore core_;
  asio::io_context ioc_;
  asio::executor_work_guard<asio::io_context::executor_type> work_{ioc_.get_executor()};
  tcp::acceptor acceptor_;
  std::vector<std::thread> threads_;
  uint16_t port_ = 0;
  bool started_ = false;
  bool stopped_ = false;
};

HttpServer::HttpServer(HttpServerOptions options, Handler handler)
    : impl_(std::make_unique<Impl>(std::move(options), wrap(std::move(handler)))) {}
HttpServer::HttpServer(HttpServerOptions options, AsyncHandler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}
HttpServer::~HttpServer() { impl_->stop(); }

Status HttpServer::start() { return impl_->start(); }
uint16_t HttpServer::port() const { return impl_->port(); }
const HttpServerOptions& HttpServer::options() const { return impl_->options(); }
size_t HttpServer::connections() const { return impl_->connections(); }
bool HttpServer::tls() const { return impl_->tls(); }
void HttpServer::stop() { impl_->stop(); }

}  // namespace snapq::net
