// Credentials on the wire: static headers, header/bearer/basic auth, and the
// OAuth2 client-credentials token (fetched once, cached, refreshed after its
// expiry and after a 401), never in an error message.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "connectors/rest/auth.h"
#include "connectors/rest/rest_connector.h"
#include "connectors/rest/rest_test_util.h"

namespace snapq::rest {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::ScriptedServer;
using testing::serviceFrom;

class RestAuthTest : public ::testing::Test {
 protected:
  std::unique_ptr<Connector> connect(const std::string& auth, std::map<std::string, std::string> env = {}) {
    env["BASE"] = server.url() + "/api";
    const std::string yaml = "services:\n  svc:\n    base_url: ${BASE}\n    auth: " + auth +
                             "\n    headers: {X-Static: static-value}\n    policy: {timeout: 2s}\n"
                             "    resources:\n      items: {key: id, fields: {id: string}, list: /items}\n";
    service = serviceFrom(yaml, env);
    if (service.instances.empty()) return nullptr;
    return makeRestConnector(service, service.instances.front(), RestOptions{clock});
  }

  ScriptedServer server;
  ManualClock clock{TimePoint(Duration(1'767'225'600'000))};
  ServiceSpec service;
};

TEST_F(RestAuthTest, HeaderBearerAndBasicCredentialsWithTheStaticHeaders) {
  server.on("GET", "/api/items", [](const net::HttpRequest&, net::HttpResponse& res) { res.json(200, "[]"); });
  auto header = connect("{kind: header, header: X-API-Key, value: \"${KEY}\"}", {{"KEY", "key-123456"}});
  ASSERT_TRUE(header->list("items", {}, ""));
  EXPECT_EQ(server.last().headers.get("X-API-Key"), "key-123456");
  EXPECT_EQ(server.last().headers.get("X-Static"), "static-value");
  EXPECT_FALSE(server.last().headers.has("Authorization"));

  auto bearer = connect("{kind: bearer, token: \"${TOKEN}\"}", {{"TOKEN", "tok-abcdef"}});
  ASSERT_TRUE(bearer->list("items", {}, ""));
  EXPECT_EQ(server.last().headers.get("Authorization"), "Bearer tok-abcdef");

  auto basic = connect("{kind: basic, username: ada, password: \"${PW}\"}", {{"PW", "p@ss:word"}});
  ASSERT_TRUE(basic->list("items", {}, ""));
  EXPECT_EQ(server.last().headers.get("Authorization"), "Basic YWRhOnBAc3M6d29yZA==");
  EXPECT_EQ(server.last().headers.get("X-Static"), "static-value");
}

TEST_F(RestAuthTest, A401IsAuthenticationFailedAndEchoedCredentialsAreRedacted) {
  server.on("GET", "/api/items", [](const net::HttpRequest& req, net::HttpResponse& res) {
    res.json(401, json{{"message", "bad credentials: " + req.headers.get("Authorization").value_or("")}}.dump());
  });
  auto c = connect("{kind: basic, username: ada, password: \"${PW}\"}", {{"PW", "p@ss:word"}});
  RemoteResult<Page> page = c->list("items", {}, "");
  ASSERT_FALSE(page);
  EXPECT_EQ(page.error().kind, RemoteError::Kind::rejected);
  EXPECT_EQ(page.error().http_status, 401);
  EXPECT_EQ(page.error().message, "GET /api/items: authentication failed (HTTP 401): bad credentials: Basic ***");
}

constexpr const char* kOAuth =
    "{kind: oauth2_client_credentials, token_url: /realms/r/token, client_id: snapq-client, "
    "client_secret: \"${SECRET}\", scope: \"api:read api:write\"}";

// A token endpoint handing out tok-1, tok-2, ... and an API accepting only the latest.
class OAuthServer {
 public:
  explicit OAuthServer(ScriptedServer& server, int64_t expires_in = 300) {
    server.on("POST", "/realms/r/token", [this, expires_in](const net::HttpRequest& req, net::HttpResponse& res) {
      std::lock_guard lock(mu_);
      token_requests_.push_back(req);
      current_ = "tok-" + std::to_string(token_requests_.size());
      res.json(200, json{{"access_token", current_}, {"token_type", "Bearer"}, {"expires_in", expires_in}}.dump());
    });
    server.on("GET", "/api/items", [this](const net::HttpRequest& req, net::HttpResponse& res) {
      std::lock_guard lock(mu_);
      const std::string sent = req.headers.get("Authorization").value_or("");
      api_tokens_.push_back(sent);
      if (sent != "Bearer " + current_ || revoked_) {
        revoked_ = false;
        res.json(401, R"({"error":"invalid_token"})");
        return;
      }
      res.json(200, "[]");
    });
  }
  // The next API request is refused, as after a revocation on the server.
  void revoke() {
    std::lock_guard lock(mu_);
    revoked_ = true;
  }
  std::vector<net::HttpRequest> tokenRequests() {
    std::lock_guard lock(mu_);
    return token_requests_;
  }
  std::vector<std::string> apiTokens() {
    std::lock_guard lock(mu_);
    return api_tokens_;
  }

 private:
  std::mutex mu_;
  std::string current_;
  bool revoked_ = false;
  std::vector<net::HttpRequest> token_requests_;
  std::vector<std::string> api_tokens_;
};

TEST_F(RestAuthTest, OAuth2TokenIsFetchedOnceCachedAndRefreshedAfterItsExpiry) {
  OAuthServer oauth(server, 300);
  auto c = connect(kOAuth, {{"SECRET", "cl/secret x"}});
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(c->list("items", {}, "")) << i;
  ASSERT_EQ(oauth.tokenRequests().size(), 1u);
  const net::HttpRequest token = oauth.tokenRequests()[0];
  EXPECT_EQ(token.body, "grant_type=client_credentials&scope=api%3Aread%20api%3Awrite");
  EXPECT_EQ(token.headers.get("Content-Type"), "application/x-www-form-urlencoded");
  // RFC 6749 2.3.1: form-encoded id and secret in HTTP Basic.
  EXPECT_EQ(token.headers.get("Authorization"), "Basic c25hcHEtY2xpZW50OmNsJTJGc2VjcmV0JTIweA==");
  EXPECT_EQ(token.headers.get("X-Static"), "static-value");  // same origin as base_url
  EXPECT_EQ(oauth.apiTokens(), std::vector<std::string>(3, "Bearer tok-1"));

  clock.advance(4min);  // within 300 s minus the margin: still cached
  ASSERT_TRUE(c->list("items", {}, ""));
  EXPECT_EQ(oauth.tokenRequests().size(), 1u);
  clock.advance(31s);  // 271 s: past 300 - 30
  ASSERT_TRUE(c->list("items", {}, ""));
  EXPECT_EQ(oauth.tokenRequests().size(), 2u);
  EXPECT_EQ(oauth.apiTokens().back(), "Bearer tok-2");
}

TEST_F(RestAuthTest, OAuth2A401WithACachedTokenFetchesANewOneAndRetriesOnce) {
  OAuthServer oauth(server);
  auto c = connect(kOAuth, {{"SECRET", "cl/secret x"}});
  ASSERT_TRUE(c->list("items", {}, ""));
  oauth.revoke();
  RemoteResult<Page> page = c->list("items", {}, "");
  ASSERT_TRUE(page) << page.error().message;
  EXPECT_EQ(oauth.tokenRequests().size(), 2u);
  EXPECT_EQ(oauth.apiTokens(), (std::vector<std::string>{"Bearer tok-1", "Bearer tok-1", "Bearer tok-2"}));
}

TEST_F(RestAuthTest, OAuth2ClientAuthInTheBodyAndTokenErrorsWithoutTheSecret) {
  server.on("POST", "/realms/r/token", [](const net::HttpRequest& req, net::HttpResponse& res) {
    res.json(401, json{{"error", "invalid_client"}, {"error_description", "unknown client; got " + req.body}}.dump());
  });
  auto c = connect(
      "{kind: oauth2_client_credentials, token_url: /realms/r/token, client_id: snapq, client_secret: \"${SECRET}\", "
      "client_auth: body}",
      {{"SECRET", "very-secret-value"}});
  RemoteResult<Page> page = c->list("items", {}, "");
  ASSERT_FALSE(page);
  EXPECT_EQ(page.error().kind, RemoteError::Kind::rejected);
  EXPECT_EQ(page.error().http_status, 401);
  EXPECT_TRUE(
      page.error().message.starts_with("cannot get an OAuth2 token: POST /realms/r/token: authentication "
                                       "failed (HTTP 401): invalid_client: unknown client;"))
      << page.error().message;
  EXPECT_EQ(page.error().message.find("very-secret-value"), std::string::npos) << page.error().message;
  EXPECT_EQ(server.last().body, "grant_type=client_credentials&client_id=snapq&client_secret=very-secret-value");
  EXPECT_FALSE(server.last().headers.has("Authorization"));
  EXPECT_EQ(server.count("GET", "/api/items"), 0);
}

TEST_F(RestAuthTest, ConcurrentCallsShareOneTokenFetch) {
  OAuthServer oauth(server);
  auto c = connect(kOAuth, {{"SECRET", "cl/secret x"}});
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  threads.reserve(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) ok += c->list("items", {}, "").isOk();
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(ok.load(), 40);
  EXPECT_EQ(oauth.tokenRequests().size(), 1u);
}

TEST(Base64Test, EncodesWithPadding) {
  EXPECT_EQ(base64Encode(""), "");
  EXPECT_EQ(base64Encode("f"), "Zg==");
  EXPECT_EQ(base64Encode("fo"), "Zm8=");
  EXPECT_EQ(base64Encode("foo"), "Zm9v");
  EXPECT_EQ(base64Encode("foobar"), "Zm9vYmFy");
}

}  // namespace
}  // namespace snapq::rest
