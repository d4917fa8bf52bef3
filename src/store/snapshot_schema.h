// What both drivers' snapshot tables share and that is not SQL: which
// declared fields get a column and of what kind, the names of tables and
// indexes, and how a row's typed field values are checked. Each driver turns
// these into its own SQL (snapshot_plan.h does the same for listRows).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "snapq/snapshot.h"

namespace snapq::snap {

// How a value is stored and compared. Drivers map each to a column type.
enum class ValueKind { text, integer, real, boolean, json, time };
ValueKind kindOf(FieldType type);
// "string", "integer", ... (as fieldTypeName() of the config module, which the store does not link).
const char* typeName(FieldType type);

// "snap_<service>_<resource>" (the same as snapshotTableName() of the config
// module, which the store does not link).
std::string tableName(const SnapshotTable& table);
// invalid_argument unless the resource is set and every name the SQL uses is a
// plain lower-case identifier (the config loader allows no other).
Status checkTable(const SnapshotTable& table);

// The declared fields that have a column (write-only fields have none), in declaration order.
std::vector<const FieldSpec*> storedFields(const ResourceSpec& resource);
const FieldSpec* storedField(const ResourceSpec& resource, std::string_view name);

// What a listing's `q` searches: "key", then the searchable string fields, in declaration order.
std::vector<std::string> searchColumns(const ResourceSpec& resource);
// The key's field when the key is one integer field, else nullptr. Its keys
// sort as numbers ("9" before "10"): the default sort of listRows reads that
// column, which each driver indexes as it does an `indexed` field.
const FieldSpec* integerKeyField(const ResourceSpec& resource);
// The fields with an index (field, instance, scope, key): the `indexed` ones and integerKeyField.
bool hasSortIndex(const ResourceSpec& resource, const FieldSpec& field);

// A double-quoted SQL identifier ("user" and "order" are valid field names).
std::string quoteIdent(std::string_view name);
// "<table>_<suffix>", shortened with a hash of the full name when longer than
// PostgreSQL's 63-byte identifiers, so every index keeps a distinct name.
std::string indexName(const std::string& table, const std::string& suffix);

// The value of a stored field in a row's `fields` object, checked against the
// field's type (integers as int64, numbers as double); null when absent.
// invalid_argument naming the row's key and the field when it does not fit.
Result<nlohmann::json> fieldValue(const FieldSpec& field, const nlohmann::json& fields, const std::string& key);

// A sync batch's upserts with repeated keys removed, the last occurrence kept
// (a listing that shifted between pages may return an object twice).
void dedupeUpserts(std::vector<SnapshotRow>& rows);

// JSON text; invalid_argument (instead of nlohmann's exception) for strings
// that are not UTF-8.
Result<std::string> dumpJson(const nlohmann::json& value);

}  // namespace snapq::snap
