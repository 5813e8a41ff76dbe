/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

/*
 * The terminator counts behaviors in flight: +1 at boc_when, -1 when the
 * behavior has run (or been dropped).  Waiters sleep on a condition
 * variable until the count is 0.  Closing makes every later inc() fail,
 * which is how shutdown refuses new work.
 *
 * The hot path (inc/dec) is lock-free.  dec() takes the mutex only when it
 * reaches zero *and* somebody waits: `waiters_` and `count_` form a Dekker
 * pair (both seq_cst) so a waiter either sees the zero or is seen waiting.
 */
#ifndef BOC_CORE_TERMINATOR_H
#define BOC_CORE_TERMINATOR_H

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>

#include "pal/clock.h"

namespace boc::detail {

class Terminator {
 public:
  /* Count k more; false (and no change) when closed. */
  bool inc(int64_t k = 1);
  /* Count one more even when closed (for work already admitted). */
  void hold() { count_.fetch_add(1, std::memory_order_seq_cst); }
  void dec();
  /* Wait until the count is 0; false on timeout. */
  bool wait_zero(const pal::Deadline &deadline);
  void close() { closed_.store(true, std::memory_order_seq_cst); }
  void open() { closed_.store(false, std::memory_order_seq_cst); }
  bool closed() const { return closed_.load(std::memory_order_seq_cst); }
  int64_t count() const { return count_.load(std::memory_order_seq_cst); }
  /* Wake every waiter without changing anything (they re-check). */
  void poke();

 private:
  std::atomic<int64_t> count_{0};
  std::atomic<bool> closed_{true};
  std::atomic<int> waiters_{0};
  std::mutex mu_;
  std::condition_variable cv_;
};

}  // namespace boc::detail

#endif
