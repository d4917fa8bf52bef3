// Probes for load balancers and orchestrators (no authentication):
//   GET /healthz  the process answers
//   GET /readyz   the store answers and its schema is current (Engine::ready)
#include "http/routes.h"

namespace snapq::http {

void addOperationRoutes(Router& router, ApiContext& ctx) {
  router.add("GET", "/healthz", Access::open, [](ApiRequest&) { return Reply::json(200, {{"status", "ok"}}); });
  router.add("GET", "/readyz", Access::open, [&ctx](ApiRequest&) {
    if (ctx.engine.ready()) return Reply::json(200, {{"status", "ready"}});
    return Reply::error(503, "not_ready", "the store cannot be reached or its schema is not current");
  });
}

}  // namespace snapq::http
