// The only translation unit that includes Boost.Beast: its templates are
// heavy, so they are instantiated once, here, behind the plain types of
// http_message.h.
//
// Threads: one io_context run by `io_threads` threads; each connection lives
// on its own strand, so its steps never run concurrently and need no locks.
// A connection serves one request at a time (pipelined requests wait in its
// buffer): idle -> reading -> handling -> writing -> idle ... -> closed.
#include "net/http_server.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <thread>
#include <unordered_map>

namespace snapq::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Millis = std::chrono::milliseconds;

namespace detail {
class ResponseSink {
 public:
  virtual ~ResponseSink() = default;
  virtual void deliver(HttpResponse response) = 0;
  virtual void deliverAfter(Millis delay, std::function<void(HttpResponse&)> fill) = 0;
};
}  // namespace detail

namespace {

class Session;

std::string jsonEscape(std::string_view s) {
  std::string out;
  for (const char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    if (static_cast<unsigned char>(c) < 0x20) continue;
    out.push_back(c);
  }
  return out;
}

// The server's own answers (before or instead of the handler) use the error
// shape of snapq's API.
HttpResponse errorResponse(int status, std::string_view code, std::string_view message) {
  HttpResponse r;
  r.json(status, R"({"error":{"code":")" + jsonEscape(code) + R"(","message":")" + jsonEscape(message) + "\"}}");
  return r;
}

// What the sessions share with the server.
struct ServerCore {
  ServerCore(HttpServerOptions o, AsyncHandler h) : options(std::move(o)), handler(std::move(h)) {}

  const HttpServerOptions options;
  const AsyncHandler handler;
  std::atomic<bool> stopping{false};

  // Strong references to open sessions: a session waiting for an async
  // handler has no pending I/O that would keep it alive.
  std::mutex mu;
  std::condition_variable closed_cv;
  std::unordered_map<Session*, std::shared_ptr<Session>> sessions;

  // Responders may outlive the io threads and the server itself; after
  // stop() they must not touch the io_context. Held shared while handing a
  // response over.
  struct Lifeline {
    std::shared_mutex mu;
    bool open = true;
  };
  const std::shared_ptr<Lifeline> lifeline = std::make_shared<Lifeline>();

  void add(const std::shared_ptr<Session>& s) {
    std::lock_guard lock(mu);
    sessions.emplace(s.get(), s);
  }
  void remove(Session* s) {
    std::shared_ptr<Session> keep;  // destroyed outside the lock
    {
      std::lock_guard lock(mu);
      auto it = sessions.find(s);
      if (it == sessions.end()) return;
      keep = std::move(it->second);
      sessions.erase(it);
    }
    closed_cv.notify_all();
  }
  std::vector<std::shared_ptr<Session>> snapshot() {
    std::lock_guard lock(mu);
    std::vector<std::shared_ptr<Session>> out;
    for (auto& [_, s] : sessions) out.push_back(s);
    return out;
  }
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, ServerCore& core)
      : core_(core), stream_(std::move(socket)), timer_(stream_.get_executor()) {}

  asio::any_io_executor executor() { return stream_.get_executor(); }

  void start() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->readIdle(); });
  }

  void onServerStop() {
    if (state_ == State::idle) {
      beast::error_code ec;
      stream_.socket().cancel(ec);  // the idle read ends; readIdle() sees `stopping`
    } else if (state_ == State::handling) {
      timer_.cancel();  // a delayed response is sent now
    }
  }

  void forceClose() {
    beast::error_code ec;
    stream_.socket().close(ec);
    timer_.cancel();
    close();
  }

  void respond(uint64_t serial, HttpResponse response) {
    if (serial != serial_ || state_ != State::handling) return;  // answered already, or closed
    write(std::move(response));
  }

  void respondAfter(uint64_t serial, Millis delay, std::function<void(HttpResponse&)> fill) {
    if (serial != serial_ || state_ != State::handling) return;
    timer_.expires_after(core_.stopping ? Millis(0) : delay);
    timer_.async_wait([self = shared_from_this(), serial, fill = std::move(fill)](beast::error_code) {
      HttpResponse response;
      try {
        fill(response);
      } catch (const std::exception&) {
        response = errorResponse(500, "internal", "the request handler failed");
      }
      self->respond(serial, std::move(response));
    });
  }

 private:
  enum class State { idle, reading, handling, writing, closing, closed };

  void readIdle() {
    if (state_ == State::closed) return;
    if (core_.stopping) return close();
    state_ = State::idle;
    if (buffer_.size() > 0) return readHeader();  // a pipelined request is waiting
    stream_.expires_after(core_.options.idle_timeout);
    stream_.async_read_some(buffer_.prepare(4096), [self = shared_from_this()](beast::error_code ec, size_t n) {
      if (ec) return self->close();  // idle timeout, the client left, or stop()
      self->buffer_.commit(n);
      self->readHeader();
    });
  }

  void readHeader() {
    state_ = State::reading;
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(core_.options.header_limit));
    parser_->body_limit(core_.options.body_limit);
    stream_.expires_after(core_.options.read_timeout);  // covers the whole request: head and body
    http::async_read_header(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->readFailed(ec);
      self->afterHeader();
    });
  }

  void afterHeader() {
    const auto& head = parser_->get();
    auto expect = head.find(http::field::expect);
    if (expect != head.end() && beast::iequals(expect->value(), "100-continue") && !parser_->is_done()) {
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                        [self = shared_from_this()](beast::error_code ec, size_t) {
                          if (ec) return self->close();
                          self->readBody();
                        });
      return;
    }
    readBody();
  }

  void readBody() {
    if (parser_->is_done()) return handle();
    http::async_read(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->readFailed(ec);
      self->handle();
    });
  }

  void readFailed(beast::error_code ec) {
    keep_alive_ = false;
    head_ = false;
    state_ = State::handling;
    ++serial_;
    drain_ = true;  // the client may still be sending what we refused
    if (ec == http::error::body_limit) {
      return write(
          errorResponse(413, "body_too_large",
                        "request body exceeds the limit of " + std::to_string(core_.options.body_limit) + " bytes"));
    }
    if (ec == http::error::header_limit) {
      return write(errorResponse(
          431, "headers_too_large",
          "request header exceeds the limit of " + std::to_string(core_.options.header_limit) + " bytes"));
    }
    if (ec.category() == http::make_error_code(http::error::bad_method).category() &&
        ec != http::error::end_of_stream && ec != http::error::partial_message) {
      return write(errorResponse(400, "bad_request", "malformed HTTP request: " + ec.message()));
    }
    close();  // timeout, the client left, or stop()
  }

  void handle() {
    state_ = State::handling;
    const uint64_t serial = ++serial_;
    http::request<http::string_body> in = parser_->release();
    parser_.reset();
    keep_alive_ = in.keep_alive();
    head_ = in.method() == http::verb::head;
    drain_ = false;

    HttpRequest req;
    req.method = std::string(in.method_string());
    req.target = std::string(in.target());
    const size_t q = req.target.find('?');
    req.path = req.target.substr(0, q);
    if (q != std::string::npos) req.query = QueryParams::parse(std::string_view(req.target).substr(q + 1));
    for (const auto& field : in) req.headers.add(std::string(field.name_string()), std::string(field.value()));
    req.body = std::move(in.body());
    beast::error_code ec;
    const tcp::endpoint remote = stream_.socket().remote_endpoint(ec);
    if (!ec) req.remote_address = remote.address().to_string() + ":" + std::to_string(remote.port());

    class Sink final : public detail::ResponseSink {
     public:
      Sink(std::weak_ptr<Session> s, uint64_t serial, std::shared_ptr<ServerCore::Lifeline> lifeline)
          : s_(std::move(s)), serial_(serial), lifeline_(std::move(lifeline)) {}
      void deliver(HttpResponse r) override {
        std::shared_lock lock(lifeline_->mu);
        if (!lifeline_->open) return;
        if (auto s = s_.lock()) {
          asio::dispatch(s->executor(),
                         [s, serial = serial_, r = std::move(r)]() mutable { s->respond(serial, std::move(r)); });
        }
      }
      void deliverAfter(Millis delay, std::function<void(HttpResponse&)> fill) override {
        std::shared_lock lock(lifeline_->mu);
        if (!lifeline_->open) return;
        if (auto s = s_.lock()) {
          asio::dispatch(s->executor(), [s, serial = serial_, delay, fill = std::move(fill)]() mutable {
            s->respondAfter(serial, delay, std::move(fill));
          });
        }
      }

     private:
      std::weak_ptr<Session> s_;
      uint64_t serial_;
      std::shared_ptr<ServerCore::Lifeline> lifeline_;
    };
    try {
      core_.handler(std::move(req), Responder(std::make_shared<Sink>(weak_from_this(), serial, core_.lifeline)));
    } catch (const std::exception&) {
      // The Responder, destroyed while unwinding, has answered 500 unless the handler had answered.
    }
  }

  void write(HttpResponse response) {
    state_ = State::writing;
    timer_.cancel();
    bool keep = keep_alive_ && !core_.stopping;
    res_ = {};
    res_.version(11);
    res_.result(static_cast<unsigned>(response.status));
    res_.reason(reasonPhrase(response.status));
    for (const auto& [name, value] : response.headers) {
      if (equalsIgnoreCase(name, "Connection")) {
        if (equalsIgnoreCase(value, "close")) keep = false;
        continue;
      }
      if (equalsIgnoreCase(name, "Content-Length") || equalsIgnoreCase(name, "Transfer-Encoding")) continue;
      res_.insert(name, value);
    }
    if (!response.headers.has("Server")) res_.set(http::field::server, core_.options.server_name);
    const bool bodiless = response.status == 204 || response.status == 304 || response.status < 200;
    if (bodiless) {
      res_.body().clear();
    } else if (head_) {
      res_.content_length(response.body.size());  // what a GET would send; no body follows
    } else {
      res_.body() = std::move(response.body);
      res_.prepare_payload();
    }
    res_.keep_alive(keep);
    keep_alive_ = keep;
    stream_.expires_after(core_.options.write_timeout);
    http::async_write(stream_, res_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->close();
      if (!self->keep_alive_) return self->closeGracefully();
      self->readIdle();
    });
  }

  // After a response that ends the connection: half-close so the client sees
  // the end of the response, and when the client may still be sending (a
  // refused body), read and discard for a moment so the kernel does not
  // answer its bytes with a reset that would destroy our response in flight.
  void closeGracefully() {
    state_ = State::closing;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (!drain_) return close();
    stream_.expires_after(Millis(1000));
    drainSome(0);
  }

  void drainSome(size_t drained) {
    static constexpr size_t kMaxDrain = 16 << 20;
    if (drained > kMaxDrain) return close();
    buffer_.consume(buffer_.size());
    stream_.async_read_some(buffer_.prepare(64 << 10),
                            [self = shared_from_this(), drained](beast::error_code ec, size_t n) {
                              if (ec) return self->close();
                              self->drainSome(drained + n);
                            });
  }

  void close() {
    if (state_ == State::closed) return;
    state_ = State::closed;
    ++serial_;  // a late Responder finds no request to answer
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
    timer_.cancel();
    core_.remove(this);
  }

  ServerCore& core_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> res_;
  asio::steady_timer timer_;
  State state_ = State::idle;
  uint64_t serial_ = 0;
  bool keep_alive_ = false;
  bool head_ = false;
  bool drain_ = false;
};

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

class HttpServer::Impl {
 public:
  Impl(HttpServerOptions options, AsyncHandler handler)
      : core_(std::move(options), std::move(handler)), acceptor_(asio::make_strand(ioc_)) {}

  Status start() {
    const HttpServerOptions& o = core_.options;
    if (started_) return Status::invalidState("the HTTP server was already started");
    beast::error_code ec;
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
      beast::error_code ec;
      acceptor_.close(ec);
    });
    for (auto& s : core_.snapshot()) asio::post(s->executor(), [s] { s->onServerStop(); });
    if (!waitForSessions(core_.options.stop_grace)) {
      for (auto& s : core_.snapshot()) asio::post(s->executor(), [s] { s->forceClose(); });
      waitForSessions(Millis(2000));
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
    core_.sessions.clear();
  }

  uint16_t port() const { return port_; }
  const HttpServerOptions& options() const { return core_.options; }
  size_t connections() {
    std::lock_guard lock(core_.mu);
    return core_.sessions.size();
  }

 private:
  bool waitForSessions(Millis timeout) {
    std::unique_lock lock(core_.mu);
    return core_.closed_cv.wait_for(lock, timeout, [this] { return core_.sessions.empty(); });
  }

  void accept() {
    acceptor_.async_accept(asio::make_strand(ioc_), [this](beast::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
      if (ec) {
        // Out of file descriptors or similar: pause instead of spinning.
        auto timer = std::make_shared<asio::steady_timer>(acceptor_.get_executor(), Millis(100));
        timer->async_wait([this, timer](beast::error_code) { accept(); });
        return;
      }
      if (connections() >= core_.options.max_connections) {
        refuse(socket);
      } else {
        auto session = std::make_shared<Session>(std::move(socket), core_);
        core_.add(session);
        session->start();
      }
      accept();
    });
  }

  // Over the connection cap: a short 503 without reading the request (a
  // non-blocking write of a few bytes into an empty socket buffer).
  static void refuse(tcp::socket& socket) {
    static const std::string kBusy = [] {
      const std::string body =
          R"({"error":{"code":"unavailable","message":"too many connections; try again shortly"}})";
      return "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nConnection: close\r\n"
             "Retry-After: 1\r\nContent-Length: " +
             std::to_string(body.size()) + "\r\n\r\n" + body;
    }();
    beast::error_code ec;
    socket.non_blocking(true, ec);
    socket.write_some(asio::buffer(kBusy.data(), kBusy.size()), ec);
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
void HttpServer::stop() { impl_->stop(); }

}  // namespace snapq::net
