// Parsing of the two little languages in resource definitions: templates
// ("/zones/{zone_id}") and JSON paths ("result_info.total_pages").
#include <cctype>
#include <charconv>

#include "snapq/resource_spec.h"

namespace snapq {
namespace {

bool isVariableStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '$'; }
bool isVariableChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool isMemberChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '$' || c == '@';
}

template <typename T>
std::optional<T> fail(std::string* error, std::string message) {
  if (error != nullptr) *error = std::move(message);
  return std::nullopt;
}

}  // namespace

std::optional<Template> Template::parse(std::string_view text, std::string* error) {
  Template t;
  t.text = std::string(text);
  std::string literal;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if ((c == '{' || c == '}') && i + 1 < text.size() && text[i + 1] == c) {
      literal += c;
      ++i;
      continue;
    }
    if (c == '}') return fail<Template>(error, "a '}' without its '{' (write }} for a literal brace)");
    if (c != '{') {
      literal += c;
      continue;
    }
    const size_t close = text.find('}', i + 1);
    if (close == std::string_view::npos)
      return fail<Template>(error, "a '{' is not closed (write {{ for a literal brace)");
    const std::string_view name = text.substr(i + 1, close - i - 1);
    bool valid = !name.empty() && isVariableStart(name[0]);
    for (size_t k = 1; valid && k < name.size(); ++k) valid = isVariableChar(name[k]);
    if (!valid) {
      return fail<Template>(error, "{" + std::string(name) + "} is not a variable (letters, digits and _ in braces)");
    }
    if (!literal.empty()) t.parts.push_back({false, std::move(literal)});
    literal.clear();
    t.parts.push_back({true, std::string(name)});
    i = close;
  }
  if (!literal.empty()) t.parts.push_back({false, std::move(literal)});
  return t;
}

std::vector<std::string> Template::variables() const {
  std::vector<std::string> out;
  for (const Part& p : parts) {
    if (p.variable) out.push_back(p.text);
  }
  return out;
}

std::optional<std::string> Template::soleVariable() const {
  if (parts.size() == 1 && parts[0].variable) return parts[0].text;
  return std::nullopt;
}

std::optional<JsonPath> JsonPath::parse(std::string_view text, std::string* error) {
  JsonPath path;
  path.text = std::string(text);
  size_t i = 0;
  auto where = [&] { return " at character " + std::to_string(i + 1); };
  while (i < text.size()) {
    if (text[i] == '[') {
      if (i + 1 < text.size() && text[i + 1] == '"') {
        const size_t close = text.find("\"]", i + 2);
        if (close == std::string_view::npos) return fail<JsonPath>(error, "[\" is not closed with \"]" + where());
        path.steps.push_back({std::string(text.substr(i + 2, close - i - 2)), -1});
        i = close + 2;
      } else {
        const size_t close = text.find(']', i + 1);
        const std::string_view digits = text.substr(i + 1, close == std::string_view::npos ? 0 : close - i - 1);
        int index = -1;
        auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
        if (close == std::string_view::npos || digits.empty() || ec != std::errc() ||
            ptr != digits.data() + digits.size() || index < 0) {
          return fail<JsonPath>(error, "expected an array index such as [0]" + where());
        }
        path.steps.push_back({"", index});
        i = close + 1;
      }
    } else {
      if (!path.steps.empty()) {
        if (text[i] != '.') return fail<JsonPath>(error, "expected '.' or '['" + where());
        ++i;
      }
      const size_t start = i;
      while (i < text.size() && isMemberChar(text[i])) ++i;
      if (i == start) {
        return fail<JsonPath>(error,
                              "expected a member name (letters, digits, _ - $ @; others as [\"name\"])" + where());
      }
      path.steps.push_back({std::string(text.substr(start, i - start)), -1});
    }
  }
  return path;
}

}  // namespace snapq
