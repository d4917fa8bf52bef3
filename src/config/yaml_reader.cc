#include "config/yaml_reader.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <sstream>

#include "core/time_format.h"

namespace snapq::config {

size_t editDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::optional<std::string> closest(std::string_view word, const std::vector<std::string>& candidates) {
  std::optional<std::string> best;
  size_t best_distance = 3;
  for (const std::string& candidate : candidates) {
    const size_t d = editDistance(word, candidate);
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  }
  return best;
}

std::string listWords(const std::vector<std::string>& words, std::string_view last_joiner) {
  std::string out;
  for (size_t i = 0; i < words.size(); ++i) {
    if (i > 0) out += (i + 1 == words.size()) ? std::string(last_joiner) : std::string(", ");
    out += words[i];
  }
  return out;
}

std::string formatNumber(double d) {
  std::ostringstream out;
  out << d;
  return out.str();
}

Where whereOf(const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  if (mark.is_null()) return {};
  return {mark.line + 1, mark.column + 1};
}

std::string joinPath(std::string_view parent, std::string_view child) {
  if (parent.empty()) return std::string(child);
  return std::string(parent) + "." + std::string(child);
}

void Context::problem(Where at, std::string_view path, std::string_view message) {
  ConfigProblem p;
  p.line = at.line;
  p.column = at.line > 0 ? at.column : 0;
  p.message = path.empty() ? std::string(message) : std::string(path) + ": " + std::string(message);
  problems_.push_back(std::move(p));
}

std::vector<ConfigProblem> Context::takeProblems() {
  std::stable_sort(problems_.begin(), problems_.end(), [](const ConfigProblem& a, const ConfigProblem& b) {
    return std::pair(a.line, a.column) < std::pair(b.line, b.column);
  });
  return std::move(problems_);
}

// ---------------------------------------------------------------- Value

std::optional<std::string> Value::scalar(std::string_view expected, bool escape_braces) const {
  if (node_.IsNull()) {
    problem("needs a value (" + std::string(expected) + ")");
    return std::nullopt;
  }
  if (!node_.IsScalar()) {
    problem("must be " + std::string(expected) + ", not a " + (node_.IsMap() ? "mapping" : "list"));
    return std::nullopt;
  }
  Expansion e = expandEnv(node_.Scalar(), ctx_->options().env, escape_braces);
  if (!e.syntax_error.empty()) {
    problem(e.syntax_error);
    return std::nullopt;
  }
  if (!e.missing.empty()) {
    for (const std::string& name : e.missing) {
      std::string message = "environment variable " + name;
      message += " is not set (write ${" + name + ":-default} to give a default)";
      problem(message);
    }
    return std::nullopt;
  }
  return std::move(e.value);
}

std::optional<std::string> Value::text() const { return scalar("a text value"); }

std::optional<std::string> Value::templateText() const { return scalar("a text value", true); }

std::optional<Secret> Value::secret() const {
  auto value = scalar("a text value");
  if (!value) return std::nullopt;
  return Secret(std::move(*value));
}

std::optional<int64_t> Value::integer(int64_t min, int64_t max) const {
  auto value = scalar("a whole number");
  if (!value) return std::nullopt;
  int64_t n = 0;
  const char* begin = value->data();
  const char* end = begin + value->size();
  auto [ptr, ec] = std::from_chars(begin, end, n);
  if (value->empty() || ec != std::errc() || ptr != end || isQuoted()) {
    problem(quoted() + " is not a whole number");
    return std::nullopt;
  }
  if (n < min || n > max) {
    problem(quoted() + " is out of range (" + std::to_string(min) + " to " + std::to_string(max) + ")");
    return std::nullopt;
  }
  return n;
}

std::optional<double> Value::number(double min, double max) const {
  auto value = scalar("a number");
  if (!value) return std::nullopt;
  double d = 0;
  const char* begin = value->data();
  const char* end = begin + value->size();
  auto [ptr, ec] = std::from_chars(begin, end, d);
  if (value->empty() || ec != std::errc() || ptr != end || !std::isfinite(d) || isQuoted()) {
    problem(quoted() + " is not a number");
    return std::nullopt;
  }
  if (d < min || d > max) {
    problem(quoted() + " is out of range (" + formatNumber(min) + " to " + formatNumber(max) + ")");
    return std::nullopt;
  }
  return d;
}

std::optional<bool> Value::boolean() const {
  auto value = scalar("true or false");
  if (!value) return std::nullopt;
  if (!isQuoted() && *value == "true") return true;
  if (!isQuoted() && *value == "false") return false;
  problem(quoted() + " is not true or false");
  return std::nullopt;
}

std::optional<Duration> Value::duration() const {
  auto value = scalar("a duration such as 30s");
  if (!value) return std::nullopt;
  auto d = parseDuration(*value);
  if (!d) {
    problem(quoted() + " is not a duration: write a positive whole number and a unit ms, s, m, h or d (30s, 5m)");
    return std::nullopt;
  }
  return d;
}

std::optional<std::string> Value::oneOf(const std::vector<std::string>& choices) const {
  auto value = scalar("one of " + listWords(choices));
  if (!value) return std::nullopt;
  if (std::find(choices.begin(), choices.end(), *value) != choices.end()) return value;
  std::string message = quoted() + " is not one of " + listWords(choices, ", ");
  if (auto guess = closest(*value, choices)) message += " (did you mean " + *guess + "?)";
  problem(message);
  return std::nullopt;
}

namespace {

bool isIdentifier(std::string_view s) {
  if (s.empty() || s.size() > 63 || !(s[0] >= 'a' && s[0] <= 'z')) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
}

}  // namespace

std::optional<std::string> Value::identifier(std::string_view what) const {
  auto value = scalar("a name");
  if (!value) return std::nullopt;
  if (isIdentifier(*value)) return value;
  problem(quoted() + " is not a valid " + std::string(what) +
          ": use lower-case letters, digits and _, starting with a letter (names become SQL identifiers)");
  return std::nullopt;
}

std::optional<std::vector<Value>> Value::items() const {
  if (!node_.IsSequence()) {
    problem(std::string("must be a list, not ") + (node_.IsMap()    ? "a mapping"
                                                   : node_.IsNull() ? "empty"
                                                                    : "a single value"));
    return std::nullopt;
  }
  std::vector<Value> out;
  size_t i = 0;
  for (const YAML::Node& item : node_) {
    out.emplace_back(*ctx_, item, path_ + "[" + std::to_string(i++) + "]");
  }
  return out;
}

std::optional<std::vector<std::string>> Value::textList() const {
  if (node_.IsScalar()) {
    auto one = text();
    if (!one) return std::nullopt;
    return std::vector<std::string>{std::move(*one)};
  }
  auto list = items();
  if (!list) return std::nullopt;
  std::vector<std::string> out;
  bool good = true;
  for (const Value& item : *list) {
    auto t = item.text();
    if (t) out.push_back(std::move(*t));
    good = good && t.has_value();
  }
  if (!good) return std::nullopt;
  return out;
}

// ---------------------------------------------------------------- maps

MapReader::MapReader(Context& ctx, const YAML::Node& node, std::string path, std::vector<std::string> allowed,
                     Where anchor)
    : ctx_(&ctx), node_(node), path_(std::move(path)), anchor_(anchor.line > 0 ? anchor : whereOf(node_)) {
  if (!node_.IsMap()) {
    const std::string what = node_.IsNull() ? "empty" : node_.IsSequence() ? "a list" : "a single value";
    std::string message = "must be a mapping (keys: " + listWords(allowed, ", ") + "), not " + what;
    ctx.problem(anchor_, path_, message);
    return;
  }
  ok_ = true;
  std::vector<std::string> seen;
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    // Copies: the iterator hands out a temporary pair.
    const YAML::Node key = it->first;
    if (!key.IsScalar()) {
      ctx.problem(key, path_, "keys must be plain names");
      continue;
    }
    const std::string& name = key.Scalar();
    if (name.starts_with("x-")) continue;
    if (std::find(seen.begin(), seen.end(), name) != seen.end()) {
      ctx.problem(key, joinPath(path_, name), "appears more than once");
      continue;
    }
    seen.push_back(name);
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      std::string message = "unknown key '" + name + "'";
      if (auto guess = closest(name, allowed)) {
        message += " (did you mean '" + *guess + "'?)";
        suggested_.push_back(*guess);
      } else {
        message += " (expected " + listWords(allowed) + ")";
      }
      ctx.problem(key, path_, message);
      continue;
    }
    entries_.emplace_back(key, it->second);
  }
}

const std::pair<YAML::Node, YAML::Node>* MapReader::find(std::string_view key) const {
  for (const auto& entry : entries_) {
    if (entry.first.Scalar() == key) return &entry;
  }
  return nullptr;
}

std::optional<Value> MapReader::get(std::string_view key) const {
  const auto* entry = find(key);
  if (entry == nullptr) return std::nullopt;
  return Value(*ctx_, entry->second, joinPath(path_, key), whereOf(entry->first));
}

void MapReader::missing(std::string_view key, std::string_view message) const {
  if (std::find(suggested_.begin(), suggested_.end(), key) != suggested_.end()) return;
  problem(message);
}

void MapReader::problemAt(std::string_view key, std::string_view message) const {
  if (auto value = get(key)) {
    value->problem(message);
  } else {
    problem(message);
  }
}

std::vector<NamedValue> namedEntries(const Value& value) {
  std::vector<NamedValue> out;
  if (value.isNull()) return out;  // "resources:" with nothing under it: none
  if (!value.isMap()) {
    value.problem(std::string("must be a mapping of names to definitions, not ") +
                  (value.isSequence() ? "a list" : "a single value"));
    return out;
  }
  for (auto it = value.node().begin(); it != value.node().end(); ++it) {
    // Copies: the iterator hands out a temporary pair.
    const YAML::Node key = it->first;
    if (!key.IsScalar()) {
      value.ctx().problem(key, value.path(), "names must be plain text");
      continue;
    }
    const std::string& name = key.Scalar();
    if (name.starts_with("x-")) continue;
    const bool repeated = std::any_of(out.begin(), out.end(), [&](const NamedValue& e) { return e.name == name; });
    if (repeated) {
      value.ctx().problem(key, joinPath(value.path(), name), "is defined more than once");
      continue;
    }
    out.push_back({name, whereOf(key), Value(value.ctx(), it->second, joinPath(value.path(), name), whereOf(key))});
  }
  return out;
}

}  // namespace snapq::config
