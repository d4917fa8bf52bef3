// Every request of every example service file renders and goes out: each
// instance is pointed at a scripted server on loopback (never the real
// service), which answers 503, so each call must come back as that 503 and
// not as a request the connector could not build.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "connectors/rest/rest_connector.h"
#include "connectors/rest/rest_test_util.h"
#include "connectors/rest/url.h"

#ifndef SNAPQ_EXAMPLES_DIR
#error "SNAPQ_EXAMPLES_DIR must point at examples/"
#endif

namespace snapq::rest {
namespace {

using nlohmann::json;
using testing::ScriptedServer;

json sampleValue(const FieldSpec& field) {
  switch (field.type) {
    case FieldType::integer: return 7;
    case FieldType::number: return 1.5;
    case FieldType::boolean: return true;
    case FieldType::json: return json::array({{{"content", "192.0.2.1"}, {"disabled", false}}});
    case FieldType::string: return "s-" + field.name;
  }
  return nullptr;
}

// An object of `resource` with every field set, its key, and values for its scope.
ObjectRef sampleObject(const ServiceSpec& service, const ResourceSpec& resource) {
  ObjectRef o;
  o.resource = resource.name;
  for (const FieldSpec& f : resource.fields) o.values[f.name] = sampleValue(f);
  o.payload = o.values;
  std::vector<std::string> parts;
  for (const std::string& k : resource.key) {
    const json& v = o.values[k];
    parts.push_back(v.is_string() ? v.get<std::string>() : v.dump());
  }
  o.key = joinKey(parts);
  for (const std::string& var : service.scopeVariables(resource)) o.scope[var] = "scope-" + var;
  return o;
}

class RestExamplesTest : public ::testing::TestWithParam<std::string> {};

TEST_P(RestExamplesTest, EveryRequestRendersAndIsSent) {
  ScriptedServer server;
  server.otherwise([](const net::HttpRequest& req, net::HttpResponse& res) {
    if (req.method == "POST" && req.path.ends_with("/token")) {
      res.json(200, R"({"access_token":"example-token","expires_in":300})");
      return;
    }
    res.json(503, R"({"message":"scripted"})");
  });
  LoadOptions options;
  // Credentials get dummy values; URLs keep the files' defaults.
  options.env = [](const std::string& name) -> std::optional<std::string> {
    if (name.ends_with("_URL") || name.ends_with("_WEBHOOK")) return std::nullopt;
    return "env-" + name;
  };
  const ConfigCheck check = checkConfig(std::string(SNAPQ_EXAMPLES_DIR) + "/" + GetParam(), options);
  ASSERT_TRUE(check.ok()) << (check.problems.empty() ? "" : check.problems.front().message);
  ManualClock clock{TimePoint(Duration(1'767'225'600'000))};
  int calls = 0;
  for (ServiceSpec service : check.config->services) {
    for (InstanceSpec& instance : service.instances) {
      // Same path, our loopback origin: nothing leaves the machine.
      instance.base_url = server.url() + pathOf(instance.base_url);
      if (instance.base_url.ends_with('/')) instance.base_url.pop_back();
      auto connector = makeRestConnector(service, instance, RestOptions{clock});
      for (const ResourceSpec& resource : service.resources) {
        const ObjectRef object = sampleObject(service, resource);
        const std::string where = GetParam() + ": " + service.name + "/" + instance.name + "/" + resource.name;
        auto expect503 = [&](const RemoteError& e, const std::string& call) {
          ++calls;
          EXPECT_EQ(e.http_status, 503) << where << " " << call << ": " << e.message;
          EXPECT_EQ(e.kind, RemoteError::Kind::retryable) << where << " " << call << ": " << e.message;
        };
        auto check503 = [&](const auto& result, const std::string& call) {
          EXPECT_FALSE(result) << where << " " << call << " succeeded against a server that only answers 503";
          if (!result) expect503(result.error(), call);
        };
        check503(connector->list(resource.name, object.scope, ""), "list");
        if (resource.get) check503(connector->get(object), "get");
        if (resource.create) check503(connector->create(object), "create");
        if (resource.update) check503(connector->update(object), "update");
        if (resource.remove) check503(connector->remove(object), "delete");
        for (const WriteSpec& action : resource.actions) check503(connector->action(action.name, object), action.name);
      }
    }
  }
  EXPECT_GT(calls, 0);
  // One API request per call (a token request aside): each 503 came from the API, not the token endpoint.
  int api_requests = 0;
  for (const net::HttpRequest& req : server.requests()) {
    api_requests += !req.path.ends_with("/token");
    EXPECT_EQ(req.target.find('{'), std::string::npos) << "unrendered template in " << req.target;
  }
  EXPECT_EQ(api_requests, calls);
}

std::vector<std::string> exampleFiles() {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(SNAPQ_EXAMPLES_DIR)) {
    if (entry.path().extension() == ".yaml") names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

INSTANTIATE_TEST_SUITE_P(Examples, RestExamplesTest, ::testing::ValuesIn(exampleFiles()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param.substr(0, info.param.find('.'));
                           for (char& c : name) c = std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
                           return name;
                         });

}  // namespace
}  // namespace snapq::rest
