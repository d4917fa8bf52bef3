// The admin UI (API.md "Admin UI"): the app's HTML at each page route (the
// browser routes between them with the history API), its files under
// /assets/, and / redirecting to the health page. No authentication here: the
// page asks /api/v1/me and goes to /login on a 401, and every datum comes from
// the JSON API, which checks permissions itself.
#include <string>

#include "http/routes.h"
#include "http/web_assets.h"

namespace snapq::http {

namespace {

// The UI loads only its own files and talks only to its own origin; nothing
// inline runs, and no other site may frame it.
constexpr const char* kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

void addSecurityHeaders(Reply& reply) {
  reply.headers.set("Content-Security-Policy", kContentSecurityPolicy);
  reply.headers.set("X-Content-Type-Options", "nosniff");
  reply.headers.set("Referrer-Policy", "no-referrer");
  reply.headers.set("X-Frame-Options", "DENY");
}

// The file, or 304 when the browser's copy (If-None-Match) is current. File
// names carry no hash, so the browser revalidates each time (no-cache): a
// new binary's files show at once, an unchanged one costs a 304.
Reply serveAsset(const ApiRequest& r, const WebAsset& asset) {
  Reply reply;
  const auto cached = r.http.headers.get("If-None-Match");
  if (cached && (*cached == asset.etag || *cached == "*")) {
    reply.status = 304;
  } else {
    reply = Reply::text(200, std::string(asset.body), std::string(asset.content_type));
  }
  reply.headers.set("ETag", std::string(asset.etag));
  reply.headers.set("Cache-Control", "no-cache");
  addSecurityHeaders(reply);
  return reply;
}

}  // namespace

void addWebRoutes(Router& router) {
  const WebAsset* app = findWebAsset("index.html");
  for (const char* page : {"/login", "/admin/sync/health", "/admin/sync/jobs", "/admin/sync/services",
                           "/admin/sync/services/{service}/{resource}"}) {
    router.add("GET", page, Access::open, [app](ApiRequest& r) {
      if (app == nullptr) return Reply::error(404, "not_found", "this build has no admin UI");
      return serveAsset(r, *app);
    });
  }
  for (const WebAsset& asset : webAssets()) {
    if (asset.path == "index.html") continue;  // served at the page routes only
    router.add("GET", "/assets/" + std::string(asset.path), Access::open,
               [&asset](ApiRequest& r) { return serveAsset(r, asset); });
  }
  for (const char* home : {"/", "/admin", "/admin/sync"}) {
    router.add("GET", home, Access::open, [](ApiRequest&) {
      Reply reply;
      reply.status = 302;
      reply.headers.set("Location", "/admin/sync/health");
      addSecurityHeaders(reply);
      return reply;
    });
  }
}

}  // namespace snapq::http
