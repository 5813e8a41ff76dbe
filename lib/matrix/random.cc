/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

/*
 * matrix/random.cc - per-thread random numbers for boc_matrix_random().
 *
 * Each thread owns a xoshiro256** generator (Blackman and Vigna), so
 * threads never contend and never share a stream.  A thread's generator
 * starts on first use from splitmix64(process seed, thread number); the
 * process seed comes from getrandom() (falling back to the clock, the pid
 * and an address), and boc_matrix_seed() replaces it and reseeds the
 * calling thread.  A generator remembers the pid it was seeded in: after
 * fork() the child's first draw reseeds an unseeded generator from a fresh
 * process seed, so parent and child do not repeat each other.  A thread
 * seeded explicitly keeps its stream across fork (the caller asked for it).
 */
#include <sys/random.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>

#include "matrix/matrix.h"

namespace boc::detail {

namespace {

uint64_t splitmix64(uint64_t *x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

// The process seed and the pid it belongs to.  Relaxed atomics: a thread
// that reads a stale pair merely seeds from the older process seed.
std::atomic<uint64_t> g_seed{0};
std::atomic<int64_t> g_seed_pid{-1};
std::atomic<uint64_t> g_thread_number{0};

uint64_t fresh_entropy() {
  uint64_t v = 0;
  if (getrandom(&v, sizeof v, GRND_NONBLOCK) != static_cast<ssize_t>(sizeof v)) {
    uint64_t t = static_cast<uint64_t>(
        std::chrono::steady_clock::now().time_since_epoch().count());
    v = t ^ (static_cast<uint64_t>(getpid()) << 32) ^ reinterpret_cast<uintptr_t>(&v);
  }
  return v;
}

uint64_t process_seed(int64_t pid) {
  if (g_seed_pid.load(std::memory_order_relaxed) != pid) {
    g_seed.store(fresh_entropy(), std::memory_order_relaxed);
    g_seed_pid.store(pid, std::memory_order_relaxed);
  }
  return g_seed.load(std::memory_order_relaxed);
}

struct Rng {
  uint64_t s[4];
  int64_t pid = -1;  // -1: not seeded yet
  bool explicit_seed = false;

  void seed_from(uint64_t seed) {
    uint64_t x = seed;
    for (auto &w : s) w = splitmix64(&x);
  }
  void ensure() {
    if (explicit_seed) return;
    const int64_t pid_now = getpid();
    if (pid == pid_now) return;
    uint64_t n = g_thread_number.fetch_add(1, std::memory_order_relaxed);
    seed_from(process_seed(pid_now) ^ (n * 0xd1b54a32d192ed03ull));
    pid = pid_now;
  }
  uint64_t next() {
    const uint64_t result = rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
  }
  // Uniform in [0, 1) with 53 random bits.
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
};

thread_local Rng t_rng;

}  // namespace

void matrix_seed(uint64_t seed) {
  g_seed.store(seed, std::memory_order_relaxed);
  g_seed_pid.store(getpid(), std::memory_order_relaxed);
  t_rng.seed_from(seed);
  t_rng.explicit_seed = true;
  t_rng.pid = getpid();
}

int matrix_random(int dist, size_t rows, size_t cols, double p0, double p1,
                  boc_matrix_t **out) {
  if ((dist != BOC_MATRIX_UNIFORM && dist != BOC_MATRIX_NORMAL) || out == nullptr)
    return BOC_EINVAL;
  size_t n = 0;
  if (!matrix_count(rows, cols, &n)) return BOC_EINVAL;
  Slot slot(out);
  if (int st = slot.prepare(rows, cols)) return st;
  double *o = slot.dst()->data;
  Rng &g = t_rng;
  g.ensure();
  if (dist == BOC_MATRIX_UNIFORM) {
    const double span = p1 - p0;
    for (size_t i = 0; i < n; i++) o[i] = p0 + span * g.unit();
  } else {
    // Box-Muller: two normals from two uniforms; u1 in (0, 1] so log is finite.
    constexpr double kTwoPi = 6.283185307179586476925286766559;
    for (size_t i = 0; i < n; i += 2) {
      double u1 = 1.0 - g.unit(), u2 = g.unit();
      double r = std::sqrt(-2.0 * std::log(u1));
      o[i] = p0 + p1 * r * std::cos(kTwoPi * u2);
      if (i + 1 < n) o[i + 1] = p0 + p1 * r * std::sin(kTwoPi * u2);
    }
  }
  slot.commit();
  return BOC_OK;
}

}  // namespace boc::detail
