#include "net/http_message.h"

#include <gtest/gtest.h>

#include "net/address.h"

namespace snapq::net {
namespace {

TEST(HeadersTest, LookupIgnoresCaseAndKeepsEveryValue) {
  Headers h;
  h.add("Set-Cookie", "a=1");
  h.add("set-cookie", "b=2");
  h.add("Content-Type", "application/json");
  EXPECT_EQ(h.get("SET-COOKIE"), "a=1");
  EXPECT_EQ(h.getAll("Set-cookie"), (std::vector<std::string>{"a=1", "b=2"}));
  EXPECT_TRUE(h.has("content-type"));
  EXPECT_FALSE(h.has("content-length"));
  EXPECT_EQ(h.get("X-Missing"), std::nullopt);

  h.set("SET-COOKIE", "c=3");
  EXPECT_EQ(h.getAll("set-cookie"), (std::vector<std::string>{"c=3"}));
  h.remove("content-TYPE");
  EXPECT_EQ(h.size(), 1u);
}

TEST(QueryParamsTest, DecodesNamesValuesAndPlus) {
  const QueryParams q = QueryParams::parse("page=2&q=a%20b+c&name%5B%5D=x&name%5B%5D=y&flag&&empty=");
  EXPECT_EQ(q.get("page"), "2");
  EXPECT_EQ(q.get("q"), "a b c");
  EXPECT_EQ(q.getAll("name[]"), (std::vector<std::string>{"x", "y"}));
  EXPECT_TRUE(q.has("flag"));
  EXPECT_EQ(q.get("flag"), "");
  EXPECT_EQ(q.get("empty"), "");
  EXPECT_FALSE(q.has("missing"));
  EXPECT_EQ(q.size(), 6u);
}

TEST(PercentTest, MalformedEscapesStayLiteral) {
  EXPECT_EQ(percentDecode("100%"), "100%");
  EXPECT_EQ(percentDecode("%4"), "%4");
  EXPECT_EQ(percentDecode("%zz%41"), "%zzA");
  EXPECT_EQ(percentDecode("a+b"), "a+b");
  EXPECT_EQ(percentDecode("a+b", true), "a b");
  EXPECT_EQ(percentDecode("%e2%82%ac"), "\xe2\x82\xac");
}

TEST(PercentTest, EncodeRoundTrips) {
  const std::string raw = "a b/c?d=e&f%g~h_i.j-k\xc3\xa9";
  const std::string encoded = percentEncode(raw);
  EXPECT_EQ(encoded, "a%20b%2Fc%3Fd%3De%26f%25g~h_i.j-k%C3%A9");
  EXPECT_EQ(percentDecode(encoded), raw);
}

TEST(SplitPathTest, DecodesSegmentsAfterSplitting) {
  EXPECT_EQ(splitPath("/v1/zones/a%2Fb/records/"), (std::vector<std::string>{"v1", "zones", "a/b", "records"}));
  EXPECT_EQ(splitPath("//v1//x"), (std::vector<std::string>{"v1", "x"}));
  EXPECT_TRUE(splitPath("/").empty());
  EXPECT_EQ(splitPath("/..%2F..%2Fetc"), (std::vector<std::string>{"../../etc"}));
}

TEST(HttpResponseTest, HelpersSetStatusTypeAndBody) {
  HttpResponse r;
  r.json(201, R"({"id":1})");
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.headers.get("content-type"), "application/json");
  r.text(404, "nope");
  EXPECT_EQ(r.headers.getAll("Content-Type").size(), 1u);
  EXPECT_EQ(r.body, "nope");
  EXPECT_STREQ(reasonPhrase(429), "Too Many Requests");
  EXPECT_STREQ(reasonPhrase(299), "Unknown");
}

TEST(HostPortTest, ParsesHostsPortsAndIpv6) {
  auto a = parseHostPort("127.0.0.1:9100");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 9100);
  a = parseHostPort("[::1]:0");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "::1");
  EXPECT_EQ(a->port, 0);
  EXPECT_EQ(formatHostPort(a->host, 80), "[::1]:80");
  EXPECT_EQ(formatHostPort("localhost", 80), "localhost:80");
  for (const char* bad : {"127.0.0.1", ":80", "host:", "host:65536", "host:8o", "::1:80", "[::1]80"}) {
    auto r = parseHostPort(bad);
    EXPECT_FALSE(r) << bad;
    EXPECT_EQ(r.status().code(), ErrorCode::invalid_argument);
    EXPECT_NE(r.status().message().find(bad), std::string::npos) << r.status().message();
  }
}

}  // namespace
}  // namespace snapq::net
