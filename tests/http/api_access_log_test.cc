// The access log in JSON lines: one object per request with method, path,
// status, bytes, duration_ms, address and actor, and never a credential: not
// the password, the session cookie, the CSRF token, a bearer token or a query
// string's value.
#include <cstdio>
#include <sstream>

#include "api_fixture.h"

namespace snapq::testing {
namespace {

using json = nlohmann::json;

class ApiAccessLog : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    out_ = open_memstream(&buf_, &size_);
    api_logger_ = std::make_shared<JsonLogger>(LogLevel::info, out_);
    api_options_.access_log = true;
  }
  void TearDown() override {
    ApiTest::TearDown();
    api_logger_.reset();
    std::fclose(out_);
    std::free(buf_);
  }
  std::string text() {
    std::fflush(out_);
    return std::string(buf_, size_);
  }
  std::vector<json> lines() {
    std::vector<json> out;
    std::istringstream in(text());
    for (std::string line; std::getline(in, line);) {
      json j = json::parse(line, nullptr, false);
      EXPECT_TRUE(j.is_object()) << "not a JSON line: " << line;
      if (j.is_object() && j.value("message", "") == "http") out.push_back(j);
    }
    return out;
  }

  std::FILE* out_ = nullptr;
  char* buf_ = nullptr;
  size_t size_ = 0;
};

TEST_P(ApiAccessLog, EveryRequestIsOneJsonLineWithItsFieldsAndNoCredential) {
  startApi();
  Caller admin = session("admin");
  ASSERT_FALSE(admin.cookie.empty());
  ASSERT_FALSE(admin.csrf.empty());
  expect(200, "GET", "/api/v1/me", admin);
  Caller bearer = token("olga");
  expect(200, "GET", "/api/v1/jobs?limit=5&q=query-secret-value", bearer);
  expect(401, "GET", "/api/v1/jobs", anonymous());
  expect(202, "POST", "/api/v1/services/sim/accounts/sync", admin, "{}");

  std::vector<json> logged = lines();
  ASSERT_EQ(logged.size(), 5u) << text();
  const json& login = logged[0];
  EXPECT_EQ(login["level"], "info");
  EXPECT_TRUE(login["time"].get<std::string>().ends_with("Z"));
  EXPECT_EQ(login["method"], "POST");
  EXPECT_EQ(login["path"], "/api/v1/session");
  EXPECT_EQ(login["status"], 200);
  EXPECT_GT(login["bytes"].get<int64_t>(), 0);
  EXPECT_TRUE(login["duration_ms"].is_number());
  EXPECT_EQ(login["address"], "127.0.0.1");
  EXPECT_EQ(logged[1]["actor"], "admin");
  EXPECT_EQ(logged[1]["path"], "/api/v1/me");
  EXPECT_EQ(logged[2]["path"], "/api/v1/jobs") << "the path only, not the query";
  EXPECT_NE(logged[2]["actor"], "-") << "the token's name";
  EXPECT_EQ(logged[3]["status"], 401);
  EXPECT_EQ(logged[3]["actor"], "-");
  EXPECT_EQ(logged[4]["method"], "POST");
  EXPECT_EQ(logged[4]["status"], 202);

  const std::string all = text();
  const std::string cookie_value = admin.cookie.substr(admin.cookie.find('=') + 1);
  for (const std::string& secret :
       {std::string("admin-password-1"), cookie_value, admin.csrf, bearer.bearer, std::string("query-secret-value")}) {
    ASSERT_FALSE(secret.empty());
    EXPECT_EQ(all.find(secret), std::string::npos) << "a credential in the log: " << secret;
  }
}

INSTANTIATE_TEST_SUITE_P(Drivers, ApiAccessLog, ::testing::Values("sqlite", "postgres"), driverName);

}  // namespace
}  // namespace snapq::testing
