#include "core/masking.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <utility>

namespace snapq {
namespace {

constexpr const char* kMasked = "***";

// ASCII only on purpose: keys are identifiers, and std::tolower is
// locale-dependent.
char asciiLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string asciiLower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](char c) { return asciiLower(c); });
  return out;
}

}  // namespace

const std::vector<std::string>& Masker::defaultPatterns() {
  static const std::vector<std::string> patterns = {"password", "secret",      "token",
                                                    "api_key",  "private_key", "ssh_key"};
  return patterns;
}

Masker::Masker(std::vector<std::string> patterns) : patterns_(std::move(patterns)) {
  for (std::string& p : patterns_) p = asciiLower(p);
  // An empty pattern would match every key and mask the whole payload.
  std::erase_if(patterns_, [](const std::string& p) { return p.empty(); });
}

bool Masker::isSensitiveKey(std::string_view key) const {
  const std::string lower = asciiLower(key);
  return std::any_of(patterns_.begin(), patterns_.end(),
                     [&](const std::string& p) { return lower.find(p) != std::string::npos; });
}

nlohmann::json Masker::mask(const nlohmann::json& value) const {
  if (value.is_object()) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [key, member] : value.items()) {
      out[key] = isSensitiveKey(key) ? nlohmann::json(kMasked) : mask(member);
    }
    return out;
  }
  if (value.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& element : value) out.push_back(mask(element));
    return out;
  }
  return value;
}

bool Masker::containsSensitive(const nlohmann::json& value) const {
  if (value.is_object()) {
    for (const auto& [key, member] : value.items()) {
      if (isSensitiveKey(key) || containsSensitive(member)) return true;
    }
    return false;
  }
  if (value.is_array()) {
    return std::any_of(value.begin(), value.end(),
                       [&](const nlohmann::json& element) { return containsSensitive(element); });
  }
  return false;
}

}  // namespace snapq
