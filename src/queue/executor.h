// Runs one attempt of a job and turns the handler's outcome into the store
// transition the lifecycle prescribes (retry later, fail, succeed, ...).
#pragma once

#include <functional>
#include <stop_token>

#include "core/masking.h"
#include "core/sealing.h"
#include "snapq/engine.h"

namespace snapq {

struct Attempt {
  JobCompletion completion;
  Job job;  // the job as it is once the completion is applied
};

class Executor {
 public:
  using HandlerLookup = std::function<const JobType*(const std::string& service, const std::string& action)>;
  using ProgressSink = std::function<void(int64_t job_id, std::string json)>;

  // `follow_ups` (may be empty) gives the jobs a final state calls for.
  Executor(const Masker& masker, const Sealer* sealer, Clock& clock, Random& random, RetryPolicy default_retry,
           HandlerLookup lookup, ProgressSink progress, FollowUps follow_ups = {});

  Attempt run(const Job& job, const std::string& worker_id, std::stop_token stop, TimePoint deadline) const;
  // The transition for an outcome (exposed for tests of the lifecycle rules).
  Attempt settle(const Job& job, const std::string& worker_id, const Outcome& outcome, TimePoint started,
                 const RetryPolicy& retry) const;
  Duration timeoutFor(const Job& job) const;

 private:
  const Masker& masker_;
  const Sealer* sealer_;  // null: the engine only manages jobs
  Clock& clock_;
  Random& random_;
  RetryPolicy default_retry_;
  HandlerLookup lookup_;
  ProgressSink progress_;
  FollowUps follow_ups_;
};

}  // namespace snapq
