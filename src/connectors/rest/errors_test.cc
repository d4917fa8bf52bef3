// Error classification and readable reasons, Retry-After, redaction, and the
// URL and Link helpers, without a server.
#include "connectors/rest/errors.h"

#include <gtest/gtest.h>

#include "connectors/rest/pagination.h"
#include "connectors/rest/url.h"

namespace snapq::rest {
namespace {

using namespace std::chrono_literals;

net::ClientResponse answer(int status, std::string body, std::string content_type = "application/json") {
  net::ClientResponse r;
  r.status = status;
  r.body = std::move(body);
  if (!content_type.empty()) r.headers.add("Content-Type", std::move(content_type));
  return r;
}

// 2026-01-01T00:00:00Z
const TimePoint kNow{Duration(1'767'225'600'000)};

TEST(ServiceReasonTest, JsonShapesOfManyServices) {
  // The sim (and many APIs): an error object with field details.
  EXPECT_EQ(serviceReason(R"({"error":{"code":"validation_failed","message":"invalid fields: email",)"
                          R"("details":{"email":"must be an email address"}}})"),
            "invalid fields: email (email: must be an email address)");
  EXPECT_EQ(serviceReason(R"({"message":"Validation Failed"})"), "Validation Failed");
  EXPECT_EQ(serviceReason(R"({"error":"invalid_client","error_description":"Invalid client credentials"})"),
            "invalid_client: Invalid client credentials");
  EXPECT_EQ(serviceReason(R"({"error":"Domain 'x' not found"})"), "Domain 'x' not found");  // PowerDNS 422
  EXPECT_EQ(serviceReason(R"({"success":false,"errors":[{"code":1004,"message":"DNS Validation Error"},)"
                          R"({"code":9005,"message":"Content for A record is invalid"}],"result":null})"),
            "DNS Validation Error; Content for A record is invalid");  // Cloudflare
  EXPECT_EQ(serviceReason(R"({"errorMessage":"User exists with same username"})"), "User exists with same username");
  EXPECT_EQ(serviceReason(R"({"message":"Invalid","errors":{"email":["is taken","is too long"]}})"),
            "Invalid: email: is taken; is too long");
  EXPECT_EQ(serviceReason(R"(["first problem","second problem"])"), "first problem; second problem");
  EXPECT_EQ(serviceReason(R"({"status":0,"data":null})"), R"({"data":null,"status":0})");
  EXPECT_EQ(serviceReason(""), "");
  EXPECT_EQ(serviceReason("  {}  "), "");
}

TEST(ServiceReasonTest, HtmlPagesBecomeShortTextWithoutTags) {
  const std::string page =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Error</title>\n"
      "<style>body { color: red; }</style></head>\n<body>\n<script>var secret = 1;</script>"
      "<pre>Error: Insert failed, duplicate id<br> &nbsp; &nbsp;at Function.insert (/app/node_modules/lodash-id/"
      "src/index.js:49:15)<br>" +
      std::string(2000, 'x') + "</pre>\n<!-- a comment -->\n</body>\n</html>\n";
  const std::string reason = serviceReason(page, "text/html; charset=utf-8");
  EXPECT_TRUE(reason.starts_with("Error: Insert failed, duplicate id at Function.insert")) << reason;
  EXPECT_LE(reason.size(), kMaxReasonBytes + 3);
  EXPECT_TRUE(reason.ends_with("...")) << reason;
  for (const char* absent : {"<", ">", "color", "secret", "comment", "&nbsp;", "  "}) {
    EXPECT_EQ(reason.find(absent), std::string::npos) << absent << " in " << reason;
  }
  EXPECT_EQ(serviceReason("<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1>"
                          "</center><hr><center>nginx</center></body></html>"),
            "502 Bad Gateway nginx");
  // Plain text is kept as it is, only tidied.
  EXPECT_EQ(serviceReason("Not Found:\n  zone\tx  \r\n", "text/plain"), "Not Found: zone x");
  EXPECT_EQ(serviceReason("a < b & c > d", "text/plain"), "a < b & c > d");
  EXPECT_EQ(serviceReason(std::string("bad \xff byte")), "bad ? byte");
}

TEST(RetryAfterTest, SecondsAndEveryHttpDateFormat) {
  EXPECT_EQ(parseRetryAfter("120", kNow), Duration(120'000));
  EXPECT_EQ(parseRetryAfter(" 0 ", kNow), Duration(0));
  EXPECT_EQ(parseRetryAfter("Thu, 01 Jan 2026 00:02:00 GMT", kNow), Duration(120'000));
  EXPECT_EQ(parseRetryAfter("Thursday, 01-Jan-26 00:00:30 GMT", kNow), Duration(30'000));
  EXPECT_EQ(parseRetryAfter("Thu Jan  1 00:00:05 2026", kNow), Duration(5'000));
  EXPECT_EQ(parseRetryAfter("Wed, 31 Dec 2025 23:00:00 GMT", kNow), Duration(0));  // past: no wait
  EXPECT_EQ(parseRetryAfter("soon", kNow), std::nullopt);
  EXPECT_EQ(parseRetryAfter("-5", kNow), std::nullopt);
  EXPECT_EQ(parseRetryAfter("Thu, 32 Jan 2026 00:00:00 GMT", kNow), std::nullopt);
}

TEST(StatusErrorTest, KindsFollowTheStatus) {
  auto kindOf = [](int status) { return statusError("GET /x", answer(status, ""), kNow).kind; };
  EXPECT_EQ(kindOf(500), RemoteError::Kind::retryable);
  EXPECT_EQ(kindOf(502), RemoteError::Kind::retryable);
  EXPECT_EQ(kindOf(408), RemoteError::Kind::retryable);
  EXPECT_EQ(kindOf(429), RemoteError::Kind::rate_limited);
  EXPECT_EQ(kindOf(404), RemoteError::Kind::not_found);
  EXPECT_EQ(kindOf(400), RemoteError::Kind::rejected);
  EXPECT_EQ(kindOf(409), RemoteError::Kind::rejected);
  EXPECT_EQ(kindOf(422), RemoteError::Kind::rejected);
  EXPECT_EQ(kindOf(302), RemoteError::Kind::rejected);

  const RemoteError denied = statusError("GET /v1/a", answer(403, R"({"message":"token lacks scope"})"), kNow);
  EXPECT_EQ(denied.kind, RemoteError::Kind::rejected);
  EXPECT_EQ(denied.message, "GET /v1/a: authentication failed (HTTP 403): token lacks scope");
  EXPECT_EQ(denied.http_status, 403);

  const RemoteError limited = statusError("GET /v1/a", answer(429, ""), kNow);
  EXPECT_EQ(limited.retry_after, 1s);  // none given: one second
  EXPECT_EQ(limited.message, "GET /v1/a: rate limited (HTTP 429, retry after 1 s)");

  const RemoteError unavailable = statusError("GET /v1/a", answer(503, "", ""), kNow);
  EXPECT_EQ(unavailable.message, "GET /v1/a: HTTP 503 Service Unavailable");
}

TEST(TransportErrorTest, RetryableWhenUnreachableAndNamesOnlyThePath) {
  const RemoteError e =
      transportError("GET /v1/a", Status::unavailable("GET http://127.0.0.1:9/v1/a: timed out after 100 ms"));
  EXPECT_EQ(e.kind, RemoteError::Kind::retryable);
  EXPECT_EQ(e.message, "GET /v1/a: timed out after 100 ms");
  EXPECT_EQ(e.http_status, 0);
  EXPECT_EQ(transportError("GET /", Status::invalidArgument("GET x: bad URL")).kind, RemoteError::Kind::rejected);
}

TEST(RedactorTest, ReplacesEveryKnownCredentialLongestFirst) {
  Redactor r;
  r.add("abcd");
  r.add("abcdef-long");
  r.add("ab");  // too short to redact without mangling text
  r.addTransient("tok-1");
  EXPECT_EQ(r.apply("x abcdef-long y abcd z ab tok-1 pw-123", {"pw-123"}), "x *** y *** z ab *** ***");
  for (int i = 2; i < 10; ++i) r.addTransient("tok-" + std::to_string(i));
  EXPECT_EQ(r.apply("tok-9 tok-6"), "*** ***");
}

TEST(UrlTest, OriginsResolutionAndPaths) {
  EXPECT_EQ(originOf("HTTP://User:pw@Example.TEST:80/a?b"), "http://example.test");
  EXPECT_EQ(originOf("https://h:8443/x"), "https://h:8443");
  EXPECT_EQ(originOf("http://[::1]:9100/x"), "http://[::1]:9100");
  EXPECT_EQ(originOf("/relative"), "");
  EXPECT_EQ(originOf("ftp://h/x"), "");
  EXPECT_TRUE(sameOrigin("http://127.0.0.1:3000/users?_page=2", "http://127.0.0.1:3000"));
  EXPECT_FALSE(sameOrigin("http://127.0.0.1:3001/users", "http://127.0.0.1:3000"));
  EXPECT_FALSE(sameOrigin("https://127.0.0.1:3000/users", "http://127.0.0.1:3000"));

  const std::string base = "http://h:1/api/v1/users?page=1";
  EXPECT_EQ(resolveUrl(base, "http://o/x"), "http://o/x");
  EXPECT_EQ(resolveUrl(base, "//o/x"), "http://o/x");
  EXPECT_EQ(resolveUrl(base, "/users/7"), "http://h:1/users/7");
  EXPECT_EQ(resolveUrl(base, "7?x=1"), "http://h:1/api/v1/7?x=1");
  EXPECT_EQ(resolveUrl(base, "../v2/users"), "http://h:1/api/v2/users");
  EXPECT_EQ(resolveUrl(base, "?page=2"), "http://h:1/api/v1/users?page=2");

  EXPECT_EQ(pathOf("http://h:1/v1/a%20b?token=x#f"), "/v1/a%20b");
  EXPECT_EQ(pathOf("http://h:1?x"), "/");
}

TEST(LinkHeaderTest, FindsRelNextAmongOtherLinks) {
  net::Headers h;
  h.add("Link", R"(<http://h/users?_page=1>; rel="first", <http://h/users?_page=3>; rel="next", )"
                R"(<http://h/users?_page=9>; rel="last")");
  EXPECT_EQ(nextLink(h), "http://h/users?_page=3");

  net::Headers several;
  several.add("Link", R"(</a>; rel="prev"; title="a, b")");
  several.add("link", R"(</b?x=1>; REL="Next Last")");
  EXPECT_EQ(nextLink(several), "/b?x=1");

  net::Headers none;
  none.add("Link", R"(<http://h/users?_page=1>; rel="first", <http://h/next-not>; rel="nextish")");
  EXPECT_EQ(nextLink(none), std::nullopt);
}

}  // namespace
}  // namespace snapq::rest
