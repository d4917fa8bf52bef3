// The rest connector's requests, listing, reading and deleting; the writes
// are in rest_writes.cc.
#include "connectors/rest/rest_connector.h"

#include <algorithm>

#include "config/json_path.h"
#include "connectors/rest/pagination.h"
#include "connectors/rest/rest_connector_impl.h"
#include "connectors/rest/url.h"
#include "core/metrics.h"
#include "net/http_message.h"

namespace snapq {

std::unique_ptr<Connector> makeRestConnector(const ServiceSpec& service, const InstanceSpec& instance,
                                             RestOptions options) {
  return std::make_unique<rest::RestConnector>(service, instance, std::move(options));
}

namespace rest {

using nlohmann::json;

namespace {

// Every answer the service gives (and every request that got none) is
// counted for GET /metrics, whatever the call then makes of it.
void countAnswer(const std::string& service, const std::string& instance, std::string code) {
  static metrics::Counter& answers = metrics::Registry::global().counter(
      "snapq_external_requests_total",
      "Requests the rest connector sent to external services, by the HTTP status of the answer (\"error\": none "
      "came: connection, TLS or timeout failure).",
      {"service", "instance", "code"});
  answers.add({service, instance, std::move(code)});
}

}  // namespace

bool isSuccess(const RequestSpec& spec, int status) {
  if (spec.success.empty()) return status >= 200 && status < 300;
  return std::find(spec.success.begin(), spec.success.end(), status) != spec.success.end();
}

json parseBody(const std::string& body) {
  if (body.find_first_not_of(" \t\r\n") == std::string::npos) return nullptr;
  return json::parse(body, nullptr, false);
}

RestConnector::RestConnector(const ServiceSpec& service, const InstanceSpec& instance, RestOptions options)
    : service_(service),
      instance_(instance),
      clock_(options.clock),
      auth_(instance_, clock_, redactor_),
      pool_(std::move(options.http)) {}

RemoteResult<const ResourceSpec*> RestConnector::findResource(const std::string& name) const {
  const ResourceSpec* resource = service_.resource(name);
  if (resource == nullptr) {
    RemoteError error;
    error.kind = RemoteError::Kind::rejected;
    error.message = "service " + service_.name + " has no resource '" + name + "'";
    return error;
  }
  return resource;
}

std::vector<std::string> RestConnector::payloadSecrets(const ObjectRef& object) const {
  const ResourceSpec* resource = service_.resource(object.resource);
  return resource == nullptr ? std::vector<std::string>() : writeOnlyValues(*resource, object.payload);
}

RemoteResult<Prepared> RestConnector::prepare(const RequestSpec& spec, const Variables& vars,
                                              const std::vector<std::pair<std::string, std::string>>& extra) const {
  Prepared p;
  p.method = httpMethodName(spec.method);
  const std::string template_what = p.method + " " + spec.path.text;
  Result<std::string> path = renderText(spec.path, vars, /*segments=*/true);
  if (!path) return rejected(template_what, "cannot build the request: " + path.status().message());
  Result<std::string> query = renderQuery(spec.query, vars);
  if (!query) return rejected(template_what, "cannot build the request: " + query.status().message());
  std::string query_text = std::move(query).value();
  for (const auto& [name, value] : extra) {
    if (!query_text.empty()) query_text += '&';
    query_text += net::percentEncode(name) + "=" + net::percentEncode(value);
  }
  p.url = instance_.base_url + *path + (query_text.empty() ? "" : "?" + query_text);
  p.what = p.method + " " + pathOf(p.url);
  if (!spec.body.empty()) {
    Result<nlohmann::ordered_json> body = renderBody(spec.body, vars);
    if (!body) return rejected(p.what, "cannot build the request body: " + body.status().message());
    if (spec.encoding == BodyEncoding::form) {
      p.body = formEncode(*body);
      p.content_type = "application/x-www-form-urlencoded";
    } else {
      p.body = body->dump(-1, ' ', false, json::error_handler_t::replace);
      p.content_type = "application/json";
    }
  }
  return p;
}

RemoteResult<Prepared> RestConnector::prepareUrl(const std::string& url, const std::string& named_by) const {
  Prepared p;
  p.method = "GET";
  p.url = url;
  p.what = "GET " + pathOf(url);
  if (!sameOrigin(url, instance_.base_url)) {
    const std::string origin = originOf(url);
    return rejected(p.what, "the " + named_by + " names " + (origin.empty() ? std::string("no http(s) URL") : origin) +
                                ", not the service's " + originOf(instance_.base_url) +
                                "; snapq does not send the service's credentials elsewhere");
  }
  return p;
}

RemoteResult<net::ClientResponse> RestConnector::exchange(const Prepared& p) {
  ClientPool::Lease client = pool_.acquire();
  for (int attempt = 0;; ++attempt) {
    net::ClientRequest request;
    request.method = p.method;
    request.url = p.url;
    request.body = p.body;
    request.timeout = instance_.policy.timeout;
    request.headers.set("Accept", "application/json");
    for (const HeaderSpec& h : instance_.headers) request.headers.set(h.name, h.value.reveal());
    if (!p.content_type.empty()) request.headers.set("Content-Type", p.content_type);
    RemoteResult<Auth::Applied> applied = auth_.apply(request.headers, *client);
    if (!applied) return applied.error();
    Result<net::ClientResponse> response = client->send(request);
    countAnswer(service_.name, instance_.name, response ? std::to_string(response->status) : "error");
    if (!response) return transportError(p.what, response.status());
    // A cached token may have been revoked before its time: one fresh token, one more try.
    if (response->status == 401 && attempt == 0 && auth_.refreshes() && applied->cached) {
      auth_.reject(applied->token);
      continue;
    }
    return std::move(response).value();
  }
}

RemoteResult<Page> RestConnector::list(const std::string& resource, const Scope& scope, const std::string& cursor) {
  return guarded<Page>({}, [&] { return listPage(resource, scope, cursor); });
}

RemoteResult<Page> RestConnector::listPage(const std::string& name, const Scope& scope, const std::string& cursor) {
  RemoteResult<const ResourceSpec*> resource = findResource(name);
  if (!resource) return resource.error();
  if (!(*resource)->list) return rejected("list " + name, "the resource has no list request");
  const ListSpec& spec = *(*resource)->list;
  const Variables vars(**resource, scope);

  Result<PageRequest> page = pageRequest(spec.pagination, cursor);
  if (!page) return rejected("list " + name, page.status().message());
  RemoteResult<Prepared> prepared = page->url ? prepareUrl(*page->url, "cursor (a Link header's next page)")
                                              : prepare(spec.request, vars, page->params);
  if (!prepared) return prepared.error();
  const Prepared& p = *prepared;
  RemoteResult<net::ClientResponse> response = exchange(p);
  if (!response) return response.error();
  if (!isSuccess(spec.request, response->status)) return statusError(p.what, *response, clock_.now());

  const json body = parseBody(response->body);
  if (body.is_discarded()) {
    return rejected(p.what, "the answer is not JSON: " + serviceReason(response->body), response->status);
  }
  const json* items = findAt(body, spec.items);
  if (items == nullptr || !items->is_array()) {
    const std::string where =
        spec.items.isRoot() ? "the answer to be a JSON array" : "an array at '" + spec.items.text + "'";
    const std::string found = items == nullptr ? "nothing there" : std::string("a JSON ") + items->type_name();
    return rejected(p.what, "expected " + where + " (the list's items), found " + found, response->status);
  }
  Result<std::optional<std::string>> next =
      nextCursor(spec.pagination, cursor, PageAnswer{body, items->size(), response->headers, p.url});
  if (!next) return rejected(p.what, next.status().message(), response->status);
  Page out;
  out.objects.assign(items->begin(), items->end());
  out.next_cursor = std::move(next).value();
  return out;
}

RemoteResult<std::optional<json>> RestConnector::get(const ObjectRef& object) {
  return guarded<std::optional<json>>(payloadSecrets(object), [&]() -> RemoteResult<std::optional<json>> {
    RemoteResult<const ResourceSpec*> resource = findResource(object.resource);
    if (!resource) return resource.error();
    return getObject(**resource, object);
  });
}

RemoteResult<std::optional<json>> RestConnector::getObject(const ResourceSpec& resource, const ObjectRef& object) {
  if (!resource.get) return rejected("get " + resource.name, "the resource has no get request");
  const Variables vars(resource, object);
  RemoteResult<Prepared> prepared = prepare(resource.get->request, vars);
  if (!prepared) return prepared.error();
  RemoteResult<net::ClientResponse> response = exchange(*prepared);
  if (!response) return response.error();
  if (response->status == 404 || response->status == 410) return std::optional<json>();
  if (!isSuccess(resource.get->request, response->status)) {
    return statusError(prepared->what, *response, clock_.now());
  }
  const json body = parseBody(response->body);
  if (body.is_discarded()) {
    return rejected(prepared->what, "the answer is not JSON: " + serviceReason(response->body), response->status);
  }
  const json* item = findAt(body, resource.get->item);
  if (item == nullptr || item->is_null()) return std::optional<json>();
  return std::optional<json>(*item);
}

RemoteResult<Done> RestConnector::remove(const ObjectRef& object) {
  return guarded<Done>(payloadSecrets(object), [&] { return removeObject(object); });
}

RemoteResult<Done> RestConnector::removeObject(const ObjectRef& object) {
  RemoteResult<const ResourceSpec*> resource = findResource(object.resource);
  if (!resource) return resource.error();
  const ResourceSpec& r = **resource;
  if (!r.remove || !r.remove->request) return rejected("delete " + r.name, "the resource has no delete request");
  const Variables vars(r, object);
  RemoteResult<Prepared> prepared = prepare(*r.remove->request, vars);
  if (!prepared) return prepared.error();
  RemoteResult<net::ClientResponse> response = exchange(*prepared);
  if (!response) return response.error();
  // Already gone is what a delete wants.
  if (response->status == 404 || response->status == 410) return Done{};
  if (!isSuccess(*r.remove->request, response->status)) return statusError(prepared->what, *response, clock_.now());
  return Done{};
}

}  // namespace rest
}  // namespace snapq
