#include "http/event_hub.h"

#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "core/job_json.h"
#include "http/api_reply.h"

namespace snapq::http {

namespace {

const char* kindName(JobChange::Kind kind) {
  switch (kind) {
    case JobChange::Kind::dispatched: return "dispatched";
    case JobChange::Kind::claimed: return "claimed";
    case JobChange::Kind::attempted: return "attempted";
    case JobChange::Kind::rescued: return "rescued";
    case JobChange::Kind::managed: return "managed";
    case JobChange::Kind::deleted: return "deleted";
  }
  return "changed";
}

}  // namespace

// Shared with the engine's listener, which may outlive the hub.
struct EventHub::State {
  EventHubOptions options;
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::shared_ptr<net::ResponseStream>> streams;
  uint64_t next_id = 1;
  bool closed = false;
  std::thread heartbeat;

  // Writes to every open stream and forgets the closed ones. Called with mu held.
  void broadcast(const std::string& text) {
    std::erase_if(streams, [&](const std::shared_ptr<net::ResponseStream>& s) { return !s->write(text); });
  }
};

std::string EventHub::frame(const JobChange& change, uint64_t id) {
  nlohmann::json job = jobToJson(change.job);
  job.erase("payload");
  job.erase("result");
  job["change"] = kindName(change.kind);
  return "id: " + std::to_string(id) + "\nevent: job\ndata: " +
         job.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n\n";
}

EventHub::EventHub(Engine& engine, EventHubOptions options) : state_(std::make_shared<State>()) {
  state_->options = options;
  std::weak_ptr<State> weak = state_;
  engine.onJobChanged([weak](const JobChange& change) {
    std::shared_ptr<State> state = weak.lock();
    if (!state) return;
    std::lock_guard lock(state->mu);
    if (state->closed || state->streams.empty()) return;
    state->broadcast(frame(change, state->next_id++));
  });
  state_->heartbeat = std::thread([state = state_] {
    std::unique_lock lock(state->mu);
    while (!state->closed) {
      state->cv.wait_for(lock, state->options.heartbeat, [&] { return state->closed; });
      if (!state->closed) state->broadcast(": heartbeat\n\n");
    }
  });
}

EventHub::~EventHub() {
  {
    std::lock_guard lock(state_->mu);
    state_->closed = true;
    for (auto& s : state_->streams) s->close();
    state_->streams.clear();
  }
  state_->cv.notify_all();
  state_->heartbeat.join();
}

void EventHub::attach(net::Responder responder) {
  std::lock_guard lock(state_->mu);
  if (state_->closed || state_->streams.size() >= state_->options.max_clients) {
    net::HttpResponse busy;
    Reply::error(503, "too_many_streams", "too many event streams are open; try again later").writeTo(busy);
    busy.headers.set("Retry-After", "5");
    responder.send(std::move(busy));
    return;
  }
  net::HttpResponse head;
  head.status = 200;
  head.headers.set("Content-Type", "text/event-stream");
  head.headers.set("Cache-Control", "no-store");
  head.headers.set("X-Accel-Buffering", "no");  // nginx: pass events on at once
  std::shared_ptr<net::ResponseStream> stream =
      responder.stream(std::move(head), net::StreamOptions{state_->options.max_buffered});
  // The browser's reconnect delay, and a first line so the client sees the stream is up.
  if (stream->write("retry: 3000\n: connected\n\n")) state_->streams.push_back(std::move(stream));
}

size_t EventHub::clients() const {
  std::lock_guard lock(state_->mu);
  return state_->streams.size();
}

}  // namespace snapq::http
