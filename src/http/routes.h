// The route groups of the API, one file each (routes_<group>.cc).
#pragma once

#include "http/api_context.h"
#include "http/router.h"

namespace snapq::http {

void addSessionRoutes(Router& router, ApiContext& ctx, bool secure_cookie);  // /session, /me
void addJobRoutes(Router& router, ApiContext& ctx);                          // /jobs
void addOperationRoutes(Router& router, ApiContext& ctx);                    // /healthz, /readyz
void addHealthRoutes(Router& router, ApiContext& ctx);                       // /health
void addAdminRoutes(Router& router, ApiContext& ctx);                        // /users, /tokens
void addServiceRoutes(Router& router, ApiContext& ctx);                      // /services
void addMetricsRoutes(Router& router, ApiContext& ctx, bool open);           // /metrics (open: no auth)
void addWebRoutes(Router& router);                                           // the admin UI: /, /login, /admin/..., /assets/...

}  // namespace snapq::http
