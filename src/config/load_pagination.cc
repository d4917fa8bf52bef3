// pagination: of a list request.
#include <algorithm>

#include "config/loader.h"

namespace snapq::config {

std::optional<Pagination> readPagination(const Value& node, const RequestSpec& request) {
  static const std::vector<std::string> kinds = {"none", "page", "offset", "cursor", "link"};
  static const std::vector<std::vector<std::string>> keys = {
      {},
      {"page_param", "per_page_param", "per_page", "start", "total_pages"},
      {"offset_param", "limit_param", "limit"},
      {"cursor_param", "next_cursor"},
      {}};
  Pagination p;
  if (node.isScalar()) {
    auto kind = node.oneOf(kinds);
    if (!kind) return std::nullopt;
    p.kind = static_cast<Pagination::Kind>(std::find(kinds.begin(), kinds.end(), *kind) - kinds.begin());
    if (p.kind == Pagination::Kind::cursor) {
      node.problem("cursor pagination needs next_cursor (the path of the next cursor in the response)");
      return std::nullopt;
    }
    return p;
  }
  std::vector<std::string> all = {"kind"};
  for (const auto& k : keys) all.insert(all.end(), k.begin(), k.end());
  MapReader m(node, all);
  if (!m.ok()) return std::nullopt;
  auto kind_value = m.get("kind");
  if (!kind_value) {
    m.missing("kind", "needs a kind (" + listWords(kinds) + ")");
    return std::nullopt;
  }
  auto kind = kind_value->oneOf(kinds);
  if (!kind) return std::nullopt;
  const size_t index = static_cast<size_t>(std::find(kinds.begin(), kinds.end(), *kind) - kinds.begin());
  p.kind = static_cast<Pagination::Kind>(index);
  bool good = true;
  for (const std::string& key : all) {
    if (key == "kind" || !m.has(key)) continue;
    if (std::find(keys[index].begin(), keys[index].end(), key) == keys[index].end()) {
      m.problemAt(key, "is not used by pagination kind " + *kind);
      good = false;
    }
  }
  auto param = [&](const char* key, std::string& out) {
    if (auto v = m.get(key)) {
      if (auto t = v->text(); t && !t->empty()) {
        out = *t;
      } else {
        if (t) v->problem("is empty");
        good = false;
      }
    }
    const bool clash =
        std::any_of(request.query.begin(), request.query.end(), [&](const QueryParam& q) { return q.name == out; });
    if (clash && std::find(keys[index].begin(), keys[index].end(), key) != keys[index].end()) {
      m.problemAt(key, "'" + out + "' is also set under query:; pagination sets it itself");
      good = false;
    }
  };
  auto count = [&](const char* key, int min, int& out) {
    if (auto v = m.get(key)) {
      if (auto n = v->integer(min, 100000)) {
        out = static_cast<int>(*n);
      } else {
        good = false;
      }
    }
  };
  auto path = [&](const char* key, JsonPath& out) {
    if (auto v = m.get(key)) {
      if (auto jp = readJsonPath(*v)) {
        out = std::move(*jp);
      } else {
        good = false;
      }
    }
  };
  switch (p.kind) {
    case Pagination::Kind::page:
      param("page_param", p.page_param);
      param("per_page_param", p.per_page_param);
      count("per_page", 1, p.per_page);
      count("start", 0, p.start);
      path("total_pages", p.total_pages);
      break;
    case Pagination::Kind::offset:
      param("offset_param", p.offset_param);
      param("limit_param", p.limit_param);
      count("limit", 1, p.limit);
      break;
    case Pagination::Kind::cursor:
      param("cursor_param", p.cursor_param);
      path("next_cursor", p.next_cursor);
      if (!m.has("next_cursor")) {
        m.missing("next_cursor", "cursor pagination needs next_cursor (the path of the next cursor in the response)");
        good = false;
      } else if (p.next_cursor.isRoot() && good) {
        m.problemAt("next_cursor", "must name a member of the response, not the whole response");
        good = false;
      }
      break;
    case Pagination::Kind::none:
    case Pagination::Kind::link: break;
  }
  if (!good) return std::nullopt;
  return p;
}

}  // namespace snapq::config
