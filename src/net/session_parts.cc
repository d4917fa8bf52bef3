#include "net/session_parts.h"

#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/write.hpp>
#include <cstdio>
#include <sstream>

namespace snapq::net::detail {
namespace {

bool bodiless(int status) { return status == 204 || status == 304 || status < 200; }

// The handler's status and fields; framing fields are the server's to set.
template <class Body>
bool copyHead(http::response<Body>& out, const HttpResponse& response, bool keep_alive,
              const HttpServerOptions& options) {
  out.result(static_cast<unsigned>(response.status));
  out.reason(reasonPhrase(response.status));
  for (const auto& [name, value] : response.headers) {
    if (equalsIgnoreCase(name, "Connection")) {
      if (equalsIgnoreCase(value, "close")) keep_alive = false;
      continue;
    }
    if (equalsIgnoreCase(name, "Content-Length") || equalsIgnoreCase(name, "Transfer-Encoding")) continue;
    out.insert(name, value);
  }
  if (!response.headers.has("Server")) out.set(http::field::server, options.server_name);
  return keep_alive;
}

}  // namespace

HttpRequest toHttpRequest(http::request<http::string_body>&& in, const std::optional<tcp::endpoint>& remote) {
  HttpRequest req;
  req.method = std::string(in.method_string());
  req.target = std::string(in.target());
  const size_t q = req.target.find('?');
  req.path = req.target.substr(0, q);
  if (q != std::string::npos) req.query = QueryParams::parse(std::string_view(req.target).substr(q + 1));
  for (const auto& field : in) req.headers.add(std::string(field.name_string()), std::string(field.value()));
  req.body = std::move(in.body());
  if (remote) req.remote_address = remote->address().to_string() + ":" + std::to_string(remote->port());
  return req;
}

bool fillResponse(http::response<http::string_body>& out, HttpResponse&& response, bool keep_alive, bool head_request,
                  const HttpServerOptions& options) {
  out.version(11);
  keep_alive = copyHead(out, response, keep_alive, options);
  if (bodiless(response.status)) {
    out.body().clear();
  } else if (head_request) {
    out.content_length(response.body.size());  // what a GET would send; no body follows
  } else {
    out.body() = std::move(response.body);
    out.prepare_payload();
  }
  out.keep_alive(keep_alive);
  return keep_alive;
}

StreamOut::StreamOut(std::shared_ptr<StreamChannel> c, const HttpResponse& head, bool head_request, bool http10,
                     const HttpServerOptions& options)
    : channel(std::move(c)) {
  http::response<http::empty_body> res;
  res.version(http10 ? 10 : 11);
  copyHead(res, head, false, options);
  chunked_ = !http10 && !bodiless(head.status);  // a HEAD response announces what a GET would get
  body_allowed_ = !head_request && !bodiless(head.status);
  if (chunked_) res.chunked(true);
  res.keep_alive(false);  // the stream owns the connection to its end
  std::ostringstream text;
  text << res.base();
  head_text_ = text.str();
  if (!body_allowed_) channel->close();  // the head alone, then the end
}

StreamOut::Step StreamOut::next() {
  StreamChannel::Batch batch = channel->take();
  if (batch.end == StreamChannel::End::abort) return Step::abort;
  finishing_ = batch.end == StreamChannel::End::finish;
  if (!body_allowed_) {
    channel->sent(batch.bytes);
    batch = {};
  }
  if (batch.chunks.empty() && !finishing_ && head_text_.empty()) return Step::idle;

  static constexpr std::string_view kCrlf = "\r\n";
  static constexpr std::string_view kLastChunk = "0\r\n\r\n";
  buffers_.clear();
  if (!head_text_.empty()) buffers_.push_back(asio::buffer(head_text_));
  chunks_ = std::move(batch.chunks);
  bytes_ = batch.bytes;
  if (bytes_ > 0) {
    // The batch is one chunk: chunk boundaries carry no meaning in HTTP.
    if (chunked_) {
      char size[32];
      size_line_.assign(size, static_cast<size_t>(std::snprintf(size, sizeof size, "%zx\r\n", bytes_)));
      buffers_.push_back(asio::buffer(size_line_));
    }
    for (const std::string& c : chunks_) buffers_.push_back(asio::buffer(c));
    if (chunked_) buffers_.push_back(asio::buffer(kCrlf.data(), kCrlf.size()));
  }
  if (finishing_ && chunked_ && body_allowed_) buffers_.push_back(asio::buffer(kLastChunk.data(), kLastChunk.size()));
  writing = true;
  return Step::write;
}

bool StreamOut::written() {
  writing = false;
  head_text_ = std::string();
  channel->sent(bytes_);
  bytes_ = 0;
  chunks_.clear();
  return finishing_;
}

}  // namespace snapq::net::detail
