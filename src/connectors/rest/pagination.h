// Paging through a list (resource_spec.h, Pagination). The cursor a caller
// holds between pages is opaque to it and means, per kind: the page number,
// the offset, the service's cursor value, or the absolute URL of the next
// page (link). An empty cursor asks for the first page.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "net/http_message.h"
#include "snapq/resource_spec.h"
#include "snapq/status.h"

namespace snapq::rest {

// What a page's request adds to the configured list request.
struct PageRequest {
  // Appended to the rendered query, in order (not yet encoded).
  std::vector<std::pair<std::string, std::string>> params;
  // link: the URL to request instead of the configured one (later pages).
  std::optional<std::string> url;
};

// invalid_argument for a cursor this kind could not have produced.
Result<PageRequest> pageRequest(const Pagination& pagination, const std::string& cursor);

// What the service answered for one page.
struct PageAnswer {
  const nlohmann::json& body;
  size_t items = 0;  // objects on the page
  const net::Headers& headers;
  const std::string& url;  // the URL requested (relative Link references resolve against it)
};

// The cursor of the next page, or nullopt when this page was the last.
// invalid_argument when the service's answer would page forever (a cursor
// that does not move).
Result<std::optional<std::string>> nextCursor(const Pagination& pagination, const std::string& cursor,
                                              const PageAnswer& answer);

// The target of the first `rel="next"` link in the Link headers (RFC 8288),
// as written (maybe relative).
std::optional<std::string> nextLink(const net::Headers& headers);

}  // namespace snapq::rest
