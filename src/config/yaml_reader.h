// Reading a yaml-cpp document as typed values while collecting every problem
// with its position and its dotted path ("services.sim.policy.timeout"). Only
// src/config sees yaml-cpp; the model it builds is plain structs.
//
// Messages quote what the file says (the raw scalar), never the value an
// ${ENV} reference resolved to, so a credential cannot leak into an error.
#pragma once

// GCC 12 reports a false "dangling pointer" inside yaml-cpp 0.7's inline
// Node accessors (the `throw InvalidNode(m_invalidKey)` lines).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdangling-pointer"
#endif
#include <yaml-cpp/yaml.h>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/env.h"
#include "snapq/config.h"

namespace snapq::config {

// Levenshtein distance, for "did you mean".
size_t editDistance(std::string_view a, std::string_view b);
// The closest candidate at distance <= 2, if any.
std::optional<std::string> closest(std::string_view word, const std::vector<std::string>& candidates);
// 0.5, 1, 1e+06
std::string formatNumber(double d);
// "a, b or c"
std::string listWords(const std::vector<std::string>& words, std::string_view last_joiner = " or ");

struct Where {
  int line = 0;
  int column = 0;
};
Where whereOf(const YAML::Node& node);

class Context {
 public:
  explicit Context(const LoadOptions& options) : options_(options) {}
  const LoadOptions& options() const { return options_; }

  // Records "<path>: <message>" at `at` (the path prefix left out when empty).
  void problem(Where at, std::string_view path, std::string_view message);
  void problem(const YAML::Node& at, std::string_view path, std::string_view message) {
    problem(whereOf(at), path, message);
  }
  size_t problemCount() const { return problems_.size(); }
  // Every problem, ordered by position (stable for equal positions).
  std::vector<ConfigProblem> takeProblems();

 private:
  const LoadOptions& options_;
  std::vector<ConfigProblem> problems_;
};

// One YAML value at a known place. Every reader reports what is wrong with
// the value and returns nullopt for it.
class Value {
 public:
  // `key_at`: where the key this value belongs to is written, if any.
  Value(Context& ctx, const YAML::Node& node, std::string path, Where key_at = {})
      : ctx_(&ctx), node_(node), path_(std::move(path)), key_at_(key_at) {}

  const YAML::Node& node() const { return node_; }
  const std::string& path() const { return path_; }
  Context& ctx() const { return *ctx_; }
  Where where() const { return whereOf(node_); }
  // Where to report something missing from this value: at its key when it
  // has one ("accounts:"), since a block mapping starts at its first entry.
  Where anchor() const { return key_at_.line > 0 ? key_at_ : where(); }
  bool isMap() const { return node_.IsMap(); }
  bool isSequence() const { return node_.IsSequence(); }
  bool isScalar() const { return node_.IsScalar(); }
  bool isNull() const { return node_.IsNull(); }
  // A scalar written in quotes ('...' or "..."): always text, never a number.
  bool isQuoted() const { return node_.IsScalar() && node_.Tag() == "!"; }

  void problem(std::string_view message) const { ctx_->problem(node_, path_, message); }

  // The scalar as written, without ${ENV} resolution (for messages).
  std::string raw() const { return node_.IsScalar() ? node_.Scalar() : std::string(); }
  // "'raw'" for messages.
  std::string quoted() const { return "'" + raw() + "'"; }

  // A scalar with its ${ENV} references resolved.
  std::optional<std::string> text() const;
  // The same for a template: braces in resolved values are doubled, so a
  // value can never turn into a {variable}.
  std::optional<std::string> templateText() const;
  std::optional<Secret> secret() const;
  std::optional<int64_t> integer(int64_t min, int64_t max) const;
  std::optional<double> number(double min, double max) const;
  std::optional<bool> boolean() const;
  // A positive duration: "500ms", "30s", "5m", "2h", "14d".
  std::optional<Duration> duration() const;
  // One of `choices`, said so otherwise (with "did you mean").
  std::optional<std::string> oneOf(const std::vector<std::string>& choices) const;
  // An identifier [a-z][a-z0-9_]*; `what` names it in the message ("field name").
  std::optional<std::string> identifier(std::string_view what) const;
  // A sequence's elements, each with path "path[i]"; a problem when not a sequence.
  std::optional<std::vector<Value>> items() const;
  // Either one scalar or a sequence of scalars, as texts.
  std::optional<std::vector<std::string>> textList() const;

 private:
  // Reports non-scalars; returns the node's scalar with env resolved.
  std::optional<std::string> scalar(std::string_view expected, bool escape_braces = false) const;

  Context* ctx_;
  YAML::Node node_;
  std::string path_;
  Where key_at_;
};

// A mapping whose keys are a fixed set (a struct): unknown keys are reported
// with a suggestion, repeated keys too. Keys starting with "x-" are ignored,
// so a file can park YAML anchors there.
class MapReader {
 public:
  MapReader(Context& ctx, const YAML::Node& node, std::string path, std::vector<std::string> allowed,
            Where anchor = {});
  MapReader(const Value& value, std::vector<std::string> allowed)
      : MapReader(value.ctx(), value.node(), value.path(), std::move(allowed), value.anchor()) {}

  bool ok() const { return ok_; }  // the node is a mapping
  bool has(std::string_view key) const { return find(key) != nullptr; }
  std::optional<Value> get(std::string_view key) const;
  const std::string& path() const { return path_; }
  Context& ctx() const { return *ctx_; }
  // At the mapping's key ("accounts:"), or its first entry for the top level.
  void problem(std::string_view message) const { ctx_->problem(anchor_, path_, message); }
  // A problem at `key`'s value when present, else at the mapping.
  void problemAt(std::string_view key, std::string_view message) const;
  // Reports `message` unless an unknown key looked like a misspelling of
  // `key` (that was reported already, with the suggestion).
  void missing(std::string_view key, std::string_view message) const;

 private:
  const std::pair<YAML::Node, YAML::Node>* find(std::string_view key) const;

  Context* ctx_;
  YAML::Node node_;
  std::string path_;
  Where anchor_;
  bool ok_ = false;
  std::vector<std::pair<YAML::Node, YAML::Node>> entries_;  // first occurrence of each known key
  std::vector<std::string> suggested_;                      // keys offered as "did you mean"
};

// One entry of a mapping of named things (services, resources, fields).
struct NamedValue {
  std::string name;
  Where at;  // of the name
  Value value;
};

// A mapping of named entries: every key is a name; repeated names are
// reported. Empty (with a problem) when not a mapping; empty when null.
std::vector<NamedValue> namedEntries(const Value& value);

std::string joinPath(std::string_view parent, std::string_view child);

}  // namespace snapq::config
