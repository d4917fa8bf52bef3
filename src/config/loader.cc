// The top of the file, the checks across services, and the entry points.
#include "config/loader.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include "core/masking.h"

namespace snapq {
namespace config {
namespace {

const std::vector<std::string> kRootKeys = {"database",  "listen",        "workers", "durability",
                                            "retention", "mask_patterns", "log",     "services"};

// PostgreSQL truncates longer identifiers (NAMEDATALEN - 1).
constexpr size_t kMaxIdentifier = 63;

void readDatabase(const Value& v, Config& config) {
  auto url = v.text();
  if (!url) return;
  if (!url->starts_with("sqlite:") && !url->starts_with("postgres://") && !url->starts_with("postgresql://")) {
    v.problem("must be sqlite:PATH or postgres://... (a libpq URL)");
    return;
  }
  config.database = *url;
}

void readListen(const Value& v, Config& config) {
  auto text = v.text();
  if (!text) return;
  const size_t colon = text->rfind(':');
  int port = -1;
  if (colon != std::string::npos && colon > 0) {
    const std::string digits = text->substr(colon + 1);
    if (!digits.empty() && digits.size() <= 5 && std::all_of(digits.begin(), digits.end(), ::isdigit)) {
      port = std::stoi(digits);
    }
  }
  if (port < 0 || port > 65535) {
    v.problem(v.quoted() + " is not HOST:PORT (for example 127.0.0.1:8080)");
    return;
  }
  config.listen = *text;
}

void readRetention(const Value& v, Config& config) {
  MapReader m(v, {"success", "failed"});
  if (!m.ok()) return;
  if (auto d = m.get("success")) config.retention.success = d->duration().value_or(config.retention.success);
  if (auto d = m.get("failed")) config.retention.failed = d->duration().value_or(config.retention.failed);
}

void readLog(const Value& v, Config& config) {
  MapReader m(v, {"format", "level"});
  if (!m.ok()) return;
  if (auto f = m.get("format")) {
    if (auto name = f->oneOf({"text", "json"})) config.log_format = parseLogFormat(*name);
  }
  if (auto l = m.get("level")) {
    if (auto name = l->oneOf({"debug", "info", "warn", "error"})) config.log_level = parseLogLevel(*name);
  }
}

// Where a resource's name is written, for problems found after reading.
Where resourceWhere(const NamedValue& service, const std::string& resource) {
  if (!service.value.isMap()) return service.at;
  for (auto it = service.value.node().begin(); it != service.value.node().end(); ++it) {
    const YAML::Node key = it->first;
    const YAML::Node resources = it->second;
    if (!key.IsScalar() || key.Scalar() != "resources" || !resources.IsMap()) continue;
    for (auto r = resources.begin(); r != resources.end(); ++r) {
      if (r->first.IsScalar() && r->first.Scalar() == resource) return whereOf(r->first);
    }
  }
  return service.at;
}

// snap_a_b_c is both service a_b's resource c and service a's resource b_c.
void checkTableNames(Context& ctx, const std::vector<NamedValue>& entries, const std::vector<ServiceSpec>& services) {
  std::map<std::string, std::string> owners;
  for (const ServiceSpec& service : services) {
    auto entry =
        std::find_if(entries.begin(), entries.end(), [&](const NamedValue& e) { return e.name == service.name; });
    for (const ResourceSpec& r : service.resources) {
      const std::string table = snapshotTableName(service.name, r.name);
      const std::string path = "services." + service.name + ".resources";
      const std::string who = service.name + "/" + r.name;
      if (table.size() > kMaxIdentifier) {
        ctx.problem(resourceWhere(*entry, r.name), path,
                    "the table name " + table + " is longer than " + std::to_string(kMaxIdentifier) +
                        " characters; shorten the service or resource name");
      }
      auto [it, inserted] = owners.emplace(table, who);
      if (!inserted) {
        ctx.problem(resourceWhere(*entry, r.name), path,
                    "'" + r.name + "' would use the table " + table + ", which " + it->second +
                        " already uses; rename one of them");
      }
    }
  }
}

Config readRoot(Context& ctx, const YAML::Node& root) {
  Config config;
  config.mask_patterns = Masker::defaultPatterns();
  if (root.IsNull()) {
    ctx.problem(Where{}, "", "the file is empty; expected settings such as services: (see docs/CONFIG.md)");
    return config;
  }
  MapReader m(ctx, root, "", kRootKeys);
  if (!m.ok()) return config;
  if (auto v = m.get("database")) readDatabase(*v, config);
  if (auto v = m.get("listen")) readListen(*v, config);
  if (auto v = m.get("workers")) {
    if (auto n = v->integer(1, 1024)) config.workers = static_cast<int>(*n);
  }
  if (auto v = m.get("durability")) {
    if (auto d = v->oneOf({"full", "relaxed"}))
      config.durability = *d == "full" ? Durability::full : Durability::relaxed;
  }
  if (auto v = m.get("retention")) readRetention(*v, config);
  if (auto v = m.get("log")) readLog(*v, config);
  if (auto v = m.get("mask_patterns")) {
    if (auto items = v->items()) {
      std::vector<std::string> patterns;
      for (const Value& item : *items) {
        auto text = item.text();
        if (text && text->empty()) item.problem("is empty (it would mask every value)");
        if (text && !text->empty()) patterns.push_back(*text);
      }
      config.mask_patterns = std::move(patterns);
    }
  }
  if (auto v = m.get("services")) {
    const std::vector<NamedValue> entries = namedEntries(*v);
    for (const NamedValue& entry : entries) {
      if (auto service = readService(entry)) config.services.push_back(std::move(*service));
    }
    checkTableNames(ctx, entries, config.services);
  }
  return config;
}

}  // namespace
}  // namespace config

ConfigCheck checkConfigText(std::string_view yaml, const LoadOptions& options) {
  config::Context ctx(options);
  ConfigCheck check;
  Config config;
  try {
    const YAML::Node root = YAML::Load(std::string(yaml));
    config = config::readRoot(ctx, root);
  } catch (const YAML::Exception& e) {
    // Syntax errors: yaml-cpp stops at the first one.
    const config::Where at = e.mark.is_null() ? config::Where{} : config::Where{e.mark.line + 1, e.mark.column + 1};
    ctx.problem(at, "", "YAML syntax error: " + e.msg);
  } catch (const std::exception& e) {
    ctx.problem(config::Where{}, "", std::string("could not read the configuration: ") + e.what());
  }
  check.problems = ctx.takeProblems();
  if (check.problems.empty()) check.config = std::move(config);
  return check;
}

ConfigCheck checkConfig(const std::string& path, const LoadOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int error = errno;
    ConfigCheck check;
    check.problems.push_back({0, 0, "cannot read the file: " + std::string(std::strerror(error))});
    return check;
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    ConfigCheck check;
    check.problems.push_back({0, 0, "cannot read the file"});
    return check;
  }
  return checkConfigText(text.str(), options);
}

Result<Config> loadConfig(const std::string& path, const LoadOptions& options) {
  ConfigCheck check = checkConfig(path, options);
  if (check.ok()) return std::move(*check.config);
  std::string message;
  for (const ConfigProblem& p : check.problems) {
    if (!message.empty()) message += '\n';
    message += formatProblem(path, p);
  }
  return Status::invalidArgument(std::move(message));
}

Result<Config> loadConfig(const std::string& path, EnvLookup env) {
  LoadOptions options;
  options.env = std::move(env);
  return loadConfig(path, options);
}

std::string formatProblem(std::string_view file, const ConfigProblem& problem) {
  std::string out(file);
  if (problem.line > 0) out += ":" + std::to_string(problem.line) + ":" + std::to_string(problem.column);
  return out + ": " + problem.message;
}

}  // namespace snapq
