// Streamed responses (server-sent events) over real loopback connections: the
// libcurl client where it reads, a raw socket for a client that stops reading
// or leaves.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <mutex>
#include <sstream>
#include <thread>

#include "net/http_server.h"
#include "net/net_test_util.h"

namespace snapq::net {
namespace {

using namespace std::chrono_literals;
using testing::get;
using testing::RawConnection;
using testing::startServer;
using testing::urlOf;
using testing::waitFor;

// A server whose /events handler streams and hands the stream to the test;
// any other path answers "ok".
class StreamServer {
  // Declared before the server, so destroyed after it: its handler uses them.
  std::mutex mu_;
  std::vector<std::shared_ptr<ResponseStream>> streams_;

 public:
  explicit StreamServer(HttpServerOptions options = {}, StreamOptions stream_options = {}) {
    server = startServer(std::move(options), AsyncHandler([this, stream_options](const HttpRequest& req, Responder r) {
                           if (req.path != "/events") {
                             HttpResponse res;
                             res.text(200, "ok");
                             return r.send(std::move(res));
                           }
                           HttpResponse head;
                           head.headers.set("Content-Type", "text/event-stream");
                           head.headers.set("Cache-Control", "no-store");
                           auto stream = r.stream(std::move(head), stream_options);
                           std::lock_guard lock(mu_);
                           streams_.push_back(std::move(stream));
                         }));
  }
  // The n-th stream opened (from 0), once it is.
  std::shared_ptr<ResponseStream> stream(size_t n = 0) {
    std::shared_ptr<ResponseStream> out;
    waitFor([&] {
      std::lock_guard lock(mu_);
      if (streams_.size() > n) out = streams_[n];
      return out != nullptr;
    });
    return out;
  }

  std::unique_ptr<HttpServer> server;
};

// A libcurl client reading /events on its own thread.
class EventClient {
 public:
  explicit EventClient(const HttpServer& server, const HttpClientOptions& options = {}) {
    done_ = std::async(std::launch::async, [this, url = urlOf(server, "/events"), options] {
      HttpClient client(options);
      ClientRequest req = get(url);
      req.timeout = 20s;
      req.on_body = [this](std::string_view piece) {
        std::lock_guard lock(mu_);
        body_.append(piece);
        return !stop_;
      };
      return client.send(req);
    });
  }
  std::string body() {
    std::lock_guard lock(mu_);
    return body_;
  }
  bool waitForBody(const std::string& expected) {
    return waitFor([&] { return body() == expected; });
  }
  // Leaves at the next piece that arrives.
  void stopAtNextPiece() {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  Result<ClientResponse> result() { return done_.get(); }

 private:
  std::mutex mu_;
  std::string body_;
  bool stop_ = false;
  std::future<Result<ClientResponse>> done_;
};

TEST(HttpStreamTest, ChunksWrittenAfterTheHeadArriveInOrderAndCloseEndsTheResponse) {
  StreamServer s;
  EventClient client(*s.server);
  auto stream = s.stream();
  ASSERT_TRUE(stream);
  std::string expected;
  for (int i = 0; i < 20; ++i) {
    const std::string event = "data: event " + std::to_string(i) + "\n\n";
    ASSERT_TRUE(stream->write(event));
    expected += event;
    // Each arrives while the response is still open: streamed, not buffered to the end.
    ASSERT_TRUE(client.waitForBody(expected)) << client.body();
  }
  stream->close();
  EXPECT_FALSE(stream->open());
  EXPECT_FALSE(stream->write("late"));
  auto res = client.result();
  ASSERT_TRUE(res) << res.status().toString();
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->headers.get("content-type"), "text/event-stream");
  EXPECT_EQ(res->headers.get("transfer-encoding"), "chunked");
  EXPECT_FALSE(res->headers.has("content-length"));
  EXPECT_EQ(client.body(), expected);
  EXPECT_TRUE(waitFor([&] { return s.server->connections() == 0; }));
}

TEST(HttpStreamTest, WritersOnManyThreadsEachKeepTheirOrder) {
  StreamServer s;
  EventClient client(*s.server);
  auto stream = s.stream();
  ASSERT_TRUE(stream);
  constexpr int kThreads = 4, kEach = 300;
  std::vector<std::thread> writers;
  writers.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) stream->write(std::to_string(t) + ":" + std::to_string(i) + "\n");
    });
  }
  for (auto& w : writers) w.join();
  stream->close();
  auto res = client.result();
  ASSERT_TRUE(res) << res.status().toString();
  std::vector<int> next(kThreads, 0);
  std::istringstream lines(client.body());
  for (std::string line; std::getline(lines, line);) {
    const int t = std::stoi(line.substr(0, line.find(':')));
    ASSERT_EQ(std::stoi(line.substr(line.find(':') + 1)), next[t]) << "writer " << t;
    ++next[t];
  }
  EXPECT_EQ(next, std::vector<int>(kThreads, kEach));
}

TEST(HttpStreamTest, AClientThatLeavesClosesTheStreamWithoutAWrite) {
  StreamServer s;
  RawConnection raw(s.server->port());
  ASSERT_TRUE(raw.connected());
  ASSERT_TRUE(raw.sendText("GET /events HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto stream = s.stream();
  ASSERT_TRUE(stream);
  ASSERT_TRUE(stream->write("data: hello\n\n"));
  const std::string head = raw.readUntil("data: hello\n\n");
  EXPECT_TRUE(head.starts_with("HTTP/1.1 200")) << head;
  EXPECT_NE(head.find("Transfer-Encoding: chunked"), std::string::npos) << head;
  raw.close();
  // Nobody writes: the server's pending read notices the end.
  EXPECT_TRUE(waitFor([&] { return !stream->open(); }, 3s));
  EXPECT_FALSE(stream->write("data: after\n\n"));
  EXPECT_TRUE(waitFor([&] { return s.server->connections() == 0; }, 3s));
}

TEST(HttpStreamTest, AClientThatStopsReadingIsCutOffAtTheBufferLimit) {
  constexpr size_t kLimit = 64 << 10;
  StreamServer s({}, StreamOptions{kLimit});
  RawConnection raw(s.server->port(), 4096);
  ASSERT_TRUE(raw.connected());
  ASSERT_TRUE(raw.sendText("GET /events HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto stream = s.stream();
  ASSERT_TRUE(stream);
  ASSERT_TRUE(raw.readUntil("\r\n\r\n").starts_with("HTTP/1.1 200"));
  // The client reads no more. The writer keeps pace with what the server
  // sends (as a live event source does): writes go through while the
  // kernel's buffers take the bytes, then queue up to the limit, and the one
  // beyond it closes the stream.
  const std::string chunk(8 << 10, 'x');
  size_t written = 0, most_buffered = 0;
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < deadline && stream->write(chunk)) {
    written += chunk.size();
    most_buffered = std::max(most_buffered, stream->buffered());
    waitFor([&] { return stream->buffered() < kLimit / 2; }, 100ms);
  }
  EXPECT_FALSE(stream->open());
  EXPECT_LE(most_buffered, kLimit);
  EXPECT_GT(written, 4 * kLimit);        // the server did send while the socket took bytes
  EXPECT_LT(written, size_t{64} << 20);  // bounded by the kernel's buffers, not by the writer
  EXPECT_TRUE(waitFor([&] { return s.server->connections() == 0; }, 3s));
  EXPECT_TRUE(waitFor([&] { return stream->buffered() == 0; }, 3s));  // what was in flight is freed
}

TEST(HttpStreamTest, AStuckClientIsClosedByTheWriteTimeout) {
  HttpServerOptions options;
  options.write_timeout = 300ms;
  StreamServer s(options, StreamOptions{size_t{64} << 20});
  RawConnection raw(s.server->port(), 4096);
  ASSERT_TRUE(raw.connected());
  ASSERT_TRUE(raw.sendText("GET /events HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto stream = s.stream();
  ASSERT_TRUE(stream);
  ASSERT_TRUE(raw.readUntil("\r\n\r\n").starts_with("HTTP/1.1 200"));
  // More than the kernel's buffers hold, well under the stream's limit; then no more writes.
  const std::string chunk(64 << 10, 'x');
  for (int i = 0; i < 256 && stream->open(); ++i) stream->write(chunk);
  EXPECT_TRUE(waitFor([&] { return !stream->open(); }, 5s));
  EXPECT_TRUE(waitFor([&] { return s.server->connections() == 0; }, 3s));
}

TEST(HttpStreamTest, StopEndsOpenStreamsPromptlyAfterSendingWhatTheyQueued) {
  HttpServerOptions options;
  options.stop_grace = 10s;
  StreamServer s(options);
  EventClient client(*s.server);
  auto stream = s.stream();
  ASSERT_TRUE(stream);
  ASSERT_TRUE(stream->write("data: one\n\n"));
  ASSERT_TRUE(client.waitForBody("data: one\n\n"));
  ASSERT_TRUE(stream->write("data: two\n\n"));
  const auto start = std::chrono::steady_clock::now();
  s.server->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  EXPECT_FALSE(stream->open());
  EXPECT_FALSE(stream->write("data: three\n\n"));
  auto res = client.result();
  ASSERT_TRUE(res) << res.status().toString();  // ended by the terminating chunk, not cut
  EXPECT_EQ(client.body(), "data: one\n\ndata: two\n\n");
}

TEST(HttpStreamTest, OtherRequestsAreServedWhileStreamsAreOpen) {
  HttpServerOptions options;
  options.io_threads = 1;
  StreamServer s(options);
  EventClient first(*s.server), second(*s.server);
  auto a = s.stream(0), b = s.stream(1);
  ASSERT_TRUE(a && b);
  HttpClient client;
  for (int i = 0; i < 10; ++i) {
    auto res = client.send(get(urlOf(*s.server, "/other")));
    ASSERT_TRUE(res) << res.status().toString();
    EXPECT_EQ(res->body, "ok");
  }
  EXPECT_TRUE(a->open() && b->open());
  a->write("a");
  b->write("b");
  a->close();
  b->close();
  ASSERT_TRUE(first.result());
  ASSERT_TRUE(second.result());
  // Which client got which stream is the accept order; each got one.
  EXPECT_EQ(first.body() + second.body() == "ab" || first.body() + second.body() == "ba", true);
}

TEST(HttpStreamTest, AHeadRequestGetsTheHeadAloneAndTheStreamCloses) {
  StreamServer s;
  RawConnection raw(s.server->port());
  ASSERT_TRUE(raw.connected());
  ASSERT_TRUE(raw.sendText("HEAD /events HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto stream = s.stream();
  ASSERT_TRUE(stream);
  const std::string answer = raw.readAll(3s);
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 200")) << answer;
  EXPECT_TRUE(answer.ends_with("\r\n\r\n")) << answer;  // no body, not even the last chunk
  EXPECT_TRUE(waitFor([&] { return !stream->open(); }, 3s));
}

TEST(HttpStreamTest, AnHttp10ClientGetsTheBodyUntilTheConnectionCloses) {
  StreamServer s;
  RawConnection raw(s.server->port());
  ASSERT_TRUE(raw.connected());
  ASSERT_TRUE(raw.sendText("GET /events HTTP/1.0\r\n\r\n"));
  auto stream = s.stream();
  ASSERT_TRUE(stream);
  stream->write("data: a\n\n");
  stream->write("data: b\n\n");
  stream->close();
  const std::string answer = raw.readAll(3s);
  EXPECT_TRUE(answer.starts_with("HTTP/1.0 200")) << answer;
  EXPECT_EQ(answer.find("chunked"), std::string::npos) << answer;
  EXPECT_TRUE(answer.ends_with("\r\n\r\ndata: a\n\ndata: b\n\n")) << answer;  // no chunk framing
}

TEST(HttpStreamTest, StreamingAnAnsweredRequestGivesAClosedStream) {
  std::promise<std::shared_ptr<ResponseStream>> got;
  auto server = startServer({}, AsyncHandler([&](const HttpRequest&, Responder r) {
                              HttpResponse res;
                              res.text(200, "answered");
                              r.send(std::move(res));
                              got.set_value(r.stream(HttpResponse{}));
                            }));
  HttpClient client;
  auto res = client.send(get(urlOf(*server, "/x")));
  ASSERT_TRUE(res) << res.status().toString();
  EXPECT_EQ(res->body, "answered");
  auto stream = got.get_future().get();
  EXPECT_FALSE(stream->open());
  EXPECT_FALSE(stream->write("x"));
}

}  // namespace
}  // namespace snapq::net
