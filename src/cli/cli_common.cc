#include "cli/cli_common.h"

#include <pwd.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "core/filter_parse.h"
#include "snapq/config.h"

namespace snapq::cli {
namespace {

std::string envOr(const char* name, std::string fallback) {
  const char* value = std::getenv(name);
  return value && *value ? std::string(value) : std::move(fallback);
}

std::string loginName() {
  if (const char* user = std::getenv("USER"); user && *user) return user;
  if (const char* logname = std::getenv("LOGNAME"); logname && *logname) return logname;
  if (const passwd* pw = getpwuid(geteuid()); pw && pw->pw_name) return pw->pw_name;
  return "unknown";
}

std::string notInitialised(const std::string& url) {
  return "database at " + url + " is not initialised; run: snapq migrate --db " + url;
}

}  // namespace

std::string defaultDbUrl() { return envOr("SNAPQ_DB", "sqlite:./snapq.db"); }

void addDbOption(CLI::App& cmd, std::string& url) {
  url = defaultDbUrl();
  CLI::Option* db = cmd.add_option("--db", url, "database URL: sqlite:PATH or postgres://... (env SNAPQ_DB)")
                        ->default_str(url)
                        ->type_name("URL");
  auto config = std::make_shared<std::string>();
  cmd.add_option("--config", *config, "configuration file; its `database` applies when neither --db nor SNAPQ_DB does")
      ->type_name("FILE");
  // A flag wins over the environment, which wins over the file.
  cmd.parse_complete_callback([&url, db, config] {
    if (config->empty() || db->count() > 0 || std::getenv("SNAPQ_DB") != nullptr) return;
    auto loaded = loadConfig(*config);
    if (!loaded) {
      std::string first = loaded.status().message();
      throw CLI::ValidationError("--config", first.substr(0, first.find('\n')));
    }
    if (loaded->database) url = *loaded->database;
  });
}

const CLI::Validator& jobIdValidator() {
  static const CLI::Validator validator(
      [](std::string& text) -> std::string {
        // Job ids and listing cursors are the same kind of number.
        if (parseCursor(text)) return {};
        return "job id must be a positive number, not '" + text.substr(0, 50) + "'";
      },
      "ID");
  return validator;
}

std::string sqlitePath(std::string_view url) {
  if (url.starts_with("sqlite:")) return std::string(url.substr(7));
  if (url.find("://") != std::string_view::npos) return {};
  return std::string(url);
}

std::string keyFileFor(std::string_view url) {
  std::string path = sqlitePath(url);
  return path.empty() ? "snapq.key" : path + ".key";
}

Engine::Keys engineKeys(std::string_view url) {
  Engine::Keys keys;
  if (const char* secret = std::getenv("SNAPQ_SECRET_KEY"); secret && *secret) keys.secret_key = secret;
  keys.key_file = keyFileFor(url);
  return keys;
}

Actor cliActor() { return {ActorType::user, "cli:" + loginName()}; }

void printError(std::string_view message) {
  // One line, whatever the message holds.
  std::string line(message);
  for (char& c : line) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  std::cerr << "snapq: error: " << line << '\n';
}

int reportStatus(const Status& status) {
  printError(status.message().empty() ? status.toString() : status.message());
  return status.code() == ErrorCode::invalid_argument ? kExitUsage : kExitFailure;
}

int usageError(std::string_view message) {
  printError(message);
  return kExitUsage;
}

std::shared_ptr<Store> openReadyStore(const std::string& url, int& exit_code) {
  exit_code = kExitFailure;
  // Opening a missing sqlite file would create it; say what to do instead.
  if (std::string path = sqlitePath(url); !path.empty() && path != ":memory:" && !std::filesystem::exists(path)) {
    std::cerr << "snapq: " << notInitialised(url) << '\n';
    return nullptr;
  }
  auto store = openStore(url);
  if (!store) {
    exit_code = reportStatus(store.status());
    return nullptr;
  }
  auto version = (*store)->schemaVersion();
  if (!version) {
    exit_code = reportStatus(version.status());
    return nullptr;
  }
  if (*version < (*store)->latestSchemaVersion()) {
    std::cerr << "snapq: " << notInitialised(url) << '\n';
    return nullptr;
  }
  exit_code = kExitOk;
  return std::move(*store);
}

std::unique_ptr<Engine> openEngine(const std::string& url, EngineOptions options, int& exit_code) {
  std::shared_ptr<Store> store = openReadyStore(url, exit_code);
  if (!store) return nullptr;
  // Managing jobs needs no sealing key; not loading one also means a CLI run
  // never creates a key file the server would then pick up by mistake.
  auto engine = Engine::open(std::move(store), Engine::Keys{}, std::move(options));
  if (!engine) {
    printError(engine.status().message());
    exit_code = kExitFailure;
    return nullptr;
  }
  exit_code = kExitOk;
  return std::move(*engine);
}

}  // namespace snapq::cli
