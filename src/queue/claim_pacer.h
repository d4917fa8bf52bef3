// Claim pacing, for stores where a claim is a transaction on a server that
// every node shares (PostgreSQL). When work trickles in a dispatch at a time,
// every node wakes on each commit that queues some (NOTIFY) and claims what
// little is due: claims, and the completion batches after them, shrink to a few
// jobs each, and with 4 worker processes the server spent twice the CPU per job
// of one process. So a claim that came back smaller than kPacedBatch (or than
// the room it asked for) doubles the time its fetcher leaves before the next
// claim, from 2 ms up to 50 ms, and a claim that came back full halves it. Each
// claim then carries more jobs, and how many claims the nodes make together no
// longer grows with their number. Only a steady stream waits: a job dispatched
// when no claim was made for that long is claimed at once. The wait varies by
// +-25 % so that nodes do not march in step.
#pragma once

#include <chrono>
#include <cstddef>
#include <random>

namespace snapq {

class ClaimPacer {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr int kPacedBatch = 128;
  static constexpr std::chrono::microseconds kMinGap{2000};
  static constexpr std::chrono::microseconds kMaxGap{50000};

  // A pacer that is off never waits (one node on its own store: SQLite).
  ClaimPacer(bool on, unsigned seed) : on_(on), rng_(seed) {}

  // A claim was made at `at` and found `found` jobs with room for `room`.
  void claimed(Clock::time_point at, size_t found, int room);
  // When the next claim may be made.
  Clock::time_point nextClaimAt();
  std::chrono::microseconds gap() const { return gap_; }

 private:
  bool on_;
  std::minstd_rand rng_;
  Clock::time_point last_{};
  std::chrono::microseconds gap_{0};
};

}  // namespace snapq
