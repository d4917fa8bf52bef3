// The only translation unit that includes Boost.Beast: its templates are
// heavy, so they are instantiated once, here, for the two kinds of connection
// (plain TCP and TLS over TCP), behind the plain types of http_message.h.
//
// Threads: each connection lives on its own strand, so its steps never run
// concurrently and need no locks. A connection serves one request at a time
// (pipelined requests wait in its buffer):
//   [handshake ->] idle -> reading -> handling -> writing -> idle ... -> closed,
// or, once a handler streams its response, handling -> streaming -> closed.
#include "net/http_session.h"

#include <array>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <optional>
#include <type_traits>

#include "net/session_parts.h"
#include "net/session_sink.h"

namespace snapq::net::detail {
namespace {

template <class Stream>
class Session final : public Connection, public std::enable_shared_from_this<Session<Stream>> {
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;
  using std::enable_shared_from_this<Session>::shared_from_this;
  using std::enable_shared_from_this<Session>::weak_from_this;

 public:
  template <class... StreamArgs>
  explicit Session(ServerCore& core, StreamArgs&&... stream_args)
      : core_(core), stream_(std::forward<StreamArgs>(stream_args)...), timer_(stream_.get_executor()) {}

  asio::any_io_executor executor() { return stream_.get_executor(); }

  void start() {
    asio::dispatch(executor(), [self = shared_from_this()] {
      if constexpr (kTls) {
        self->handshake();
      } else {
        self->readIdle();
      }
    });
  }

  void requestStop() override {
    asio::post(executor(), [self = shared_from_this()] { self->onServerStop(); });
  }
  void requestForceClose() override {
    asio::post(executor(), [self = shared_from_this()] {
      beast::error_code ec;
      self->tcp().socket().close(ec);
      self->close();
    });
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

  void beginStream(uint64_t serial, const HttpResponse& head, std::shared_ptr<StreamChannel> channel) {
    if (serial != serial_ || state_ != State::handling) return channel->shut();
    state_ = State::streaming;
    timer_.cancel();
    keep_alive_ = false;
    stream_out_.emplace(std::move(channel), head, head_, http10_, core_.options);
    if (core_.stopping) stream_out_->channel->close();  // begun during stop(): the head, then the end
    // No read or idle deadline from here on; each write sets its own.
    tcp().expires_never();
    watchClient();
    pump();
  }

  // Sends what the stream's writers queued; called on the strand whenever
  // they wake the connection, and after each write.
  void pump() {
    if (state_ != State::streaming) return;
    if (stream_out_->writing) {
      // The write's end pumps again, unless the client fell behind: then the
      // write, stuck on its full socket, is cut short now.
      if (stream_out_->channel->aborted()) close();
      return;
    }
    const StreamOut::Step step = stream_out_->next();
    if (step == StreamOut::Step::abort) return close();
    if (step == StreamOut::Step::idle) return;
    tcp().expires_after(core_.options.write_timeout);  // the watching read keeps its own (none)
    asio::async_write(stream_, stream_out_->buffers(), [self = shared_from_this()](beast::error_code ec, size_t) {
      if (self->state_ != State::streaming) return;
      if (ec) return self->close();
      if (self->stream_out_->written()) return self->closeGracefully();
      self->pump();
    });
  }

 private:
  enum class State { idle, reading, handling, writing, streaming, closing, closed };

  beast::tcp_stream& tcp() { return beast::get_lowest_layer(stream_); }

  void handshake() {
    state_ = State::reading;
    tcp().expires_after(core_.options.read_timeout);
    if constexpr (kTls) {
      // A plain HTTP client fails here and is closed without an answer.
      stream_.async_handshake(asio::ssl::stream_base::server, [self = shared_from_this()](beast::error_code ec) {
        if (ec) return self->close();
        self->readIdle();
      });
    }
  }

  void onServerStop() {
    if (state_ == State::idle) {
      beast::error_code ec;
      tcp().socket().cancel(ec);  // the idle read ends; readIdle() sees `stopping`
    } else if (state_ == State::handling) {
      timer_.cancel();  // a delayed response is sent now
    } else if (state_ == State::streaming) {
      stream_out_->channel->close();  // what was queued goes out, then the terminating chunk
      pump();
    }
  }

  void readIdle() {
    if (state_ == State::closed) return;
    if (core_.stopping) return close();
    state_ = State::idle;
    if (buffer_.size() > 0) return readHeader();  // a pipelined request is waiting
    tcp().expires_after(core_.options.idle_timeout);
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
    tcp().expires_after(core_.options.read_timeout);  // covers the whole request: head and body
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
    http10_ = in.version() < 11;
    drain_ = false;
    beast::error_code ec;
    const tcp::endpoint remote = tcp().socket().remote_endpoint(ec);
    HttpRequest req = toHttpRequest(std::move(in), ec ? std::nullopt : std::optional(remote));
    try {
      core_.handler(std::move(req),
                    Responder(std::make_shared<SessionSink<Session>>(weak_from_this(), serial, core_.lifeline)));
    } catch (const std::exception&) {
      // The Responder, destroyed while unwinding, has answered 500 unless the handler had answered.
    }
  }

  void write(HttpResponse response) {
    state_ = State::writing;
    timer_.cancel();
    res_ = {};
    keep_alive_ = fillResponse(res_, std::move(response), keep_alive_ && !core_.stopping, head_, core_.options);
    tcp().expires_after(core_.options.write_timeout);
    http::async_write(stream_, res_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->close();
      if (!self->keep_alive_) return self->closeGracefully();
      self->readIdle();
    });
  }

  // While streaming, a read stays pending so that a client that goes away is
  // noticed at once, not at the next write. What it sends is discarded.
  void watchClient() {
    stream_.async_read_some(asio::buffer(watch_buffer_), [self = shared_from_this()](beast::error_code ec, size_t) {
      if (self->state_ != State::streaming) return;
      if (ec) return self->close();
      self->watchClient();
    });
  }

  // After a response that ends the connection: half-close so the client sees
  // the end of the response, and when the client may still be sending (a
  // refused body), read and discard for a moment so the kernel does not
  // answer its bytes with a reset that would destroy our response in flight.
  // (Under TLS without a close_notify: the response's own framing ends it.)
  void closeGracefully() {
    state_ = State::closing;
    beast::error_code ec;
    tcp().socket().shutdown(tcp::socket::shutdown_send, ec);
    if (!drain_) return close();
    tcp().expires_after(Millis(1000));
    drainSome(0);
  }

  void drainSome(size_t drained) {
    static constexpr size_t kMaxDrain = 16 << 20;
    if (drained > kMaxDrain) return close();
    buffer_.consume(buffer_.size());
    // Raw bytes below TLS too: they are thrown away.
    tcp().async_read_some(buffer_.prepare(64 << 10),
                          [self = shared_from_this(), drained](beast::error_code ec, size_t n) {
                            if (ec) return self->close();
                            self->drainSome(drained + n);
                          });
  }

  void close() {
    if (state_ == State::closed) return;
    state_ = State::closed;
    ++serial_;  // a late Responder finds no request to answer
    if (stream_out_) stream_out_->channel->shut();
    beast::error_code ec;
    tcp().socket().shutdown(tcp::socket::shutdown_both, ec);
    tcp().close();
    timer_.cancel();
    core_.remove(this);
  }

  ServerCore& core_;
  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> res_;
  asio::steady_timer timer_;
  std::optional<StreamOut> stream_out_;
  std::array<char, 512> watch_buffer_{};
  State state_ = State::idle;
  uint64_t serial_ = 0;
  bool keep_alive_ = false;
  bool head_ = false;
  bool http10_ = false;
  bool drain_ = false;
};

template <class S, class... Args>
void start(ServerCore& core, Args&&... args) {
  auto session = std::make_shared<Session<S>>(core, std::forward<Args>(args)...);
  core.add(session);
  session->start();
}

}  // namespace

void startConnection(tcp::socket socket, ServerCore& core) {
  if (core.tls) {
    start<TlsStream>(core, std::move(socket), *core.tls);
  } else {
    start<PlainStream>(core, std::move(socket));
  }
}

}  // namespace snapq::net::detail
