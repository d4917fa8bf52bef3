// Routes: a method and a path pattern ("/api/v1/jobs/{id}"), the permission
// the route needs, and its handler. Matching is by whole segments, after
// splitting and percent-decoding, so a key "a/b" travels as "a%2Fb" and
// "../" is just a key that does not exist.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/api_reply.h"
#include "http/api_request.h"
#include "snapq/auth.h"

namespace snapq::http {

using RouteHandler = std::function<Reply(ApiRequest&)>;

enum class Access {
  open,           // anyone (login, /healthz, /readyz)
  authenticated,  // any signed-in user or token (/me, logout)
  permission,     // Route::permission
};

struct Route {
  std::string method;
  std::vector<std::string> pattern;  // segments; "{name}" captures one
  Access access = Access::permission;
  Permission permission = Permission::admin;
  RouteHandler handler;
};

struct RouteMatch {
  const Route* route = nullptr;               // null: no route for this method and path
  std::map<std::string, std::string> params;  // decoded
  std::vector<std::string> allowed_methods;   // when the path exists under other methods (405)
};

class Router {
 public:
  void add(std::string method, std::string_view pattern, Permission permission, RouteHandler handler);
  void add(std::string method, std::string_view pattern, Access access, RouteHandler handler);
  RouteMatch match(const std::string& method, std::string_view path) const;

 private:
  std::vector<Route> routes_;
};

}  // namespace snapq::http
