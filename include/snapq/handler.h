// Job types: what runs a job, and how it may be retried.
#pragma once

#include <functional>
#include <map>
#include <stop_token>
#include <string>
#include <string_view>

#include "snapq/job.h"
#include "snapq/retry.h"
#include "snapq/store.h"

namespace snapq {

// How an attempt ended, as the handler saw it.
struct Outcome {
  enum class Kind {
    success,
    skipped,      // nothing to do (already applied)
    conflict,     // the remote changed since dispatch; nothing was written
    retryable,    // network, timeout, 5xx: try again after the retry policy's wait
    rate_limited, // try again after `retry_after`, without charging an attempt
    rejected,     // not retryable (validation): fail at once
  };
  Kind kind = Kind::success;
  std::string result;  // JSON text, or empty
  std::string message;
  // rate_limited: the wait; retryable: the least wait (a Retry-After), when longer than the policy's.
  Duration retry_after{0};
  // Writes committed in the same transaction as the job's new state, given
  // the job as it will be (status success, failed, queued for a retry, ...):
  // the mutation executor's snapshot row. Not called when the completion no
  // longer applies (the job was rescued or cancelled meanwhile).
  std::function<Status(Txn&, const Job& after)> on_commit;

  static Outcome ok(std::string result_json = {}) { return {Kind::success, std::move(result_json), {}, {}, {}}; }
  static Outcome skip(std::string why, std::string result_json = {}) {
    return {Kind::skipped, std::move(result_json), std::move(why), {}, {}};
  }
  static Outcome conflictWith(std::string why, std::string result_json = {}) {
    return {Kind::conflict, std::move(result_json), std::move(why), {}, {}};
  }
  static Outcome retry(std::string why) { return {Kind::retryable, {}, std::move(why), {}, {}}; }
  static Outcome rateLimited(Duration wait, std::string why) {
    return {Kind::rate_limited, {}, std::move(why), wait, {}};
  }
  static Outcome reject(std::string why) { return {Kind::rejected, {}, std::move(why), {}, {}}; }
};

// What a handler sees while it runs one attempt.
class JobContext {
 public:
  virtual ~JobContext() = default;
  virtual const Job& job() const = 0;
  // The real (unmasked) payload as JSON text.
  virtual const std::string& payload() const = 0;
  // Requested on timeout and when the worker must stop; handlers should return soon.
  virtual std::stop_token stopToken() const = 0;
  // Progress as JSON text (e.g. {"pages":3}); stored on the job, rate-limited.
  virtual void progress(std::string json) = 0;
};

using Handler = std::function<Outcome(JobContext&)>;

// What one instance of a service changes for its jobs (Job::instance).
struct InstanceOverride {
  RetryPolicy retry;
  Duration timeout{5 * 60 * 1000};
};

struct JobType {
  std::string service;
  std::string action;
  Handler handler;
  RetryPolicy retry;
  Duration timeout{5 * 60 * 1000};
  // Per instance name: replaces `retry` and `timeout` for that instance's jobs.
  std::map<std::string, InstanceOverride, std::less<>> instances = {};
  // Conflict handling is done by the handler; the queue passes this on through
  // Job::override_conflict when a manager chose "apply anyway".

  const RetryPolicy& retryFor(std::string_view instance) const {
    auto it = instances.find(instance);
    return it == instances.end() ? retry : it->second.retry;
  }
  Duration timeoutFor(std::string_view instance) const {
    auto it = instances.find(instance);
    return it == instances.end() ? timeout : it->second.timeout;
  }
};

}  // namespace snapq
