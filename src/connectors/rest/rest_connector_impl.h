// The rest connector's class, shared by rest_connector.cc (requests, list,
// get, delete) and rest_writes.cc (create, update, actions, read-backs).
#pragma once

#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "connectors/rest/auth.h"
#include "connectors/rest/errors.h"
#include "connectors/rest/render.h"
#include "connectors/rest/rest_connector.h"
#include "net/http_client.h"

namespace snapq::rest {

// HTTP clients lent to one call at a time: a client is thread-compatible, and
// keeping it (with its open connections) for the next call saves the set-up.
// Grows to the number of calls running at once.
class ClientPool {
 public:
  explicit ClientPool(net::HttpClientOptions options) : options_(std::move(options)) {}

  class Lease {
   public:
    Lease(ClientPool& pool, std::unique_ptr<net::HttpClient> client) : pool_(pool), client_(std::move(client)) {}
    ~Lease() { pool_.release(std::move(client_)); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    net::HttpClient& operator*() { return *client_; }
    net::HttpClient* operator->() { return client_.get(); }

   private:
    ClientPool& pool_;
    std::unique_ptr<net::HttpClient> client_;
  };

  Lease acquire() {
    std::lock_guard lock(mu_);
    if (idle_.empty()) return Lease(*this, std::make_unique<net::HttpClient>(options_));
    std::unique_ptr<net::HttpClient> client = std::move(idle_.back());
    idle_.pop_back();
    return Lease(*this, std::move(client));
  }

 private:
  void release(std::unique_ptr<net::HttpClient> client) {
    std::lock_guard lock(mu_);
    idle_.push_back(std::move(client));
  }

  net::HttpClientOptions options_;
  std::mutex mu_;
  std::vector<std::unique_ptr<net::HttpClient>> idle_;
};

// One request, rendered and ready to send.
struct Prepared {
  std::string method;
  std::string url;
  std::string body;
  std::string content_type;  // empty without a body
  std::string what;          // "GET /v1/accounts/42": how messages name it (never the query)
};

enum class WriteKind { create, update, action };

class RestConnector final : public Connector {
 public:
  RestConnector(const ServiceSpec& service, const InstanceSpec& instance, RestOptions options);

  RemoteResult<Page> list(const std::string& resource, const Scope& scope, const std::string& cursor) override;
  RemoteResult<std::optional<nlohmann::json>> get(const ObjectRef& object) override;
  RemoteResult<nlohmann::json> create(const ObjectRef& object) override;
  RemoteResult<nlohmann::json> update(const ObjectRef& object) override;
  RemoteResult<Done> remove(const ObjectRef& object) override;
  RemoteResult<nlohmann::json> action(const std::string& name, const ObjectRef& object) override;

 private:
  // Runs one public call: errors leave with credentials (and the payload's
  // write-only values) redacted, and no exception escapes.
  template <typename T, typename F>
  RemoteResult<T> guarded(const std::vector<std::string>& secrets, F&& call);

  RemoteResult<const ResourceSpec*> findResource(const std::string& name) const;
  std::vector<std::string> payloadSecrets(const ObjectRef& object) const;
  RemoteResult<Prepared> prepare(const RequestSpec& spec, const Variables& vars,
                                 const std::vector<std::pair<std::string, std::string>>& extra_query = {}) const;
  // A GET of a URL the service named (Link, Location): only on the base URL's origin.
  RemoteResult<Prepared> prepareUrl(const std::string& url, const std::string& named_by) const;
  // Sends with credentials; a 401 to a cached OAuth2 token fetches a new one and sends once more.
  RemoteResult<net::ClientResponse> exchange(const Prepared& prepared);

  RemoteResult<Page> listPage(const std::string& resource, const Scope& scope, const std::string& cursor);
  RemoteResult<std::optional<nlohmann::json>> getObject(const ResourceSpec& resource, const ObjectRef& object);
  RemoteResult<Done> removeObject(const ObjectRef& object);

  // rest_writes.cc
  RemoteResult<nlohmann::json> write(WriteKind kind, const std::string& name, const ObjectRef& object);
  RemoteResult<nlohmann::json> readLocation(const ResourceSpec& resource, const std::string& url,
                                            const std::string& what);
  RemoteResult<nlohmann::json> readBack(const ResourceSpec& resource, const WriteSpec& write, WriteKind kind,
                                        const ObjectRef& object, const nlohmann::json& answered,
                                        const std::string& what);

  ServiceSpec service_;
  InstanceSpec instance_;
  const Clock& clock_;
  Redactor redactor_;
  Auth auth_;
  ClientPool pool_;
};

template <typename T, typename F>
RemoteResult<T> RestConnector::guarded(const std::vector<std::string>& secrets, F&& call) {
  try {
    RemoteResult<T> result = call();
    if (result.isOk()) return result;
    RemoteError error = result.error();
    error.message = redactor_.apply(std::move(error.message), secrets);
    return error;
  } catch (const std::exception& e) {
    RemoteError error;
    error.kind = RemoteError::Kind::rejected;
    error.message = redactor_.apply(std::string("rest connector: unexpected failure: ") + e.what(), secrets);
    return error;
  }
}

bool isSuccess(const RequestSpec& spec, int status);
// The body as JSON; null for an empty body, discarded for anything not JSON.
nlohmann::json parseBody(const std::string& body);

}  // namespace snapq::rest
