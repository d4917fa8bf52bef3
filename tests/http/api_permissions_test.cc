// The permission matrix: every route against callers with no credentials,
// each role, and a token limited to one permission. A caller without the
// route's permission gets 401/403 and changes nothing; one with it gets past
// the check (whatever the route then answers).
#include "api_fixture.h"

namespace snapq::testing {
namespace {

using json = nlohmann::json;
using ApiPermissions = ApiTest;

enum class Needs { signed_in, view_jobs, manage_jobs, view_snapshots, write_snapshots, admin };

struct RouteCase {
  const char* method;
  const char* target;
  const char* body;
  Needs needs;
};

// Targets name things that do not exist where the route would change them, so
// an allowed call is a 4xx of its own (404, 409, 400), never a 401/403.
const RouteCase kRoutes[] = {
    {"GET", "/api/v1/me", "", Needs::signed_in},
    {"GET", "/api/v1/jobs", "", Needs::view_jobs},
    {"GET", "/api/v1/jobs/actors?since=7d", "", Needs::view_jobs},
    {"GET", "/api/v1/jobs/999999", "", Needs::view_jobs},
    {"GET", "/api/v1/health", "", Needs::view_jobs},
    {"GET", "/metrics", "", Needs::view_jobs},
    {"POST", "/api/v1/jobs/999999/retry", "", Needs::manage_jobs},
    {"POST", "/api/v1/jobs/999999/cancel", "", Needs::manage_jobs},
    {"DELETE", "/api/v1/jobs/999999", "", Needs::manage_jobs},
    {"POST", "/api/v1/jobs/bulk", R"({"action":"cancel","ids":[999999]})", Needs::manage_jobs},
    {"GET", "/api/v1/services", "", Needs::view_snapshots},
    {"GET", "/api/v1/services/sim/accounts?limit=2", "", Needs::view_snapshots},
    {"GET", "/api/v1/services/sim/accounts/1", "", Needs::view_snapshots},
    {"POST", "/api/v1/services/sim/accounts", R"({"data":{"email":7}})", Needs::write_snapshots},
    {"PATCH", "/api/v1/services/sim/accounts/999999", R"({"data":{"quota_mb":5}})", Needs::write_snapshots},
    {"DELETE", "/api/v1/services/sim/accounts/999999", "", Needs::write_snapshots},
    {"POST", "/api/v1/services/sim/accounts/actions/suspend", R"({"key":"999999","data":{}})",
     Needs::write_snapshots},
    {"POST", "/api/v1/services/sim/nothing/sync", "{}", Needs::write_snapshots},
    {"GET", "/api/v1/users", "", Needs::admin},
    {"POST", "/api/v1/users", R"({"name":"x y","password":"long-enough-pass"})", Needs::admin},
    {"PATCH", "/api/v1/users/nobody", R"({"role":"viewer"})", Needs::admin},
    {"DELETE", "/api/v1/users/nobody", "", Needs::admin},
    {"GET", "/api/v1/tokens", "", Needs::admin},
    {"POST", "/api/v1/tokens", R"({"user":"nobody","name":"x"})", Needs::admin},
    {"DELETE", "/api/v1/tokens/999999", "", Needs::admin},
};

bool grants(const std::vector<Permission>& held, Needs needs, bool signed_in) {
  auto has = [&](Permission p) { return std::find(held.begin(), held.end(), p) != held.end(); };
  switch (needs) {
    case Needs::signed_in: return signed_in;
    case Needs::view_jobs: return has(Permission::sync_job_view);
    case Needs::manage_jobs: return has(Permission::sync_job_manage);
    case Needs::view_snapshots: return has(Permission::snapshot_view);
    case Needs::write_snapshots: return has(Permission::snapshot_write);
    case Needs::admin: return has(Permission::admin);
  }
  return false;
}

struct Who {
  Caller caller;
  std::vector<Permission> held;
  bool signed_in = true;
};

TEST_P(ApiPermissions, EveryRouteAllowsExactlyTheCallersWithItsPermission) {
  startApi(5);
  ASSERT_EQ(syncAndWait("accounts").status, JobStatus::success);
  const std::vector<Who> callers = {
      {anonymous(), {}, false},
      {token("admin", "snapshot.view"), {Permission::snapshot_view}},
      {session("vic"), {Permission::sync_job_view, Permission::snapshot_view}},
      {token("vic"), {Permission::sync_job_view, Permission::snapshot_view}},
      {session("olga"),
       {Permission::sync_job_view, Permission::sync_job_manage, Permission::snapshot_view, Permission::snapshot_write}},
      {session("admin"),
       {Permission::sync_job_view, Permission::sync_job_manage, Permission::snapshot_view, Permission::snapshot_write,
        Permission::admin}},
  };
  auto jobCount = [&] {
    JobFilter all;
    all.limit = 200;
    auto page = store_->listJobs(all);
    return page ? page->jobs.size() : size_t{0};
  };
  const size_t jobs_before = jobCount();
  int checked = 0;
  for (const Who& who : callers) {
    for (const RouteCase& route : kRoutes) {
      net::ClientResponse res = call(route.method, route.target, who.caller, route.body);
      const std::string what = who.caller.name + " " + route.method + " " + route.target + " -> " +
                               std::to_string(res.status) + " " + res.body;
      const json error = body(res).is_object() ? body(res).value("error", json::object()) : json::object();
      if (grants(who.held, route.needs, who.signed_in)) {
        EXPECT_NE(res.status, 401) << what;
        EXPECT_NE(res.status, 403) << what;
        EXPECT_LT(res.status, 500) << what;
      } else if (!who.signed_in) {
        EXPECT_EQ(res.status, 401) << what;
      } else {
        EXPECT_EQ(res.status, 403) << what;
        EXPECT_EQ(error.value("code", ""), "forbidden") << what;
      }
      ++checked;
    }
  }
  EXPECT_EQ(checked, static_cast<int>(callers.size() * std::size(kRoutes)));
  EXPECT_EQ(jobCount(), jobs_before) << "no request above may have queued anything";
  EXPECT_EQ(row("accounts", "1")->sync_status, RowStatus::synced);
}

INSTANTIATE_TEST_SUITE_P(Drivers, ApiPermissions, ::testing::Values("sqlite", "postgres"), driverName);

}  // namespace
}  // namespace snapq::testing
