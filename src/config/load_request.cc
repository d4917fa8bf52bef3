// The requests of the rest connector: list (with pagination), get, and the
// writes, with every template checked against the variables it may use.
#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "config/loader.h"

namespace snapq::config {
namespace {

std::optional<std::vector<int>> readStatuses(const Value& v) {
  std::vector<Value> items;
  if (v.isSequence()) {
    items = *v.items();
  } else {
    items.push_back(v);
  }
  std::vector<int> out;
  bool good = true;
  for (const Value& item : items) {
    auto n = item.integer(100, 599);
    if (n) out.push_back(static_cast<int>(*n));
    good = good && n.has_value();
  }
  if (!good) return std::nullopt;
  if (out.empty()) v.problem("lists no status");
  return out;
}

const std::vector<std::string> kRequestKeys = {"method", "path", "query", "body", "encoding", "success"};

std::vector<std::string> withRequestKeys(std::vector<std::string> extra, bool body) {
  std::vector<std::string> keys = kRequestKeys;
  if (!body) {
    keys.erase(std::remove(keys.begin(), keys.end(), "body"), keys.end());
    keys.erase(std::remove(keys.begin(), keys.end(), "encoding"), keys.end());
  }
  keys.insert(keys.end(), extra.begin(), extra.end());
  return keys;
}

// The request part of a list/get/write mapping (or of a bare path string).
std::optional<RequestSpec> readRequest(const Value& node, const MapReader* m, HttpMethod default_method,
                                       const Variables& vars, const Variables& body_vars) {
  RequestSpec request;
  request.method = default_method;
  bool good = true;
  auto path_value = m != nullptr ? m->get("path") : std::optional<Value>(node);
  if (!path_value) {
    m->missing("path", "needs a path (appended to the instance's base_url)");
    return std::nullopt;
  }
  if (auto t = readTemplate(*path_value, vars)) {
    if (!t->text.starts_with("/")) {
      path_value->problem(path_value->quoted() + " must start with /");
      good = false;
    } else if (t->text.find('?') != std::string::npos) {
      path_value->problem("put query parameters under query:, not in the path");
      good = false;
    }
    request.path = std::move(*t);
  } else {
    good = false;
  }
  if (m == nullptr) return good ? std::optional(request) : std::nullopt;

  if (auto v = m->get("method")) {
    static const std::vector<std::string> methods = {"GET", "POST", "PUT", "PATCH", "DELETE"};
    if (auto name = v->oneOf(methods)) {
      request.method = static_cast<HttpMethod>(std::find(methods.begin(), methods.end(), *name) - methods.begin());
    } else {
      good = false;
    }
  }
  if (auto v = m->get("query")) {
    for (const NamedValue& param : namedEntries(*v)) {
      auto t = readTemplate(param.value, vars);
      if (t) request.query.push_back({param.name, std::move(*t)});
      good = good && t.has_value();
    }
  }
  if (auto v = m->get("body")) {
    if (request.method == HttpMethod::get) {
      v->problem("a GET request cannot have a body");
      good = false;
    } else if (auto body = readBodyValue(*v, body_vars, good)) {
      request.body = body->dump();
    }
  }
  if (auto v = m->get("encoding")) {
    if (auto e = v->oneOf({"json", "form"})) {
      request.encoding = *e == "json" ? BodyEncoding::json : BodyEncoding::form;
      if (request.encoding == BodyEncoding::form && !request.body.empty()) {
        const auto body = nlohmann::json::parse(request.body);
        const bool flat = body.is_object() && std::none_of(body.begin(), body.end(), [](const auto& member) {
                            return member.is_object() || member.is_array();
                          });
        const bool whole_payload = body == std::string("{") + std::string(kPayloadVariable) + "}";
        if (!flat && !whole_payload) {
          m->problemAt("body", "a form-encoded body must be a mapping of plain values (or \"{$payload}\")");
          good = false;
        }
      }
    } else {
      good = false;
    }
  }
  if (auto v = m->get("success")) {
    if (!v->isSequence() && !v->isScalar()) {
      v->problem("must be a status or a list of statuses");
      good = false;
    } else if (auto statuses = readStatuses(*v)) {
      request.success = std::move(*statuses);
    } else {
      good = false;
    }
  }
  if (!good) return std::nullopt;
  return request;
}

std::string defaultLabel(const std::string& name) {
  std::string label = name;
  std::replace(label.begin(), label.end(), '_', ' ');
  if (!label.empty()) label[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(label[0])));
  return label;
}

HttpMethod defaultMethod(const std::string& write) {
  if (write == "update") return HttpMethod::patch;
  if (write == "delete") return HttpMethod::delete_;
  return HttpMethod::post;
}

}  // namespace

std::optional<ListSpec> readList(const Value& node, const Variables& vars) {
  ListSpec list;
  if (node.isScalar()) {
    auto request = readRequest(node, nullptr, HttpMethod::get, vars, vars);
    if (!request) return std::nullopt;
    list.request = std::move(*request);
    return list;
  }
  MapReader m(node, withRequestKeys({"items", "pagination"}, true));
  if (!m.ok()) return std::nullopt;
  auto request = readRequest(node, &m, HttpMethod::get, vars, vars);
  bool good = request.has_value();
  if (request) list.request = std::move(*request);
  if (auto v = m.get("items")) {
    auto path = readJsonPath(*v);
    if (path) list.items = std::move(*path);
    good = good && path.has_value();
  }
  if (auto v = m.get("pagination"); v && request) {
    auto p = readPagination(*v, list.request);
    if (p) list.pagination = std::move(*p);
    good = good && p.has_value();
  }
  if (!good) return std::nullopt;
  return list;
}

std::optional<GetSpec> readGet(const Value& node, const Variables& vars) {
  GetSpec get;
  if (node.isScalar()) {
    auto request = readRequest(node, nullptr, HttpMethod::get, vars, vars);
    if (!request) return std::nullopt;
    get.request = std::move(*request);
    return get;
  }
  MapReader m(node, withRequestKeys({"item"}, false));
  if (!m.ok()) return std::nullopt;
  auto request = readRequest(node, &m, HttpMethod::get, vars, vars);
  bool good = request.has_value();
  if (request) get.request = std::move(*request);
  if (auto v = m.get("item")) {
    auto path = readJsonPath(*v);
    if (path) get.item = std::move(*path);
    good = good && path.has_value();
  }
  if (!good) return std::nullopt;
  return get;
}

std::optional<WriteSpec> readWrite(const Value& node, const std::string& name, const Variables& vars, bool rest) {
  WriteSpec write;
  write.name = name;
  write.label = defaultLabel(name);
  Variables body_vars = vars;
  body_vars.names.emplace_back(kPayloadVariable);
  if (node.isScalar()) {
    if (!rest) {
      node.problem("a request (here a path) is only for the rest connector");
      return std::nullopt;
    }
    auto request = readRequest(node, nullptr, defaultMethod(name), vars, body_vars);
    if (!request) return std::nullopt;
    write.request = std::move(*request);
    return write;
  }
  std::vector<std::string> keys = withRequestKeys({"returns", "item", "conflict", "label"}, true);
  MapReader m(node, keys);
  if (!m.ok()) return std::nullopt;
  bool good = true;
  if (auto v = m.get("label")) {
    if (auto label = v->text(); label && !label->empty()) {
      write.label = *label;
    } else {
      if (label) v->problem("is empty");
      good = false;
    }
  }
  if (auto v = m.get("conflict")) {
    if (auto strategy = v->oneOf({"conflict", "last_write_wins"})) {
      write.conflict = *strategy == "conflict" ? ConflictStrategy::conflict : ConflictStrategy::last_write_wins;
    } else {
      good = false;
    }
  }
  const bool has_request =
      std::any_of(kRequestKeys.begin(), kRequestKeys.end(), [&](const std::string& k) { return m.has(k); }) ||
      m.has("returns") || m.has("item");
  if (!rest) {
    if (has_request) {
      m.problem("requests (method, path, query, body, returns, ...) are only for the rest connector");
      return std::nullopt;
    }
    if (!good) return std::nullopt;
    return write;
  }
  auto request = readRequest(node, &m, defaultMethod(name), vars, body_vars);
  if (request) {
    write.request = std::move(*request);
  } else {
    good = false;
  }
  if (auto v = m.get("returns")) {
    if (auto r = v->oneOf({"none", "object", "location"})) {
      write.returns = *r == "none"     ? WriteReturns::none
                      : *r == "object" ? WriteReturns::object
                                       : WriteReturns::location;
    } else {
      good = false;
    }
  }
  if (auto v = m.get("item")) {
    if (write.returns != WriteReturns::object) {
      v->problem("is only used with returns: object");
      good = false;
    } else if (auto path = readJsonPath(*v)) {
      write.item = std::move(*path);
    } else {
      good = false;
    }
  }
  if (!good) return std::nullopt;
  return write;
}

}  // namespace snapq::config
