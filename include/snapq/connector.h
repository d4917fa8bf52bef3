// The one interface through which snapq talks to an external service. The
// declarative `rest` connector implements it from the config file; a library
// user implements it in C++ for anything else and registers it by name.
//
// Calls are synchronous and made from worker threads; a connector instance
// serves one service instance (one base URL, one credential) and may be
// called from several threads at once.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "snapq/clock.h"

namespace snapq {

// How a remote call failed; the kind decides what the job does next.
struct RemoteError {
  enum class Kind {
    retryable,     // network error, timeout, 5xx: try again after the retry policy's wait
    rate_limited,  // 429 or the provider's limit headers: wait `retry_after`, no attempt charged
    not_found,     // the object does not exist (a get of a deleted object, an update of a gone one)
    rejected,      // 4xx validation: will not succeed by retrying; `message` is the service's reason
  };
  Kind kind = Kind::retryable;
  std::string message;  // for a person; never holds credentials
  Duration retry_after{0};
  int http_status = 0;  // 0 when there was no HTTP answer
};

template <typename T>
class RemoteResult {
 public:
  RemoteResult(T value) : v_(std::move(value)) {}            // NOLINT(google-explicit-constructor)
  RemoteResult(RemoteError error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)
  bool isOk() const { return v_.index() == 0; }
  explicit operator bool() const { return isOk(); }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  T* operator->() { return &std::get<0>(v_); }
  T& operator*() { return std::get<0>(v_); }
  const RemoteError& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, RemoteError> v_;
};

struct Done {};  // the value of a call that returns nothing (a delete)

// The values a scoped resource's paths are built from, e.g. {"zone_id": "example.test."}.
using Scope = std::map<std::string, std::string>;

struct Page {
  std::vector<nlohmann::json> objects;     // remote objects as the service returns them
  std::optional<std::string> next_cursor;  // absent on the last page
};

// The object a get, a write or an action concerns. Templates of the `rest`
// connector take their variables from here (resource_spec.h, "Rendering").
struct ObjectRef {
  std::string resource;
  Scope scope;
  std::string key;  // empty for a create whose key the service chooses
  // The object's declared field values: for a get or delete the snapshot row's
  // values; for a create the payload; for an update or an action the row's
  // values overlaid with the payload (the object as it should be afterwards).
  nlohmann::json values = nlohmann::json::object();
  // What the caller sent for a write, including write-only fields (a password);
  // `{$payload}` in a request body renders this.
  nlohmann::json payload = nlohmann::json::object();
};

class Connector {
 public:
  virtual ~Connector() = default;

  // One page of a resource's objects; `cursor` is empty for the first page.
  virtual RemoteResult<Page> list(const std::string& resource, const Scope& scope, const std::string& cursor) = 0;
  // The object; nullopt when it does not exist.
  virtual RemoteResult<std::optional<nlohmann::json>> get(const ObjectRef& object) = 0;
  // Each write returns the remote object as it is afterwards (read back when
  // the service's answer does not carry it).
  virtual RemoteResult<nlohmann::json> create(const ObjectRef& object) = 0;
  virtual RemoteResult<nlohmann::json> update(const ObjectRef& object) = 0;
  virtual RemoteResult<Done> remove(const ObjectRef& object) = 0;
  // A custom action by name (e.g. "suspend"); returns the object as it is
  // afterwards when the service says (null when it does not).
  virtual RemoteResult<nlohmann::json> action(const std::string& name, const ObjectRef& object) = 0;
};

}  // namespace snapq
