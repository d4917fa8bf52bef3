// The one place that decides which payload values are secrets. Audit rows,
// logs and the UI only ever see masked payloads; the real one is sealed.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace snapq {

class Masker {
 public:
  // {"password", "secret", "token", "api_key", "private_key", "ssh_key"}
  static const std::vector<std::string>& defaultPatterns();

  explicit Masker(std::vector<std::string> patterns = defaultPatterns());

  // True if any pattern is a case-insensitive substring of `key`.
  bool isSensitiveKey(std::string_view key) const;

  // Copy of `value` where every member with a sensitive key, at any depth,
  // holds "***" instead of its value, whatever that value's type.
  nlohmann::json mask(const nlohmann::json& value) const;

  // Whether any member at any depth has a sensitive key, i.e. whether
  // mask(value) hides something. Errs on the safe side for a value that is
  // already "***": it still counts.
  bool containsSensitive(const nlohmann::json& value) const;

 private:
  std::vector<std::string> patterns_;  // lower-case
};

}  // namespace snapq
