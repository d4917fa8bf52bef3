#include "core/json_text.h"

#include <nlohmann/json.hpp>

namespace snapq::jsontext {

void appendString(std::string& out, std::string_view text) {
  for (unsigned char c : text) {
    // Text beyond ASCII goes through nlohmann's own escaping, so its UTF-8
    // checks and replacements stay exactly nlohmann's.
    if (c >= 0x80) {
      out += nlohmann::json(std::string(text)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      return;
    }
  }
  appendEscaped(out, text);
}

void appendEscaped(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.reserve(out.size() + text.size() + 2);
  out += '"';
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xf];
        } else {
          out += ch;
        }
    }
  }
  out += '"';
}

void appendStringOrNull(std::string& out, std::string_view text) {
  if (text.empty()) return appendNull(out);
  appendString(out, text);
}

void appendStoredJson(std::string& out, std::string_view stored) {
  if (stored.empty()) return appendNull(out);
  if (nlohmann::json::accept(stored)) {
    out += stored;
  } else {
    appendString(out, stored);
  }
}

void appendInt(std::string& out, int64_t value) { out += std::to_string(value); }

void appendKey(std::string& out, std::string_view name) {
  if (!out.empty() && out.back() != '{') out += ',';
  appendString(out, name);
  out += ':';
}

}  // namespace snapq::jsontext
