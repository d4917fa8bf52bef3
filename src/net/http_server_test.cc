// The server exercised over real loopback connections, mostly through the
// libcurl client.
#include "net/http_server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>

#include "net/net_test_util.h"

namespace snapq::net {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::get;
using testing::RawConnection;
using testing::startServer;
using testing::urlOf;
using testing::waitFor;

// Answers with what it received.
void echo(const HttpRequest& req, HttpResponse& res) {
  json q = json::object();
  for (const auto& [name, value] : req.query) q[name].push_back(value);
  res.json(200, json{{"method", req.method},
                     {"path", req.path},
                     {"segments", splitPath(req.path)},
                     {"query", q},
                     {"custom", req.headers.get("x-custom").value_or("")},
                     {"body", req.body},
                     {"remote", req.remote_address}}
                    .dump());
}

TEST(HttpServerTest, HandlerSeesMethodPathDecodedQueryHeadersAndBody) {
  auto server = startServer({}, echo);
  HttpClient client;
  ClientRequest req = get(urlOf(*server, "/v1/a%2Fb/x?name=a%20b&sum=1+2&sum=3&flag"));
  req.method = "PATCH";
  req.headers.add("X-Custom", "hello");
  req.body = R"({"k":"v"})";
  auto res = client.send(req);
  ASSERT_TRUE(res) << res.status().toString();
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->headers.get("content-type"), "application/json");
  const json got = json::parse(res->body);
  EXPECT_EQ(got["method"], "PATCH");
  EXPECT_EQ(got["path"], "/v1/a%2Fb/x");
  EXPECT_EQ(got["segments"], json({"v1", "a/b", "x"}));
  EXPECT_EQ(got["query"]["name"], json({"a b"}));
  EXPECT_EQ(got["query"]["sum"], json({"1 2", "3"}));
  EXPECT_EQ(got["query"]["flag"], json({""}));
  EXPECT_EQ(got["custom"], "hello");
  EXPECT_EQ(got["body"], R"({"k":"v"})");
}

TEST(HttpServerTest, HandlerStatusAndRepeatedHeadersReachTheClient) {
  auto server = startServer({}, [](const HttpRequest&, HttpResponse& res) {
    res.json(404, R"({"error":{"code":"not_found"}})");
    res.headers.add("Link", "<a>; rel=next");
    res.headers.add("Link", "<b>; rel=last");
  });
  HttpClient client;
  auto res = client.send(get(urlOf(*server, "/nothing")));
  ASSERT_TRUE(res) << res.status().toString();
  EXPECT_EQ(res->status, 404);
  EXPECT_EQ(res->headers.getAll("link"), (std::vector<std::string>{"<a>; rel=next", "<b>; rel=last"}));
  EXPECT_EQ(res->headers.get("SERVER"), "snapq");
  EXPECT_EQ(res->body, R"({"error":{"code":"not_found"}})");
}

TEST(HttpServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  std::mutex mu;
  std::set<std::string> remotes;
  auto server = startServer({}, [&](const HttpRequest& req, HttpResponse& res) {
    std::lock_guard lock(mu);
    remotes.insert(req.remote_address);
    res.text(200, "ok");
  });
  HttpClient client;
  for (int i = 0; i < 20; ++i) {
    auto res = client.send(get(urlOf(*server, "/x")));
    ASSERT_TRUE(res) << res.status().toString();
    ASSERT_EQ(res->status, 200);
  }
  EXPECT_EQ(remotes.size(), 1u);  // one client port: one connection
  EXPECT_EQ(server->connections(), 1u);
}

TEST(HttpServerTest, BodyOverTheLimitIs413AndTheHandlerNeverRuns) {
  HttpServerOptions options;
  options.body_limit = 1024;
  std::atomic<int> calls{0};
  auto server = startServer(options, [&](const HttpRequest&, HttpResponse& res) {
    ++calls;
    res.text(200, "ok");
  });
  HttpClient client;
  ClientRequest big = get(urlOf(*server, "/upload"));
  big.method = "POST";
  big.body.assign(4096, 'x');
  auto res = client.send(big);
  ASSERT_TRUE(res) << res.status().toString();
  EXPECT_EQ(res->status, 413);
  EXPECT_NE(res->body.find("body_too_large"), std::string::npos) << res->body;
  EXPECT_EQ(calls.load(), 0);

  big.body.assign(1024, 'x');  // exactly the limit is fine, and the server still serves
  res = client.send(big);
  ASSERT_TRUE(res) << res.status().toString();
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(calls.load(), 1);
}

TEST(HttpServerTest, ChunkedBodyOverTheLimitIs413) {
  HttpServerOptions options;
  options.body_limit = 100;
  auto server = startServer(options, echo);
  RawConnection raw(server->port());
  ASSERT_TRUE(raw.connected());
  raw.sendText("POST /x HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n200\r\n" + std::string(0x200, 'y') +
               "\r\n0\r\n\r\n");
  const std::string answer = raw.readAll();
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 413")) << answer;
}

TEST(HttpServerTest, OversizedHeaderIs431) {
  HttpServerOptions options;
  options.header_limit = 1024;
  auto server = startServer(options, echo);
  HttpClient client;
  ClientRequest req = get(urlOf(*server, "/x"));
  req.headers.add("X-Big", std::string(4096, 'h'));
  auto res = client.send(req);
  ASSERT_TRUE(res) << res.status().toString();
  EXPECT_EQ(res->status, 431);
}

TEST(HttpServerTest, MalformedRequestIs400AndTheServerKeepsServing) {
  auto server = startServer({}, echo);
  RawConnection raw(server->port());
  ASSERT_TRUE(raw.connected());
  raw.sendText("THIS IS NOT HTTP\r\n\r\n");
  EXPECT_TRUE(raw.readAll().starts_with("HTTP/1.1 400"));
  HttpClient client;
  auto res = client.send(get(urlOf(*server, "/ok")));
  ASSERT_TRUE(res) << res.status().toString();
  EXPECT_EQ(res->status, 200);
}

TEST(HttpServerTest, HandlerThatThrowsOrNeverAnswersGets500) {
  auto throwing = startServer({}, [](const HttpRequest&, HttpResponse&) { throw std::runtime_error("boom"); });
  auto silent = startServer({}, AsyncHandler([](const HttpRequest&, Responder) {}));
  HttpClient client;
  for (HttpServer* s : {throwing.get(), silent.get()}) {
    auto res = client.send(get(urlOf(*s, "/x")));
    ASSERT_TRUE(res) << res.status().toString();
    EXPECT_EQ(res->status, 500);
    EXPECT_EQ(res->body.find("boom"), std::string::npos);  // no internals to the client
  }
}

TEST(HttpServerTest, PortZeroPicksAFreePortAndATakenPortIsUnavailable) {
  auto first = startServer({}, echo);
  HttpServerOptions same;
  same.port = first->port();
  HttpServer second(same, echo);
  const Status s = second.start();
  EXPECT_EQ(s.code(), ErrorCode::unavailable) << s.toString();

  HttpServerOptions bad;
  bad.host = "not an address";
  HttpServer third(bad, echo);
  EXPECT_EQ(third.start().code(), ErrorCode::invalid_argument);
}

TEST(HttpServerTest, ClientTimeoutOnASlowHandlerIsUnavailable) {
  auto server = startServer({}, AsyncHandler([](const HttpRequest&, Responder r) {
                              r.sendAfter(1500ms, [](HttpResponse& res) { res.text(200, "late"); });
                            }));
  HttpClient client;
  ClientRequest req = get(urlOf(*server, "/slow"));
  req.timeout = 150ms;
  const auto start = std::chrono::steady_clock::now();
  auto res = client.send(req);
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(res);
  EXPECT_EQ(res.status().code(), ErrorCode::unavailable);
  EXPECT_EQ(client.lastError(), TransportError::timeout);
  EXPECT_NE(res.status().message().find("timed out"), std::string::npos) << res.status().message();
  EXPECT_LT(took, 1000ms);
}

TEST(HttpServerTest, DelayedResponsesWaitOnTimersNotOnTheIoThread) {
  HttpServerOptions options;
  options.io_threads = 1;
  auto server = startServer(options, AsyncHandler([](const HttpRequest& req, Responder r) {
                              r.sendAfter(300ms, [path = req.path](HttpResponse& res) { res.text(200, path); });
                            }));
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::future<int>> done;
  done.reserve(10);
  for (int i = 0; i < 10; ++i) {
    done.push_back(std::async(std::launch::async, [&, i] {
      HttpClient client;
      auto res = client.send(get(urlOf(*server, "/r" + std::to_string(i))));
      return res && res->body == "/r" + std::to_string(i) ? res->status : -1;
    }));
  }
  for (auto& f : done) EXPECT_EQ(f.get(), 200);
  // Serialized they would take 3 s.
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1500ms);
}

TEST(HttpServerTest, ResponderMayAnswerFromAnotherThread) {
  auto server = startServer({}, AsyncHandler([](HttpRequest req, Responder r) {
                              std::thread([req = std::move(req), r = std::move(r)]() mutable {
                                HttpResponse res;
                                res.text(202, "from a worker: " + req.body);
                                r.send(std::move(res));
                              }).detach();
                            }));
  HttpClient client;
  ClientRequest req = get(urlOf(*server, "/w"));
  req.method = "POST";
  req.body = "job";
  auto res = client.send(req);
  ASSERT_TRUE(res) << res.status().toString();
  EXPECT_EQ(res->status, 202);
  EXPECT_EQ(res->body, "from a worker: job");
}

TEST(HttpServerTest, FiftyConcurrentClientsGetTheirOwnAnswers) {
  HttpServerOptions options;
  options.io_threads = 2;
  std::atomic<int> handled{0};
  auto server = startServer(options, [&](const HttpRequest& req, HttpResponse& res) {
    ++handled;
    res.text(200, req.query.get("n").value_or("?"));
  });
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  threads.reserve(50);
  for (int t = 0; t < 50; ++t) {
    threads.emplace_back([&, t] {
      HttpClient client;
      for (int i = 0; i < 20; ++i) {
        const std::string n = std::to_string(t * 100 + i);
        auto res = client.send(get(urlOf(*server, "/c?n=" + n)));
        if (!res || res->status != 200 || res->body != n) ++wrong;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(handled.load(), 1000);
  EXPECT_LE(server->connections(), 50u);
}

}  // namespace
}  // namespace snapq::net
