// `snapq serve`'s API on loopback over the driver under test, with the sim
// behind examples/sim.yaml (SyncSimTest), users of every role and a client
// that calls it over real HTTP (libcurl).
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "auth/auth_service.h"
#include "http/api_server.h"
#include "net/http_client.h"
#include "sync/sync_fixture.h"

namespace snapq::testing {

// How a request authenticates: nothing, a bearer token, or a session cookie
// (with the CSRF token sent on writes unless `csrf` is cleared).
struct Caller {
  std::string name;  // for messages: "viewer (session)"
  std::string bearer;
  std::string cookie;
  std::string csrf;
};

class ApiTest : public SyncSimTest {
 protected:
  // Starts the sim (with `accounts`), snapq on the driver and the API; creates
  // users admin, olga (operator) and vic (viewer), password "<name>-password-1".
  void startApi(int64_t accounts = 20, const std::string& yaml = {});
  void TearDown() override;

  Caller anonymous() const { return {"anonymous", "", "", ""}; }
  Caller session(const std::string& user);  // signs in over the API
  Caller token(const std::string& user, const std::string& permissions = {});

  net::ClientResponse call(const std::string& method, const std::string& target, const Caller& who,
                           const std::string& body = {}, const net::Headers& headers = {});
  nlohmann::json body(const net::ClientResponse& response) const;
  // Calls and expects `status`; returns the JSON body.
  nlohmann::json expect(int status, const std::string& method, const std::string& target, const Caller& who,
                        const std::string& body = {}, const net::Headers& headers = {});

  http::ApiServerOptions api_options_ = quietOptions();  // startApi uses these (tests may change them first)
  std::shared_ptr<Logger> api_logger_;                   // the server's logger; unset: a silent one
  static http::ApiServerOptions quietOptions();
  std::unique_ptr<auth::Auth> auth_;
  std::unique_ptr<http::ApiServer> api_;
  std::string base_;
  net::HttpClient client_;
};

}  // namespace snapq::testing
