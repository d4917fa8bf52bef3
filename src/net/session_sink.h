// The Responder's way back to its connection, from any thread. A template on
// the connection type (plain or TLS); included by http_session.cc only.
#pragma once

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <memory>
#include <shared_mutex>

#include "net/server_core.h"
#include "net/stream_channel.h"

namespace snapq::net::detail {

// Everything goes through the lifeline: once stop() has closed it, the
// io_context may be gone and nothing is handed over.
template <class Session>
class SessionSink final : public ResponseSink {
 public:
  SessionSink(std::weak_ptr<Session> s, uint64_t serial, std::shared_ptr<ServerCore::Lifeline> lifeline)
      : s_(std::move(s)), serial_(serial), lifeline_(std::move(lifeline)) {}

  void deliver(HttpResponse r) override {
    std::shared_lock lock(lifeline_->mu);
    if (!lifeline_->open) return;
    if (auto s = s_.lock()) {
      boost::asio::dispatch(s->executor(),
                            [s, serial = serial_, r = std::move(r)]() mutable { s->respond(serial, std::move(r)); });
    }
  }

  void deliverAfter(std::chrono::milliseconds delay, std::function<void(HttpResponse&)> fill) override {
    std::shared_lock lock(lifeline_->mu);
    if (!lifeline_->open) return;
    if (auto s = s_.lock()) {
      boost::asio::dispatch(s->executor(), [s, serial = serial_, delay, fill = std::move(fill)]() mutable {
        s->respondAfter(serial, delay, std::move(fill));
      });
    }
  }

  std::shared_ptr<ResponseStream> deliverStream(HttpResponse head, StreamOptions options) override {
    // Writers wake the connection with a post, never inline: a writer on an
    // io thread may be inside this connection's own handler.
    auto wake = [w = s_, lifeline = lifeline_] {
      std::shared_lock lock(lifeline->mu);
      if (!lifeline->open) return;
      if (auto s = w.lock()) boost::asio::post(s->executor(), [s] { s->pump(); });
    };
    auto channel = std::make_shared<StreamChannel>(options.max_buffered, std::move(wake));
    auto stream = std::make_shared<ResponseStream>(channel);
    std::shared_lock lock(lifeline_->mu);
    auto s = lifeline_->open ? s_.lock() : nullptr;
    if (!s) {
      channel->shut();
      return stream;
    }
    // Posted, not dispatched: beginStream() may wake the connection, and the
    // wake takes the lifeline, held here.
    boost::asio::post(s->executor(), [s, serial = serial_, head = std::move(head), channel]() mutable {
      s->beginStream(serial, head, std::move(channel));
    });
    return stream;
  }

 private:
  std::weak_ptr<Session> s_;
  uint64_t serial_;
  std::shared_ptr<ServerCore::Lifeline> lifeline_;
};

}  // namespace snapq::net::detail
