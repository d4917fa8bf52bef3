#include "cli/runtime.h"

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>

#include "cli/cli_common.h"
#include "cli/job_types.h"
#include "connectors/rest/rest_connector.h"
#include "queue/cron.h"

namespace snapq::cli {

void addRuntimeOptions(CLI::App& cmd, RuntimeArgs& args) {
  cmd.add_option("--config", args.config_file, "configuration file with the services (env SNAPQ_CONFIG)")
      ->type_name("FILE");
  cmd.add_option("--db", args.db, "database URL: sqlite:PATH or postgres://... (env SNAPQ_DB, else the config's)")
      ->type_name("URL");
}

void addLogOptions(CLI::App& cmd, std::string& format_flag, std::string& level_flag) {
  cmd.add_option("--log-format", format_flag,
                 "log lines as text or json (JSON lines; env SNAPQ_LOG_FORMAT; default text)")
      ->type_name("text|json");
  cmd.add_option("--log-level", level_flag, "least level logged: debug, info, warn or error (env SNAPQ_LOG_LEVEL)")
      ->type_name("LEVEL");
}

void addWaitForDbOption(CLI::App& cmd, int& seconds) {
  cmd.add_option("--wait-for-db", seconds,
                 "at start, how long to wait for a PostgreSQL server that does not answer yet (0: exit at once)")
      ->type_name("SECONDS")
      ->default_val(kDefaultWaitForDbSeconds)
      ->check(CLI::Range(0, 86400));
}

Result<std::shared_ptr<Logger>> openLogger(const std::string& format_flag, const std::string& level_flag,
                                           LogLevel default_level, const Config* config) {
  // Where a value came from, for the message about a bad one: the flag wins over the environment.
  auto pick = [](const std::string& flag, const char* flag_name,
                 const char* env) -> std::pair<std::string, std::string> {
    if (!flag.empty()) return {flag, flag_name};
    if (const char* value = std::getenv(env); value && *value) return {value, env};
    return {"", ""};
  };
  auto [format_text, format_from] = pick(format_flag, "--log-format", "SNAPQ_LOG_FORMAT");
  auto [level_text, level_from] = pick(level_flag, "--log-level", "SNAPQ_LOG_LEVEL");
  LogFormat format = config && config->log_format ? *config->log_format : LogFormat::text;
  if (!format_text.empty()) {
    auto parsed = parseLogFormat(format_text);
    if (!parsed)
      return Status::invalidArgument(format_from + ": '" + format_text + "' is not a log format (text, json)");
    format = *parsed;
  }
  LogLevel level = config && config->log_level ? *config->log_level : default_level;
  if (!level_text.empty()) {
    auto parsed = parseLogLevel(level_text);
    if (!parsed) {
      return Status::invalidArgument(level_from + ": '" + level_text +
                                     "' is not a log level (debug, info, warn, error)");
    }
    level = *parsed;
  }
  return makeLogger(format, level);
}

Status Runtime::start() {
  if (Status s = engine->start(); !s) return s;
  auto entries = sync->schedules();
  if (!entries) return entries.status();
  if (entries->empty()) return Status::ok();
  scheduler = std::make_unique<ClusterScheduler>(*store, engine->options().worker_id, engine->clock(),
                                                 engine->options().leader_lease, std::move(*entries), *logger);
  if (!catch_up_schedules) scheduler->skipOverdue();
  scheduler->start();
  return Status::ok();
}

Runtime::~Runtime() {
  if (scheduler) scheduler->stop();
  if (engine) engine->stop();
  sync.reset();
  engine.reset();
  webhooks.reset();
}

std::unique_ptr<Runtime> Runtime::open(const RuntimeArgs& args, bool run_jobs, int& exit_code) {
  exit_code = kExitUsage;
  auto logger = openLogger(args.log_format_flag, args.log_level_flag, args.log_level);
  if (!logger) {
    printError(logger.status().message());
    return nullptr;
  }
  std::string file = args.config_file;
  if (file.empty()) {
    if (const char* env = std::getenv("SNAPQ_CONFIG"); env && *env) file = env;
  }
  if (file.empty() && !args.config_optional) {
    printError("a configuration file is required: --config FILE (or SNAPQ_CONFIG)");
    return nullptr;
  }
  LoadOptions load;
  load.connectors = {std::string(kRestConnector)};
  load.check_schedule = [](std::string_view cron) -> std::optional<std::string> {
    auto parsed = CronSchedule::parse(cron);
    if (parsed) return std::nullopt;
    return parsed.status().message();
  };
  auto config = file.empty() ? Result<Config>(Config{}) : loadConfig(file, load);
  if (!config) {
    // Every problem, one per line (FILE:LINE:COL: message), as `snapq config check` prints them.
    std::string problems = config.status().message();
    if (!problems.empty() && problems.back() != '\n') problems += '\n';
    std::cerr << problems;
    printError(file + ": invalid configuration (see snapq config check)");
    exit_code = kExitFailure;
    return nullptr;
  }
  auto rt = std::unique_ptr<Runtime>(new Runtime());
  rt->config = std::move(*config);
  logger = openLogger(args.log_format_flag, args.log_level_flag, args.log_level, &rt->config);
  if (!logger) {
    exit_code = reportStatus(logger.status());
    return nullptr;
  }
  rt->url = args.db;
  rt->catch_up_schedules = args.catch_up_schedules;
  if (rt->url.empty() && std::getenv("SNAPQ_DB") == nullptr && rt->config.database) rt->url = *rt->config.database;
  if (rt->url.empty()) rt->url = defaultDbUrl();

  EngineOptions options;
  options.workers = args.workers.value_or(rt->config.workers.value_or(4));
  options.queues = args.queues;
  options.retention = {rt->config.retention.success, rt->config.retention.failed};
  options.mask_patterns = rt->config.mask_patterns;
  if (args.heartbeat) options.heartbeat = *args.heartbeat;
  for (const ServiceSpec& s : rt->config.services) {
    int limit = 0;
    for (const InstanceSpec& i : s.instances) limit += std::max(1, i.policy.concurrency);
    options.service_concurrency[s.name] = limit;
  }
  options.service_concurrency[std::string(kWebhookService)] = webhookConcurrency(options.workers);
  bool stopped = false;
  if (Status s = waitForDatabase(rt->url, args.wait_for_db, **logger, stopped); !s) {
    exit_code = reportStatus(s);
    return nullptr;
  }
  if (stopped) {
    exit_code = kExitOk;
    return nullptr;
  }
  if (args.migrate) {
    auto store = openStore(rt->url);
    if (!store) {
      exit_code = reportStatus(store.status());
      return nullptr;
    }
    if (Status s = (*store)->migrate(); !s) {
      exit_code = reportStatus(s);
      return nullptr;
    }
  }
  rt->store = openReadyStore(rt->url, exit_code);
  if (!rt->store) return nullptr;
  rt->logger = std::move(*logger);
  Env env;
  env.logger = rt->logger;
  auto engine = Engine::open(rt->store, run_jobs ? engineKeys(rt->url) : Engine::Keys{}, options, env);
  if (!engine) {
    exit_code = reportStatus(engine.status());
    return nullptr;
  }
  rt->engine = std::move(*engine);
  registerBuiltinJobTypes(*rt->engine);
  Clock& clock = rt->engine->clock();
  auto factory = [&clock](const ServiceSpec& service,
                          const InstanceSpec& instance) -> Result<std::unique_ptr<Connector>> {
    if (!service.isRest()) return Status::notFound("no connector named '" + service.connector + "' is built in");
    return makeRestConnector(service, instance, RestOptions{clock});
  };
  auto sync = SyncService::open(rt->config, *rt->engine, factory);
  if (!sync) {
    exit_code = reportStatus(sync.status());
    return nullptr;
  }
  rt->sync = std::move(*sync);
  rt->webhooks = Webhooks::install(rt->config, *rt->engine);
  exit_code = kExitOk;
  return rt;
}

}  // namespace snapq::cli
