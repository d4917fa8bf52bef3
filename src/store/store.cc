#include <future>

#include "snapq/store.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"

namespace snapq {

Result<std::vector<bool>> Store::completeJobsAndWait(std::vector<JobCompletion> completions) {
  auto promise = std::make_shared<std::promise<Result<std::vector<bool>>>>();
  auto future = promise->get_future();
  completeJobs(std::move(completions), [promise](const Result<std::vector<bool>>& r) { promise->set_value(r); });
  return future.get();
}

Result<std::shared_ptr<Store>> openStore(std::string_view url, const StoreOptions& options) {
  std::string_view path = url;
  if (url.starts_with("postgres://") || url.starts_with("postgresql://")) {
    auto store = pg::PostgresStore::open(std::string(url), options);
    if (!store) return store.status();
    return std::shared_ptr<Store>(std::move(*store));
  }
  if (url.starts_with("sqlite:")) path = url.substr(7);
  if (url.find("://") != std::string_view::npos && !url.starts_with("sqlite:")) {
    return Status::invalidArgument("unknown database URL '" + std::string(url) +
                                   "'; expected sqlite:PATH or postgres://...");
  }
  auto store = sqlite::SqliteStore::open(std::string(path), options);
  if (!store) return store.status();
  return std::shared_ptr<Store>(std::move(*store));
}

}  // namespace snapq
