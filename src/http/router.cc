#include "http/router.h"

#include <algorithm>

namespace snapq::http {

namespace {

std::vector<std::string> patternSegments(std::string_view pattern) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= pattern.size()) {
    size_t end = pattern.find('/', start);
    if (end == std::string_view::npos) end = pattern.size();
    if (end > start) out.emplace_back(pattern.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

bool isCapture(const std::string& segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// Literal segments win over captures: "/jobs/bulk" before "/jobs/{id}".
bool matches(const Route& route, const std::vector<std::string>& segments, std::map<std::string, std::string>* params) {
  if (route.pattern.size() != segments.size()) return false;
  for (size_t i = 0; i < segments.size(); ++i) {
    const std::string& p = route.pattern[i];
    if (isCapture(p)) {
      if (params) (*params)[p.substr(1, p.size() - 2)] = segments[i];
    } else if (p != segments[i]) {
      return false;
    }
  }
  return true;
}

int literalCount(const Route& r) {
  return static_cast<int>(std::count_if(r.pattern.begin(), r.pattern.end(), [](const std::string& s) { return !isCapture(s); }));
}

}  // namespace

void Router::add(std::string method, std::string_view pattern, Permission permission, RouteHandler handler) {
  routes_.push_back({std::move(method), patternSegments(pattern), Access::permission, permission, std::move(handler)});
  std::stable_sort(routes_.begin(), routes_.end(),
                   [](const Route& a, const Route& b) { return literalCount(a) > literalCount(b); });
}

void Router::add(std::string method, std::string_view pattern, Access access, RouteHandler handler) {
  routes_.push_back({std::move(method), patternSegments(pattern), access, Permission::admin, std::move(handler)});
  std::stable_sort(routes_.begin(), routes_.end(),
                   [](const Route& a, const Route& b) { return literalCount(a) > literalCount(b); });
}

RouteMatch Router::match(const std::string& method, std::string_view path) const {
  RouteMatch m;
  const std::vector<std::string> segments = net::splitPath(path);
  for (const Route& r : routes_) {
    if (r.method != method) continue;
    std::map<std::string, std::string> params;
    if (matches(r, segments, &params)) {
      m.route = &r;
      m.params = std::move(params);
      return m;
    }
  }
  for (const Route& r : routes_) {
    if (matches(r, segments, nullptr) &&
        std::find(m.allowed_methods.begin(), m.allowed_methods.end(), r.method) == m.allowed_methods.end()) {
      m.allowed_methods.push_back(r.method);
    }
  }
  return m;
}

}  // namespace snapq::http
