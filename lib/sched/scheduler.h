/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

/*
 * The scheduler: N worker slots, each with its own FIFO queue and a
 * one-deep "run next" slot, work stealing between slots, and parking.
 *
 * Slots come in two kinds.  Native slots are driven by threads libboc
 * starts; they run native behaviors only.  Pull slots are driven by
 * foreign threads through the pull API; they run native behaviors inline
 * and hand pulled behaviors to their thread.  Routing keeps pulled
 * behaviors off native slots:
 *   - a pulled behavior is queued only on pull slots;
 *   - a native behavior is queued on a pull slot only when the runtime has
 *     no native slots (so no native work waits on a thread that may stop
 *     pulling);
 *   - native slots steal only from native slots; pull slots steal from all.
 *
 * Dispatch (a behavior became ready):
 *   - from the thread of a slot that may run it: into that slot's run-next
 *     slot; the previous occupant moves to the slot's queue.  The newest
 *     work runs next (cache-warm), but at most BATCH times in a row, after
 *     which the run-next item goes to the back of the queue (fairness);
 *   - otherwise: round-robin onto an eligible slot's queue, then wake it.
 *
 * Fairness: besides the batch limit, every FAIRNESS_PERIOD-th take from
 * its own queue a worker first tries to steal, so a long local queue does
 * not starve work queued on other slots.
 *
 * Parking (idle costs no CPU): a worker that finds nothing after a short
 * spin sets `parked` and bumps `parked_count_` (seq_cst), then re-scans
 * every queue it may take from (seq_cst loads); producers publish with a
 * seq_cst exchange, then read the parked flags (seq_cst).  Whichever side
 * comes second in the seq_cst order sees the other, so no wake-up is lost.  A producer wakes the target slot when it is parked,
 * else one parked slot that may steal from the target.
 */
#ifndef BOC_SCHED_SCHEDULER_H
#define BOC_SCHED_SCHEDULER_H

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>

#include "boc/runtime.h"
#include "core/behavior.h"
#include "pal/clock.h"
#include "sched/mpmcq.h"

namespace boc::detail {

/* Counters: written by the slot's own thread with relaxed load+store (no
 * locked instruction), except pushed_remote which other threads bump. */
struct SlotStats {
  std::atomic<uint64_t> pushed_local{0};
  std::atomic<uint64_t> dispatched_to_pending{0};
  std::atomic<uint64_t> pushed_remote{0};
  std::atomic<uint64_t> popped_local{0};
  std::atomic<uint64_t> popped_via_steal{0};
  std::atomic<uint64_t> dequeue_cas_retries{0};
  std::atomic<uint64_t> batch_resets{0};
  std::atomic<uint64_t> steal_attempts{0};
  std::atomic<uint64_t> steal_failures{0};
  std::atomic<uint64_t> parked{0};
  std::atomic<uint64_t> last_steal_attempt_ns{0};
  std::atomic<uint64_t> fairness_arm_fires{0};
};

struct alignas(64) Slot {
  MPMCQueue queue;
  uint32_t index = 0;
  bool pull = false;
  /* Owned by the slot's thread (native slots only; pull slots never use
   * it so nothing can be stranded in a thread that stops pulling). */
  Behavior *pending = nullptr;
  int batch = 0;
  uint32_t since_fairness = 0;
  uint32_t steal_cursor = 0;
  std::atomic<bool> attached{false};
  std::atomic<bool> parked{false};
  std::mutex mu;
  std::condition_variable cv;
  bool wake = false; /* guarded by mu */
  SlotStats stats;
};

class Scheduler {
 public:
  static constexpr int BATCH = 100;
  static constexpr uint32_t FAIRNESS_PERIOD = 64;

  Scheduler(uint32_t slots, uint32_t pull_slots, uint64_t incarnation);
  ~Scheduler();

  uint32_t size() const { return n_; }
  uint32_t pull_slots() const { return n_pull_; }
  uint32_t first_pull() const { return n_ - n_pull_; }
  Slot &slot(uint32_t i) { return slots_[i]; }
  uint64_t incarnation() const { return incarnation_; }

  /* A behavior became ready. */
  void dispatch(Behavior *b);

  /* The next behavior for slot s; nullptr on stop or when the deadline
   * passes (distinguish with stopping()). */
  Behavior *next(Slot &s, const pal::Deadline &deadline);

  /* Stop: every next() returns nullptr from now on; wake all sleepers. */
  void request_stop();
  bool stopping() const { return stopping_.load(std::memory_order_seq_cst); }

  /* Move a native thread's run-next item to its queue (before it exits). */
  void flush_pending(Slot &s);

  /* Take any queued behavior (for the shutdown drain). */
  Behavior *drain_one();

  void stats(boc_worker_stats_t *out) const;

 private:
  bool may_steal(const Slot &thief, const Slot &victim) const {
    return thief.pull || !victim.pull;
  }
  Behavior *pop_own(Slot &s);
  Behavior *steal_from(Slot &s, Slot &victim);
  Behavior *try_steal(Slot &s);
  Behavior *steal_round(Slot &s);
  bool work_visible(const Slot &s) const;
  void park(Slot &s, const pal::Deadline &deadline);
  void wake_for(Slot &target);
  void unpark(Slot &s);
  Slot *choose_target(Kind kind);

  uint32_t n_;
  uint32_t n_pull_;
  uint64_t incarnation_;
  std::unique_ptr<Slot[]> slots_;
  std::atomic<bool> stopping_{false};
  alignas(64) std::atomic<int> parked_count_{0};
};

/* The slot the calling thread drives in scheduler `s`, or nullptr. */
Slot *current_slot(const Scheduler &s);
void set_current_slot(Slot *slot, uint64_t incarnation);

}  // namespace boc::detail

#endif
