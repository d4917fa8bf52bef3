// Signing in and out, sessions, CSRF and bearer tokens over real HTTP.
#include "api_fixture.h"

namespace snapq::testing {
namespace {

using json = nlohmann::json;
using ApiSession = ApiTest;

TEST_P(ApiSession, ASignInSetsAStrictHttpOnlyCookieAndReturnsTheCsrfToken) {
  startApi(1);
  auto res = call("POST", "/api/v1/session", anonymous(), R"({"username":"olga","password":"olga-password-1"})");
  ASSERT_EQ(res.status, 200) << res.body;
  std::string cookie = res.headers.get("Set-Cookie").value_or("");
  EXPECT_EQ(cookie.rfind("snapq_session=", 0), 0u) << cookie;
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("Path=/"), std::string::npos) << cookie;
  EXPECT_EQ(cookie.find("Secure"), std::string::npos) << "plain HTTP: no Secure flag";
  json b = body(res);
  EXPECT_EQ(b["user"], (json{{"name", "olga"}, {"role", "operator"}}));
  EXPECT_EQ(b["permissions"], (json{"sync.job.view", "sync.job.manage", "snapshot.view", "snapshot.write"}));
  EXPECT_GE(b["csrf_token"].get<std::string>().size(), 32u);

  Caller olga{"olga", "", cookie.substr(0, cookie.find(';')), b["csrf_token"]};
  json me = expect(200, "GET", "/api/v1/me", olga);
  EXPECT_EQ(me["user"]["name"], "olga");
  EXPECT_EQ(me["user"]["role"], "operator");
}

TEST_P(ApiSession, AWrongPasswordAndAnUnknownUserGetTheSameAnswerAndAttemptsAreLimited) {
  startApi(1);
  json wrong = expect(401, "POST", "/api/v1/session", anonymous(), R"({"username":"vic","password":"nope"})");
  json unknown = expect(401, "POST", "/api/v1/session", anonymous(), R"({"username":"nobody","password":"nope"})");
  EXPECT_EQ(wrong["error"]["code"], "invalid_credentials");
  EXPECT_EQ(wrong["error"]["message"], unknown["error"]["message"]);
  for (int i = 0; i < 5; ++i) call("POST", "/api/v1/session", anonymous(), R"({"username":"vic","password":"nope"})");
  auto limited = call("POST", "/api/v1/session", anonymous(), R"({"username":"vic","password":"vic-password-1"})");
  EXPECT_EQ(limited.status, 429) << limited.body;
  EXPECT_EQ(body(limited)["error"]["code"], "too_many_attempts");
  EXPECT_TRUE(limited.headers.has("Retry-After"));
  EXPECT_EQ(limited.headers.get("Set-Cookie"), std::nullopt) << "not even the right password gets in now";
}

TEST_P(ApiSession, BadSignInBodiesAre400sThatSayWhy) {
  startApi(1);
  EXPECT_EQ(expect(400, "POST", "/api/v1/session", anonymous(), "{\"username\":")["error"]["code"], "malformed_json");
  EXPECT_EQ(expect(400, "POST", "/api/v1/session", anonymous(), "[1,2]")["error"]["code"], "bad_request");
  EXPECT_EQ(expect(400, "POST", "/api/v1/session", anonymous(), R"({"username":"vic","password":"x","otp":1})")
                ["error"]["code"],
            "unknown_field");
  json typed = expect(400, "POST", "/api/v1/session", anonymous(), R"({"username":7,"password":"x"})");
  EXPECT_NE(typed["error"]["message"].get<std::string>().find("username"), std::string::npos);
  EXPECT_EQ(expect(400, "POST", "/api/v1/session", anonymous(), "{\"username\":\"v\xff\",\"password\":\"x\"}")
                ["error"]["message"],
            "the request body is not valid UTF-8");
  EXPECT_EQ(expect(400, "POST", "/api/v1/session", anonymous(), "")["error"]["code"], "bad_request");
}

TEST_P(ApiSession, CookieWritesNeedTheSessionsCsrfTokenAndBearerWritesDoNot) {
  startApi(1);
  Caller olga = session("olga");
  Caller no_csrf = olga;
  no_csrf.csrf.clear();
  Caller wrong_csrf = olga;
  wrong_csrf.csrf = "0123456789abcdef0123456789abcdef0123456789a";
  const std::string bulk = R"({"action":"cancel","ids":[424242]})";
  EXPECT_EQ(expect(403, "POST", "/api/v1/jobs/bulk", no_csrf, bulk)["error"]["code"], "csrf_token_invalid");
  EXPECT_EQ(expect(403, "POST", "/api/v1/jobs/bulk", wrong_csrf, bulk)["error"]["code"], "csrf_token_invalid");
  json done = expect(200, "POST", "/api/v1/jobs/bulk", olga, bulk);
  EXPECT_EQ(done["results"][0]["status"], 404);
  expect(200, "POST", "/api/v1/jobs/bulk", token("olga"), bulk);
  // Reads need no CSRF token.
  expect(200, "GET", "/api/v1/jobs", no_csrf);
}

TEST_P(ApiSession, SigningOutEndsTheSession) {
  startApi(1);
  Caller vic = session("vic");
  expect(200, "GET", "/api/v1/me", vic);
  auto out = call("DELETE", "/api/v1/session", vic);
  EXPECT_EQ(out.status, 204);
  EXPECT_NE(out.headers.get("Set-Cookie").value_or("").find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(expect(401, "GET", "/api/v1/me", vic)["error"]["code"], "session_expired");
}

TEST_P(ApiSession, BadOrMissingCredentialsAre401s) {
  startApi(1);
  json none = expect(401, "GET", "/api/v1/jobs", anonymous());
  EXPECT_EQ(none["error"]["code"], "unauthenticated");
  net::Headers basic;
  basic.set("Authorization", "Basic dmljOnBhc3M=");
  EXPECT_EQ(expect(401, "GET", "/api/v1/jobs", anonymous(), "", basic)["error"]["code"], "unauthenticated");
  Caller forged{"forged", "snapq_000000000000000000000000000000000000000000", "", ""};
  EXPECT_EQ(expect(401, "GET", "/api/v1/jobs", forged)["error"]["code"], "invalid_token");
  Caller stale{"stale cookie", "", "snapq_session=not-a-session", ""};
  EXPECT_EQ(expect(401, "GET", "/api/v1/jobs", stale)["error"]["code"], "session_expired");
  // A token's holder is who it says.
  json me = expect(200, "GET", "/api/v1/me", token("vic", "sync.job.view"));
  EXPECT_EQ(me["user"]["name"], "vic");
  EXPECT_EQ(me["permissions"], json{"sync.job.view"});
}

TEST_P(ApiSession, UnknownRoutesAre404sAndWrongMethods405s) {
  startApi(1);
  EXPECT_EQ(expect(404, "GET", "/api/v1/nothing-here", anonymous())["error"]["code"], "not_found");
  auto res = call("PUT", "/api/v1/jobs", anonymous(), "{}");
  EXPECT_EQ(res.status, 405);
  EXPECT_EQ(res.headers.get("Allow"), "GET");
  EXPECT_EQ(expect(400, "GET", "/api/v1/jobs?q=%ff%fe", token("vic"))["error"]["message"],
            "the query string is not valid UTF-8");
  expect(200, "GET", "/healthz", anonymous());
  expect(200, "GET", "/readyz", anonymous());
}

INSTANTIATE_TEST_SUITE_P(Drivers, ApiSession, ::testing::Values("sqlite", "postgres"), driverName);

}  // namespace
}  // namespace snapq::testing
