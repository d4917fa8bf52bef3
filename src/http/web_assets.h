// The admin UI's static files (web/), embedded into the binary at build time
// by cmake/embed_web.cmake: the server needs no files beside it.
#pragma once

#include <span>
#include <string_view>

namespace snapq::http {

struct WebAsset {
  std::string_view path;          // relative to web/: "index.html", "pages/jobs.js"
  std::string_view content_type;  // "text/javascript; charset=utf-8"
  std::string_view etag;          // quoted, from the file's SHA-256: "\"3fa2...\""
  std::string_view body;
};

// Every embedded file, sorted by path.
std::span<const WebAsset> webAssets();
// The file at `path` (relative to web/), or null.
const WebAsset* findWebAsset(std::string_view path);

}  // namespace snapq::http
