#include "net/http_client.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "net/net_test_util.h"

namespace snapq::net {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::get;
using testing::startServer;
using testing::urlOf;

// A loopback port with nothing listening (a server that came and went).
uint16_t closedPort() {
  HttpServer server({}, [](const HttpRequest&, HttpResponse&) {});
  EXPECT_TRUE(server.start().isOk());
  const uint16_t port = server.port();
  server.stop();
  return port;
}

TEST(HttpClientTest, ConnectionRefusedIsUnavailableAndNamesNoSecrets) {
  HttpClient client;
  ClientRequest req = get("http://user:s3cret@127.0.0.1:" + std::to_string(closedPort()) + "/v1/x?api_key=k3y#frag");
  req.headers.add("Authorization", "Bearer t0ken");
  auto res = client.send(req);
  ASSERT_FALSE(res);
  EXPECT_EQ(res.status().code(), ErrorCode::unavailable);
  EXPECT_EQ(client.lastError(), TransportError::connect);
  const std::string& message = res.status().message();
  EXPECT_NE(message.find("GET http://127.0.0.1:"), std::string::npos) << message;
  for (const char* secret : {"s3cret", "k3y", "t0ken", "user"}) {
    EXPECT_EQ(message.find(secret), std::string::npos) << message;
  }
}

TEST(HttpClientTest, BadUrlsAndHeadersAreInvalidArguments) {
  HttpClient client;
  auto res = client.send(get("ftp://127.0.0.1/file"));
  EXPECT_EQ(res.status().code(), ErrorCode::invalid_argument) << res.status().toString();
  res = client.send(get("http://[not-a-url"));
  EXPECT_EQ(res.status().code(), ErrorCode::invalid_argument) << res.status().toString();

  ClientRequest injected = get("http://127.0.0.1:1/");
  injected.headers.add("X-Evil", "a\r\nX-Injected: 1");
  res = client.send(injected);
  EXPECT_EQ(res.status().code(), ErrorCode::invalid_argument);
  EXPECT_EQ(client.lastError(), TransportError::invalid_request);
}

TEST(HttpClientTest, SendsEveryMethodWithItsBodyAndNoInventedContentType) {
  auto server = startServer({}, [](const HttpRequest& req, HttpResponse& res) {
    res.json(200, json{{"method", req.method},
                       {"body", req.body},
                       {"content_type", req.headers.get("content-type").value_or("")},
                       {"expect", req.headers.has("expect")}}
                      .dump());
  });
  HttpClient client;
  for (const char* method : {"GET", "POST", "PUT", "PATCH", "DELETE"}) {
    ClientRequest req = get(urlOf(*server, "/m"));
    req.method = method;
    req.body = std::string(method) == "GET" ? "" : std::string(2000, 'b');  // past curl's Expect threshold
    auto res = client.send(req);
    ASSERT_TRUE(res) << method << ": " << res.status().toString();
    const json got = json::parse(res->body);
    EXPECT_EQ(got["method"], method);
    EXPECT_EQ(got["body"], req.body);
    EXPECT_EQ(got["content_type"], "");
    EXPECT_EQ(got["expect"], false);
  }
  ClientRequest typed = get(urlOf(*server, "/m"));
  typed.method = "POST";
  typed.body = "{}";
  typed.headers.add("Content-Type", "application/json");
  auto res = client.send(typed);
  ASSERT_TRUE(res);
  EXPECT_EQ(json::parse(res->body)["content_type"], "application/json");
}

TEST(HttpClientTest, HeadGetsHeadersWithoutABody) {
  auto server = startServer({}, [](const HttpRequest&, HttpResponse& res) { res.text(200, "twelve bytes"); });
  HttpClient client;
  ClientRequest req = get(urlOf(*server, "/h"));
  req.method = "HEAD";
  auto res = client.send(req);
  ASSERT_TRUE(res) << res.status().toString();
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->headers.get("content-length"), "12");
  EXPECT_TRUE(res->body.empty());
  // The connection is still usable after a HEAD.
  res = client.send(get(urlOf(*server, "/h")));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->body, "twelve bytes");
}

TEST(HttpClientTest, AResponseLargerThanTheLimitIsAnError) {
  auto server = startServer({}, [](const HttpRequest&, HttpResponse& res) { res.text(200, std::string(100000, 'z')); });
  HttpClientOptions options;
  options.max_response_bytes = 1000;
  HttpClient client(options);
  auto res = client.send(get(urlOf(*server, "/big")));
  ASSERT_FALSE(res);
  EXPECT_NE(res.status().message().find("exceeds 1000 bytes"), std::string::npos) << res.status().message();
}

TEST(HttpClientTest, AMovedClientKeepsWorking) {
  auto server = startServer({}, [](const HttpRequest&, HttpResponse& res) { res.text(200, "ok"); });
  HttpClient first;
  ASSERT_TRUE(first.send(get(urlOf(*server, "/"))));
  HttpClient second = std::move(first);
  auto res = second.send(get(urlOf(*server, "/")));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(server->connections(), 1u);  // the moved handle kept its connection
}

}  // namespace
}  // namespace snapq::net
