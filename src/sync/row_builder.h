// Turns remote objects into snapshot rows: the key, the declared fields (typed,
// at their JSON paths), the content hash over the hashed fields, and the doc.
// The sync engine and the mutation executor build rows the same way, so a row
// written after a mutation hashes exactly like the next sync will see it.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "snapq/resource_spec.h"
#include "snapq/snapshot.h"
#include "snapq/status.h"

namespace snapq {

class RowBuilder {
 public:
  explicit RowBuilder(const ResourceSpec& resource);

  // invalid_argument when the object is not a JSON object or lacks a key part.
  Result<SnapshotRow> build(const nlohmann::json& remote, const std::string& instance, const std::string& scope) const;

  // The declared, readable fields of `object` as the snapshot stores them
  // (values converted to the field's type where that loses nothing, else null).
  nlohmann::json extractFields(const nlohmann::json& remote) const;
  // The key string of an object's extracted fields; nullopt when a part is missing.
  std::optional<std::string> keyOf(const nlohmann::json& fields) const;
  std::string hashOf(const nlohmann::json& fields) const;

  // A payload member converted to the field's type; nullopt with a reason in
  // *error when it cannot be. Used to validate dispatches.
  std::optional<nlohmann::json> coerce(const FieldSpec& field, const nlohmann::json& value, std::string* error) const;

  const ResourceSpec& resource() const { return resource_; }

 private:
  const ResourceSpec& resource_;
  std::vector<const FieldSpec*> readable_;  // not write-only
  std::vector<std::string> hashed_;
};

}  // namespace snapq
