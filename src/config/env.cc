#include "config/env.h"

#include <cstdlib>

namespace snapq {

std::optional<std::string> processEnv(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

namespace config {
namespace {

bool isNameStart(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool isNameChar(char c) { return isNameStart(c) || (c >= '0' && c <= '9'); }

}  // namespace

Expansion expandEnv(std::string_view text, const EnvLookup& env, bool escape_braces) {
  Expansion out;
  size_t i = 0;
  while (i < text.size()) {
    if (text.compare(i, 3, "$${") == 0) {
      out.value += "${";
      i += 3;
      continue;
    }
    if (text.compare(i, 2, "${") != 0) {
      out.value += text[i++];
      continue;
    }
    const size_t close = text.find('}', i + 2);
    if (close == std::string_view::npos) {
      out.syntax_error = "a ${ reference is not closed with }";
      return out;
    }
    const std::string_view inner = text.substr(i + 2, close - i - 2);
    size_t name_end = 0;
    while (name_end < inner.size() && isNameChar(inner[name_end])) ++name_end;
    const std::string name(inner.substr(0, name_end));
    const std::string_view rest = inner.substr(name_end);
    if (name.empty() || !isNameStart(name[0]) || (!rest.empty() && !rest.starts_with(":-"))) {
      out.syntax_error = "malformed reference ${" + std::string(inner) +
                         "}: expected ${NAME} or ${NAME:-default} (NAME of letters, digits and _)";
      return out;
    }
    out.used_env = true;
    std::optional<std::string> value = env ? env(name) : std::nullopt;
    if (!rest.empty() && (!value || value->empty())) value = std::string(rest.substr(2));
    if (value && escape_braces) {
      for (char c : *value) {
        out.value += c;
        if (c == '{' || c == '}') out.value += c;
      }
    } else if (value) {
      out.value += *value;
    } else {
      out.missing.push_back(name);
    }
    i = close + 1;
  }
  return out;
}

}  // namespace config
}  // namespace snapq
