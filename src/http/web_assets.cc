#include "http/web_assets.h"

#include <algorithm>

namespace snapq::http {

const WebAsset* findWebAsset(std::string_view path) {
  std::span<const WebAsset> all = webAssets();
  auto it =
      std::lower_bound(all.begin(), all.end(), path, [](const WebAsset& a, std::string_view p) { return a.path < p; });
  return it != all.end() && it->path == path ? &*it : nullptr;
}

}  // namespace snapq::http
