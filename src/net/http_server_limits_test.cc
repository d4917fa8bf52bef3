// Connection limits, timeouts and graceful stop: what keeps a slow or
// numerous client from holding the server.
#include <gtest/gtest.h>

#include <atomic>
#include <future>

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

void ok(const HttpRequest&, HttpResponse& res) { res.text(200, "ok"); }

TEST(HttpServerLimitsTest, IdleKeepAliveConnectionsAreClosedAfterTheIdleTimeout) {
  HttpServerOptions options;
  options.idle_timeout = 200ms;
  auto server = startServer(options, ok);
  HttpClient client;
  ASSERT_TRUE(client.send(get(urlOf(*server, "/"))));
  EXPECT_EQ(server->connections(), 1u);
  EXPECT_TRUE(waitFor([&] { return server->connections() == 0; }, 3s));
  // The client notices and reconnects on its own.
  auto res = client.send(get(urlOf(*server, "/")));
  ASSERT_TRUE(res) << res.status().toString();
  EXPECT_EQ(res->status, 200);
}

TEST(HttpServerLimitsTest, AClientTricklingItsRequestIsCutOffByTheReadTimeout) {
  HttpServerOptions options;
  options.read_timeout = 300ms;
  options.idle_timeout = 10s;
  auto server = startServer(options, ok);
  RawConnection raw(server->port());
  ASSERT_TRUE(raw.connected());
  const auto start = std::chrono::steady_clock::now();
  // Each byte comes before the idle timeout would fire; only the read deadline ends it.
  bool cut = false;
  for (const char c : std::string("GET / HTTP/1.1\r\nHost: slow\r\nX-Slow: 1234567890")) {
    if (!raw.sendText(std::string(1, c))) {
      cut = true;
      break;
    }
    std::this_thread::sleep_for(50ms);
    if (server->connections() == 0) {
      cut = true;
      break;
    }
  }
  EXPECT_TRUE(cut || waitFor([&] { return server->connections() == 0; }, 3s));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2500ms);
}

TEST(HttpServerLimitsTest, ConnectionsOverTheCapAreAnswered503) {
  HttpServerOptions options;
  options.max_connections = 2;
  auto server = startServer(options, ok);
  HttpClient a, b, c;
  ASSERT_TRUE(a.send(get(urlOf(*server, "/"))));
  ASSERT_TRUE(b.send(get(urlOf(*server, "/"))));
  ASSERT_TRUE(waitFor([&] { return server->connections() == 2; }));
  auto res = c.send(get(urlOf(*server, "/")));
  ASSERT_TRUE(res) << res.status().toString();
  EXPECT_EQ(res->status, 503);
  EXPECT_EQ(res->headers.get("retry-after"), "1");
  // The two admitted keep-alive connections still work.
  auto again = a.send(get(urlOf(*server, "/")));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 200);
}

TEST(HttpServerLimitsTest, StopFinishesRequestsInFlightAndClosesIdleConnections) {
  std::promise<void> started;
  std::atomic<bool> first{true};
  auto server = startServer({}, AsyncHandler([&](const HttpRequest& req, Responder r) {
                              if (req.path == "/slow" && first.exchange(false)) {
                                started.set_value();
                                r.sendAfter(400ms, [](HttpResponse& res) { res.text(200, "finished"); });
                              } else {
                                HttpResponse res;
                                res.text(200, "quick");
                                r.send(std::move(res));
                              }
                            }));
  const std::string url = urlOf(*server, "/slow");
  HttpClient idle;  // holds a keep-alive connection without a request
  ASSERT_TRUE(idle.send(get(urlOf(*server, "/"))));

  auto in_flight = std::async(std::launch::async, [&] {
    HttpClient client;
    return client.send(get(url));
  });
  started.get_future().wait();
  const auto stop_start = std::chrono::steady_clock::now();
  server->stop();
  // Within the grace period: the slow request decided its own pace (the
  // stop cut its timer short), not the 5 s grace or the idle connection.
  EXPECT_LT(std::chrono::steady_clock::now() - stop_start, 2s);

  auto res = in_flight.get();
  ASSERT_TRUE(res) << res.status().toString();
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "finished");
  EXPECT_EQ(res->headers.get("connection"), "close");
  EXPECT_EQ(server->connections(), 0u);

  HttpClient late;
  auto refused = late.send(get(url));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.status().code(), ErrorCode::unavailable);
  EXPECT_EQ(late.lastError(), TransportError::connect);
  server->stop();  // idempotent
}

TEST(HttpServerLimitsTest, StopClosesAStuckRequestAfterTheGracePeriod) {
  HttpServerOptions options;
  options.stop_grace = 300ms;
  std::promise<void> started;
  std::optional<Responder> parked;  // never answered while the server runs
  auto server = startServer(options, AsyncHandler([&](const HttpRequest&, Responder r) {
                              parked.emplace(std::move(r));
                              started.set_value();
                            }));
  auto in_flight = std::async(std::launch::async, [&] {
    HttpClient client;
    return client.send(get(urlOf(*server, "/stuck")));
  });
  started.get_future().wait();
  const auto stop_start = std::chrono::steady_clock::now();
  server->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - stop_start, 3s);
  auto res = in_flight.get();
  EXPECT_FALSE(res);  // the connection was closed under it
  parked.reset();     // answering after the stop is harmless
}

}  // namespace
}  // namespace snapq::net
