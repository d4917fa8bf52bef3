// An engine on a real SQLite file, with a manual clock the test drives.
#pragma once

#include <atomic>
#include <mutex>

#include "snapq/engine.h"
#include "test_support.h"

namespace snapq::testing {

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override { store_ = openTestStore("sqlite", dir_); }
  void TearDown() override {
    if (engine_) engine_->stop();
  }

  // Options tuned for tests: fast polling, short real-time grace.
  static EngineOptions fastOptions(int workers = 2) {
    EngineOptions o;
    o.workers = workers;
    o.poll = Duration(5);
    o.heartbeat = Duration(1000);
    o.rescue_interval = Duration(1000);
    o.grace = Duration(200);
    return o;
  }

  Engine& open(EngineOptions options = fastOptions(), bool manual_clock = true) {
    Env env;
    if (manual_clock) {
      clock_ = std::make_shared<ManualClock>(TimePoint(Duration(1'764'000'000'000)));
      env.clock = clock_;
    }
    env.random = std::make_shared<DefaultRandom>(42);
    auto e = Engine::open(store_, {std::nullopt, dir_.file("test.key")}, std::move(options), env);
    if (!e) throw std::runtime_error(e.status().toString());
    engine_ = std::move(*e);
    return *engine_;
  }

  int64_t dispatch(DispatchRequest r) {
    auto d = engine_->dispatch(std::move(r));
    EXPECT_TRUE(d.isOk()) << d.status().toString();
    return d.isOk() ? d->id : 0;
  }
  Job get(int64_t id) {
    auto j = store_->getJob(id);
    EXPECT_TRUE(j.isOk()) << j.status().toString();
    return j.isOk() ? *j : Job{};
  }
  bool waitStatus(int64_t id, JobStatus status, int attempts = -1) {
    return waitFor([&] {
      auto j = store_->getJob(id);
      return j.isOk() && j->status == status && (attempts < 0 || j->attempts == attempts);
    });
  }
  std::vector<std::string> eventTypes(int64_t id) {
    std::vector<std::string> out;
    auto events = store_->jobEvents(id);
    if (events) {
      for (const JobEvent& e : *events) out.push_back(e.type);
    }
    return out;
  }
  void advance(Duration d) {
    clock_->advance(d);
    engine_->wake();
  }

  TempDir dir_;
  std::shared_ptr<Store> store_;
  std::shared_ptr<ManualClock> clock_;
  std::unique_ptr<Engine> engine_;
};

inline RetryPolicy maxAttempts(int n) {
  RetryPolicy p;
  p.max_attempts = n;
  return p;
}

inline DispatchRequest request(std::string service = "svc", std::string action = "act") {
  DispatchRequest r;
  r.service = std::move(service);
  r.action = std::move(action);
  return r;
}

}  // namespace snapq::testing
