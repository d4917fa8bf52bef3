// The little languages of resource definitions: templates, JSON paths and
// key strings.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "config/json_path.h"
#include "snapq/resource_spec.h"

namespace snapq {
namespace {

using nlohmann::json;

TEST(Template, PartsAndVariables) {
  auto t = Template::parse("/zones/{zone_id}/records/{key}");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->parts,
            (std::vector<Template::Part>{{false, "/zones/"}, {true, "zone_id"}, {false, "/records/"}, {true, "key"}}));
  EXPECT_EQ(t->variables(), (std::vector<std::string>{"zone_id", "key"}));
  EXPECT_EQ(t->soleVariable(), std::nullopt);
  EXPECT_EQ(t->text, "/zones/{zone_id}/records/{key}");

  EXPECT_EQ(Template::parse("{ttl}")->soleVariable(), "ttl");
  EXPECT_EQ(Template::parse("{$payload}")->soleVariable(), "$payload");
  EXPECT_TRUE(Template::parse("")->empty());
  EXPECT_TRUE(Template::parse("REPLACE")->variables().empty());
}

TEST(Template, DoubledBracesAreLiteral) {
  auto t = Template::parse("{{not}} {a}}}");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->parts, (std::vector<Template::Part>{{false, "{not} "}, {true, "a"}, {false, "}"}}));
}

TEST(Template, MalformedTemplates) {
  std::string error;
  EXPECT_FALSE(Template::parse("/a/{id", &error));
  EXPECT_NE(error.find("not closed"), std::string::npos);
  EXPECT_FALSE(Template::parse("/a/id}", &error));
  EXPECT_NE(error.find("without its '{'"), std::string::npos);
  EXPECT_FALSE(Template::parse("/a/{}", &error));
  EXPECT_FALSE(Template::parse("/a/{zone id}", &error));
  EXPECT_NE(error.find("{zone id} is not a variable"), std::string::npos);
  EXPECT_FALSE(Template::parse("{1abc}"));
}

TEST(JsonPath, ParsesMembersIndicesAndQuotedMembers) {
  auto p = JsonPath::parse("result_info.total_pages");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->steps, (std::vector<JsonPath::Step>{{"result_info", -1}, {"total_pages", -1}}));
  EXPECT_EQ(JsonPath::parse("rrsets[0]")->steps, (std::vector<JsonPath::Step>{{"rrsets", -1}, {"", 0}}));
  EXPECT_EQ(JsonPath::parse("[\"@odata.nextLink\"]")->steps, (std::vector<JsonPath::Step>{{"@odata.nextLink", -1}}));
  EXPECT_EQ(JsonPath::parse("a[1][2].b")->steps.size(), 4u);
  EXPECT_TRUE(JsonPath::parse("")->isRoot());
  std::string error;
  for (const char* bad : {".a", "a.", "a..b", "a[", "a[x]", "a[-1]", "a b", "a[\"x"}) {
    EXPECT_FALSE(JsonPath::parse(bad, &error)) << bad;
    EXPECT_FALSE(error.empty()) << bad;
  }
}

TEST(JsonPath, FindsValuesInDocuments) {
  const json doc = json::parse(R"({"data":[{"id":1},{"id":2}],"meta":{"total_pages":3},"@odata.nextLink":"n"})");
  EXPECT_EQ(*findAt(doc, *JsonPath::parse("meta.total_pages")), 3);
  EXPECT_EQ(*findAt(doc, *JsonPath::parse("data[1].id")), 2);
  EXPECT_EQ(*findAt(doc, *JsonPath::parse("[\"@odata.nextLink\"]")), "n");
  EXPECT_EQ(findAt(doc, *JsonPath::parse("")), &doc);
  EXPECT_EQ(findAt(doc, *JsonPath::parse("data[2]")), nullptr);
  EXPECT_EQ(findAt(doc, *JsonPath::parse("meta.missing")), nullptr);
  EXPECT_EQ(findAt(doc, *JsonPath::parse("data.id")), nullptr);  // an array has no members
  EXPECT_EQ(findAt(doc, *JsonPath::parse("meta[0]")), nullptr);
}

TEST(Keys, OnePartIsTheTextItself) {
  EXPECT_EQ(joinKey({"a/b%c"}), "a/b%c");
  EXPECT_EQ(splitKey("a/b%c", 1), (std::vector<std::string>{"a/b%c"}));
}

TEST(Keys, CompositeKeysEscapeTheSeparator) {
  EXPECT_EQ(joinKey({"www.example.test.", "A"}), "www.example.test./A");
  EXPECT_EQ(joinKey({"a/b", "100%", ""}), "a%2Fb/100%25/");
  for (const std::vector<std::string>& parts :
       std::vector<std::vector<std::string>>{{"www.example.test.", "A"}, {"a/b", "100%", ""}, {"%2F", "/"}, {"", ""}}) {
    EXPECT_EQ(splitKey(joinKey(parts), parts.size()), parts);
  }
  EXPECT_EQ(splitKey("a/b", 3), std::nullopt);
  EXPECT_EQ(splitKey("a/b/c", 2), std::nullopt);
  EXPECT_EQ(splitKey("a%zz/b", 2), std::nullopt);
  EXPECT_EQ(splitKey("x", 0), std::nullopt);
}

TEST(Names, TablesAndEnumNames) {
  EXPECT_EQ(snapshotTableName("sim", "accounts"), "snap_sim_accounts");
  EXPECT_STREQ(fieldTypeName(FieldType::json), "json");
  EXPECT_STREQ(httpMethodName(HttpMethod::delete_), "DELETE");
  EXPECT_STREQ(paginationKindName(Pagination::Kind::link), "link");
  EXPECT_STREQ(conflictStrategyName(ConflictStrategy::last_write_wins), "last_write_wins");
  EXPECT_STREQ(writeReturnsName(WriteReturns::location), "location");
}

}  // namespace
}  // namespace snapq
