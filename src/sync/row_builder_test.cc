#include "sync/row_builder.h"

#include <gtest/gtest.h>

#include "core/content_hash.h"
#include "snapq/config.h"

namespace snapq {
namespace {

using json = nlohmann::json;

Config load(const std::string& yaml) {
  ConfigCheck check = checkConfigText(yaml);
  for (const ConfigProblem& p : check.problems) ADD_FAILURE() << p.line << ": " << p.message;
  return *check.config;
}

const char* kRecords = R"(
services:
  dns:
    connector: rest
    base_url: http://127.0.0.1:1
    resources:
      rrsets:
        key: [name, type]
        fields:
          name: string
          type: string
          ttl: integer
          first: {type: string, path: "records[0].content"}
          secret: {type: string, write_only: true}
          note: {type: string, hashed: false}
        list: {path: /rrsets, items: rrsets}
)";

TEST(RowBuilder, ExtractsTypedFieldsAtTheirPathsWithACompositeKey) {
  Config config = load(kRecords);
  RowBuilder rows(config.services[0].resources[0]);
  json remote = {{"name", "www.example.test."}, {"type", "A"}, {"ttl", "300"},
                 {"records", {{{"content", "192.0.2.1"}}}}, {"secret", "hunter2"}, {"note", "x"}};
  auto row = rows.build(remote, "default", "example.test.");
  ASSERT_TRUE(row.isOk()) << row.status().message();
  EXPECT_EQ(row->key, "www.example.test./A");
  EXPECT_EQ(row->fields["ttl"], 300) << "an integer sent as text is stored as an integer";
  EXPECT_EQ(row->fields["first"], "192.0.2.1");
  EXPECT_FALSE(row->fields.contains("secret")) << "write-only fields have no column";
  EXPECT_EQ(row->doc.find("hunter2"), std::string::npos) << "an echoed write-only value is not stored";
  EXPECT_EQ(row->scope, "example.test.");
}

TEST(RowBuilder, HashesOnlyHashedFieldsWhateverTheKeyOrderOrUnhashedValues) {
  Config config = load(kRecords);
  RowBuilder rows(config.services[0].resources[0]);
  json a = {{"name", "a."}, {"type", "A"}, {"ttl", 60}, {"note", "one"}};
  json b = json::parse(R"({"note":"two","ttl":60.0,"type":"A","name":"a."})");
  EXPECT_EQ(rows.build(a, "default", "")->content_hash, rows.build(b, "default", "")->content_hash);
  json c = a;
  c["ttl"] = 61;
  EXPECT_NE(rows.build(a, "default", "")->content_hash, rows.build(c, "default", "")->content_hash);
  // The documented algorithm (docs/HASHING.md): SHA-256 of the canonical JSON of the hashed fields.
  json hashed = {{"name", "a."}, {"type", "A"}, {"ttl", 60}, {"first", nullptr}};
  EXPECT_EQ(rows.build(a, "default", "")->content_hash, sha256Hex(canonicalJson(hashed)));
}

TEST(RowBuilder, RefusesObjectsWithoutAKeyAndValuesOfTheWrongType) {
  Config config = load(kRecords);
  RowBuilder rows(config.services[0].resources[0]);
  auto missing = rows.build(json{{"name", "a."}}, "default", "");
  ASSERT_FALSE(missing.isOk());
  EXPECT_NE(missing.status().message().find("name, type"), std::string::npos);
  EXPECT_FALSE(rows.build(json::array(), "default", "").isOk());
  auto odd = rows.build(json{{"name", "a."}, {"type", "A"}, {"ttl", "soon"}}, "default", "");
  ASSERT_TRUE(odd.isOk());
  EXPECT_TRUE(odd->fields["ttl"].is_null()) << "a value that does not fit its type is stored as null";
  std::string error;
  EXPECT_FALSE(rows.coerce(*config.services[0].resources[0].field("ttl"), json("soon"), &error));
  EXPECT_EQ(error, "expected integer, got string");
}

}  // namespace
}  // namespace snapq
