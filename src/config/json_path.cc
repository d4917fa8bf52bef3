#include "config/json_path.h"

namespace snapq {

const nlohmann::json* findAt(const nlohmann::json& doc, const JsonPath& path) {
  const nlohmann::json* current = &doc;
  for (const JsonPath::Step& step : path.steps) {
    if (step.index >= 0) {
      if (!current->is_array() || static_cast<size_t>(step.index) >= current->size()) return nullptr;
      current = &(*current)[static_cast<size_t>(step.index)];
    } else {
      if (!current->is_object()) return nullptr;
      auto it = current->find(step.member);
      if (it == current->end()) return nullptr;
      current = &*it;
    }
  }
  return current;
}

}  // namespace snapq
