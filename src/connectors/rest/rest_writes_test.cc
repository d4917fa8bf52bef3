// The rest connector's writes against a scripted server: form bodies,
// returns object / location / none, 404s per operation, the service's
// reasons, and write-only values kept out of messages.
#include <gtest/gtest.h>

#include "connectors/rest/rest_connector.h"
#include "connectors/rest/rest_test_util.h"

namespace snapq::rest {
namespace {

using nlohmann::json;
using testing::objectRef;
using testing::ScriptedServer;
using testing::serviceFrom;

class RestWritesTest : public ::testing::Test {
 protected:
  std::unique_ptr<Connector> connect(const std::string& resources) {
    const std::string yaml =
        "services:\n  svc:\n    base_url: ${BASE}\n    policy: {timeout: 2s}\n    resources:\n" + resources;
    service = serviceFrom(yaml, {{"BASE", server.url()}});
    if (service.instances.empty()) return nullptr;
    return makeRestConnector(service, service.instances.front(), RestOptions{clock});
  }

  ScriptedServer server;
  ManualClock clock{TimePoint(Duration(1'767'225'600'000))};
  ServiceSpec service;
};

// WHM-like: form-encoded POSTs that answer an envelope, read back through a query.
constexpr const char* kMail = R"(      mail:
        key: email
        fields:
          email: {type: string, required_on_create: true}
          user: {type: string, required_on_create: true}
          domain: {type: string, required_on_create: true}
          quota: string
          password: {type: string, write_only: true}
        list: {path: /json-api/cpanel, items: result.data}
        get:
          path: /json-api/cpanel
          query: {func: list_pops, email: "{user}", domain: "{domain}"}
          item: "result.data[0]"
        create:
          method: POST
          path: /json-api/cpanel
          encoding: form
          body: {func: add_pop, email: "{user}", domain: "{domain}", password: "{password}", quota: "{quota}", v: 3}
)";

TEST_F(RestWritesTest, FormEncodedCreateIsReadBackThroughItsGet) {
  server.on("POST", "/json-api/cpanel", [](const net::HttpRequest&, net::HttpResponse& res) {
    res.json(200, R"({"result":{"status":1,"data":null}})");
  });
  server.on("GET", "/json-api/cpanel", [](const net::HttpRequest& req, net::HttpResponse& res) {
    res.json(200, json{{"result",
                        {{"data",
                          {{{"email", req.query.get("email").value_or("") + "@" + req.query.get("domain").value_or("")},
                            {"diskquota", "250"}}}}}}}
                      .dump());
  });
  auto c = connect(kMail);
  const json payload = {
      {"email", "ann@example.test"}, {"user", "ann"}, {"domain", "example.test"}, {"password", "Secret pw&1"}};
  RemoteResult<json> created = c->create(objectRef("mail", "", payload, payload));
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_EQ((*created)["email"], "ann@example.test");

  const std::vector<net::HttpRequest> requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].headers.get("Content-Type"), "application/x-www-form-urlencoded");
  // In the file's order; quota has no value and is left out.
  EXPECT_EQ(requests[0].body, "func=add_pop&email=ann&domain=example.test&password=Secret%20pw%261&v=3");
  EXPECT_EQ(requests[1].target, "/json-api/cpanel?func=list_pops&email=ann&domain=example.test");
}

TEST_F(RestWritesTest, AServicesRejectionCarriesItsReasonWithoutWriteOnlyValues) {
  server.on("POST", "/json-api/cpanel", [](const net::HttpRequest&, net::HttpResponse& res) {
    res.json(422, R"({"error":{"code":"validation_failed","message":"password 'Secret pw&1' is too weak",)"
                  R"("details":{"password":"must have 12 characters"}}})");
  });
  auto c = connect(kMail);
  const json payload = {
      {"email", "ann@example.test"}, {"user", "ann"}, {"domain", "example.test"}, {"password", "Secret pw&1"}};
  RemoteResult<json> created = c->create(objectRef("mail", "", payload, payload));
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().kind, RemoteError::Kind::rejected);
  EXPECT_EQ(created.error().http_status, 422);
  EXPECT_EQ(created.error().message,
            "POST /json-api/cpanel: HTTP 422 Unprocessable Entity: password '***' is too weak "
            "(password: must have 12 characters)");
}

constexpr const char* kUsers = R"(      users:
        key: id
        fields:
          id: string
          username: {type: string, required_on_create: true}
          enabled: boolean
        list: /users
        get: /users/{id}
        create: {path: /users, body: {username: "{username}"}, success: [201], returns: location}
        update: {method: PUT, path: "/users/{id}", body: "{$payload}", success: [204]}
        delete: {path: "/users/{id}", success: [204]}
        actions:
          disable:
            conflict: last_write_wins
            method: PUT
            path: /users/{id}/disable
            returns: object
            item: result
)";

TEST_F(RestWritesTest, ReturnsLocationReadsTheNamedUrl) {
  int created = 0;
  server.on("POST", "/users", [&created](const net::HttpRequest&, net::HttpResponse& res) {
    res.status = 201;
    res.headers.set("Location", ++created == 1 ? "/users/u-77" : "http://127.0.0.2:9/users/u-78");
  });
  server.on("GET", "/users/u-77", [](const net::HttpRequest&, net::HttpResponse& res) {
    res.json(200, R"({"id":"u-77","username":"ann","enabled":true})");
  });
  auto c = connect(kUsers);
  RemoteResult<json> user = c->create(objectRef("users", "", {{"username", "ann"}}, {{"username", "ann"}}));
  ASSERT_TRUE(user) << user.error().message;
  EXPECT_EQ((*user)["id"], "u-77");
  EXPECT_EQ(server.requests()[0].body, R"({"username":"ann"})");
  EXPECT_EQ(server.requests()[0].headers.get("Content-Type"), "application/json");

  // A Location on another origin is not followed with our credentials.
  RemoteResult<json> away = c->create(objectRef("users", "", {{"username", "bob"}}, {{"username", "bob"}}));
  ASSERT_FALSE(away);
  EXPECT_TRUE(
      away.error().message.starts_with("POST /users succeeded, but GET /users/u-78: the Location header "
                                       "names http://127.0.0.2:9"))
      << away.error().message;
}

TEST_F(RestWritesTest, UpdateWithReturnsNoneReadsBackAndA404IsNotFound) {
  server.on("PUT", "/users/u1", [](const net::HttpRequest&, net::HttpResponse& res) { res.status = 204; });
  server.on("GET", "/users/u1", [](const net::HttpRequest&, net::HttpResponse& res) {
    res.json(200, R"({"id":"u1","username":"ann","enabled":false})");
  });
  auto c = connect(kUsers);
  RemoteResult<json> updated = c->update(
      objectRef("users", "u1", {{"id", "u1"}, {"username", "ann"}, {"enabled", false}}, {{"enabled", false}}));
  ASSERT_TRUE(updated) << updated.error().message;
  EXPECT_EQ((*updated)["enabled"], false);
  EXPECT_EQ(server.requests()[0].body, R"({"enabled":false})");

  RemoteResult<json> gone = c->update(objectRef("users", "u2", {{"id", "u2"}}, {{"enabled", true}}));
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().kind, RemoteError::Kind::not_found);
  EXPECT_EQ(gone.error().http_status, 404);
  RemoteResult<json> action = c->action("disable", objectRef("users", "u2", {{"id", "u2"}}));
  ASSERT_FALSE(action);
  EXPECT_EQ(action.error().kind, RemoteError::Kind::not_found);
  // A create's 404 is a wrong path, not a missing object.
  server.on("POST", "/users", [](const net::HttpRequest&, net::HttpResponse& res) { res.json(404, "{}"); });
  RemoteResult<json> create = c->create(objectRef("users", "", {{"username", "x"}}, {{"username", "x"}}));
  ASSERT_FALSE(create);
  EXPECT_EQ(create.error().kind, RemoteError::Kind::rejected);
  EXPECT_FALSE(c->action("no_such_action", objectRef("users", "u1")));
}

TEST_F(RestWritesTest, DeleteOfAGoneObjectIsDone) {
  server.on("DELETE", "/users/u1", [](const net::HttpRequest&, net::HttpResponse& res) { res.status = 204; });
  server.on("DELETE", "/users/u3", [](const net::HttpRequest&, net::HttpResponse& res) { res.json(409, "{}"); });
  auto c = connect(kUsers);
  EXPECT_TRUE(c->remove(objectRef("users", "u1", {{"id", "u1"}})));
  EXPECT_TRUE(c->remove(objectRef("users", "u2", {{"id", "u2"}})));  // 404: already gone
  RemoteResult<Done> refused = c->remove(objectRef("users", "u3", {{"id", "u3"}}));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, RemoteError::Kind::rejected);
}

TEST_F(RestWritesTest, ActionReturnsTheObjectAtItsItemOrReadsBack) {
  int calls = 0;
  server.on("PUT", "/users/u1/disable", [&calls](const net::HttpRequest&, net::HttpResponse& res) {
    res.json(200, ++calls == 1 ? R"({"result":{"id":"u1","enabled":false}})" : R"({"ok":true})");
  });
  server.on("GET", "/users/u1", [](const net::HttpRequest&, net::HttpResponse& res) {
    res.json(200, R"({"id":"u1","enabled":false,"read":"back"})");
  });
  auto c = connect(kUsers);
  RemoteResult<json> first = c->action("disable", objectRef("users", "u1", {{"id", "u1"}}));
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(*first, json::parse(R"({"id":"u1","enabled":false})"));
  // Nothing at `item`: the write happened, so the object is read back.
  RemoteResult<json> second = c->action("disable", objectRef("users", "u1", {{"id", "u1"}}));
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ((*second)["read"], "back");
}

TEST_F(RestWritesTest, CreateWithReturnsNoneAndNoKeyUsesTheAnswerOrExplainsTheConfig) {
  int calls = 0;
  server.on("POST", "/things", [&calls](const net::HttpRequest&, net::HttpResponse& res) {
    if (++calls == 1) {
      res.json(201, R"({"id":"n1","name":"first"})");
    } else {
      res.status = 204;
    }
  });
  auto c = connect(R"(      things:
        key: id
        fields: {id: {type: string, required_on_create: true}, name: string}
        list: /things
        get: /things/{id}
        create: {path: /things, body: "{$payload}"}
)");
  RemoteResult<json> answered = c->create(objectRef("things", "", {{"name", "first"}}, {{"name", "first"}}));
  ASSERT_TRUE(answered) << answered.error().message;
  EXPECT_EQ((*answered)["id"], "n1");
  RemoteResult<json> silent = c->create(objectRef("things", "", {{"name", "second"}}, {{"name", "second"}}));
  ASSERT_FALSE(silent);
  EXPECT_EQ(silent.error().kind, RemoteError::Kind::rejected);
  EXPECT_NE(silent.error().message.find("returns: object (with item) or returns: location"), std::string::npos)
      << silent.error().message;
  EXPECT_TRUE(silent.error().message.starts_with("POST /things succeeded, but")) << silent.error().message;
}

}  // namespace
}  // namespace snapq::rest
