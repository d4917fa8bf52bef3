#include "connectors/sim/sim_server.h"

#include "net/address.h"

namespace snapq::sim {
namespace {

using nlohmann::json;

net::HttpServerOptions serverOptions(const SimOptions& o) {
  net::HttpServerOptions s;
  s.host = o.host;
  s.port = o.port;
  s.io_threads = o.io_threads;
  s.server_name = "snapq-sim";
  return s;
}

void fill(net::HttpResponse& res, const Reply& reply) {
  res.status = reply.status;
  // A path segment echoed in a message may be invalid UTF-8: replace, never throw.
  if (reply.status != 204) res.json(reply.status, reply.body.dump(-1, ' ', false, json::error_handler_t::replace));
}

// Compares every byte whatever the first difference, so the time taken does
// not tell how much of a guessed token was right.
bool sameSecret(std::string_view given, std::string_view expected) {
  if (given.size() != expected.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < given.size(); ++i) diff |= static_cast<unsigned char>(given[i] ^ expected[i]);
  return diff == 0;
}

}  // namespace

Status validateSimOptions(const SimOptions& o) {
  if (o.token.empty() || o.token.find_first_of(" \t\r\n") != std::string::npos) {
    return Status::invalidArgument("--token must be a non-empty word");
  }
  if (o.data.accounts < 0 || o.data.accounts > 10'000'000)
    return Status::invalidArgument("--accounts must be 0 to 10000000");
  if (o.data.zones < 0 || o.data.zones > 1'000'000) return Status::invalidArgument("--zones must be 0 to 1000000");
  if (o.data.records_per_zone < 0 || o.data.records_per_zone > 10'000'000 ||
      o.data.zones * o.data.records_per_zone > 10'000'000) {
    return Status::invalidArgument("--records-per-zone must be 0 or more, and zones x records at most 10000000");
  }
  Chaos probe;
  json errors = applyChaos(probe, toJson(o.chaos));
  if (errors.contains("latency_ms")) return Status::invalidArgument("--latency-ms must be 0 to 60000");
  if (errors.contains("error_rate")) return Status::invalidArgument("--error-rate must be a number from 0 to 1");
  if (errors.contains("rate_limit")) return Status::invalidArgument("--rate-limit must be 0 (none) to 1000000");
  if (!errors.empty()) return Status::invalidArgument("invalid chaos settings: " + errors.dump());
  if (o.io_threads < 1 || o.io_threads > 64) return Status::invalidArgument("io threads must be 1 to 64");
  return Status::ok();
}

SimServer::SimServer(SimOptions options, std::shared_ptr<const Clock> clock)
    : options_(std::move(options)),
      store_(options_.data, std::move(clock)),
      traffic_(options_.chaos, options_.data.seed),
      server_(serverOptions(options_), net::AsyncHandler([this](net::HttpRequest req, net::Responder res) {
                handle(std::move(req), std::move(res));
              })) {}

SimServer::~SimServer() { server_.stop(); }

Status SimServer::start() {
  if (Status s = validateSimOptions(options_); !s) return s;
  return server_.start();
}

void SimServer::stop() { server_.stop(); }

std::string SimServer::url() const { return "http://" + net::formatHostPort(options_.host, server_.port()); }

bool SimServer::authorized(const net::HttpRequest& request) const {
  const std::optional<std::string> header = request.headers.get("Authorization");
  if (!header || header->size() < 7 || !net::equalsIgnoreCase(std::string_view(*header).substr(0, 7), "Bearer ")) {
    return false;
  }
  std::string_view token = std::string_view(*header).substr(7);
  while (token.starts_with(' ')) token.remove_prefix(1);
  return sameSecret(token, options_.token);
}

void SimServer::handle(net::HttpRequest req, net::Responder responder) {
  std::vector<std::string> segments = net::splitPath(req.path);
  const bool api = !segments.empty() && segments[0] == "v1";
  net::HttpResponse res;
  if (!authorized(req)) {
    fill(res, errorReply(401, "unauthorized", "a valid bearer token is required (Authorization: Bearer <token>)"));
    res.headers.set("WWW-Authenticate", "Bearer realm=\"snapq-sim\"");
    if (api) traffic_.answered(req.method, 401);
    return responder.send(std::move(res));
  }
  if (!segments.empty() && segments[0] == "_sim") {
    // Control endpoints: never delayed, limited, failed or counted.
    fill(res, control(req, segments));
    return responder.send(std::move(res));
  }
  if (!api) {
    fill(res, errorReply(404, "not_found", "no such path; the API is under /v1"));
    return responder.send(std::move(res));
  }

  const Admission admission = traffic_.admit();
  auto rateHeaders = [limit = admission.limit, remaining = admission.remaining](net::HttpResponse& r) {
    if (limit <= 0) return;
    r.headers.set("X-RateLimit-Limit", std::to_string(limit));
    r.headers.set("X-RateLimit-Remaining", std::to_string(remaining));
  };
  if (admission.verdict == Admission::Verdict::rate_limited) {
    // Refused at once, as a gateway in front of a real API would.
    fill(res, errorReply(429, "rate_limited",
                         "rate limit of " + std::to_string(admission.limit) + " requests per second exceeded"));
    res.headers.set("Retry-After", std::to_string(admission.retry_after_s));
    rateHeaders(res);
    traffic_.answered(req.method, 429);
    return responder.send(std::move(res));
  }
  // The request takes effect when it arrives and only the answer is late, as
  // with a slow real service: a client that gives up (or dies) while waiting
  // has still changed the remote object.
  net::HttpResponse answer;
  if (admission.verdict == Admission::Verdict::fail) {
    fill(answer, errorReply(503, "unavailable", "the service is temporarily unavailable (simulated)"));
  } else {
    fill(answer, route(req, segments, admission.empty_lists));
  }
  rateHeaders(answer);
  responder.sendAfter(admission.latency, [this, method = req.method,
                                          answer = std::move(answer)](net::HttpResponse& out) mutable {
    out = std::move(answer);
    traffic_.answered(method, out.status);
  });
}

json SimServer::stats() const {
  json s = traffic_.stats();
  s["writes"] = store_.writes();
  s["drifts"] = store_.drifts();
  s["password_writes"] = store_.passwordWrites();
  s["objects"] = {{"accounts", store_.count(Kind::accounts)},
                  {"zones", store_.count(Kind::zones)},
                  {"records", store_.count(Kind::records)}};
  return s;
}

}  // namespace snapq::sim
