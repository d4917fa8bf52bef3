#include "connectors/rest/pagination.h"

#include <charconv>

#include "config/json_path.h"
#include "connectors/rest/url.h"

namespace snapq::rest {
namespace {

using nlohmann::json;

std::optional<int64_t> parseCount(std::string_view text) {
  int64_t n = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || n < 0) return std::nullopt;
  return n;
}

// A page count the service wrote as 7, 7.0 or "7".
std::optional<int64_t> countAt(const json& body, const JsonPath& path) {
  const json* v = findAt(body, path);
  if (v == nullptr) return std::nullopt;
  if (v->is_number_integer()) return v->get<int64_t>();
  if (v->is_number_float()) return static_cast<int64_t>(v->get<double>());
  if (v->is_string()) return parseCount(v->get<std::string>());
  return std::nullopt;
}

Result<int64_t> cursorNumber(const std::string& cursor, int64_t first) {
  if (cursor.empty()) return first;
  if (auto n = parseCount(cursor)) return *n;
  return Status::invalidArgument("the cursor '" + cursor + "' is not a number");
}

// The number in a cursor pageRequest() accepted.
int64_t cursorOr(const std::string& cursor, int64_t first) {
  if (cursor.empty()) return first;
  return parseCount(cursor).value_or(first);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// `rel` parameters hold space-separated relation types: rel="next last".
bool relIsNext(std::string_view params) {
  while (!params.empty()) {
    const size_t semi = params.find(';');
    std::string_view param = trim(params.substr(0, semi));
    params = semi == std::string_view::npos ? std::string_view() : params.substr(semi + 1);
    const size_t eq = param.find('=');
    if (eq == std::string_view::npos || !net::equalsIgnoreCase(trim(param.substr(0, eq)), "rel")) continue;
    std::string_view value = trim(param.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    while (!value.empty()) {
      const size_t space = value.find(' ');
      if (net::equalsIgnoreCase(value.substr(0, space), "next")) return true;
      value = space == std::string_view::npos ? std::string_view() : trim(value.substr(space + 1));
    }
  }
  return false;
}

}  // namespace

Result<PageRequest> pageRequest(const Pagination& p, const std::string& cursor) {
  PageRequest request;
  switch (p.kind) {
    case Pagination::Kind::none:
      if (!cursor.empty()) return Status::invalidArgument("this list has one page; there is no cursor to continue");
      break;
    case Pagination::Kind::page: {
      Result<int64_t> page = cursorNumber(cursor, p.start);
      if (!page) return page.status();
      request.params = {{p.page_param, std::to_string(*page)}, {p.per_page_param, std::to_string(p.per_page)}};
      break;
    }
    case Pagination::Kind::offset: {
      Result<int64_t> offset = cursorNumber(cursor, 0);
      if (!offset) return offset.status();
      request.params = {{p.offset_param, std::to_string(*offset)}, {p.limit_param, std::to_string(p.limit)}};
      break;
    }
    case Pagination::Kind::cursor:
      if (!cursor.empty()) request.params = {{p.cursor_param, cursor}};
      break;
    case Pagination::Kind::link:
      if (!cursor.empty()) request.url = cursor;
      break;
  }
  return request;
}

Result<std::optional<std::string>> nextCursor(const Pagination& p, const std::string& cursor,
                                              const PageAnswer& answer) {
  using Next = std::optional<std::string>;
  switch (p.kind) {
    case Pagination::Kind::none: return Next();
    case Pagination::Kind::page: {
      const int64_t page = cursorOr(cursor, p.start);
      if (answer.items == 0) return Next();
      if (!p.total_pages.isRoot()) {
        if (const std::optional<int64_t> total = countAt(answer.body, p.total_pages)) {
          // Pages are numbered from `start`: the last one is start + total - 1.
          if (page - p.start + 1 >= *total) return Next();
          return Next(std::to_string(page + 1));
        }
      }
      if (answer.items < static_cast<size_t>(p.per_page)) return Next();
      return Next(std::to_string(page + 1));
    }
    case Pagination::Kind::offset: {
      const int64_t offset = cursorOr(cursor, 0);
      if (answer.items < static_cast<size_t>(p.limit)) return Next();
      return Next(std::to_string(offset + p.limit));
    }
    case Pagination::Kind::cursor: {
      const json* v = findAt(answer.body, p.next_cursor);
      if (v == nullptr || v->is_null() || (v->is_string() && v->get<std::string>().empty())) return Next();
      if (!v->is_string() && !v->is_number()) {
        return Status::invalidArgument("the next cursor at '" + p.next_cursor.text + "' is neither text nor a number");
      }
      std::string next = v->is_string() ? v->get<std::string>() : v->dump();
      if (next == cursor) {
        return Status::invalidArgument("the service answered the cursor it was sent ('" + p.next_cursor.text +
                                       "'); paging would never end");
      }
      return Next(std::move(next));
    }
    case Pagination::Kind::link: {
      const std::optional<std::string> link = nextLink(answer.headers);
      if (!link) return Next();
      std::string next = resolveUrl(answer.url, *link);
      if (next == answer.url) {
        return Status::invalidArgument("the Link header's next page is the page just read; paging would never end");
      }
      return Next(std::move(next));
    }
  }
  return Next();
}

std::optional<std::string> nextLink(const net::Headers& headers) {
  for (const std::string& value : headers.getAll("Link")) {
    std::string_view rest = value;
    while (true) {
      const size_t open = rest.find('<');
      const size_t close = open == std::string_view::npos ? open : rest.find('>', open);
      if (close == std::string_view::npos) break;
      const std::string_view target = rest.substr(open + 1, close - open - 1);
      // The link's parameters run to the next ',' outside quotes.
      size_t end = close + 1;
      bool quoted = false;
      while (end < rest.size() && (quoted || rest[end] != ',')) {
        if (rest[end] == '"') quoted = !quoted;
        ++end;
      }
      if (relIsNext(rest.substr(close + 1, end - close - 1))) return std::string(trim(target));
      if (end >= rest.size()) break;
      rest = rest.substr(end + 1);
    }
  }
  return std::nullopt;
}

}  // namespace snapq::rest
