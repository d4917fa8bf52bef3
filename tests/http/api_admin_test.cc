// Users and tokens over HTTP (admins only), and the admin_actions record
// every change leaves with who and from where, never a secret.
#include "api_fixture.h"

namespace snapq::testing {
namespace {

using json = nlohmann::json;
using ApiAdmin = ApiTest;

std::vector<std::vector<std::string>> adminActions(const std::string& url) {
  auto rows = rawQuery(url, "SELECT action, target_id, actor_name, address, details FROM admin_actions ORDER BY id");
  EXPECT_TRUE(rows.isOk()) << rows.status().toString();
  return rows.isOk() ? *rows : std::vector<std::vector<std::string>>{};
}

TEST_P(ApiAdmin, AnAdminAddsChangesAndRemovesUsers) {
  startApi(1);
  Caller admin = session("admin");
  json added = expect(201, "POST", "/api/v1/users", admin,
                      R"({"name":"nina","role":"operator","password":"nina-password-1"})");
  EXPECT_EQ(added["user"]["name"], "nina");
  EXPECT_EQ(added["user"]["role"], "operator");
  EXPECT_FALSE(added["user"].contains("password_hash"));
  json list = expect(200, "GET", "/api/v1/users", admin);
  std::vector<std::string> names;
  for (const json& u : list["users"]) names.push_back(u["name"]);
  EXPECT_EQ(names, (std::vector<std::string>{"admin", "nina", "olga", "vic"}));

  expect(409, "POST", "/api/v1/users", admin, R"({"name":"nina","password":"another-password"})");
  json weak = expect(422, "POST", "/api/v1/users", admin, R"({"name":"weak","password":"short"})");
  EXPECT_EQ(weak["error"]["code"], "validation_failed");
  EXPECT_TRUE(weak["error"]["details"].contains("password"));
  EXPECT_EQ(weak.dump().find("short\""), std::string::npos) << "the password is never echoed";
  EXPECT_TRUE(expect(422, "POST", "/api/v1/users", admin, R"({"name":"x y","password":"long-enough-pass"})")
                  ["error"]["details"]
                      .contains("name"));
  expect(400, "POST", "/api/v1/users", admin, R"({"name":"zed","role":"root","password":"long-enough-pass"})");

  json viewer = expect(200, "PATCH", "/api/v1/users/nina", admin, R"({"role":"viewer","disabled":true})");
  EXPECT_EQ(viewer["user"]["role"], "viewer");
  EXPECT_EQ(viewer["user"]["disabled"], true);
  EXPECT_EQ(expect(403, "POST", "/api/v1/session", anonymous(), R"({"username":"nina","password":"nina-password-1"})")
                ["error"]["code"],
            "user_disabled");
  expect(200, "PATCH", "/api/v1/users/nina", admin, R"({"disabled":false,"password":"nina-password-2"})");
  expect(200, "POST", "/api/v1/session", anonymous(), R"({"username":"nina","password":"nina-password-2"})");
  expect(404, "PATCH", "/api/v1/users/nobody", admin, R"({"role":"viewer"})");
  expect(409, "PATCH", "/api/v1/users/admin", admin, R"({"role":"viewer"})");
  expect(409, "DELETE", "/api/v1/users/admin", admin);
  EXPECT_EQ(call("DELETE", "/api/v1/users/nina", admin).status, 204);
  expect(404, "DELETE", "/api/v1/users/nina", admin);

  auto actions = adminActions(store_url_);
  ASSERT_GE(actions.size(), 4u);
  bool saw_removal = false;
  for (const auto& row : actions) {
    if (row[1] == "nina") {
      EXPECT_EQ(row[2], "admin") << "who";
      EXPECT_EQ(row[3], "127.0.0.1") << "from where";
      EXPECT_EQ(row[4].find("nina-password"), std::string::npos) << row[4];
    }
    saw_removal |= row[1] == "nina" && row[0].find("remove") != std::string::npos;
  }
  EXPECT_TRUE(saw_removal);
}

TEST_P(ApiAdmin, ATokenIsShownOnceWorksWithinItsPermissionsAndStopsWhenRevoked) {
  startApi(1);
  Caller admin = token("admin");
  json created = expect(201, "POST", "/api/v1/tokens", admin,
                        R"({"user":"olga","name":"ci","permissions":["sync.job.view"],"expires_in":"30d"})");
  const std::string raw = created["token"];
  EXPECT_EQ(raw.rfind("snapq_", 0), 0u);
  EXPECT_EQ(created["permissions"], json{"sync.job.view"});
  EXPECT_TRUE(created["expires_at"].is_string());
  Caller ci{"ci token", raw, "", ""};
  expect(200, "GET", "/api/v1/jobs", ci);
  expect(403, "POST", "/api/v1/jobs/bulk", ci, R"({"action":"cancel","ids":[1]})");

  json tokens = expect(200, "GET", "/api/v1/tokens?user=olga", admin);
  ASSERT_EQ(tokens["tokens"].size(), 1u);
  EXPECT_FALSE(tokens["tokens"][0].contains("token")) << "the raw token is never shown again";
  EXPECT_EQ(tokens.dump().find(raw), std::string::npos);

  expect(400, "POST", "/api/v1/tokens", admin, R"({"user":"vic","name":"x","permissions":["sync.job.manage"]})");
  expect(400, "POST", "/api/v1/tokens", admin, R"({"name":"x","permissions":["everything"]})");
  expect(400, "POST", "/api/v1/tokens", admin, R"({"name":"x","expires_in":"forever"})");
  expect(404, "POST", "/api/v1/tokens", admin, R"({"user":"nobody","name":"x"})");

  const std::string path = "/api/v1/tokens/" + std::to_string(created["id"].get<int64_t>());
  EXPECT_EQ(call("DELETE", path, admin).status, 204);
  expect(409, "DELETE", path, admin);
  expect(404, "DELETE", "/api/v1/tokens/999999", admin);
  expect(400, "DELETE", "/api/v1/tokens/abc", admin);
  expect(401, "GET", "/api/v1/jobs", ci);
  for (const auto& row : adminActions(store_url_)) EXPECT_EQ(row[4].find(raw), std::string::npos);
}

TEST_P(ApiAdmin, OnlyAdminsManageUsersAndTokens) {
  startApi(1);
  for (const Caller& who : {session("olga"), token("vic"), token("admin", "sync.job.view,snapshot.view")}) {
    EXPECT_EQ(expect(403, "GET", "/api/v1/users", who)["error"]["code"], "forbidden");
    expect(403, "POST", "/api/v1/tokens", who, R"({"name":"mine"})");
    expect(403, "DELETE", "/api/v1/users/vic", who);
  }
  expect(401, "GET", "/api/v1/users", anonymous());
}

INSTANTIATE_TEST_SUITE_P(Drivers, ApiAdmin, ::testing::Values("sqlite", "postgres"), driverName);

}  // namespace
}  // namespace snapq::testing
