/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

/*
 * The pinned queue: ready behaviors over pinned cowns, waiting for the
 * pump thread (boc/pump.h).
 *
 * Many producers (whoever makes a pinned behavior ready: a worker, a
 * releasing pump, boc_when, a relinquish), one consumer at a time (the
 * thread holding the pump), plus the shutdown drain.  Correctness matters
 * more than speed here, so everything is under one mutex and the queue is
 * an intrusive singly linked list through Behavior::pin_next.
 *
 * State, all guarded by mu_ (depth_ and executed_ are atomics only so
 * that boc_runtime_await and boc_pump_status can read them without it):
 *
 *   head_/tail_      FIFO of ready pinned behaviors
 *   depth_           their number; incremented *before* the link (and
 *                    decremented after the unlink) under mu_, so a reader
 *                    that sees depth_ > 0 and takes mu_ finds the behavior,
 *                    and depth_ never goes negative
 *   since_           steady-clock ns of the last 0 -> 1 edge of depth_
 *                    (0 while empty): the start of the current non-empty
 *                    stretch that boc_pump_status reports
 *   closed_          true while the runtime is stopped or stopping: the
 *                    pump takes nothing (the shutdown drain does)
 *   inc_             the incarnation the queue was opened for
 *   owner_           the thread token holding the pump, or nullptr
 *
 * A claim is valid only for the incarnation it was made in: open() (at
 * start) forgets any owner, so a thread that never gave the pump back
 * before a restart cannot keep it.
 */
#ifndef BOC_CORE_PINNED_H
#define BOC_CORE_PINNED_H

#include <atomic>
#include <cstdint>
#include <mutex>

#include "core/behavior.h"

namespace boc::detail {

class PinnedQueue {
 public:
  /* At start: empty the counters, forget the owner, let the pump take. */
  void open(uint64_t incarnation);
  /* At stop: the pump takes nothing from now on. */
  void close();

  /* Append a ready pinned behavior; true on the 0 -> 1 edge of the depth
   * (the caller then wakes boc_runtime_await). */
  bool push(Behavior *b);

  /* The pump's take: the front behavior if the queue is open for
   * `incarnation` and the front is native or take_pulled.  When the front
   * is a pulled behavior that is left, *pulled_front is set. */
  Behavior *pop(uint64_t incarnation, bool take_pulled, bool *pulled_front);

  /* The shutdown drain: any front behavior, open or closed. */
  Behavior *drain_one();

  /* The pump claim (see above).  claim(): BOC_OK (and *incarnation),
   * BOC_ENOTRUNNING (closed), BOC_EBUSY (another thread holds it) or
   * BOC_EDEADLK (this thread already does). */
  int claim(const void *token, uint64_t *incarnation);
  bool holds(const void *token, uint64_t incarnation);
  void release(const void *token, uint64_t incarnation);

  uint64_t depth() const { return depth_.load(std::memory_order_seq_cst); }
  void count_executed() { executed_.fetch_add(1, std::memory_order_relaxed); }
  /* depth, how long non-empty (now - since, 0 when empty), executed. */
  void status(uint64_t *depth, int64_t *nonempty_ns, uint64_t *executed);

 private:
  Behavior *unlink_front();

  std::mutex mu_;
  Behavior *head_ = nullptr;
  Behavior *tail_ = nullptr;
  /* seq_cst: one side of the Dekker pair with Terminator::wait_for() in
   * boc_runtime_await (see runtime_dispatch). */
  std::atomic<uint64_t> depth_{0};
  uint64_t since_ = 0;
  bool closed_ = true;
  uint64_t inc_ = 0;
  const void *owner_ = nullptr;
  /* relaxed: a statistic, read by boc_pump_status only. */
  std::atomic<uint64_t> executed_{0};
};

}  // namespace boc::detail

#endif
