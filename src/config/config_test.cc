// The example service files load into the model the engines rely on, and
// the model's defaults, inheritance and helpers behave as documented.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "config/config_test_util.h"

namespace snapq::configtest {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

#ifndef SNAPQ_EXAMPLES_DIR
#error "SNAPQ_EXAMPLES_DIR must point at examples/"
#endif

Config loadExample(const std::string& name) {
  const std::string path = std::string(SNAPQ_EXAMPLES_DIR) + "/" + name;
  ConfigCheck check = checkConfig(path, exampleEnv());
  EXPECT_TRUE(check.ok()) << path << "\n" << problemsText(check);
  return check.config.value_or(Config{});
}

TEST(ConfigExamples, EveryExampleFileLoads) {
  for (const char* name :
       {"sim.yaml", "powerdns.yaml", "json-server.yaml", "cloudflare.yaml", "keycloak.yaml", "whm.yaml"}) {
    SCOPED_TRACE(name);
    const Config config = loadExample(name);
    EXPECT_EQ(config.services.size(), 1u);
    EXPECT_GE(config.resourceCount(), 1u);
  }
}

TEST(ConfigExamples, SimDescribesTheSimulatedService) {
  const Config config = loadExample("sim.yaml");
  const ServiceSpec* sim = config.service("sim");
  ASSERT_NE(sim, nullptr);
  EXPECT_TRUE(sim->isRest());
  ASSERT_EQ(sim->instances.size(), 1u);
  const InstanceSpec& inst = sim->instances[0];
  EXPECT_EQ(inst.name, "default");
  EXPECT_EQ(inst.base_url, "http://127.0.0.1:9100");
  EXPECT_EQ(inst.auth.kind, AuthKind::bearer);
  EXPECT_EQ(inst.auth.token.reveal(), "sim-token");  // ${SIM_TOKEN:-sim-token} with SIM_TOKEN unset

  std::vector<std::string> names;
  for (const ResourceSpec& r : sim->resources) names.push_back(snapshotTableName(sim->name, r.name));
  EXPECT_EQ(names, (std::vector<std::string>{"snap_sim_accounts", "snap_sim_zones", "snap_sim_records"}));

  const ResourceSpec* accounts = sim->resource("accounts");
  ASSERT_NE(accounts, nullptr);
  EXPECT_EQ(accounts->key, std::vector<std::string>{"id"});
  for (const char* f : {"email", "domain", "quota_mb", "suspended", "password"}) {
    EXPECT_NE(accounts->field(f), nullptr) << f;
  }
  EXPECT_EQ(accounts->field("quota_mb")->type, FieldType::integer);
  EXPECT_EQ(accounts->field("suspended")->type, FieldType::boolean);
  const FieldSpec* password = accounts->field("password");
  EXPECT_TRUE(password->write_only);
  EXPECT_FALSE(password->hashed);
  EXPECT_TRUE(accounts->field("email")->hashed);
  EXPECT_EQ(accounts->schedule, "* * * * *");
  EXPECT_DOUBLE_EQ(accounts->deletion_guard, 0.5);

  ASSERT_TRUE(accounts->list);
  EXPECT_EQ(accounts->list->request.method, HttpMethod::get);
  EXPECT_EQ(accounts->list->request.path.text, "/v1/accounts");
  EXPECT_EQ(accounts->list->items.text, "data");
  const Pagination& pages = accounts->list->pagination;
  EXPECT_EQ(pages.kind, Pagination::Kind::page);
  EXPECT_EQ(pages.page_param, "page");
  EXPECT_EQ(pages.per_page_param, "per_page");
  EXPECT_EQ(pages.start, 1);
  EXPECT_EQ(pages.total_pages.steps, (std::vector<JsonPath::Step>{{"meta", -1}, {"total_pages", -1}}));

  ASSERT_TRUE(accounts->update);
  EXPECT_EQ(accounts->update->request->method, HttpMethod::patch);
  EXPECT_EQ(json::parse(accounts->update->request->body), "{$payload}");
  EXPECT_EQ(accounts->update->returns, WriteReturns::object);
  ASSERT_TRUE(accounts->remove);
  EXPECT_EQ(accounts->remove->request->method, HttpMethod::delete_);
  EXPECT_EQ(accounts->remove->label, "Delete");
  const WriteSpec* suspend = accounts->write("suspend");
  ASSERT_NE(suspend, nullptr);
  EXPECT_EQ(suspend->label, "Suspend account");
  EXPECT_EQ(suspend->conflict, ConflictStrategy::last_write_wins);
  EXPECT_EQ(json::parse(suspend->request->body), (json{{"suspended", true}}));
  EXPECT_EQ(accounts->write("create"), &*accounts->create);

  const ResourceSpec* records = sim->resource("records");
  ASSERT_NE(records, nullptr);
  ASSERT_TRUE(records->scope);
  EXPECT_EQ(records->scope->parent, "zones");
  EXPECT_EQ(records->scope->var, "zone_id");
  EXPECT_EQ(records->scope->parent_field, "");
  EXPECT_EQ(records->list->request.path.variables(), std::vector<std::string>{"zone_id"});
  EXPECT_EQ(sim->scopeVariables(*records), std::vector<std::string>{"zone_id"});
  ASSERT_EQ(sim->ancestors(*records).size(), 1u);
  EXPECT_EQ(sim->ancestors(*records)[0]->name, "zones");
}

TEST(ConfigExamples, PowerDnsRrsetsAreARealApiAsItIs) {
  const Config config = loadExample("powerdns.yaml");
  const ServiceSpec& pdns = config.services.at(0);
  const InstanceSpec& inst = pdns.instances.at(0);
  EXPECT_EQ(inst.base_url, "http://127.0.0.1:8081/api/v1/servers/localhost");
  EXPECT_EQ(inst.auth.kind, AuthKind::header);
  EXPECT_EQ(inst.auth.header_name, "X-API-Key");
  EXPECT_EQ(inst.auth.header_value.reveal(), "pdns-key-123");
  EXPECT_EQ(inst.policy.retry.backoff, (std::vector<Duration>{1s, 5s, 30s}));
  EXPECT_EQ(inst.policy.retry.max_attempts, 4);

  const ResourceSpec* zones = pdns.resource("zones");
  ASSERT_NE(zones, nullptr);
  EXPECT_TRUE(zones->list->items.isRoot());  // a bare array
  EXPECT_EQ(zones->list->pagination.kind, Pagination::Kind::none);
  EXPECT_FALSE(zones->field("serial")->hashed);

  const ResourceSpec* records = pdns.resource("records");
  ASSERT_NE(records, nullptr);
  EXPECT_EQ(records->key, (std::vector<std::string>{"name", "type"}));
  EXPECT_EQ(records->field("records")->type, FieldType::json);
  EXPECT_EQ(records->list->request.path.text, "/zones/{zone_id}");
  EXPECT_EQ(records->list->items.text, "rrsets");
  const GetSpec& get = *records->get;
  ASSERT_EQ(get.request.query.size(), 2u);
  EXPECT_EQ(get.request.query[0].name, "rrset_name");
  EXPECT_EQ(get.request.query[0].value.soleVariable(), "name");
  EXPECT_EQ(get.request.query[1].value.soleVariable(), "type");
  EXPECT_EQ(get.item.steps, (std::vector<JsonPath::Step>{{"rrsets", -1}, {"", 0}}));

  const RequestSpec& create = *records->create->request;
  EXPECT_EQ(create.method, HttpMethod::patch);
  EXPECT_EQ(create.success, std::vector<int>{204});
  EXPECT_EQ(records->create->returns, WriteReturns::none);
  const json body = json::parse(create.body);
  EXPECT_EQ(body, json::parse(R"({"rrsets":[{"name":"{name}","type":"{type}","ttl":"{ttl}",
                                   "changetype":"REPLACE","records":"{records}"}]})"));
  EXPECT_EQ(json::parse(records->remove->request->body)["rrsets"][0]["changetype"], "DELETE");
  // The body keeps the file's member order (for people reading requests in logs).
  EXPECT_LT(create.body.find("\"name\""), create.body.find("\"changetype\""));
  EXPECT_EQ(joinKey({"www.example.test.", "A"}), "www.example.test./A");
}

TEST(ConfigExamples, JsonServerUsesLinkPaginationAndFieldPaths) {
  const Config config = loadExample("json-server.yaml");
  const ServiceSpec* js = config.service("json_server");
  ASSERT_NE(js, nullptr);
  EXPECT_EQ(js->instances.at(0).auth.kind, AuthKind::none);
  const ResourceSpec* users = js->resource("users");
  EXPECT_EQ(users->list->pagination.kind, Pagination::Kind::link);
  ASSERT_EQ(users->list->request.query.size(), 2u);
  EXPECT_EQ(users->list->request.query[0].name, "_page");
  EXPECT_EQ(users->list->request.query[1].value.text, "50");
  EXPECT_EQ(users->create->returns, WriteReturns::object);
  EXPECT_TRUE(users->create->item.isRoot());
  const ResourceSpec* mail = js->resource("email_accounts");
  EXPECT_EQ(mail->field("user_id")->path.text, "userId");
  EXPECT_EQ(mail->field("email"), nullptr);
}

TEST(ConfigExamples, CloudflareKeycloakAndWhm) {
  const Config cf = loadExample("cloudflare.yaml");
  const ServiceSpec& cloudflare = cf.services.at(0);
  EXPECT_EQ(cloudflare.instances.at(0).auth.token.reveal(), "cf-token-456");
  EXPECT_DOUBLE_EQ(cloudflare.instances.at(0).policy.rate_limit, 4.0);
  EXPECT_EQ(cloudflare.instances.at(0).policy.burst, 8);
  const ResourceSpec* records = cloudflare.resource("dns_records");
  EXPECT_EQ(records->list->items.text, "result");
  EXPECT_EQ(records->list->pagination.total_pages.text, "result_info.total_pages");
  EXPECT_EQ(records->create->item.text, "result");
  EXPECT_EQ(cloudflare.resource("zones")->field("account_id")->path.steps.size(), 2u);
  ASSERT_EQ(cloudflare.webhooks.size(), 1u);
  EXPECT_EQ(cloudflare.webhooks[0].events, (std::vector<WebhookEvent>{WebhookEvent::failed, WebhookEvent::conflict}));

  const Config kc = loadExample("keycloak.yaml");
  const InstanceSpec& keycloak = kc.services.at(0).instances.at(0);
  EXPECT_EQ(keycloak.base_url, "http://127.0.0.1:8180/admin/realms/master");
  EXPECT_EQ(keycloak.auth.kind, AuthKind::oauth2_client_credentials);
  EXPECT_EQ(keycloak.auth.token_url, "/realms/master/protocol/openid-connect/token");
  EXPECT_EQ(keycloak.auth.client_id, "snapq");
  EXPECT_EQ(keycloak.auth.client_secret.reveal(), "kc-secret-789");
  EXPECT_FALSE(keycloak.auth.client_auth_basic);
  const ResourceSpec* users = kc.services.at(0).resource("users");
  EXPECT_EQ(users->list->pagination.kind, Pagination::Kind::offset);
  EXPECT_EQ(users->list->pagination.offset_param, "first");
  EXPECT_EQ(users->list->pagination.limit_param, "max");
  EXPECT_EQ(users->create->returns, WriteReturns::location);

  const Config whm = loadExample("whm.yaml");
  const ServiceSpec& service = whm.services.at(0);
  ASSERT_EQ(service.instances.size(), 2u);
  const InstanceSpec* ryder = service.instance("ryder");
  const InstanceSpec* alpha = service.instance("alpha");
  ASSERT_NE(ryder, nullptr);
  ASSERT_NE(alpha, nullptr);
  EXPECT_EQ(ryder->auth.header_value.reveal(), "whm root:whm-token-abc");
  EXPECT_EQ(alpha->auth.header_value.reveal(), "whm root:whm-alpha-def");
  EXPECT_EQ(ryder->policy.concurrency, 2);
  EXPECT_EQ(alpha->policy.concurrency, 1);
  EXPECT_DOUBLE_EQ(alpha->policy.rate_limit, 2.0);
  EXPECT_EQ(alpha->policy.burst, 2);  // automatic again: the service's burst belonged to its rate
  EXPECT_EQ(alpha->policy.retry.backoff, (std::vector<Duration>{10s, 1min}));  // inherited
  EXPECT_EQ(alpha->policy.timeout, 60s);
  const ResourceSpec* mail = service.resource("email_accounts");
  EXPECT_EQ(mail->create->request->encoding, BodyEncoding::form);
  EXPECT_EQ(mail->list->items.text, "result.data");
}

// docs/CONFIG.md's full example is a real, valid file.
TEST(ConfigExamples, TheDocumentedFullExampleIsValid) {
  std::ifstream in(std::string(SNAPQ_EXAMPLES_DIR) + "/../docs/CONFIG.md");
  std::ostringstream text;
  text << in.rdbuf();
  const std::string doc = text.str();
  const size_t section = doc.find("## A full annotated example");
  ASSERT_NE(section, std::string::npos);
  const size_t start = doc.find("```yaml\n", section);
  ASSERT_NE(start, std::string::npos);
  const size_t end = doc.find("```\n", start + 8);
  ASSERT_NE(end, std::string::npos);
  const ConfigCheck check = checkConfigText(doc.substr(start + 8, end - start - 8), withEnv({}));
  ASSERT_TRUE(check.ok()) << problemsText(check);
  EXPECT_EQ(check.config->resourceCount(), 3u);
  EXPECT_EQ(check.config->services[0].instances[0].policy.burst, 20);
}

TEST(ConfigModel, DefaultsWhenTheFileSaysLittle) {
  ConfigCheck check = checkConfigText(yaml(kMinimal), withEnv({}));
  ASSERT_TRUE(check.ok()) << problemsText(check);
  const Config& c = *check.config;
  EXPECT_FALSE(c.database);
  EXPECT_FALSE(c.listen);
  EXPECT_FALSE(c.workers);
  EXPECT_EQ(c.durability, Durability::full);
  EXPECT_EQ(c.retention.success, std::chrono::hours(14 * 24));
  EXPECT_EQ(c.retention.failed, std::chrono::hours(90 * 24));
  EXPECT_EQ(c.mask_patterns.size(), 6u);
  const ServiceSpec& s = c.services.at(0);
  EXPECT_EQ(s.connector, "rest");
  const Policy& p = s.instances.at(0).policy;
  EXPECT_EQ(p.concurrency, 4);
  EXPECT_EQ(p.rate_limit, 0);
  EXPECT_EQ(p.burst, 0);
  EXPECT_EQ(p.timeout, 30s);
  EXPECT_EQ(p.retry.max_attempts, 3);
  EXPECT_TRUE(p.retry.backoff.empty());
  EXPECT_EQ(p.circuit_breaker.failures, 5);
  EXPECT_EQ(p.circuit_breaker.cool_down, 30s);
  const ResourceSpec& r = s.resources.at(0);
  EXPECT_EQ(r.field("email")->path.text, "email");
  EXPECT_TRUE(r.field("email")->hashed);
  EXPECT_FALSE(r.field("email")->indexed);
  EXPECT_EQ(r.schedule, "");
  EXPECT_FALSE(r.create);
  EXPECT_EQ(r.write("delete"), nullptr);
}

TEST(ConfigModel, TopLevelSettings) {
  ConfigCheck check = checkConfigText(yaml(R"(
database: sqlite:/var/lib/snapq/snapq.db
listen: 0.0.0.0:9000
workers: 16
durability: relaxed
retention: {success: 7d, failed: 30d}
mask_patterns: [password, pin]
)"),
                                      withEnv({}));
  ASSERT_TRUE(check.ok()) << problemsText(check);
  const Config& c = *check.config;
  EXPECT_EQ(c.database, "sqlite:/var/lib/snapq/snapq.db");
  EXPECT_EQ(c.listen, "0.0.0.0:9000");
  EXPECT_EQ(c.workers, 16);
  EXPECT_EQ(c.durability, Durability::relaxed);
  EXPECT_EQ(c.retention.success, std::chrono::hours(7 * 24));
  EXPECT_EQ(c.retention.failed, std::chrono::hours(30 * 24));
  EXPECT_EQ(c.mask_patterns, (std::vector<std::string>{"password", "pin"}));
  EXPECT_TRUE(c.services.empty());
}

TEST(ConfigModel, InstancesOverrideThePolicyKeyByKey) {
  ConfigCheck check = checkConfigText(yaml(R"(
services:
  whm:
    auth: {kind: bearer, token: shared}
    policy:
      concurrency: 3
      rate_limit: 10
      retry: {attempts: 7, backoff: [1s, 2s]}
    instances:
      one:
        base_url: https://one.example.test/
      two:
        base_url: https://two.example.test
        auth: {kind: basic, username: root, password: pw}
        policy:
          burst: 40
          retry: {base: 2s, factor: 3}
          circuit_breaker: {failures: 0}
    resources:
      users:
        key: id
        fields: {id: string}
        list: /users
)"),
                                      withEnv({}));
  ASSERT_TRUE(check.ok()) << problemsText(check);
  const ServiceSpec& s = check.config->services.at(0);
  EXPECT_EQ(s.policy.burst, 10);  // automatic: ceil(rate_limit)
  const InstanceSpec& one = *s.instance("one");
  const InstanceSpec& two = *s.instance("two");
  EXPECT_EQ(one.base_url, "https://one.example.test");  // trailing '/' dropped
  EXPECT_EQ(one.auth.kind, AuthKind::bearer);
  EXPECT_EQ(one.policy.concurrency, 3);
  EXPECT_EQ(one.policy.burst, 10);
  EXPECT_EQ(one.policy.retry.backoff, (std::vector<Duration>{1s, 2s}));
  EXPECT_EQ(two.auth.kind, AuthKind::basic);
  EXPECT_EQ(two.auth.password.reveal(), "pw");
  EXPECT_EQ(two.policy.concurrency, 3);
  EXPECT_DOUBLE_EQ(two.policy.rate_limit, 10);
  EXPECT_EQ(two.policy.burst, 40);
  EXPECT_EQ(two.policy.retry.max_attempts, 7);
  EXPECT_TRUE(two.policy.retry.backoff.empty());  // exponential keys replace the inherited list
  EXPECT_EQ(two.policy.retry.base, 2s);
  EXPECT_DOUBLE_EQ(two.policy.retry.factor, 3);
  EXPECT_EQ(two.policy.circuit_breaker.failures, 0);
  EXPECT_EQ(two.policy.circuit_breaker.cool_down, 30s);
}

TEST(ConfigModel, NestedScopesOfferEveryAncestorsVariable) {
  ConfigCheck check = checkConfigText(yaml(R"(
services:
  dns:
    base_url: http://127.0.0.1:1
    resources:
      accounts:
        key: id
        fields: {id: string}
        list: /accounts
      zones:
        key: id
        scope: {parent: accounts, var: account_id}
        fields: {id: string, name: string}
        list: /accounts/{account_id}/zones
      records:
        key: id
        scope: {parent: zones, var: zone_id, field: name}
        fields: {id: integer}
        list: /accounts/{account_id}/zones/{zone_id}/records
)"),
                                      withEnv({}));
  ASSERT_TRUE(check.ok()) << problemsText(check);
  const ServiceSpec& s = check.config->services.at(0);
  const ResourceSpec& records = *s.resource("records");
  EXPECT_EQ(s.scopeVariables(records), (std::vector<std::string>{"zone_id", "account_id"}));
  EXPECT_EQ(records.scope->parent_field, "name");
  ASSERT_EQ(s.ancestors(records).size(), 2u);
  EXPECT_EQ(s.ancestors(records)[1]->name, "accounts");
}

TEST(ConfigModel, CppConnectorsDeclareResourcesWithoutRequests) {
  LoadOptions options = withEnv({});
  ConfigCheck check = checkConfigText(yaml(R"(
services:
  billing:
    connector: stripe_like
    resources:
      invoices:
        key: number
        fields: {number: string, total: number}
        update: {conflict: last_write_wins, label: Adjust invoice}
        actions:
          void: {label: Void invoice}
)"),
                                      options);
  ASSERT_TRUE(check.ok()) << problemsText(check);
  const ResourceSpec& r = check.config->services.at(0).resources.at(0);
  EXPECT_FALSE(r.list);
  EXPECT_FALSE(r.update->request);
  EXPECT_EQ(r.update->label, "Adjust invoice");
  EXPECT_EQ(r.actions.at(0).label, "Void invoice");
  EXPECT_EQ(check.config->services.at(0).instances.at(0).base_url, "");
}

TEST(ConfigModel, BodyTemplatesKeepTypesAndConstants) {
  ConfigCheck check = checkConfigText(yaml(R"(
services:
  sim:
    base_url: http://127.0.0.1:9100
    resources:
      accounts:
        key: id
        fields: {id: integer, quota_mb: integer}
        list: /v1/accounts
        get: /v1/accounts/{id}
        update:
          path: /v1/accounts/{id}
          body:
            quota: "{quota_mb}"
            note: "quota of {id} is {quota_mb} MB"
            n: 42
            ratio: 0.5
            on: true
            quoted: "42"
            nothing: null
            list: [1, "{id}"]
            braces: "{{literal}}"
)"),
                                      withEnv({}));
  ASSERT_TRUE(check.ok()) << problemsText(check);
  const json body = json::parse(check.config->services[0].resources[0].update->request->body);
  EXPECT_EQ(body["quota"], "{quota_mb}");
  EXPECT_EQ(body["n"], 42);
  EXPECT_EQ(body["ratio"], 0.5);
  EXPECT_EQ(body["on"], true);
  EXPECT_EQ(body["quoted"], "42");
  EXPECT_TRUE(body["nothing"].is_null());
  EXPECT_EQ(body["list"], json::parse(R"([1, "{id}"])"));
  auto t = Template::parse(body["braces"].get<std::string>());
  ASSERT_TRUE(t);
  EXPECT_TRUE(t->variables().empty());
}

TEST(ConfigModel, DumpShowsTheEffectiveConfiguration) {
  const Config config = loadExample("sim.yaml");
  const json dump = json::parse(configToJson(config));
  EXPECT_EQ(dump["services"]["sim"]["instances"]["default"]["base_url"], "http://127.0.0.1:9100");
  EXPECT_EQ(dump["services"]["sim"]["instances"]["default"]["auth"]["token"], "***");
  EXPECT_EQ(dump["services"]["sim"]["resources"]["accounts"]["key"], json::array({"id"}));
  EXPECT_EQ(dump["services"]["sim"]["resources"]["accounts"]["fields"]["password"]["write_only"], true);
  EXPECT_EQ(dump["services"]["sim"]["resources"]["accounts"]["sync"]["schedule"], "* * * * *");
  EXPECT_EQ(dump["services"]["sim"]["resources"]["records"]["scope"]["parent"], "zones");
  EXPECT_EQ(dump["services"]["sim"]["instances"]["default"]["policy"]["timeout"], "10000ms");
  EXPECT_EQ(dump["durability"], "full");
  EXPECT_TRUE(dump["database"].is_null());
}

}  // namespace
}  // namespace snapq::configtest
