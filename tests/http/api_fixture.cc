#include "api_fixture.h"

#include "snapq/log.h"

namespace snapq::testing {

using json = nlohmann::json;

namespace {
class QuietLogger final : public Logger {
 public:
  void log(LogLevel, std::string_view) override {}
};
Logger& quiet() {
  static QuietLogger logger;
  return logger;
}
}  // namespace

void ApiTest::startApi(int64_t accounts, const std::string& yaml) {
  startSim(accounts);
  startSnapq(yaml);
  auth_ = std::make_unique<auth::Auth>(store_->auth());
  const AuthChange by{Actor::system(), "test", engine_->clock().now()};
  for (auto [name, role] : {std::pair{"admin", Role::admin}, {"olga", Role::operator_}, {"vic", Role::viewer}}) {
    ASSERT_TRUE(auth_->addUser(name, role, std::string(name) + "-password-1", by).isOk());
  }
  http::ApiServerOptions options = api_options_;
  http::ApiContext context{*store_, *engine_, *auth_, api_logger_ ? *api_logger_ : quiet(), &*config_, sync_.get()};
  api_ = std::make_unique<http::ApiServer>(context, options);
  ASSERT_TRUE(api_->start().isOk());
  base_ = api_->url();
}

http::ApiServerOptions ApiTest::quietOptions() {
  http::ApiServerOptions options;
  options.http.port = 0;
  options.handler_threads = 4;
  options.access_log = false;
  return options;
}

void ApiTest::TearDown() {
  if (api_) api_->stop();
  api_.reset();
  SyncSimTest::TearDown();
  auth_.reset();
}

Caller ApiTest::session(const std::string& user) {
  net::ClientRequest req;
  req.method = "POST";
  req.url = base_ + "/api/v1/session";
  req.headers.set("Content-Type", "application/json");
  req.body = json{{"username", user}, {"password", user + "-password-1"}}.dump();
  auto res = client_.send(req);
  EXPECT_TRUE(res.isOk());
  EXPECT_EQ(res->status, 200) << res->body;
  Caller c{user + " (session)", "", "", ""};
  std::string set_cookie = res->headers.get("Set-Cookie").value_or("");
  c.cookie = set_cookie.substr(0, set_cookie.find(';'));
  c.csrf = json::parse(res->body).value("csrf_token", "");
  return c;
}

Caller ApiTest::token(const std::string& user, const std::string& permissions) {
  auth::NewTokenSpec spec;
  spec.user = user;
  if (!permissions.empty()) {
    PermissionSet set;
    for (size_t start = 0; start < permissions.size();) {
      size_t end = permissions.find(',', start);
      if (end == std::string::npos) end = permissions.size();
      set.add(*parsePermission(permissions.substr(start, end - start)));
      start = end + 1;
    }
    spec.permissions = set;
  }
  static int counter = 0;
  spec.name = "token-" + std::to_string(++counter);
  auto issued = auth_->createToken(spec, {Actor::system(), "test", engine_->clock().now()});
  EXPECT_TRUE(issued.isOk()) << issued.status().toString();
  return {user + " (token " + (permissions.empty() ? "all" : permissions) + ")", issued->token, "", ""};
}

net::ClientResponse ApiTest::call(const std::string& method, const std::string& target, const Caller& who,
                                  const std::string& body, const net::Headers& headers) {
  net::ClientRequest req;
  req.method = method;
  req.url = base_ + target;
  req.body = body;
  for (const auto& [name, value] : headers) req.headers.add(name, value);
  if (!body.empty() && !req.headers.has("Content-Type")) req.headers.set("Content-Type", "application/json");
  if (!who.bearer.empty()) req.headers.set("Authorization", "Bearer " + who.bearer);
  if (!who.cookie.empty()) req.headers.set("Cookie", who.cookie);
  if (!who.csrf.empty() && method != "GET") req.headers.set("X-CSRF-Token", who.csrf);
  auto res = client_.send(req);
  EXPECT_TRUE(res.isOk()) << method << " " << target << ": " << res.status().toString();
  return res ? *res : net::ClientResponse{};
}

json ApiTest::body(const net::ClientResponse& response) const {
  return json::parse(response.body, nullptr, false);
}

json ApiTest::expect(int status, const std::string& method, const std::string& target, const Caller& who,
                     const std::string& body, const net::Headers& headers) {
  net::ClientResponse res = call(method, target, who, body, headers);
  EXPECT_EQ(res.status, status) << who.name << " " << method << " " << target << " -> " << res.body;
  return this->body(res);
}

}  // namespace snapq::testing
