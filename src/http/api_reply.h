// What an API handler answers: a status, a JSON body and headers, or an error
// in the one error shape of the API (API.md):
//   {"error": {"code": "<snake_case>", "message": "<for a person>", "details": {...}}}
#pragma once

#include <nlohmann/json.hpp>
#include <functional>
#include <string>

#include "net/http_message.h"
#include "net/http_server.h"
#include "snapq/status.h"

namespace snapq::http {

struct Reply {
  int status = 200;
  nlohmann::json body;  // null: no body (204)
  net::Headers headers;
  // Already rendered (text/plain, text/event-stream are not JSON): used instead of `body`.
  std::string raw;
  std::string raw_type;
  // Set: the response is a stream this takes over (server-sent events); the
  // rest of the reply is ignored.
  std::function<void(net::Responder)> stream;

  static Reply json(int status, nlohmann::json body);
  static Reply noContent();
  static Reply text(int status, std::string text, std::string content_type = "text/plain; charset=utf-8");
  static Reply error(int status, std::string code, std::string message,
                     nlohmann::json details = nlohmann::json::object());
  // The HTTP status and code a store/engine/sync error stands for:
  // invalid_argument 400, not_found 404, invalid_state and already_exists 409,
  // failed_precondition 412, unavailable 503, internal 500.
  static Reply fromStatus(const Status& status);

  bool isError() const { return status >= 400; }
  // Renders into the wire response (Content-Type, body).
  void writeTo(net::HttpResponse& out) const;
};

}  // namespace snapq::http
