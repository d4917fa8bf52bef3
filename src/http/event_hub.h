// The live events stream (GET /api/v1/events, server-sent events): every job
// change this process commits (Engine::onJobChanged) goes to every connected
// client as `event: job` with the job's summary, plus a heartbeat comment so
// proxies and clients know the stream is alive. A client that cannot keep up
// is cut off by its stream's buffer limit (the browser reconnects) instead of
// holding memory.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "net/http_server.h"
#include "snapq/engine.h"

namespace snapq::http {

struct EventHubOptions {
  std::chrono::milliseconds heartbeat{15'000};
  size_t max_buffered = 256 << 10;  // per client
  size_t max_clients = 256;
};

class EventHub {
 public:
  EventHub(Engine& engine, EventHubOptions options = {});
  ~EventHub();  // ends every stream
  EventHub(const EventHub&) = delete;
  EventHub& operator=(const EventHub&) = delete;

  // Answers the request with the event stream; 503 when max_clients are connected.
  void attach(net::Responder responder);
  size_t clients() const;

  // `event: job` frame of a change: the job without its payload and result.
  static std::string frame(const JobChange& change, uint64_t id);

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace snapq::http
