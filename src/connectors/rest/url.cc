#include "connectors/rest/url.h"

#include <cctype>
#include <vector>

namespace snapq::rest {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The length of "scheme://" when `url` starts with one, else 0.
size_t schemeLength(std::string_view url) {
  const size_t colon = url.find("://");
  if (colon == std::string_view::npos || colon == 0) return 0;
  for (size_t i = 0; i < colon; ++i) {
    const char c = url[i];
    if (!std::isalpha(static_cast<unsigned char>(c)) &&
        !(i > 0 && (std::isdigit(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.'))) {
      return 0;
    }
  }
  return colon + 3;
}

// Where the path starts (the end of "scheme://authority"); npos when not absolute.
size_t pathStart(std::string_view url) {
  const size_t scheme = schemeLength(url);
  if (scheme == 0) return std::string_view::npos;
  const size_t end = url.find_first_of("/?#", scheme);
  return end == std::string_view::npos ? url.size() : end;
}

// RFC 3986 5.2.4 for an absolute path, for references such as "../next".
std::string removeDotSegments(std::string_view path) {
  std::vector<std::string_view> out;
  std::string_view rest = path.substr(1);
  while (true) {
    const size_t slash = rest.find('/');
    const std::string_view segment = rest.substr(0, slash);
    const bool last = slash == std::string_view::npos;
    if (segment == "..") {
      if (!out.empty()) out.pop_back();
      if (last) out.emplace_back();
    } else if (segment == ".") {
      if (last) out.emplace_back();
    } else {
      out.push_back(segment);
    }
    if (last) break;
    rest.remove_prefix(slash + 1);
  }
  std::string result;
  for (const std::string_view segment : out) {
    result += '/';
    result += segment;
  }
  return result.empty() ? "/" : result;
}

}  // namespace

std::string originOf(std::string_view url) {
  const size_t scheme_len = schemeLength(url);
  if (scheme_len == 0) return "";
  const std::string scheme = lower(url.substr(0, scheme_len - 3));
  if (scheme != "http" && scheme != "https") return "";
  std::string_view authority = url.substr(scheme_len, pathStart(url) - scheme_len);
  if (const size_t at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
  std::string_view host = authority;
  std::string_view port;
  const size_t bracket = authority.rfind(']');
  const size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket)) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) return "";
  std::string origin = scheme + "://" + lower(host);
  const bool default_port = port.empty() || (scheme == "http" && port == "80") || (scheme == "https" && port == "443");
  if (!default_port) origin += ":" + std::string(port);
  return origin;
}

bool sameOrigin(std::string_view a, std::string_view b) {
  const std::string origin = originOf(a);
  return !origin.empty() && origin == originOf(b);
}

std::string resolveUrl(std::string_view base, std::string_view reference) {
  if (schemeLength(reference) > 0) return std::string(reference);
  const size_t path_at = pathStart(base);
  if (path_at == std::string_view::npos) return std::string(reference);
  if (reference.starts_with("//")) return std::string(base.substr(0, schemeLength(base) - 2)) + std::string(reference);
  const std::string_view prefix = base.substr(0, path_at);  // scheme://authority
  const std::string_view rest = base.substr(path_at);
  const std::string_view base_path = rest.substr(0, rest.find_first_of("?#"));
  if (reference.empty()) return std::string(base.substr(0, base.find('#')));
  if (reference.starts_with('#')) return std::string(base.substr(0, base.find('#'))) + std::string(reference);
  if (reference.starts_with('?')) return std::string(prefix) + std::string(base_path) + std::string(reference);

  const size_t query_at = reference.find_first_of("?#");
  const std::string_view ref_path = reference.substr(0, query_at);
  const std::string_view ref_tail = query_at == std::string_view::npos ? "" : reference.substr(query_at);
  std::string merged;
  if (ref_path.starts_with('/')) {
    merged = std::string(ref_path);
  } else {
    const size_t slash = base_path.rfind('/');
    merged = (slash == std::string_view::npos ? std::string("/") : std::string(base_path.substr(0, slash + 1))) +
             std::string(ref_path);
  }
  return std::string(prefix) + removeDotSegments(merged) + std::string(ref_tail);
}

std::string pathOf(std::string_view url) {
  const size_t path_at = pathStart(url);
  std::string_view rest = path_at == std::string_view::npos ? url : url.substr(path_at);
  rest = rest.substr(0, rest.find_first_of("?#"));
  return rest.empty() ? "/" : std::string(rest);
}

}  // namespace snapq::rest
