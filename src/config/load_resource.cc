// The resources of one service, read in passes because they refer to each
// other: own fields and key first, then scopes (parents must exist, no
// cycles), then requests, whose templates may use the scope variables of
// every ancestor.
#include <algorithm>

#include "config/loader.h"

namespace snapq::config {
namespace {

const std::vector<std::string> kResourceKeys = {"key",    "fields", "scope",  "list",    "get",
                                                "create", "update", "delete", "actions", "sync"};

struct Draft {
  ResourceSpec spec;
  NamedValue entry;
  MapReader map;
  bool scope_ok = true;
  // Every name under fields, also those whose definition had a problem, so
  // that the key does not report them a second time as undeclared.
  std::vector<std::string> written_fields;
};

void readScope(Draft& d, std::vector<Draft>& all) {
  auto v = d.map.get("scope");
  if (!v) return;
  MapReader m(*v, {"parent", "var", "field"});
  d.scope_ok = false;
  if (!m.ok()) return;
  ScopeSpec scope;
  bool good = true;
  auto parent_value = m.get("parent");
  const Draft* parent = nullptr;
  if (!parent_value) {
    m.missing("parent", "needs a parent (the resource this one is listed under)");
    good = false;
  } else if (auto name = parent_value->text()) {
    std::vector<std::string> names;
    for (const Draft& other : all) {
      if (other.spec.name == *name) parent = &other;
      if (&other != &d) names.push_back(other.spec.name);
    }
    if (*name == d.spec.name) {
      parent_value->problem("a resource cannot be its own scope parent");
      good = false;
    } else if (parent == nullptr) {
      std::string message = "'" + *name + "' is not a resource of this service";
      if (auto guess = closest(*name, names)) message += "; did you mean " + *guess + "?";
      parent_value->problem(message);
      good = false;
    } else {
      scope.parent = *name;
    }
  } else {
    good = false;
  }
  if (auto var = m.get("var")) {
    if (auto name = var->identifier("scope variable name")) {
      if (*name == kKeyVariable) {
        var->problem("'key' is the object's own key; name the scope variable differently (zone_id)");
        good = false;
      }
      scope.var = *name;
    } else {
      good = false;
    }
  } else {
    m.missing("var", "needs a var: the template variable that holds the parent's key (e.g. zone_id)");
    good = false;
  }
  if (auto field = m.get("field"); field && parent != nullptr) {
    if (auto name = field->text()) {
      const FieldSpec* f = parent->spec.field(*name);
      if (f == nullptr) {
        field->problem("'" + *name + "' is not a field of " + parent->spec.name);
        good = false;
      } else if (f->write_only || (f->type != FieldType::string && f->type != FieldType::integer)) {
        field->problem("must be a string or integer field that is read back");
        good = false;
      } else {
        scope.parent_field = *name;
      }
    } else {
      good = false;
    }
  }
  if (!good) return;
  d.spec.scope = std::move(scope);
  d.scope_ok = true;
}

// Reports scope cycles once, at the resource of the cycle listed first.
void checkCycles(std::vector<Draft>& all) {
  std::vector<std::string> reported;
  for (Draft& d : all) {
    std::vector<std::string> chain = {d.spec.name};
    const Draft* current = &d;
    while (current->spec.scope) {
      const Draft* parent = nullptr;
      for (const Draft& other : all) {
        if (other.spec.name == current->spec.scope->parent) parent = &other;
      }
      if (parent == nullptr) break;
      chain.push_back(parent->spec.name);
      if (parent == &d) {
        const bool known = std::any_of(chain.begin(), chain.end(), [&](const std::string& n) {
          return std::find(reported.begin(), reported.end(), n) != reported.end();
        });
        if (!known) {
          std::string text;
          for (const std::string& n : chain) text += (text.empty() ? "" : " -> ") + n;
          d.map.problemAt("scope", "scope parents form a cycle: " + text);
          reported.insert(reported.end(), chain.begin(), chain.end());
        }
        d.scope_ok = false;
        break;
      }
      if (std::find(chain.begin(), chain.end() - 1, parent->spec.name) != chain.end() - 1) break;  // another's cycle
      current = parent;
    }
  }
}

std::vector<std::string> scopeVariables(const Draft& d, const std::vector<Draft>& all) {
  std::vector<std::string> vars;
  const Draft* current = &d;
  while (current != nullptr && current->spec.scope && vars.size() <= all.size()) {
    vars.push_back(current->spec.scope->var);
    const Draft* parent = nullptr;
    for (const Draft& other : all) {
      if (other.spec.name == current->spec.scope->parent) parent = &other;
    }
    current = parent;
  }
  return vars;
}

std::string describeScope(const std::vector<std::string>& scope_vars) {
  return scope_vars.empty()
             ? std::string()
             : "the scope variable" + std::string(scope_vars.size() > 1 ? "s " : " ") + listWords(scope_vars, ", ");
}

void readRequests(Draft& d, const std::vector<Draft>& all, const ServiceSpec& service) {
  const bool rest = service.isRest();
  ResourceSpec& r = d.spec;
  const std::vector<std::string> scope_vars = scopeVariables(d, all);
  const std::string scope_text = describeScope(scope_vars);
  for (size_t i = 1; i < scope_vars.size(); ++i) {
    if (std::find(scope_vars.begin(), scope_vars.begin() + static_cast<std::ptrdiff_t>(i), scope_vars[i]) !=
        scope_vars.begin() + static_cast<std::ptrdiff_t>(i)) {
      d.map.problemAt("scope", "the scope variable " + scope_vars[i] +
                                   " is also the variable of an ancestor's scope; give each level its own name");
      return;
    }
  }

  Variables list_vars{scope_vars, scope_vars.empty() ? "no variables (the resource has no scope)" : scope_text};
  // get runs for a known object (the row, or the payload of a create), so
  // it may use the fields as the writes do.
  Variables write_vars{{std::string(kKeyVariable)}, ""};
  for (const FieldSpec& f : r.fields) write_vars.names.push_back(f.name);
  write_vars.description =
      "key, the fields (" + listWords({write_vars.names.begin() + 1, write_vars.names.end()}, ", ") + ")";
  write_vars.names.insert(write_vars.names.end(), scope_vars.begin(), scope_vars.end());
  if (!scope_vars.empty()) write_vars.description += " and " + scope_text;

  for (const char* key : {"list", "get"}) {
    if (!rest && d.map.has(key)) {
      d.map.problemAt(key, "requests are only for the rest connector (this service uses " + service.connector + ")");
    }
  }
  if (rest) {
    if (auto v = d.map.get("list")) {
      r.list = readList(*v, list_vars);
      if (r.list && r.scope) {
        std::vector<std::string> used = r.list->request.path.variables();
        for (const QueryParam& q : r.list->request.query) {
          for (const std::string& var : q.value.variables()) used.push_back(var);
        }
        if (std::find(used.begin(), used.end(), r.scope->var) == used.end()) {
          v->problem("does not use the scope variable {" + r.scope->var + "}, so every " + r.scope->parent +
                     " object would list the same objects");
        }
      }
    } else {
      d.map.missing("list", "needs a list request (the rest connector lists the objects to sync them)");
    }
    if (auto v = d.map.get("get")) r.get = readGet(*v, write_vars);
  }
  if (auto v = d.map.get("create")) r.create = readWrite(*v, "create", write_vars, rest);
  if (auto v = d.map.get("update")) r.update = readWrite(*v, "update", write_vars, rest);
  if (auto v = d.map.get("delete")) r.remove = readWrite(*v, "delete", write_vars, rest);
  if (auto v = d.map.get("actions")) {
    for (const NamedValue& action : namedEntries(*v)) {
      if (!checkName(action, "action", "it names the action in jobs, the API and the CLI")) continue;
      if (action.name == "create" || action.name == "update" || action.name == "delete" || action.name == "sync") {
        action.value.ctx().problem(action.at, v->path(),
                                   "'" + action.name + "' is a built-in action; give the custom action another name");
        continue;
      }
      if (auto write = readWrite(action.value, action.name, write_vars, rest)) r.actions.push_back(std::move(*write));
    }
  }
}

void readSync(Draft& d, const LoadOptions& options) {
  auto v = d.map.get("sync");
  if (!v) return;
  MapReader m(*v, {"schedule", "deletion_guard"});
  if (!m.ok()) return;
  if (auto s = m.get("schedule")) {
    if (auto text = s->text()) {
      if (text->empty()) {
        s->problem("is empty (leave schedule out to sync only on demand)");
      } else if (auto error = options.check_schedule ? options.check_schedule(*text) : std::nullopt) {
        s->problem(s->quoted() + " is not a valid schedule: " + *error);
      } else {
        d.spec.schedule = *text;
      }
    }
  }
  if (auto g = m.get("deletion_guard")) {
    if (auto share = g->number(0.0, 1.0)) d.spec.deletion_guard = *share;
  }
}

// Writes that need the get request, and creates that must know their key.
void checkReadBack(Draft& d, bool rest) {
  if (!rest) return;
  const ResourceSpec& r = d.spec;
  auto at = [&](const WriteSpec& w) {
    if (w.name == "create" || w.name == "update" || w.name == "delete") return d.map.get(w.name);
    auto actions = d.map.get("actions");
    if (!actions || !actions->isMap()) return actions;
    for (const NamedValue& a : namedEntries(*actions)) {
      if (a.name == w.name) return std::optional<Value>(a.value);
    }
    return actions;
  };
  std::vector<const WriteSpec*> writes;
  for (const auto* w : {&r.create, &r.update, &r.remove}) {
    if (*w) writes.push_back(&**w);
  }
  for (const WriteSpec& w : r.actions) writes.push_back(&w);
  for (const WriteSpec* w : writes) {
    const auto node = at(*w);
    if (!node) continue;
    const bool checks = w->conflict == ConflictStrategy::conflict && w->name != "create";
    const bool reads_back = w->returns == WriteReturns::none && w->name != "delete";
    if (!r.get && checks) {
      node->problem(
          "needs the resource's get request to check for conflicts before writing; add get:, or set "
          "conflict: last_write_wins");
    } else if (!r.get && reads_back) {
      node->problem(
          "needs the resource's get request to read the object back after writing; add get:, or set "
          "returns: object");
    }
    if (w->name == "create" && w->returns == WriteReturns::none) {
      std::vector<std::string> missing;
      for (const std::string& k : r.key) {
        const FieldSpec* f = r.field(k);
        if (f != nullptr && !f->required_on_create) missing.push_back(k);
      }
      if (!missing.empty()) {
        node->problem("returns none, so snapq reads the created object back by its key: mark the key field" +
                      std::string(missing.size() > 1 ? "s " : " ") + listWords(missing, ", ") +
                      " required_on_create, or set returns: object or location");
      }
    }
  }
}

}  // namespace

std::vector<ResourceSpec> readResources(const Value& node, const ServiceSpec& service) {
  Context& ctx = node.ctx();
  std::vector<Draft> drafts;
  for (NamedValue& entry : namedEntries(node)) {
    const bool named = checkName(entry, "resource", kTableNameReason);
    MapReader map(entry.value, kResourceKeys);
    if (!named || !map.ok()) continue;
    Draft d{ResourceSpec{}, entry, std::move(map), true, {}};
    d.spec.name = entry.name;
    if (auto fields = d.map.get("fields")) {
      for (const NamedValue& f : namedEntries(*fields)) {
        d.written_fields.push_back(f.name);
        if (auto field = readField(f)) d.spec.fields.push_back(std::move(*field));
      }
    } else {
      d.map.missing("fields", "needs fields (at least the key's)");
    }
    d.spec.key = readKey(d.map, d.spec.fields, d.written_fields);
    drafts.push_back(std::move(d));
  }
  for (Draft& d : drafts) readScope(d, drafts);
  checkCycles(drafts);
  for (Draft& d : drafts) {
    readSync(d, ctx.options());
    // Without a key or a scope the templates' variables are unknown: checking
    // them would only repeat the problem already reported.
    if (!d.scope_ok || d.spec.key.empty()) continue;
    readRequests(d, drafts, service);
    checkReadBack(d, service.isRest());
  }
  std::vector<ResourceSpec> out;
  out.reserve(drafts.size());
  for (Draft& d : drafts) out.push_back(std::move(d.spec));
  return out;
}

}  // namespace snapq::config
