/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

/* Monotonic time.  Every timeout and deadline in libboc uses the steady
 * clock, so wall-clock jumps never change how long anything waits. */
#ifndef BOC_PAL_CLOCK_H
#define BOC_PAL_CLOCK_H

#include <chrono>
#include <cstdint>

namespace boc::pal {

using Clock = std::chrono::steady_clock;

inline uint64_t now_ns() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(
          Clock::now().time_since_epoch())
          .count());
}

/* A deadline: either "never" or a steady-clock time point. */
struct Deadline {
  bool forever = true;
  Clock::time_point when{};

  /* timeout_ns < 0 means forever; 0 means "already due". */
  static Deadline after(int64_t timeout_ns) {
    Deadline d;
    if (timeout_ns < 0) return d;
    d.forever = false;
    /* Clamp absurdly long timeouts so the addition cannot overflow. */
    constexpr int64_t max_ns = int64_t(100) * 365 * 24 * 3600 * 1000000000LL;
    if (timeout_ns > max_ns) {
      d.forever = true;
      return d;
    }
    d.when = Clock::now() + std::chrono::nanoseconds(timeout_ns);
    return d;
  }

  bool passed() const { return !forever && Clock::now() >= when; }
};

}  // namespace boc::pal

#endif
