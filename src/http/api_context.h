// What the API's handlers work with, handed to every route group.
#pragma once

#include "auth/auth_service.h"
#include "snapq/config.h"
#include "snapq/engine.h"
#include "snapq/log.h"
#include "snapq/store.h"

namespace snapq {
class SyncService;
}

namespace snapq::http {

class PageCache;

struct ApiContext {
  Store& store;
  Engine& engine;
  auth::Auth& auth;
  Logger& logger;
  const Config* config = nullptr;  // null: no services (jobs, users and health only)
  SyncService* sync = nullptr;     // null with config == null
  // Snapshot listings answered again while their table is unchanged (page_cache.h); null: off.
  PageCache* page_cache = nullptr;

  Clock& clock() { return engine.clock(); }
};

}  // namespace snapq::http
