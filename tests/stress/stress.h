/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

/*
 * stress.h - shared helpers for the stress programs (header only).
 *
 * Every stress program takes `--seed N` (default: from the clock) and
 * `--seconds S` (default 5), prints "# seed: N" first, and prints TAP:
 * a plan and one "ok"/"not ok" line per invariant it checks.  Failures
 * seen on worker threads are counted with ST_EXPECT and reported by the
 * main thread.  Exit status is 0 only if every line was "ok".
 */
#ifndef BOC_STRESS_H
#define BOC_STRESS_H

#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <boc.h>

typedef struct st_opts {
  uint64_t seed;
  double seconds;
} st_opts_t;

static inline uint64_t st_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline void st_sleep_us(unsigned us) {
  struct timespec ts = {(time_t)(us / 1000000u), (long)(us % 1000000u) * 1000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

static inline uint64_t st_mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

typedef struct st_rng {
  uint64_t s;
} st_rng_t;

static inline void st_rng_init(st_rng_t *r, uint64_t seed) {
  r->s = st_mix(seed) | 1u;
}

static inline uint64_t st_rng_next(st_rng_t *r) {
  uint64_t x = r->s;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  r->s = x;
  return x * 0x2545f4914f6cdd1dull;
}

static inline uint32_t st_below(st_rng_t *r, uint32_t n) {
  return (uint32_t)((st_rng_next(r) >> 32) % n);
}

static inline void st_usage(const char *prog) {
  fprintf(stderr, "usage: %s [--seed N] [--seconds S]\n", prog);
  exit(2);
}

static inline st_opts_t st_parse(int argc, char **argv) {
  st_opts_t o;
  o.seed = st_mix(st_now_ns() ^ ((uint64_t)getpid() << 32)) % 1000000000ull;
  o.seconds = 5.0;
  for (int i = 1; i < argc; i++) {
    char *end = NULL;
    if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
      o.seed = strtoull(argv[++i], &end, 0);
      if (*end != '\0')
        st_usage(argv[0]);
    } else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
      o.seconds = strtod(argv[++i], &end);
      if (*end != '\0' || o.seconds < 0)
        st_usage(argv[0]);
    } else {
      st_usage(argv[0]);
    }
  }
  printf("# seed: %" PRIu64 "\n# seconds: %g\n", o.seed, o.seconds);
  printf("# replay: %s --seed %" PRIu64 " --seconds %g\n", argv[0], o.seed,
         o.seconds);
  fflush(stdout);
  return o;
}

/* Failures recorded from any thread. */
static _Atomic(uint64_t) st_failures;

#define ST_EXPECT(cond)                                                    \
  do {                                                                     \
    if (!(cond)) {                                                         \
      if (atomic_fetch_add(&st_failures, 1) < 10)                          \
        fprintf(stderr, "# %s:%d: expected %s\n", __FILE__, __LINE__,      \
                #cond);                                                    \
    }                                                                      \
  } while (0)

#define ST_EXPECT_ST(call, want)                                           \
  do {                                                                     \
    int st_st_ = (call);                                                   \
    if (st_st_ != (want)) {                                                \
      if (atomic_fetch_add(&st_failures, 1) < 10)                          \
        fprintf(stderr, "# %s:%d: %s returned %d (%s), wanted %s\n",       \
                __FILE__, __LINE__, #call, st_st_, boc_strerror(st_st_),   \
                #want);                                                    \
    }                                                                      \
  } while (0)

/* TAP output. */
static int st_test_no;
static int st_failed_lines;

static inline void st_ok(int ok, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#include <stdarg.h>
static inline void st_ok(int ok, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  printf("%s %d - ", ok ? "ok" : "not ok", ++st_test_no);
  vprintf(fmt, ap);
  printf("\n");
  va_end(ap);
  fflush(stdout);
  if (!ok)
    st_failed_lines++;
}

static inline int st_exit_status(void) { return st_failed_lines ? 1 : 0; }

/* Counted argument: freed exactly once (checked with a per-id counter). */
typedef struct st_arg {
  _Atomic(uint32_t) *freed; /* counter array */
  size_t id;
} st_arg_t;

static inline void st_arg_free(void *p) {
  st_arg_t *a = p;
  atomic_fetch_add(&a->freed[a->id], 1u);
  free(a);
}

#endif /* BOC_STRESS_H */
