// The admin UI's files over HTTP: the app at each page route, its files under
// /assets/ with their types, ETag revalidation (304), the security headers on
// every UI answer, a 404 for an unknown file and / redirecting to health.
#include <fstream>
#include <sstream>

#include "api_fixture.h"

namespace snapq::testing {
namespace {

using ApiWeb = ApiTest;

std::string readSource(const std::string& relative) {
  std::ifstream in(std::string(SNAPQ_SOURCE_DIR) + "/" + relative, std::ios::binary);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

void expectSecurityHeaders(const net::ClientResponse& r, const std::string& what) {
  const std::string csp = r.headers.get("Content-Security-Policy").value_or("");
  EXPECT_NE(csp.find("default-src 'self'"), std::string::npos) << what << ": " << csp;
  EXPECT_NE(csp.find("script-src 'self';"), std::string::npos) << what << ": " << csp;
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << what << ": " << csp;
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos) << what << ": " << csp;
  EXPECT_EQ(r.headers.get("X-Content-Type-Options").value_or(""), "nosniff") << what;
  EXPECT_EQ(r.headers.get("Referrer-Policy").value_or(""), "no-referrer") << what;
}

TEST_P(ApiWeb, EveryPageRouteServesTheAppWithoutSignInAndWithItsSecurityHeaders) {
  startApi(1);
  const std::string app = readSource("web/index.html");
  ASSERT_FALSE(app.empty());
  for (const char* page : {"/login", "/admin/sync/health", "/admin/sync/jobs", "/admin/sync/services",
                           "/admin/sync/services/sim/accounts", "/admin/sync/jobs?status=failed&q=x"}) {
    auto r = call("GET", page, anonymous());
    EXPECT_EQ(r.status, 200) << page;
    EXPECT_EQ(r.headers.get("Content-Type").value_or(""), "text/html; charset=utf-8") << page;
    EXPECT_EQ(r.body, app) << page << ": the embedded file is the one in web/";
    expectSecurityHeaders(r, page);
  }
  // The API's own answers stay uncacheable JSON.
  auto api = call("GET", "/api/v1/me", anonymous());
  EXPECT_EQ(api.status, 401);
  EXPECT_EQ(api.headers.get("Cache-Control").value_or(""), "no-store");
}

TEST_P(ApiWeb, AssetsHaveTheirContentTypesAndRevalidateWithETags) {
  startApi(1);
  const std::pair<const char*, const char*> assets[] = {
      {"/assets/app.js", "text/javascript; charset=utf-8"},
      {"/assets/pages/jobs.js", "text/javascript; charset=utf-8"},
      {"/assets/style.css", "text/css; charset=utf-8"},
      {"/assets/favicon.svg", "image/svg+xml"},
  };
  for (const auto& [path, type] : assets) {
    auto r = call("GET", path, anonymous());
    ASSERT_EQ(r.status, 200) << path;
    EXPECT_EQ(r.headers.get("Content-Type").value_or(""), type) << path;
    EXPECT_EQ(r.body, readSource("web" + std::string(path).substr(7))) << path;
    EXPECT_EQ(r.headers.get("Cache-Control").value_or(""), "no-cache") << path;
    expectSecurityHeaders(r, path);
    const std::string etag = r.headers.get("ETag").value_or("");
    ASSERT_EQ(etag.size(), 34u) << path << ": a quoted hash, got " << etag;

    net::Headers cached;
    cached.set("If-None-Match", etag);
    auto again = call("GET", path, anonymous(), {}, cached);
    EXPECT_EQ(again.status, 304) << path;
    EXPECT_TRUE(again.body.empty()) << path;
    EXPECT_EQ(again.headers.get("ETag").value_or(""), etag) << path;

    cached.set("If-None-Match", "\"0123\"");
    EXPECT_EQ(call("GET", path, anonymous(), {}, cached).status, 200) << path << ": a stale copy gets the file";
  }
}

TEST_P(ApiWeb, UnknownAssetsAre404sAndTheRootRedirectsToHealth) {
  startApi(1);
  for (const char* missing :
       {"/assets/nope.js", "/assets/index.html", "/assets/../web/app.js", "/assets/pages", "/admin/sync/jobs/extra"}) {
    auto r = call("GET", missing, anonymous());
    EXPECT_EQ(r.status, 404) << missing << ": " << r.body;
  }
  for (const char* home : {"/", "/admin", "/admin/sync"}) {
    auto r = call("GET", home, anonymous());
    EXPECT_EQ(r.status, 302) << home;
    EXPECT_EQ(r.headers.get("Location").value_or(""), "/admin/sync/health") << home;
  }
  EXPECT_EQ(call("POST", "/admin/sync/jobs", anonymous(), "{}").status, 405);
}

INSTANTIATE_TEST_SUITE_P(Drivers, ApiWeb, ::testing::Values("sqlite"), driverName);

}  // namespace
}  // namespace snapq::testing
