#include "queue/executor.h"

#include <algorithm>
#include <exception>
#include <nlohmann/json.hpp>

namespace snapq {
namespace {

class Context final : public JobContext {
 public:
  Context(const Job& job, std::string payload, std::stop_token stop, const Executor::ProgressSink& sink)
      : job_(job), payload_(std::move(payload)), stop_(std::move(stop)), sink_(sink) {}
  const Job& job() const override { return job_; }
  const std::string& payload() const override { return payload_; }
  std::stop_token stopToken() const override { return stop_; }
  void progress(std::string json) override {
    if (sink_) sink_(job_.id, std::move(json));
  }

 private:
  const Job& job_;
  std::string payload_;
  std::stop_token stop_;
  const Executor::ProgressSink& sink_;
};

}  // namespace

Executor::Executor(const Masker& masker, const Sealer* sealer, Clock& clock, Random& random, RetryPolicy default_retry,
                   HandlerLookup lookup, ProgressSink progress, FollowUps follow_ups)
    : masker_(masker),
      sealer_(sealer),
      clock_(clock),
      random_(random),
      default_retry_(std::move(default_retry)),
      lookup_(std::move(lookup)),
      progress_(std::move(progress)),
      follow_ups_(std::move(follow_ups)) {}

Duration Executor::timeoutFor(const Job& job) const {
  const JobType* type = lookup_(job.service, job.action);
  return type ? type->timeoutFor(job.instance) : Duration(5 * 60 * 1000);
}

Attempt Executor::run(const Job& job, const std::string& worker_id, std::stop_token stop,
                      TimePoint deadline) const {
  TimePoint started = clock_.now();
  const JobType* type = lookup_(job.service, job.action);
  const RetryPolicy& retry = type ? type->retryFor(job.instance) : default_retry_;
  if (!type || !type->handler) {
    return settle(job, worker_id, Outcome::reject("no handler registered for " + job.service + "/" + job.action),
                  started, retry);
  }
  std::string payload = job.payload;
  if (!job.sealed_payload.empty()) {
    if (!sealer_) return settle(job, worker_id, Outcome::reject("no sealing key to open the payload"), started, retry);
    auto opened = sealer_->open(job.sealed_payload);
    if (!opened) return settle(job, worker_id, Outcome::reject(opened.status().message()), started, retry);
    payload = std::move(*opened);
  }
  Context ctx(job, std::move(payload), std::move(stop), progress_);
  Outcome outcome;
  try {
    outcome = type->handler(ctx);
  } catch (const std::exception& e) {
    outcome = Outcome::retry(std::string("handler threw: ") + e.what());
  } catch (...) {
    outcome = Outcome::retry("handler threw a non-standard exception");
  }
  if (clock_.now() >= deadline && outcome.kind != Outcome::Kind::success && outcome.kind != Outcome::Kind::skipped) {
    outcome = Outcome::retry("timed out after " + std::to_string(type->timeoutFor(job.instance).count()) + " ms");
  }
  return settle(job, worker_id, outcome, started, retry);
}

Attempt Executor::settle(const Job& job, const std::string& worker_id, const Outcome& outcome, TimePoint started,
                         const RetryPolicy& retry) const {
  Attempt a;
  a.job = job;
  JobCompletion& c = a.completion;
  c.job_id = job.id;
  c.worker_id = worker_id;
  c.started_at = started;
  c.finished_at = clock_.now();
  if (!outcome.result.empty()) {
    auto parsed = nlohmann::json::parse(outcome.result, nullptr, false);
    c.result = parsed.is_discarded() ? nlohmann::json(outcome.result).dump() : masker_.mask(parsed).dump();
  }
  std::string attempt_error = "attempt " + std::to_string(job.attempts) + " failed: " + outcome.message;
  switch (outcome.kind) {
    case Outcome::Kind::success:
      c.transition = Transition::succeed;
      break;
    case Outcome::Kind::skipped:
      c.transition = Transition::skip;
      if (c.result.empty() && !outcome.message.empty()) c.result = nlohmann::json{{"reason", outcome.message}}.dump();
      break;
    case Outcome::Kind::conflict:
      c.transition = Transition::conflict;
      c.error = outcome.message;
      break;
    case Outcome::Kind::rate_limited:
      c.transition = Transition::release;
      c.run_at = c.finished_at + outcome.retry_after;
      c.event = EventNote{"rate_limited", "rate limited; waiting " + std::to_string(outcome.retry_after.count()) +
                                              " ms: " + outcome.message};
      break;
    case Outcome::Kind::retryable:
      if (job.attempts < job.max_attempts) {
        c.transition = Transition::retry_later;
        // A receiver's Retry-After (outcome.retry_after) may ask for longer than the policy's wait.
        c.run_at = c.finished_at + std::max(retry.delayAfter(job.attempts, random_), outcome.retry_after);
        c.error = attempt_error;
        c.event = EventNote{"attempt_failed", attempt_error};
        break;
      }
      [[fallthrough]];
    case Outcome::Kind::rejected:
      c.transition = Transition::fail;
      c.error = attempt_error;
      c.event = EventNote{"attempt_failed", attempt_error};
      break;
  }
  // The job as it will read once this completion is committed.
  Job& j = a.job;
  j.status = transitionTarget(c.transition);
  j.result = c.result;
  if (!c.error.empty()) j.error = c.error;
  j.started_at = c.started_at;
  j.locked_by.clear();
  j.lease_until.reset();
  if (isTerminal(j.status)) {
    j.finished_at = c.finished_at;
    j.duration_ms = (c.finished_at - c.started_at).count();
    if (j.status == JobStatus::success || j.status == JobStatus::skipped) j.sealed_payload.clear();
    if (follow_ups_) c.follow_ups = follow_ups_(j);
  } else {
    j.run_at = c.run_at;
    if (c.transition == Transition::release) j.attempts = std::max(0, j.attempts - 1);
  }
  if (outcome.on_commit) {
    c.extra = [hook = outcome.on_commit, after = a.job](Txn& txn) { return hook(txn, after); };
  }
  return a;
}

}  // namespace snapq
