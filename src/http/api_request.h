// One API request as a handler sees it: the HTTP request, the path parameters
// of its route, who sent it, and helpers that turn bad input into the 400/422
// replies of API.md (malformed JSON, wrong types, unknown fields).
#pragma once

#include <initializer_list>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "auth/auth_service.h"
#include "http/api_reply.h"
#include "net/http_message.h"

namespace snapq::http {

struct ApiRequest {
  const net::HttpRequest& http;
  std::map<std::string, std::string> params;  // path parameters, percent-decoded
  std::optional<auth::Principal> principal;   // unset on public routes
  std::string session_id;                     // raw; set when authenticated by the session cookie
  std::string address;                        // the client's IP address, without the port
  TimePoint now{};

  const std::string& param(const std::string& name) const { return params.at(name); }
  // The actor recorded on jobs and admin actions.
  Actor actor() const { return principal ? principal->actor() : Actor::system(); }
  AuthChange change() const { return {actor(), address, now}; }
};

// A value, or the error reply that explains why there is none.
template <typename T>
using Parsed = std::variant<T, Reply>;

template <typename T>
bool failed(const Parsed<T>& p) {
  return std::holds_alternative<Reply>(p);
}

// The body as a JSON object: 400 for an empty or malformed body (with the
// byte offset), invalid UTF-8, or anything but an object. `allowed` lists the
// members it may have; others are a 400 naming them. An empty body is an empty
// object when `optional`.
Parsed<nlohmann::json> jsonObjectBody(const ApiRequest& request, std::initializer_list<std::string_view> allowed,
                                      bool optional = false);

// Query parameters other than `allowed` are a 400 naming them.
std::optional<Reply> rejectUnknownParams(const ApiRequest& request, std::initializer_list<std::string_view> allowed);

// 400 naming `name` and what it must be.
Reply badMember(std::string_view name, std::string_view must_be);

// Whether every byte sequence of `text` is valid UTF-8.
bool isValidUtf8(std::string_view text);

}  // namespace snapq::http
