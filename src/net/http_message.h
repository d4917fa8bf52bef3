// HTTP messages as plain values, shared by the server and the client. No
// Boost or libcurl type appears here: everything that includes this header
// compiles without them, and the heavy templates are compiled once, in
// http_server.cc and http_client.cc.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace snapq::net {

// Header fields in arrival order. Names compare case-insensitively; a name
// may occur more than once (Set-Cookie, Link).
class Headers {
 public:
  using Field = std::pair<std::string, std::string>;

  // The first value of `name`, if any.
  std::optional<std::string> get(std::string_view name) const;
  // Every value of `name`, in order.
  std::vector<std::string> getAll(std::string_view name) const;
  bool has(std::string_view name) const;
  // Appends a field, keeping existing ones of the same name.
  void add(std::string name, std::string value);
  // Replaces every field of that name by one.
  void set(std::string name, std::string value);
  void remove(std::string_view name);

  bool empty() const { return fields_.empty(); }
  size_t size() const { return fields_.size(); }
  std::vector<Field>::const_iterator begin() const { return fields_.begin(); }
  std::vector<Field>::const_iterator end() const { return fields_.end(); }

 private:
  std::vector<Field> fields_;
};

bool equalsIgnoreCase(std::string_view a, std::string_view b);

// Query parameters in order, names and values percent-decoded ('+' is a space).
class QueryParams {
 public:
  using Param = std::pair<std::string, std::string>;

  // "a=1&b=x%20y&flag" -> a:1, b:"x y", flag:"".
  static QueryParams parse(std::string_view query);

  std::optional<std::string> get(std::string_view name) const;
  std::vector<std::string> getAll(std::string_view name) const;
  bool has(std::string_view name) const;
  void add(std::string name, std::string value) { params_.emplace_back(std::move(name), std::move(value)); }

  bool empty() const { return params_.empty(); }
  size_t size() const { return params_.size(); }
  std::vector<Param>::const_iterator begin() const { return params_.begin(); }
  std::vector<Param>::const_iterator end() const { return params_.end(); }

 private:
  std::vector<Param> params_;
};

// Decodes %XX escapes (and '+' as a space when `plus_is_space`). A malformed
// escape ("%4", "%zz") is kept literally rather than rejected: routing then
// sees a key that does not exist, which is a 404, not a 400 to explain.
std::string percentDecode(std::string_view text, bool plus_is_space = false);
// Escapes everything but RFC 3986 unreserved characters.
std::string percentEncode(std::string_view text);

// "/v1/zones/a%2Fb/records" -> {"v1", "zones", "a/b", "records"}. Segments are
// split before decoding, so an encoded '/' stays inside its segment. Empty
// segments (a trailing or doubled '/') are dropped.
std::vector<std::string> splitPath(std::string_view path);

struct HttpRequest {
  std::string method;  // "GET", as sent
  std::string target;  // the request target as sent: "/v1/accounts?page=2"
  std::string path;    // the target before '?', still percent-encoded (see splitPath)
  QueryParams query;
  Headers headers;
  std::string body;
  std::string remote_address;  // "127.0.0.1:53122"
};

struct HttpResponse {
  int status = 200;
  Headers headers;
  std::string body;

  // Sets status, Content-Type: application/json and the body.
  void json(int code, std::string text);
  // Sets status, Content-Type: text/plain; charset=utf-8 and the body.
  void text(int code, std::string text);
};

// "Not Found" for 404; "Unknown" for codes without a reason phrase here.
const char* reasonPhrase(int status);

}  // namespace snapq::net
