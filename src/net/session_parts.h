// The parts of a connection that do not depend on its socket type (plain or
// TLS): converting Beast's messages to and from ours, and framing a streamed
// body. Internal; included by http_session.cc and session_parts.cc only.
#pragma once

#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "net/server_core.h"
#include "net/stream_channel.h"

namespace snapq::net::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Millis = std::chrono::milliseconds;
using PlainStream = beast::tcp_stream;
using TlsStream = asio::ssl::stream<beast::tcp_stream>;

HttpRequest toHttpRequest(http::request<http::string_body>&& in, const std::optional<tcp::endpoint>& remote);

// Fills `out` from `response`; returns whether the connection stays open
// (`keep_alive` unless the handler asked for "Connection: close").
bool fillResponse(http::response<http::string_body>& out, HttpResponse&& response, bool keep_alive, bool head_request,
                  const HttpServerOptions& options);

// The sending side of a streamed response on one connection: the head, then
// the writers' chunks in batches (one HTTP chunk per batch), then the end.
class StreamOut {
 public:
  enum class Step {
    idle,   // nothing to send now
    write,  // buffers() holds the next write; `writing` is set
    abort,  // close the connection without ending the response
  };

  // `head`: the response's head; `head_request`: the request was HEAD;
  // `http10`: no chunked encoding, the body ends when the connection does.
  StreamOut(std::shared_ptr<StreamChannel> channel, const HttpResponse& head, bool head_request, bool http10,
            const HttpServerOptions& options);

  Step next();
  const std::vector<asio::const_buffer>& buffers() const { return buffers_; }
  // The write ended well. True when it carried the end of the response.
  bool written();

  const std::shared_ptr<StreamChannel> channel;
  bool writing = false;

 private:
  std::string head_text_;  // until it is sent
  bool chunked_ = true;
  bool body_allowed_ = true;
  std::vector<std::string> chunks_;  // being written
  size_t bytes_ = 0;
  bool finishing_ = false;
  std::string size_line_;
  std::vector<asio::const_buffer> buffers_;
};

}  // namespace snapq::net::detail
