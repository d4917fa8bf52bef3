#include "snapq/job.h"

#include <gtest/gtest.h>

namespace snapq {
namespace {

TEST(JobStateMachine, EveryTransitionAllowsExactlyTheDocumentedStates) {
  using S = JobStatus;
  struct Case {
    Transition t;
    std::vector<S> from;
    S to;
  };
  const std::vector<Case> cases = {
      {Transition::claim, {S::queued}, S::running},
      {Transition::succeed, {S::running}, S::success},
      {Transition::skip, {S::running}, S::skipped},
      {Transition::conflict, {S::running}, S::conflict},
      {Transition::fail, {S::running}, S::failed},
      {Transition::retry_later, {S::running}, S::queued},
      {Transition::release, {S::running}, S::queued},
      {Transition::rescue, {S::running}, S::queued},
      {Transition::cancel, {S::queued}, S::cancelled},
      {Transition::manual_retry, {S::failed, S::conflict}, S::queued},
  };
  for (const Case& c : cases) {
    for (S s : kAllJobStatuses) {
      bool expected = std::find(c.from.begin(), c.from.end(), s) != c.from.end();
      EXPECT_EQ(transitionAllowed(c.t, s), expected) << toString(c.t) << " from " << toString(s);
    }
    EXPECT_EQ(transitionTarget(c.t), c.to) << toString(c.t);
  }
}

TEST(JobStateMachine, TerminalStatesNeverLeadAnywhereButManualRetry) {
  for (JobStatus s : {JobStatus::success, JobStatus::skipped, JobStatus::cancelled}) {
    EXPECT_TRUE(isTerminal(s));
    for (int t = 0; t <= static_cast<int>(Transition::manual_retry); ++t) {
      EXPECT_FALSE(transitionAllowed(static_cast<Transition>(t), s)) << toString(s);
    }
  }
  EXPECT_FALSE(isTerminal(JobStatus::queued));
  EXPECT_FALSE(isTerminal(JobStatus::running));
}

TEST(JobNames, RoundTripAndRejectUnknown) {
  for (JobStatus s : kAllJobStatuses) EXPECT_EQ(parseJobStatus(toString(s)), s);
  EXPECT_EQ(parseJobKind("mutation"), JobKind::mutation);
  EXPECT_EQ(parseTriggerSource("scheduled"), TriggerSource::scheduled);
  EXPECT_EQ(parseActorType("token"), ActorType::token);
  EXPECT_FALSE(parseJobStatus("Queued"));
  EXPECT_FALSE(parseJobStatus(""));
  EXPECT_FALSE(parseTriggerSource("cron"));
}

}  // namespace
}  // namespace snapq
