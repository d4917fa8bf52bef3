#include "http/api_server.h"

#include <chrono>

#include "http/api_auth.h"
#include "http/event_hub.h"
#include "http/handler_pool.h"
#include "http/page_cache.h"
#include "http/router.h"
#include "http/routes.h"
#include "net/address.h"

namespace snapq::http {

namespace {

// "127.0.0.1:5000" -> "127.0.0.1", "[::1]:5000" -> "::1".
std::string hostOf(const std::string& remote) {
  if (!remote.empty() && remote.front() == '[') {
    size_t close = remote.find(']');
    return close == std::string::npos ? remote : remote.substr(1, close - 1);
  }
  size_t colon = remote.rfind(':');
  return colon == std::string::npos ? remote : remote.substr(0, colon);
}

// Bad bytes anywhere in the path or the query are refused before routing.
std::optional<Reply> rejectBadText(const net::HttpRequest& req) {
  for (const std::string& segment : net::splitPath(req.path)) {
    if (!isValidUtf8(segment)) return Reply::error(400, "bad_request", "the request path is not valid UTF-8");
  }
  for (const auto& [name, value] : req.query) {
    if (!isValidUtf8(name) || !isValidUtf8(value)) {
      return Reply::error(400, "bad_request", "the query string is not valid UTF-8");
    }
  }
  return std::nullopt;
}

}  // namespace

class ApiServer::Impl {
 public:
  Impl(ApiContext context, ApiServerOptions options)
      : ctx_(context),
        options_(std::move(options)),
        page_cache_(options_.page_cache ? std::make_unique<PageCache>() : nullptr),
        events_(context.engine, options_.events),
        server_(options_.http, net::AsyncHandler([this](net::HttpRequest req, net::Responder res) {
                  accept(std::move(req), std::move(res));
                })) {
    ctx_.page_cache = page_cache_.get();
    addSessionRoutes(router_, ctx_, /*secure_cookie=*/options_.http.tls.has_value());
    addJobRoutes(router_, ctx_);
    addOperationRoutes(router_, ctx_);
    addAdminRoutes(router_, ctx_);
    addHealthRoutes(router_, ctx_);
    router_.add("GET", "/api/v1/events", Permission::sync_job_view, [this](ApiRequest& r) {
      if (auto bad = rejectUnknownParams(r, {})) return *bad;
      Reply reply;
      reply.stream = [this](net::Responder responder) { events_.attach(std::move(responder)); };
      return reply;
    });
    addServiceRoutes(router_, ctx_);
    addMetricsRoutes(router_, ctx_, options_.metrics_open);
    addWebRoutes(router_);
  }

  Status start() {
    pool_ = std::make_unique<HandlerPool>(options_.handler_threads, options_.max_waiting);
    return server_.start();
  }

  void stop() {
    server_.stop();  // drains requests in flight: their handlers run on the pool
    pool_.reset();
  }

  uint16_t port() const { return server_.port(); }
  const ApiServerOptions& options() const { return options_; }

 private:
  void accept(net::HttpRequest req, net::Responder responder) {
    auto shared = std::make_shared<std::pair<net::HttpRequest, net::Responder>>(std::move(req), std::move(responder));
    bool queued = pool_ && pool_->post([this, shared] {
      const auto started = std::chrono::steady_clock::now();
      std::string actor;
      Reply reply = serve(shared->first, actor);
      if (reply.stream) {
        logAccess(shared->first, reply.status, std::nullopt, started, actor);
        return reply.stream(std::move(shared->second));
      }
      net::HttpResponse out;
      reply.writeTo(out);
      logAccess(shared->first, out.status, out.body.size(), started, actor);
      shared->second.send(std::move(out));
    });
    if (!queued) {
      net::HttpResponse out;
      Reply r = Reply::error(503, "overloaded", "the server is busy; try again shortly");
      r.headers.set("Retry-After", "1");
      r.writeTo(out);
      shared->second.send(std::move(out));
    }
  }

  // `actor`: who was authenticated (user or token name), empty when nobody.
  Reply serve(const net::HttpRequest& http, std::string& actor) {
    ApiRequest request{http, {}, std::nullopt, {}, hostOf(http.remote_address), ctx_.clock().now()};
    Reply reply = route(request);
    if (request.principal) actor = request.actor().name;
    return reply;
  }

  // One line per request. The path only: the query string is the client's to
  // fill and may carry anything; headers (Authorization, Cookie, the CSRF
  // token) and bodies (passwords) never reach the log.
  void logAccess(const net::HttpRequest& http, int status, std::optional<size_t> bytes,
                 std::chrono::steady_clock::time_point started, const std::string& actor) {
    if (!options_.access_log) return;
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started);
    LogFields fields = {{"method", http.method}, {"path", http.path}, {"status", status}};
    if (bytes) fields.emplace_back("bytes", static_cast<int64_t>(*bytes));
    fields.emplace_back("duration_ms", static_cast<double>(us.count()) / 1000.0);
    fields.emplace_back("address", hostOf(http.remote_address));
    fields.emplace_back("actor", actor.empty() ? std::string("-") : actor);
    ctx_.logger.log(LogLevel::info, "http", fields);
  }

  Reply route(ApiRequest& request) {
    if (auto bad = rejectBadText(request.http)) return *bad;
    RouteMatch match = router_.match(request.http.method, request.http.path);
    if (match.route == nullptr) {
      if (!match.allowed_methods.empty()) {
        std::string allow;
        for (const std::string& m : match.allowed_methods) allow += (allow.empty() ? "" : ", ") + m;
        Reply r = Reply::error(405, "method_not_allowed", request.http.method + " is not allowed here; allowed: " + allow);
        r.headers.set("Allow", allow);
        return r;
      }
      return Reply::error(404, "not_found", "no such route: " + request.http.method + " " + request.http.path);
    }
    for (const auto& [name, value] : match.params) {
      request.params[name] = value;
    }
    const Route& route = *match.route;
    if (auto refused = authenticate(request, ctx_.auth, route.access != Access::open)) return *refused;
    if (route.access == Access::permission && !request.principal->can(route.permission)) {
      return Reply::error(403, "forbidden",
                          std::string("this needs the permission ") + toString(route.permission),
                          {{"permission", toString(route.permission)}});
    }
    try {
      return route.handler(request);
    } catch (const std::exception& e) {
      ctx_.logger.log(LogLevel::error, "http " + request.http.method + " " + request.http.path + ": " + e.what());
      return Reply::fromStatus(Status::internal(e.what()));
    }
  }

  ApiContext ctx_;
  ApiServerOptions options_;
  std::unique_ptr<PageCache> page_cache_;
  Router router_;
  EventHub events_;  // outlives the server, whose stop() ends its streams
  std::unique_ptr<HandlerPool> pool_;
  net::HttpServer server_;
};

ApiServer::ApiServer(ApiContext context, ApiServerOptions options)
    : impl_(std::make_unique<Impl>(context, std::move(options))) {}
ApiServer::~ApiServer() { stop(); }
Status ApiServer::start() { return impl_->start(); }
void ApiServer::stop() { impl_->stop(); }
uint16_t ApiServer::port() const { return impl_->port(); }
std::string ApiServer::url() const {
  return std::string(impl_->options().http.tls ? "https://" : "http://") +
         net::formatHostPort(impl_->options().http.host, impl_->port());
}

}  // namespace snapq::http
