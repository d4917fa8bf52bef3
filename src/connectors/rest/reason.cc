// serviceReason(): a service's explanation of an error, made fit for a job's
// error column and a log line. Services answer errors in every shape: JSON
// envelopes of many designs, plain text, or a whole HTML page from a proxy
// or a framework's debug handler.
#include <cctype>
#include <charconv>
#include <cstdint>
#include <nlohmann/json.hpp>

#include "connectors/rest/errors.h"

namespace snapq::rest {
namespace {

using nlohmann::json;

constexpr int kMaxDepth = 4;
constexpr size_t kMaxListed = 5;  // of an `errors` list: the first few say enough

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool startsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != std::tolower(static_cast<unsigned char>(prefix[i])))
      return false;
  }
  return true;
}

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (const std::string& p : parts) {
    if (p.empty()) continue;
    if (!out.empty()) out += separator;
    out += p;
  }
  return out;
}

std::string reasonOf(const json& value, int depth);

// {"email": ["is invalid"], "name": "is required"} -> "email: is invalid; name: is required"
std::string fieldMessages(const json& object, int depth) {
  std::vector<std::string> parts;
  for (const auto& [name, value] : object.items()) {
    if (std::string r = reasonOf(value, depth + 1); !r.empty()) parts.push_back(name + ": " + std::move(r));
    if (parts.size() == kMaxListed) break;
  }
  return join(parts, "; ");
}

std::string memberText(const json& object, const char* name) {
  auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

bool hasKnownMember(const json& object) {
  for (const char* name : {"message", "errorMessage", "error", "error_description", "errors", "detail", "title"}) {
    if (object.contains(name)) return true;
  }
  return false;
}

std::string objectReason(const json& object, int depth) {
  if (auto it = object.find("error"); it != object.end() && (it->is_object() || it->is_array())) {
    if (std::string nested = reasonOf(*it, depth + 1); !nested.empty()) return nested;
  }
  std::string main = memberText(object, "message");
  if (main.empty()) main = memberText(object, "errorMessage");  // Keycloak
  if (main.empty()) main = memberText(object, "detail");        // RFC 7807 problem details
  if (main.empty()) {
    // OAuth2 (RFC 6749 5.2): {"error": "invalid_client", "error_description": "..."}
    const std::string error = memberText(object, "error");
    const std::string description = memberText(object, "error_description");
    main = !error.empty() && !description.empty() ? error + ": " + description : error + description;
  }
  if (main.empty()) main = memberText(object, "title");
  if (auto it = object.find("errors"); it != object.end()) {
    const std::string listed = reasonOf(*it, depth + 1);
    if (!listed.empty() && listed != main) main = main.empty() ? listed : main + ": " + listed;
  }
  if (auto it = object.find("details"); it != object.end() && it->is_object() && !main.empty()) {
    if (const std::string details = fieldMessages(*it, depth); !details.empty()) main += " (" + details + ")";
  }
  if (const std::string field = memberText(object, "field"); !field.empty() && !main.empty()) {
    main = field + ": " + main;
  }
  // Below the top, an object of none of those shapes is a map of field -> messages.
  if (main.empty() && depth > 0 && !hasKnownMember(object)) main = fieldMessages(object, depth);
  return main;
}

std::string reasonOf(const json& value, int depth) {
  if (depth > kMaxDepth) return "";
  if (value.is_string()) return value.get<std::string>();
  if (value.is_array()) {
    std::vector<std::string> parts;
    for (const json& item : value) {
      parts.push_back(reasonOf(item, depth + 1));
      if (parts.size() == kMaxListed) break;
    }
    return join(parts, "; ");
  }
  if (value.is_object()) return objectReason(value, depth);
  if (depth > 0 && !value.is_null()) return value.dump();
  return "";
}

// Appends the UTF-8 encoding of `code` (entities such as &#233;).
void appendUtf8(std::string& out, uint32_t code) {
  if (code == 0 || code > 0x10FFFF) return;
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else if (code < 0x800) {
    out += static_cast<char>(0xC0 | (code >> 6));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else if (code < 0x10000) {
    out += static_cast<char>(0xE0 | (code >> 12));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code >> 18));
    out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  }
}

// Decodes the entity at text[i] ('&'); returns the characters consumed (0: not an entity).
size_t decodeEntity(std::string_view text, size_t i, std::string& out) {
  const size_t semi = text.find(';', i);
  if (semi == std::string_view::npos || semi - i > 10) return 0;
  const std::string_view name = text.substr(i + 1, semi - i - 1);
  static const std::pair<std::string_view, std::string_view> kNamed[] = {{"amp", "&"},   {"lt", "<"},   {"gt", ">"},
                                                                         {"quot", "\""}, {"apos", "'"}, {"nbsp", " "}};
  for (const auto& [entity, text_value] : kNamed) {
    if (name == entity) {
      out += text_value;
      return semi - i + 1;
    }
  }
  if (name.size() >= 2 && name[0] == '#') {
    const bool hex = name[1] == 'x' || name[1] == 'X';
    const std::string digits(name.substr(hex ? 2 : 1));
    if (digits.empty() || digits.find_first_not_of(hex ? "0123456789abcdefABCDEF" : "0123456789") != std::string::npos)
      return 0;
    uint32_t code = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), code, hex ? 16 : 10);
    if (ec == std::errc() && end == digits.data() + digits.size()) appendUtf8(out, code);
    return semi - i + 1;
  }
  return 0;
}

// Text of an HTML page: tags become spaces; comments, scripts, styles and the
// head (a title repeating the status) disappear; entities are decoded.
std::string htmlText(std::string_view html) {
  std::string out;
  size_t i = 0;
  while (i < html.size()) {
    const char c = html[i];
    if (c == '<') {
      if (html.substr(i, 4) == "<!--") {
        const size_t end = html.find("-->", i + 4);
        i = end == std::string_view::npos ? html.size() : end + 3;
        continue;
      }
      bool skipped_block = false;
      for (std::string_view block : {"script", "style", "head"}) {
        const std::string_view rest = html.substr(i + 1);
        if (startsWithIgnoreCase(rest, block) && rest.size() > block.size() &&
            (rest[block.size()] == '>' || std::isspace(static_cast<unsigned char>(rest[block.size()])))) {
          // To the closing tag, whatever its case.
          size_t end = i + 1;
          while (end < html.size() && !startsWithIgnoreCase(html.substr(end), "</" + std::string(block))) ++end;
          const size_t close = html.find('>', end);
          i = close == std::string_view::npos ? html.size() : close + 1;
          skipped_block = true;
          break;
        }
      }
      if (skipped_block) continue;
      const size_t close = html.find('>', i);
      i = close == std::string_view::npos ? html.size() : close + 1;
      out += ' ';
      continue;
    }
    if (c == '&') {
      if (const size_t used = decodeEntity(html, i, out); used > 0) {
        i += used;
        continue;
      }
    }
    out += c;
    ++i;
  }
  return out;
}

bool looksLikeHtml(std::string_view body, std::string_view content_type) {
  if (content_type.find("html") != std::string_view::npos) return true;
  const std::string_view t = trim(body);
  return startsWithIgnoreCase(t, "<!doctype") || startsWithIgnoreCase(t, "<html") ||
         (t.starts_with('<') && t.ends_with('>'));
}

// Invalid UTF-8 becomes '?', control characters and runs of white space one
// space, and the result is cut at a character boundary.
std::string tidy(std::string_view text) {
  std::string out;
  bool space = false;
  for (size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    for (size_t k = 1; len > 0 && k < len; ++k) {
      if (i + k >= text.size() || (static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) len = 0;
    }
    if (len == 0) {
      if (space) out += ' ';
      out += '?';
      space = false;
      ++i;
      continue;
    }
    if (len == 1 && (c < 0x20 || c == 0x7F || c == ' ')) {
      space = !out.empty();
      ++i;
      continue;
    }
    if (space) out += ' ';
    space = false;
    out.append(text.substr(i, len));
    i += len;
  }
  if (out.size() > kMaxReasonBytes) {
    size_t cut = kMaxReasonBytes;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
    out.resize(cut);
    while (!out.empty() && out.back() == ' ') out.pop_back();
    out += "...";
  }
  return out;
}

}  // namespace

std::string serviceReason(std::string_view body, std::string_view content_type) {
  const std::string_view trimmed = trim(body);
  if (trimmed.empty()) return "";
  const char first = trimmed.front();
  if (first == '{' || first == '[' || first == '"' || content_type.find("json") != std::string_view::npos) {
    const json doc = json::parse(trimmed, nullptr, false);
    if (!doc.is_discarded()) {
      std::string reason = reasonOf(doc, 0);
      if (reason.empty() && !doc.empty() && !doc.is_null()) {
        reason = doc.dump(-1, ' ', false, json::error_handler_t::replace);
      }
      return tidy(reason);
    }
  }
  return tidy(looksLikeHtml(trimmed, content_type) ? htmlText(trimmed) : std::string(trimmed));
}

}  // namespace snapq::rest
