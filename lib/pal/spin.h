/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

/* Bounded busy-waiting.  Every spin in libboc goes through SpinWait: a few
 * rounds of the CPU's pause instruction, then yields, so a spinner never
 * starves the thread it is waiting for (these machines may have fewer cores
 * than runnable threads). */
#ifndef BOC_PAL_SPIN_H
#define BOC_PAL_SPIN_H

#include <atomic>
#include <thread>

namespace boc::pal {

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield" ::: "memory");
#else
  std::atomic_signal_fence(std::memory_order_seq_cst);
#endif
}

class SpinWait {
 public:
  void once() {
    if (count_ < 64) {
      for (unsigned i = 0; i < (1u << (count_ / 16)); i++) cpu_relax();
      count_++;
    } else {
      std::this_thread::yield();
    }
  }

 private:
  unsigned count_ = 0;
};

}  // namespace boc::pal

#endif
