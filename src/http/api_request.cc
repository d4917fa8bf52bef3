#include "http/api_request.h"

#include <algorithm>

namespace snapq::http {

using json = nlohmann::json;

bool isValidUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    int extra = 0;
    unsigned min = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      extra = 1, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3, min = 0x10000;
    } else {
      return false;
    }
    if (i + extra >= text.size()) return false;
    unsigned cp = c & (0x3F >> extra);
    for (int k = 1; k <= extra; ++k) {
      const auto cc = static_cast<unsigned char>(text[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += extra + 1;
  }
  return true;
}

Reply badMember(std::string_view name, std::string_view must_be) {
  return Reply::error(400, "bad_request", std::string(name) + " must be " + std::string(must_be),
                      {{"field", std::string(name)}});
}

Parsed<json> jsonObjectBody(const ApiRequest& request, std::initializer_list<std::string_view> allowed, bool optional) {
  const std::string& body = request.http.body;
  if (body.find_first_not_of(" \t\r\n") == std::string::npos) {
    if (optional) return json::object();
    return Reply::error(400, "bad_request", "a JSON object is required as the request body");
  }
  if (!isValidUtf8(body)) return Reply::error(400, "bad_request", "the request body is not valid UTF-8");
  json parsed;
  try {
    parsed = json::parse(body);
  } catch (const json::parse_error& e) {
    return Reply::error(400, "malformed_json", "the request body is not valid JSON (at byte " +
                                                   std::to_string(e.byte) + ")");
  }
  if (!parsed.is_object()) return Reply::error(400, "bad_request", "the request body must be a JSON object");
  std::vector<std::string> unknown;
  for (const auto& [name, value] : parsed.items()) {
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) unknown.push_back(name);
  }
  if (!unknown.empty()) {
    std::string list;
    for (const std::string& u : unknown) list += (list.empty() ? "'" : ", '") + u + "'";
    std::string accepted;
    for (std::string_view a : allowed) accepted += (accepted.empty() ? "" : ", ") + std::string(a);
    return Reply::error(400, "unknown_field",
                        "unknown field " + list + (accepted.empty() ? "; no fields are accepted" : "; accepted: " + accepted),
                        {{"fields", unknown}});
  }
  return parsed;
}

std::optional<Reply> rejectUnknownParams(const ApiRequest& request, std::initializer_list<std::string_view> allowed) {
  for (const auto& [name, value] : request.http.query) {
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      std::string accepted;
      for (std::string_view a : allowed) accepted += (accepted.empty() ? "" : ", ") + std::string(a);
      return Reply::error(400, "unknown_parameter",
                          "unknown query parameter '" + name + "'" +
                              (accepted.empty() ? "" : "; accepted: " + accepted),
                          {{"parameter", name}});
    }
  }
  return std::nullopt;
}

}  // namespace snapq::http
