/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

/*
 * The terminator counts behaviors in flight: +1 at boc_when, -1 when the
 * behavior has run (or been dropped).  Waiters sleep on a condition
 * variable until the count is 0.  Closing makes every later inc() fail,
 * which is how shutdown refuses new work.
 *
 * The count and the closed flag share one atomic word (CLOSED is a high
 * bit), so "close only if nothing is in flight" is a single CAS: a
 * graceful stop can never refuse work that a still-running behavior
 * schedules.
 *
 * The hot path (inc/dec) is lock-free.  dec() takes the mutex only when it
 * reaches zero *and* somebody waits: `waiters_` and the word form a Dekker
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
  static constexpr int64_t CLOSED = int64_t(1) << 62;

  /* Count k more; false (and no change) when closed. */
  bool inc(int64_t k = 1);
  /* Count one more even when closed (for work already admitted). */
  void hold() { word_.fetch_add(1, std::memory_order_seq_cst); }
  void dec();
  /* Wait until the count is 0; false on timeout. */
  bool wait_zero(const pal::Deadline &deadline);
  /* Close unconditionally (forced shutdown). */
  void close() { word_.fetch_or(CLOSED, std::memory_order_seq_cst); }
  /* Close only if nothing is in flight; true when it closed. */
  bool close_if_idle() {
    int64_t expected = 0;
    return word_.compare_exchange_strong(expected, CLOSED, std::memory_order_seq_cst);
  }
  void open() { word_.fetch_and(~CLOSED, std::memory_order_seq_cst); }
  bool closed() const { return (word_.load(std::memory_order_seq_cst) & CLOSED) != 0; }
  int64_t count() const { return word_.load(std::memory_order_seq_cst) & ~CLOSED; }
  /* Wake every waiter without changing anything (they re-check). */
  void poke();

 private:
  std::atomic<int64_t> word_{CLOSED};
  std::atomic<int> waiters_{0};
  std::mutex mu_;
  std::condition_variable cv_;
};

}  // namespace boc::detail

#endif
