/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

#include "core/terminator.h"

namespace boc::detail {

bool Terminator::inc(int64_t k) {
  if ((word_.load(std::memory_order_seq_cst) & CLOSED) != 0) return false;
  int64_t before = word_.fetch_add(k, std::memory_order_seq_cst);
  /* Closed between the load and the add: back out.  A close that comes
   * after the add sees our count (and waits for it, or fails to close). */
  if ((before & CLOSED) != 0) {
    for (int64_t i = 0; i < k; i++) dec();
    return false;
  }
  return true;
}

void Terminator::dec() {
  int64_t before = word_.fetch_sub(1, std::memory_order_seq_cst);
  if (((before - 1) & ~CLOSED) == 0 && waiters_.load(std::memory_order_seq_cst) > 0)
    poke();
}

void Terminator::poke() {
  { std::lock_guard<std::mutex> lock(mu_); }
  cv_.notify_all();
}

}  // namespace boc::detail
