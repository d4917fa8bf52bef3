// The few URL operations the rest connector needs: the origin that decides
// where credentials may go, resolving a Link or Location reference, and the
// path that error messages name.
#pragma once

#include <string>
#include <string_view>

namespace snapq::rest {

// "HTTP://Example.test:80/a?b" -> "http://example.test": scheme and host in
// lower case, the scheme's default port left out, no user info. Empty when
// `url` is not an absolute http(s) URL.
std::string originOf(std::string_view url);

// Whether two URLs share an origin (and may therefore carry the same credentials).
bool sameOrigin(std::string_view a, std::string_view b);

// `reference` (absolute, "//host/x", "/x", "x" or "?q") resolved against the
// absolute URL `base`, as a browser would for a Link or Location header.
std::string resolveUrl(std::string_view base, std::string_view reference);

// "http://h:1/v1/a%20b?x=1#f" -> "/v1/a%20b": what a message may show of a
// URL (the query may carry credentials).
std::string pathOf(std::string_view url);

}  // namespace snapq::rest
