// For the rest connector's tests: a scripted HTTP server on loopback (routes
// answered by lambdas, every request recorded) and services loaded from
// inline YAML by the real config loader.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "connectors/rest/rest_connector.h"
#include "net/http_server.h"
#include "snapq/config.h"

namespace snapq::rest::testing {

class ScriptedServer {
 public:
  using Route = std::function<void(const net::HttpRequest&, net::HttpResponse&)>;

  ScriptedServer() {
    net::HttpServerOptions options;
    options.io_threads = 2;
    options.stop_grace = std::chrono::milliseconds(200);
    server_ =
        std::make_unique<net::HttpServer>(options, net::AsyncHandler([this](net::HttpRequest req, net::Responder res) {
                                            handle(std::move(req), std::move(res));
                                          }));
    const Status s = server_->start();
    EXPECT_TRUE(s.isOk()) << s.toString();
  }
  ~ScriptedServer() { server_->stop(); }

  // Answers METHOD on the (still percent-encoded) path; `delay` holds the answer back.
  void on(const std::string& method, const std::string& path, Route route,
          std::chrono::milliseconds delay = std::chrono::milliseconds(0)) {
    std::lock_guard lock(mu_);
    routes_[method + " " + path] = {std::move(route), delay};
  }

  // Answers every request no route matches (instead of a 404).
  void otherwise(Route route) {
    std::lock_guard lock(mu_);
    fallback_ = {std::move(route), std::chrono::milliseconds(0)};
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(server_->port()); }

  std::vector<net::HttpRequest> requests() const {
    std::lock_guard lock(mu_);
    return requests_;
  }
  int count(const std::string& method, const std::string& path) const {
    std::lock_guard lock(mu_);
    int n = 0;
    for (const net::HttpRequest& r : requests_) n += r.method == method && r.path == path;
    return n;
  }
  net::HttpRequest last() const {
    std::lock_guard lock(mu_);
    return requests_.empty() ? net::HttpRequest{} : requests_.back();
  }

 private:
  struct Entry {
    Route route;
    std::chrono::milliseconds delay{0};
  };

  void handle(net::HttpRequest req, net::Responder responder) {
    Entry entry;
    {
      std::lock_guard lock(mu_);
      requests_.push_back(req);
      auto it = routes_.find(req.method + " " + req.path);
      entry = it != routes_.end() ? it->second : fallback_;
    }
    if (!entry.route) {
      net::HttpResponse res;
      res.json(404, R"({"message":"no route"})");
      return responder.send(std::move(res));
    }
    responder.sendAfter(entry.delay,
                        [route = entry.route, req = std::move(req)](net::HttpResponse& res) { route(req, res); });
  }

  mutable std::mutex mu_;
  std::map<std::string, Entry> routes_;
  Entry fallback_;
  std::vector<net::HttpRequest> requests_;
  std::unique_ptr<net::HttpServer> server_;
};

inline EnvLookup envOf(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

// The first service of a config text; fails the test when the text has problems.
inline ServiceSpec serviceFrom(const std::string& yaml, std::map<std::string, std::string> env = {}) {
  LoadOptions options;
  options.env = envOf(std::move(env));
  const ConfigCheck check = checkConfigText(yaml, options);
  std::string problems;
  for (const ConfigProblem& p : check.problems) problems += formatProblem("test.yaml", p) + "\n";
  EXPECT_TRUE(check.ok()) << problems;
  if (!check.ok() || check.config->services.empty()) return ServiceSpec{};
  return check.config->services.front();
}

inline ObjectRef objectRef(std::string resource, std::string key = "", nlohmann::json values = nlohmann::json::object(),
                           nlohmann::json payload = nlohmann::json::object(), Scope scope = {}) {
  ObjectRef o;
  o.resource = std::move(resource);
  o.key = std::move(key);
  o.values = std::move(values);
  o.payload = std::move(payload);
  o.scope = std::move(scope);
  return o;
}

}  // namespace snapq::rest::testing
