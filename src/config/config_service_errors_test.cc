// Mistakes in services, requests and references between resources: each
// with its own clear message at the right line.
#include <gtest/gtest.h>

#include "config/config_test_util.h"

namespace snapq::configtest {
namespace {

TEST(ConfigServiceErrors, TemplatesMayOnlyUseKnownVariables) {
  expectProblem(R"(
services:
  sim:
    base_url: http://127.0.0.1:9100
    resources:
      accounts:
        key: id
        fields: {id: integer}
        list: /v1/accounts
        get: /v1/accounts/{idd}
)",
                9, 14,
                "services.sim.resources.accounts.get: {idd} is not known here; this request can use key, the fields "
                "(id) (did you mean {id}?)");
  const std::string m = messages(R"(
services:
  sim:
    base_url: http://127.0.0.1:9100
    resources:
      records:
        key: id
        fields: {id: integer}
        list: /v1/zones/{zone_id}/records
)");
  EXPECT_NE(m.find("test.yaml:8:15: services.sim.resources.records.list: {zone_id} is not known here; this request "
                   "can use no variables (the resource has no scope)"),
            std::string::npos)
      << m;
  EXPECT_NE(messages(R"(
services:
  sim:
    base_url: http://127.0.0.1:9100
    resources:
      accounts:
        key: id
        fields: {id: integer}
        list: {path: "/v1/accounts/{$payload}"}
)")
                .find("{$payload} can only stand alone as a whole body value"),
            std::string::npos);
  EXPECT_NE(messages(R"(
services:
  sim:
    base_url: http://127.0.0.1:9100
    resources:
      accounts:
        key: id
        fields: {id: integer}
        list: "/v1/accounts/{id"
)")
                .find("a '{' is not closed"),
            std::string::npos);
}

TEST(ConfigServiceErrors, ScopeParentsMustExistWithoutCycles) {
  expectProblem(
      R"(
services:
  sim:
    base_url: http://127.0.0.1:9100
    resources:
      records:
        key: id
        scope: {parent: zone, var: zone_id}
        fields: {id: integer}
        list: /v1/zones/{zone_id}/records
      zones:
        key: id
        fields: {id: integer}
        list: /v1/zones
)",
      7, 25,
      "services.sim.resources.records.scope.parent: 'zone' is not a resource of this service; did you mean zones?");
  const std::string m = messages(R"(
services:
  sim:
    base_url: http://127.0.0.1:9100
    resources:
      a:
        key: id
        scope: {parent: b, var: b_id}
        fields: {id: integer}
        list: /a
      b:
        key: id
        scope: {parent: a, var: a_id}
        fields: {id: integer}
        list: /b
)");
  EXPECT_NE(m.find("test.yaml:7:16: services.sim.resources.a.scope: scope parents form a cycle: a -> b -> a"),
            std::string::npos)
      << m;
  EXPECT_EQ(check(R"(
services:
  sim:
    base_url: http://127.0.0.1:9100
    resources:
      a:
        key: id
        scope: {parent: b, var: b_id}
        fields: {id: integer}
        list: /a
      b:
        key: id
        scope: {parent: a, var: a_id}
        fields: {id: integer}
        list: /b
)")
                .problems.size(),
            1u);
  EXPECT_NE(messages(R"(
services:
  sim:
    base_url: http://127.0.0.1:9100
    resources:
      a:
        key: id
        scope: {parent: a, var: key}
        fields: {id: integer}
        list: /a
)")
                .find("a resource cannot be its own scope parent"),
            std::string::npos);
}

TEST(ConfigServiceErrors, ScopedListsMustUseTheScope) {
  expectProblem(R"(
services:
  sim:
    base_url: http://127.0.0.1:9100
    resources:
      zones: {key: id, fields: {id: integer}, list: /v1/zones}
      records:
        key: id
        scope: {parent: zones, var: zone_id}
        fields: {id: integer}
        list: /v1/records
)",
                10, 15,
                "services.sim.resources.records.list: does not use the scope variable {zone_id}, so every zones object "
                "would list the same objects");
  // In the query is fine too.
  EXPECT_TRUE(check(R"(
services:
  sim:
    base_url: http://127.0.0.1:9100
    resources:
      zones: {key: id, fields: {id: integer}, list: /v1/zones}
      records:
        key: id
        scope: {parent: zones, var: zone_id}
        fields: {id: integer}
        list: {path: /v1/records, query: {zone: "{zone_id}"}}
)")
                  .ok());
}

TEST(ConfigServiceErrors, DurationsAndBackoffLists) {
  expectProblem(R"(
services:
  sim:
    connector: cpp_thing
    policy:
      timeout: 30
)",
                5, 16,
                "services.sim.policy.timeout: '30' is not a duration: write a positive whole number and a unit ms, s, "
                "m, h or d (30s, 5m)");
  expectProblem(R"(
services:
  sim:
    connector: cpp_thing
    policy:
      retry:
        attempts: 4
        backoff: [1s, 5 minutes, 1m]
)",
                7, 23,
                "services.sim.policy.retry.backoff[1]: '5 minutes' is not a duration: write a positive whole number "
                "and a unit ms, s, m, h or d (30s, 5m)");
  const std::string m = messages(R"(
services:
  sim:
    connector: cpp_thing
    policy:
      concurrency: 0
      rate_limit: -1
      retry: {attempts: 3, backoff: [1s], base: 2s, jitter: 2}
)");
  EXPECT_NE(m.find("concurrency: '0' is out of range (1 to 1024)"), std::string::npos) << m;
  EXPECT_NE(m.find("rate_limit: '-1' is out of range (0 to 1e+06)"), std::string::npos) << m;
  EXPECT_NE(m.find("an explicit backoff list excludes base, factor, cap and jitter"), std::string::npos) << m;
  EXPECT_NE(m.find("jitter: '2' is out of range (0 to 1)"), std::string::npos) << m;
}

TEST(ConfigServiceErrors, RestResourcesNeedTheRequestsTheyUse) {
  expectProblem(R"(
services:
  sim:
    base_url: http://127.0.0.1:9100
    resources:
      accounts:
        key: id
        fields: {id: integer}
)",
                5, 7,
                "services.sim.resources.accounts: needs a list request (the rest connector lists the objects to sync "
                "them)");
  expectProblem(
      R"(
services:
  sim:
    base_url: http://127.0.0.1:9100
    resources:
      accounts:
        key: id
        fields: {id: integer}
        list: /v1/accounts
        update: /v1/accounts/{id}
)",
      9, 17,
      "services.sim.resources.accounts.update: needs the resource's get request to check for conflicts before "
      "writing; add get:, or set conflict: last_write_wins");
  expectProblem(
      R"(
services:
  dns:
    base_url: http://127.0.0.1:8081
    resources:
      records:
        key: [name, type]
        fields: {name: string, type: {type: string, required_on_create: true}}
        list: /records
        get: /records/{name}/{type}
        create: {method: PATCH, path: /records}
)",
      10, 17,
      "services.dns.resources.records.create: returns none, so snapq reads the created object back by its key: "
      "mark the key field name required_on_create, or set returns: object or location");
  EXPECT_NE(messages(R"(
services:
  sim:
    base_url: http://127.0.0.1:9100
    resources:
      accounts:
        key: id
        fields: {id: integer}
        list: {path: /v1/accounts, body: {a: 1}}
)")
                .find("a GET request cannot have a body"),
            std::string::npos);
}

TEST(ConfigServiceErrors, RequestsAreOnlyForTheRestConnector) {
  const std::string m = messages(R"(
services:
  billing:
    connector: stripe_like
    resources:
      invoices:
        key: id
        fields: {id: string}
        list: /invoices
        update: {path: "/invoices/{id}"}
)");
  EXPECT_NE(m.find("test.yaml:8:15: services.billing.resources.invoices.list: requests are only for the rest connector "
                   "(this service uses stripe_like)"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("services.billing.resources.invoices.update: requests (method, path"), std::string::npos) << m;
}

TEST(ConfigServiceErrors, AuthKindsTakeTheirOwnKeys) {
  const std::string m = messages(R"(
services:
  pdns:
    base_url: http://127.0.0.1:8081
    auth:
      kind: header
      token: abc
)");
  EXPECT_NE(m.find("test.yaml:6:14: services.pdns.auth.token: is not used by auth kind header (it takes header and "
                   "value)"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("test.yaml:4:5: services.pdns.auth: auth kind header needs header"), std::string::npos) << m;
  EXPECT_NE(m.find("auth kind header needs value"), std::string::npos) << m;
  EXPECT_NE(messages(R"(
services:
  kc:
    base_url: http://127.0.0.1:8180
    auth: {kind: oauth2, client_id: x}
)")
                .find("'oauth2' is not one of none, header, bearer, basic, oauth2_client_credentials"),
            std::string::npos);
}

TEST(ConfigServiceErrors, InstancesNeedABaseUrl) {
  expectProblem(R"(
services:
  whm:
    instances:
      ryder: {base_url: "https://ryder.example.test:2087"}
      alpha: {policy: {concurrency: 1}}
)",
                5, 7, "services.whm.instances.alpha: needs a base_url (on the instance or on the service)");
  expectProblem(R"(
services:
  whm:
    base_url: ftp://files.example.test
)",
                3, 15, "services.whm.base_url: 'ftp://files.example.test' is not an http:// or https:// URL");
}

TEST(ConfigServiceErrors, PaginationKindsTakeTheirOwnKeys) {
  const std::string m = messages(R"(
services:
  sim:
    base_url: http://127.0.0.1:9100
    resources:
      a:
        key: id
        fields: {id: integer}
        list:
          path: /a
          query: {page: 1}
          pagination: {kind: page, limit: 10}
      b:
        key: id
        fields: {id: integer}
        list: {path: /b, pagination: cursor}
)");
  EXPECT_NE(m.find("test.yaml:11:43: services.sim.resources.a.list.pagination.limit: is not used by pagination kind "
                   "page"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("'page' is also set under query:; pagination sets it itself"), std::string::npos) << m;
  EXPECT_NE(m.find("services.sim.resources.b.list.pagination: cursor pagination needs next_cursor"), std::string::npos)
      << m;
}

TEST(ConfigServiceErrors, TableNamesMustNotCollide) {
  const std::string m = messages(R"(
services:
  a_b:
    connector: cpp_thing
    resources:
      c: {key: id, fields: {id: string}}
  a:
    connector: cpp_thing
    resources:
      b_c: {key: id, fields: {id: string}}
)");
  EXPECT_NE(m.find("test.yaml:9:7: services.a.resources: 'b_c' would use the table snap_a_b_c, which a_b/c already "
                   "uses; rename one of them"),
            std::string::npos)
      << m;
}

TEST(ConfigServiceErrors, ConnectorNamesAreCheckedWhenTheProgramKnowsThem) {
  LoadOptions options = withEnv({});
  options.connectors = {"rest", "stripe"};
  const std::string m = messages(R"(
services:
  billing:
    connector: rets
)",
                                 options);
  EXPECT_NE(m.find("test.yaml:3:16: services.billing.connector: 'rets' is not a known connector (known: rest, stripe); "
                   "did you mean rest?"),
            std::string::npos)
      << m;
}

TEST(ConfigServiceErrors, SchedulesAreCheckedByTheGivenChecker) {
  LoadOptions options = withEnv({});
  options.check_schedule = [](std::string_view s) -> std::optional<std::string> {
    if (s == "* * * * *") return std::nullopt;
    return "expected 5 fields";
  };
  const std::string m = messages(R"(
services:
  billing:
    connector: cpp
    resources:
      a: {key: id, fields: {id: string}, sync: {schedule: "* * * * *"}}
      b: {key: id, fields: {id: string}, sync: {schedule: "hourly", deletion_guard: 2}}
)",
                                 options);
  EXPECT_EQ(m.find(":5:"), std::string::npos) << m;
  EXPECT_NE(m.find("test.yaml:6:59: services.billing.resources.b.sync.schedule: 'hourly' is not a valid schedule: "
                   "expected 5 fields"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("deletion_guard: '2' is out of range (0 to 1)"), std::string::npos) << m;
}

}  // namespace
}  // namespace snapq::configtest

namespace snapq::configtest {
namespace {

TEST(ConfigWebhooks, TimeoutAndRetryAreReadAndTheNameWebhookIsReserved) {
  auto check = checkConfigText(yaml(R"(
services:
  sim:
    base_url: http://127.0.0.1:9100
    webhooks:
      - {url: "http://127.0.0.1:9/a", timeout: 3s, retry: {attempts: 2, base: 20ms}}
      - {url: "http://127.0.0.1:9/b", events: [success]}
)"));
  ASSERT_TRUE(check.ok()) << (check.problems.empty() ? "" : check.problems[0].message);
  const ServiceSpec& sim = check.config->services[0];
  ASSERT_EQ(sim.webhooks.size(), 2u);
  EXPECT_EQ(sim.webhooks[0].timeout, std::chrono::seconds(3));
  EXPECT_EQ(sim.webhooks[0].retry.max_attempts, 2);
  EXPECT_EQ(sim.webhooks[0].retry.base, Duration(20));
  EXPECT_EQ(sim.webhooks[1].timeout, std::chrono::seconds(10));
  EXPECT_EQ(sim.webhooks[1].retry.max_attempts, 8) << "the delivery default";
  EXPECT_EQ(sim.webhooks[1].retry.base, std::chrono::seconds(5));
  EXPECT_NE(configToJson(*check.config).find("\"timeout\": \"3000ms\""), std::string::npos);

  EXPECT_NE(messages(R"(
services:
  webhook:
    base_url: http://127.0.0.1:9100
)")
                .find("reserved for snapq's webhook deliveries"),
            std::string::npos);
  EXPECT_NE(messages(R"(
services:
  sim:
    base_url: http://127.0.0.1:9100
    webhooks: [{url: "http://127.0.0.1:9/a", retry: {attempts: 0}}]
)")
                .find("services.sim.webhooks[0].retry.attempts"),
            std::string::npos);
}

}  // namespace
}  // namespace snapq::configtest
