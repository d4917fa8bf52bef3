// Rendering of request templates: typed leaves, left-out members, payloads
// at field paths, literal braces, path segments and query strings.
#include "connectors/rest/render.h"

#include <gtest/gtest.h>

namespace snapq::rest {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

FieldSpec field(const std::string& name, FieldType type, const std::string& path = "", bool write_only = false) {
  FieldSpec f;
  f.name = name;
  f.type = type;
  f.path = *JsonPath::parse(path.empty() ? name : path);
  f.write_only = write_only;
  return f;
}

ResourceSpec records() {
  ResourceSpec r;
  r.name = "records";
  r.key = {"id"};
  r.fields = {field("id", FieldType::integer),
              field("name", FieldType::string),
              field("ttl", FieldType::integer),
              field("records", FieldType::json),
              field("proxied", FieldType::boolean),
              field("comment", FieldType::string),
              field("zone_id", FieldType::integer),
              field("user_id", FieldType::string, "userId"),
              field("account_id", FieldType::string, "account.id"),
              field("first_alias", FieldType::string, "aliases[1]"),
              field("password", FieldType::string, "", true)};
  return r;
}

Template tmpl(const std::string& text) {
  std::string error;
  auto t = Template::parse(text, &error);
  EXPECT_TRUE(t.has_value()) << error;
  return t.value_or(Template{});
}

ordered_json body(const std::string& body_template, const Variables& vars) {
  Result<ordered_json> out = renderBody(body_template, vars);
  EXPECT_TRUE(out) << out.status().toString();
  return out ? *out : ordered_json();
}

TEST(RenderTest, ASoleVariableLeafKeepsItsJsonType) {
  const ResourceSpec r = records();
  ObjectRef object;
  object.values = {{"name", "www"},
                   {"ttl", 300},
                   {"records", json::array({{{"content", "192.0.2.1"}, {"disabled", false}}})},
                   {"proxied", true}};
  const Variables vars(r, object);
  const ordered_json out =
      body(R"j({"rrsets":[{"name":"{name}","ttl":"{ttl}","records":"{records}","proxied":"{proxied}",)j"
           R"j("label":"{name} ({ttl}s)","changetype":"REPLACE","quoted":"300","n":7}]})j",
           vars);
  const ordered_json& rrset = out["rrsets"][0];
  EXPECT_EQ(rrset["ttl"], 300);
  EXPECT_TRUE(rrset["ttl"].is_number_integer());
  EXPECT_EQ(rrset["records"], object.values["records"]);
  EXPECT_EQ(rrset["proxied"], true);
  EXPECT_EQ(rrset["name"], "www");
  EXPECT_EQ(rrset["label"], "www (300s)");  // text around variables is text
  EXPECT_EQ(rrset["changetype"], "REPLACE");
  EXPECT_EQ(rrset["quoted"], "300");  // a literal string stays a string
  EXPECT_EQ(rrset["n"], 7);
  // The file's member order is kept (form bodies and picky services care).
  EXPECT_EQ(rrset.begin().key(), "name");
}

TEST(RenderTest, AMemberWithoutItsValueIsLeftOutAndAnArrayElementBecomesNull) {
  const ResourceSpec r = records();
  ObjectRef object;
  object.values = {{"name", "www"}, {"comment", nullptr}};
  const Variables vars(r, object);
  const ordered_json out = body(R"({"name":"{name}","comment":"{comment}","ttl":"{ttl}","list":["{ttl}","x"]})", vars);
  EXPECT_EQ(out, ordered_json::parse(R"({"name":"www","list":[null,"x"]})"));

  // Text around a missing variable cannot be built: an error naming it.
  Result<ordered_json> text = renderBody(R"({"label":"{name} {ttl}"})", vars);
  ASSERT_FALSE(text);
  EXPECT_NE(text.status().message().find("{ttl}"), std::string::npos) << text.status().message();
}

TEST(RenderTest, PayloadPutsEachFieldAtItsPathWriteOnlyIncluded) {
  const ResourceSpec r = records();
  ObjectRef object;
  object.payload = {{"user_id", "u1"},         {"account_id", "a1"}, {"first_alias", "mx"},
                    {"password", "s3cret-pw"}, {"ttl", 60},          {"undeclared", 1}};
  object.values = {{"name", "www"}};
  const Variables vars(r, object);
  const json expected = {{"userId", "u1"},
                         {"account", {{"id", "a1"}}},
                         {"aliases", {nullptr, "mx"}},
                         {"password", "s3cret-pw"},
                         {"ttl", 60},
                         {"undeclared", 1}};
  EXPECT_EQ(json(body(R"("{$payload}")", vars)), expected);
  // As a member too: an envelope around the payload.
  EXPECT_EQ(json(body(R"({"user":"{$payload}","name":"{name}"})", vars)), json({{"user", expected}, {"name", "www"}}));
  EXPECT_EQ(writeOnlyValues(r, object.payload), std::vector<std::string>{"s3cret-pw"});
}

TEST(RenderTest, DoubledBracesAreLiteralBraces) {
  const ResourceSpec r = records();
  ObjectRef object;
  object.key = "42";
  object.values = {{"name", "www"}};
  const Variables vars(r, object);
  EXPECT_EQ(body(R"({"t":"{{literal}} {name}","u":"{{{name}}}"})", vars),
            ordered_json::parse(R"({"t":"{literal} www","u":"{www}"})"));
  Result<std::string> path = renderText(tmpl("/a/{{x}}/{key}"), vars, true);
  ASSERT_TRUE(path) << path.status().toString();
  EXPECT_EQ(*path, "/a/{x}/42");
}

TEST(RenderTest, PathVariablesArePercentEncodedAsOneSegmentEach) {
  ResourceSpec r = records();
  r.key = {"name", "zone_id"};
  ObjectRef object;
  object.key = joinKey({"a/b c", "7"});
  object.scope = {{"zone_id", "example.test./x"}};
  const Variables vars(r, object);
  Result<std::string> path = renderText(tmpl("/zones/{zone_id}/rrsets/{name}/{key}"), vars, true);
  ASSERT_TRUE(path) << path.status().toString();
  EXPECT_EQ(*path, "/zones/example.test.%2Fx/rrsets/a%2Fb%20c/a%252Fb%20c%2F7");
  // An empty segment would name the collection instead of the object.
  object.values = {{"comment", ""}};
  const Variables with_empty(r, object);
  EXPECT_FALSE(renderText(tmpl("/c/{comment}"), with_empty, true));
}

TEST(RenderTest, VariablesComeFromScopeThenValuesThenPayloadThenKeyParts) {
  ResourceSpec r = records();
  ObjectRef object;
  object.key = "17";
  object.scope = {{"zone_id", "3"}};
  object.values = {{"zone_id", 99}, {"name", "row"}};
  object.payload = {{"name", "payload"}, {"comment", "from payload"}};
  const Variables vars(r, object);
  EXPECT_EQ(vars.value("zone_id"), json(3));  // the scope wins, typed as the field (integer)
  EXPECT_EQ(vars.value("name"), json("row"));
  EXPECT_EQ(vars.value("comment"), json("from payload"));
  EXPECT_EQ(vars.value("id"), json(17));  // from the key string, typed
  EXPECT_EQ(vars.value("key"), json("17"));
  EXPECT_EQ(vars.value("ttl"), std::nullopt);

  const Scope scope = {{"zone_id", "3"}};
  const Variables list_vars(r, scope);
  EXPECT_EQ(list_vars.value("zone_id"), json(3));
  EXPECT_EQ(list_vars.value("key"), std::nullopt);
}

TEST(RenderTest, QueryParametersAreEncodedAndOneWithoutItsValueIsLeftOut) {
  const ResourceSpec r = records();
  ObjectRef object;
  object.values = {{"name", "a b&c=d"}, {"ttl", 300}};
  const Variables vars(r, object);
  const std::vector<QueryParam> query = {
      {"rrset_name", tmpl("{name}")}, {"missing", tmpl("{comment}")}, {"ttl", tmpl("{ttl}")}, {"x y", tmpl("1")}};
  Result<std::string> out = renderQuery(query, vars);
  ASSERT_TRUE(out) << out.status().toString();
  EXPECT_EQ(*out, "rrset_name=a%20b%26c%3Dd&ttl=300&x%20y=1");
}

TEST(RenderTest, FormEncodingOfAFlatBody) {
  ordered_json b = ordered_json::parse(R"({"email":"a@b.test","quota":250,"on":true,"none":null,"list":[1]})");
  EXPECT_EQ(formEncode(b), "email=a%40b.test&quota=250&on=true&none=&list=%5B1%5D");
}

TEST(RenderTest, KeyFromValuesJoinsTheKeyFields) {
  ResourceSpec r = records();
  r.key = {"name", "id"};
  ObjectRef object;
  object.payload = {{"name", "www/x"}, {"id", 5}};
  EXPECT_EQ(keyFromValues(r, object), joinKey({"www/x", "5"}));
  object.payload.erase("id");
  EXPECT_EQ(keyFromValues(r, object), std::nullopt);
}

}  // namespace
}  // namespace snapq::rest
