/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

#include "core/terminator.h"

namespace boc::detail {

bool Terminator::inc(int64_t k) {
  if (closed_.load(std::memory_order_seq_cst)) return false;
  count_.fetch_add(k, std::memory_order_seq_cst);
  /* Re-check: a close() that raced with us must either see our increment
   * (and wait for it) or be seen here (and we back out). */
  if (closed_.load(std::memory_order_seq_cst)) {
    for (int64_t i = 0; i < k; i++) dec();
    return false;
  }
  return true;
}

void Terminator::dec() {
  if (count_.fetch_sub(1, std::memory_order_seq_cst) == 1 &&
      waiters_.load(std::memory_order_seq_cst) > 0)
    poke();
}

void Terminator::poke() {
  { std::lock_guard<std::mutex> lock(mu_); }
  cv_.notify_all();
}

bool Terminator::wait_zero(const pal::Deadline &deadline) {
  waiters_.fetch_add(1, std::memory_order_seq_cst);
  bool ok = true;
  {
    std::unique_lock<std::mutex> lock(mu_);
    while (count_.load(std::memory_order_seq_cst) != 0) {
      if (deadline.forever) {
        cv_.wait(lock);
      } else if (cv_.wait_until(lock, deadline.when) == std::cv_status::timeout &&
                 count_.load(std::memory_order_seq_cst) != 0) {
        ok = false;
        break;
      }
    }
  }
  waiters_.fetch_sub(1, std::memory_order_seq_cst);
  return ok;
}

}  // namespace boc::detail
