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
 * wait_for() generalises the wait to any condition read under the mutex;
 * boc_runtime_await uses it for "zero, or pinned work queued", and the
 * pinned enqueue calls wake_waiters() after its seq_cst depth increment.
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
  bool wait_zero(const pal::Deadline &deadline) {
    return wait_for(deadline, [this] { return count() == 0; });
  }
  /* Wait until done() is true; false on timeout.  done() is evaluated
   * under the mutex that poke() takes, so a condition whose change is
   * followed by wake_waiters() is never missed (boc_runtime_await). */
  template <class Done>
  bool wait_for(const pal::Deadline &deadline, Done done);
  /* Wake the waiters if there are any (Dekker with wait_for(): the caller
   * changes what done() reads with a seq_cst operation first). */
  void wake_waiters() {
    if (waiters_.load(std::memory_order_seq_cst) > 0) poke();
  }
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

template <class Done>
bool Terminator::wait_for(const pal::Deadline &deadline, Done done) {
  /* seq_cst: the Dekker pair with dec() and wake_waiters(), which change
   * the condition first and read waiters_ second. */
  waiters_.fetch_add(1, std::memory_order_seq_cst);
  bool ok = true;
  {
    std::unique_lock<std::mutex> lock(mu_);
    while (!done()) {
      if (deadline.forever) {
        cv_.wait(lock);
      } else if (cv_.wait_until(lock, deadline.when) == std::cv_status::timeout &&
                 !done()) {
        ok = false;
        break;
      }
    }
  }
  waiters_.fetch_sub(1, std::memory_order_seq_cst);
  return ok;
}

}  // namespace boc::detail

#endif
