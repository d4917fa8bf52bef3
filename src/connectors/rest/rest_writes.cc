// The rest connector's writes: create, update and custom actions, and how
// each finds the object as it is afterwards (WriteSpec::returns).
#include "config/json_path.h"
#include "connectors/rest/rest_connector_impl.h"
#include "connectors/rest/url.h"

namespace snapq::rest {

using nlohmann::json;

namespace {

const WriteSpec* writeSpec(const ResourceSpec& r, WriteKind kind, const std::string& name) {
  switch (kind) {
    case WriteKind::create: return r.create ? &*r.create : nullptr;
    case WriteKind::update: return r.update ? &*r.update : nullptr;
    case WriteKind::action:
      for (const WriteSpec& a : r.actions) {
        if (a.name == name) return &a;
      }
      return nullptr;
  }
  return nullptr;
}

// The write itself went through: every later failure says so, so that a
// person (and the job's history) knows the remote side has changed.
RemoteError afterSuccess(const std::string& what, RemoteError error) {
  error.message = what + " succeeded, but " + error.message;
  return error;
}

RemoteError plainRejection(std::string message) {
  RemoteError error;
  error.kind = RemoteError::Kind::rejected;
  error.message = std::move(message);
  return error;
}

}  // namespace

RemoteResult<json> RestConnector::create(const ObjectRef& object) {
  return guarded<json>(payloadSecrets(object), [&] { return write(WriteKind::create, "create", object); });
}

RemoteResult<json> RestConnector::update(const ObjectRef& object) {
  return guarded<json>(payloadSecrets(object), [&] { return write(WriteKind::update, "update", object); });
}

RemoteResult<json> RestConnector::action(const std::string& name, const ObjectRef& object) {
  return guarded<json>(payloadSecrets(object), [&] { return write(WriteKind::action, name, object); });
}

RemoteResult<json> RestConnector::write(WriteKind kind, const std::string& name, const ObjectRef& object) {
  RemoteResult<const ResourceSpec*> resource = findResource(object.resource);
  if (!resource) return resource.error();
  const ResourceSpec& r = **resource;
  const WriteSpec* w = writeSpec(r, kind, name);
  if (w == nullptr || !w->request) {
    return rejected(name + " " + r.name, kind == WriteKind::action ? "the resource has no action '" + name + "'"
                                                                   : "the resource has no " + name + " request");
  }
  const Variables vars(r, object);
  RemoteResult<Prepared> prepared = prepare(*w->request, vars);
  if (!prepared) return prepared.error();
  const Prepared& p = *prepared;
  RemoteResult<net::ClientResponse> response = exchange(p);
  if (!response) return response.error();
  if (!isSuccess(*w->request, response->status)) {
    RemoteError error = statusError(p.what, *response, clock_.now());
    // A create's 404 is a wrong path (or a gone scope), not a missing object.
    if (kind == WriteKind::create && error.kind == RemoteError::Kind::not_found)
      error.kind = RemoteError::Kind::rejected;
    return error;
  }

  json answered = parseBody(response->body);
  if (answered.is_discarded()) answered = nullptr;
  if (w->returns == WriteReturns::object && !answered.is_null()) {
    const json* item = findAt(answered, w->item);
    if (item != nullptr && !item->is_null()) return *item;
  } else if (w->returns == WriteReturns::location) {
    if (auto location = response->headers.get("Location"); location && !location->empty()) {
      return readLocation(r, resolveUrl(p.url, *location), p.what);
    }
  }
  // returns: none, or the answer lacks what returns promised: read the object back.
  return readBack(r, *w, kind, object, answered, p.what);
}

RemoteResult<json> RestConnector::readLocation(const ResourceSpec& r, const std::string& url, const std::string& what) {
  RemoteResult<Prepared> prepared = prepareUrl(url, "Location header");
  if (!prepared) return afterSuccess(what, prepared.error());
  RemoteResult<net::ClientResponse> response = exchange(*prepared);
  if (!response) return afterSuccess(what, response.error());
  if (response->status < 200 || response->status >= 300) {
    return afterSuccess(what, statusError(prepared->what, *response, clock_.now()));
  }
  const json body = parseBody(response->body);
  // The Location names the object's URL, which answers as the get does.
  const JsonPath item = r.get ? r.get->item : JsonPath{};
  const json* found = body.is_discarded() ? nullptr : findAt(body, item);
  if (found == nullptr || found->is_null()) {
    const std::string at = item.isRoot() ? "" : " at '" + item.text + "'";
    return afterSuccess(what, rejected(prepared->what, "its Location answered no object" + at, response->status));
  }
  return *found;
}

RemoteResult<json> RestConnector::readBack(const ResourceSpec& r, const WriteSpec& w, WriteKind kind,
                                           const ObjectRef& object, const json& answered, const std::string& what) {
  ObjectRef ref = object;
  if (ref.key.empty()) ref.key = keyFromValues(r, object).value_or("");
  // An action's result is optional: nothing to read it with is not a failure.
  if (kind == WriteKind::action && (!r.get || ref.key.empty())) return json(nullptr);
  if (kind == WriteKind::create && ref.key.empty()) {
    if (w.returns == WriteReturns::none && answered.is_object()) return answered;
    const std::string lacking = w.returns == WriteReturns::object ? "its answer has nothing at '" + w.item.text + "'"
                                : w.returns == WriteReturns::location ? "it sent no Location header"
                                                                      : "it did not answer with the object";
    return afterSuccess(what, plainRejection("the service chose the object's key and " + lacking +
                                             "; the create needs returns: object (with item) or returns: location"));
  }
  if (!r.get) {
    return afterSuccess(what, plainRejection("the resource has no get request to read the object back; the " + w.name +
                                             " needs returns: object"));
  }
  RemoteResult<std::optional<json>> got = getObject(r, ref);
  if (!got) {
    RemoteError error = got.error();
    error.message = "reading the object back failed: " + error.message;
    return afterSuccess(what, std::move(error));
  }
  if (!*got) {
    RemoteError error;
    error.kind = RemoteError::Kind::not_found;
    error.message = "reading the object back found nothing";
    return afterSuccess(what, std::move(error));
  }
  return std::move(**got);
}

}  // namespace snapq::rest
