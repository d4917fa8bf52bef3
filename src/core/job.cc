#include "snapq/job.h"

#include <algorithm>

namespace snapq {
namespace {

template <typename E, size_t N>
std::optional<E> parseName(std::string_view s, const std::array<E, N>& all) {
  for (E e : all) {
    if (s == toString(e)) return e;
  }
  return std::nullopt;
}

constexpr std::array<JobKind, 3> kKinds = {JobKind::sync, JobKind::mutation, JobKind::custom};
constexpr std::array<TriggerSource, 5> kTriggers = {TriggerSource::manual, TriggerSource::api,
                                                    TriggerSource::scheduled, TriggerSource::retry,
                                                    TriggerSource::event};
constexpr std::array<ActorType, 3> kActorTypes = {ActorType::user, ActorType::token,
                                                  ActorType::system};

}  // namespace

const char* toString(JobStatus s) {
  switch (s) {
    case JobStatus::queued: return "queued";
    case JobStatus::running: return "running";
    case JobStatus::success: return "success";
    case JobStatus::failed: return "failed";
    case JobStatus::conflict: return "conflict";
    case JobStatus::skipped: return "skipped";
    case JobStatus::cancelled: return "cancelled";
  }
  return "?";
}

const char* toString(JobKind k) {
  switch (k) {
    case JobKind::sync: return "sync";
    case JobKind::mutation: return "mutation";
    case JobKind::custom: return "custom";
  }
  return "?";
}

const char* toString(TriggerSource t) {
  switch (t) {
    case TriggerSource::manual: return "manual";
    case TriggerSource::api: return "api";
    case TriggerSource::scheduled: return "scheduled";
    case TriggerSource::retry: return "retry";
    case TriggerSource::event: return "event";
  }
  return "?";
}

const char* toString(ActorType a) {
  switch (a) {
    case ActorType::user: return "user";
    case ActorType::token: return "token";
    case ActorType::system: return "system";
  }
  return "?";
}

const char* toString(Transition t) {
  switch (t) {
    case Transition::claim: return "claim";
    case Transition::succeed: return "succeed";
    case Transition::skip: return "skip";
    case Transition::conflict: return "conflict";
    case Transition::fail: return "fail";
    case Transition::retry_later: return "retry_later";
    case Transition::release: return "release";
    case Transition::rescue: return "rescue";
    case Transition::cancel: return "cancel";
    case Transition::manual_retry: return "manual_retry";
  }
  return "?";
}

std::optional<JobStatus> parseJobStatus(std::string_view s) { return parseName(s, kAllJobStatuses); }
std::optional<JobKind> parseJobKind(std::string_view s) { return parseName(s, kKinds); }
std::optional<TriggerSource> parseTriggerSource(std::string_view s) { return parseName(s, kTriggers); }
std::optional<ActorType> parseActorType(std::string_view s) { return parseName(s, kActorTypes); }

bool isTerminal(JobStatus s) { return s != JobStatus::queued && s != JobStatus::running; }

bool transitionAllowed(Transition t, JobStatus from) {
  switch (t) {
    case Transition::claim:
    case Transition::cancel:
      return from == JobStatus::queued;
    case Transition::succeed:
    case Transition::skip:
    case Transition::conflict:
    case Transition::fail:
    case Transition::retry_later:
    case Transition::release:
    case Transition::rescue:
      return from == JobStatus::running;
    case Transition::manual_retry:
      return from == JobStatus::failed || from == JobStatus::conflict;
  }
  return false;
}

JobStatus transitionTarget(Transition t) {
  switch (t) {
    case Transition::claim: return JobStatus::running;
    case Transition::succeed: return JobStatus::success;
    case Transition::skip: return JobStatus::skipped;
    case Transition::conflict: return JobStatus::conflict;
    case Transition::fail: return JobStatus::failed;
    case Transition::retry_later:
    case Transition::release:
    case Transition::rescue:
    case Transition::manual_retry: return JobStatus::queued;
    case Transition::cancel: return JobStatus::cancelled;
  }
  return JobStatus::queued;
}

}  // namespace snapq
