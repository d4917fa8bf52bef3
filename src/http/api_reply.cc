#include "http/api_reply.h"

namespace snapq::http {

Reply Reply::json(int status, nlohmann::json body) {
  Reply r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

Reply Reply::noContent() {
  Reply r;
  r.status = 204;
  return r;
}

Reply Reply::text(int status, std::string text, std::string content_type) {
  Reply r;
  r.status = status;
  r.raw = std::move(text);
  r.raw_type = std::move(content_type);
  return r;
}

Reply Reply::error(int status, std::string code, std::string message, nlohmann::json details) {
  return json(status, {{"error", {{"code", std::move(code)}, {"message", std::move(message)}, {"details", std::move(details)}}}});
}

Reply Reply::fromStatus(const Status& status) {
  switch (status.code()) {
    case ErrorCode::ok: return json(200, nlohmann::json::object());
    case ErrorCode::invalid_argument: return error(400, "bad_request", status.message());
    case ErrorCode::not_found: return error(404, "not_found", status.message());
    case ErrorCode::invalid_state: return error(409, "invalid_state", status.message());
    case ErrorCode::already_exists: return error(409, "already_exists", status.message());
    case ErrorCode::failed_precondition: return error(412, "precondition_failed", status.message());
    case ErrorCode::unavailable: return error(503, "unavailable", status.message());
    case ErrorCode::internal: break;
  }
  // The message of an internal error may describe our insides; the log has it.
  return error(500, "internal", "an internal error occurred; the server log has the details");
}

void Reply::writeTo(net::HttpResponse& out) const {
  out.status = status;
  for (const auto& [name, value] : headers) out.headers.add(name, value);
  if (!raw_type.empty()) {
    out.headers.set("Content-Type", raw_type);
    out.body = raw;
  } else if (!body.is_null()) {
    out.headers.set("Content-Type", "application/json");
    // Invalid UTF-8 from a remote document is replaced, never a throw.
    out.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  // API answers are never cached; the UI's files set their own policy.
  if (!out.headers.has("Cache-Control")) out.headers.set("Cache-Control", "no-store");
}

}  // namespace snapq::http
