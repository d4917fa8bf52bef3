// The simulated service's paths:
//   /v1/accounts[/{id}], /v1/zones[/{id}], /v1/zones/{zone_id}/records[/{id}]
//   collections: GET (page, per_page) and POST; objects: GET, PATCH, DELETE
//   /_sim/chaos (GET, POST), /_sim/drift (POST), /_sim/stats (GET, DELETE)
#include <charconv>

#include "connectors/sim/sim_server.h"

namespace snapq::sim {
namespace {

using nlohmann::json;

std::optional<int64_t> parseId(std::string_view text) {
  int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value <= 0) return std::nullopt;
  return value;
}

Reply badRequest(std::string message) { return errorReply(400, "bad_request", std::move(message)); }

Reply methodNotAllowed(const std::string& method, const char* allowed) {
  Reply r = errorReply(405, "method_not_allowed", method + " is not allowed here; allowed: " + allowed);
  r.body["error"]["details"] = {{"allow", allowed}};
  return r;
}

// Page parameters: positive integers; per_page capped at kMaxPerPage.
std::optional<Reply> pageParams(const net::QueryParams& query, int64_t& page, int64_t& per_page) {
  page = 1;
  per_page = kDefaultPerPage;
  if (auto p = query.get("page")) {
    auto v = parseId(*p);
    if (!v) return badRequest("page must be a positive integer");
    page = *v;
  }
  if (auto p = query.get("per_page")) {
    auto v = parseId(*p);
    if (!v) return badRequest("per_page must be a positive integer");
    per_page = std::min(*v, kMaxPerPage);
  }
  return std::nullopt;
}

// The request body as a JSON object, or the 400 to answer.
std::optional<Reply> objectBody(const std::string& body, json& out) {
  out = json::parse(body, nullptr, false);
  if (out.is_discarded() || !out.is_object()) return badRequest("the request body must be a JSON object");
  return std::nullopt;
}

}  // namespace

Reply SimServer::route(const net::HttpRequest& req, const std::vector<std::string>& seg, bool empty_lists) {
  // seg[0] == "v1"
  std::optional<Kind> kind;
  std::optional<int64_t> zone_id;
  std::optional<std::string> id_text;
  if (seg.size() >= 2 && seg.size() <= 3 && (seg[1] == "accounts" || seg[1] == "zones")) {
    kind = kindFromName(seg[1]);
    if (seg.size() == 3) id_text = seg[2];
  } else if (seg.size() >= 4 && seg.size() <= 5 && seg[1] == "zones" && seg[3] == "records") {
    kind = Kind::records;
    zone_id = parseId(seg[2]);
    if (!zone_id) return errorReply(404, "not_found", "zone " + seg[2] + " does not exist");
    if (seg.size() == 5) id_text = seg[4];
  }
  if (!kind) return errorReply(404, "not_found", "no such path: " + req.path);

  json body;
  if (!id_text) {
    if (req.method == "GET") {
      int64_t page = 0, per_page = 0;
      if (auto bad = pageParams(req.query, page, per_page)) return *bad;
      return store_.list(*kind, zone_id, page, per_page, empty_lists);
    }
    if (req.method == "POST") {
      if (auto bad = objectBody(req.body, body)) return *bad;
      return store_.create(*kind, zone_id, body);
    }
    return methodNotAllowed(req.method, "GET, POST");
  }

  const std::optional<int64_t> id = parseId(*id_text);
  if (!id) return errorReply(404, "not_found", std::string(kindName(*kind)) + " " + *id_text + " does not exist");
  if (req.method == "GET") return store_.get(*kind, zone_id, *id);
  if (req.method == "PATCH") {
    if (auto bad = objectBody(req.body, body)) return *bad;
    return store_.update(*kind, zone_id, *id, body);
  }
  if (req.method == "DELETE") return store_.remove(*kind, zone_id, *id);
  return methodNotAllowed(req.method, "GET, PATCH, DELETE");
}

Reply SimServer::control(const net::HttpRequest& req, const std::vector<std::string>& seg) {
  const std::string what = seg.size() == 2 ? seg[1] : "";
  json body;
  if (what == "stats") {
    if (req.method == "GET") return {200, stats()};
    if (req.method == "DELETE") {
      traffic_.resetStats();
      store_.resetCounters();
      return {204, nullptr};
    }
    return methodNotAllowed(req.method, "GET, DELETE");
  }
  if (what == "chaos") {
    if (req.method == "POST") {
      if (auto bad = objectBody(req.body, body)) return *bad;
      if (json errors = traffic_.updateChaos(body); !errors.empty()) {
        return errorReply(422, "validation_failed", "invalid chaos settings", std::move(errors));
      }
    } else if (req.method != "GET") {
      return methodNotAllowed(req.method, "GET, POST");
    }
    return {200, toJson(traffic_.chaos())};
  }
  if (what == "drift") {
    if (req.method != "POST") return methodNotAllowed(req.method, "POST");
    if (auto bad = objectBody(req.body, body)) return *bad;
    json errors = json::object();
    const std::optional<Kind> kind = body.contains("resource") && body["resource"].is_string()
                                         ? kindFromName(body["resource"].get<std::string>())
                                         : std::nullopt;
    if (!kind) errors["resource"] = "must be accounts, zones or records";
    std::optional<int64_t> id;
    if (body.contains("id") && body["id"].is_number_integer()) id = body["id"].get<int64_t>();
    if (body.contains("id") && body["id"].is_string()) id = parseId(body["id"].get<std::string>());
    if (!id || *id <= 0) errors["id"] = "must be a positive integer";
    if (!body.contains("changes") || !body["changes"].is_object()) errors["changes"] = "must be an object";
    if (!errors.empty()) return errorReply(422, "validation_failed", "invalid drift request", std::move(errors));
    return store_.drift(*kind, *id, body["changes"]);
  }
  return errorReply(404, "not_found", "no such control endpoint: " + req.path);
}

}  // namespace snapq::sim
