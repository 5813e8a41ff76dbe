/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

/*
 * testutil.h - helpers shared by the Check programs in tests/unit/.
 *
 * Conventions used by every check_<area>.c:
 *
 * - Tests run in Check's fork mode.  A checked fixture starts the runtime
 *   inside each forked test (threads do not survive fork) and the teardown
 *   stops it, failing the test if the runtime cannot be stopped cleanly.
 *   CK_FORK=no runs everything in one process (for gdb); each test still
 *   leaves the runtime stopped, so that works too.
 * - One seed per run, printed as "# seed: N" on stderr and taken from the
 *   environment variable BOC_TEST_SEED when set.  Each test derives its own
 *   stream from the seed and its name, so a test replays the same way no
 *   matter which other tests ran first.
 * - Check's ck_assert() must only be called from the test's own thread.
 *   Behaviors and helper threads record failures with TU_EXPECT*(), and the
 *   test thread turns them into a Check failure with tu_assert_clean().
 * - Every wait is bounded.  Time bounds and workload sizes scale with
 *   TU_SLOW (sanitizer builds are slower) and with BOC_TEST_SCALE, a
 *   percentage applied to workload sizes (default 100; TSan builds 30,
 *   ASan builds 50).
 */
#ifndef BOC_TESTUTIL_H
#define BOC_TESTUTIL_H

#include <check.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <boc.h>

#if defined(__SANITIZE_THREAD__)
#define TU_SLOW 10
#define TU_DEFAULT_SCALE 30
#elif defined(__SANITIZE_ADDRESS__)
#define TU_SLOW 3
#define TU_DEFAULT_SCALE 50
#else
#define TU_SLOW 1
#define TU_DEFAULT_SCALE 100
#endif

/* ---- seeds and random numbers ---------------------------------------- */

/* Read BOC_TEST_SEED (or pick a seed) and print it.  Call once from main. */
void tu_init(const char *program);
/* The run's seed. */
uint64_t tu_seed(void);
/* A seed for one test: the run's seed mixed with the test's name. */
uint64_t tu_test_seed(const char *test_name);

typedef struct tu_rng {
  uint64_t state;
} tu_rng_t;

void tu_rng_init(tu_rng_t *rng, uint64_t seed);
uint64_t tu_rng_next(tu_rng_t *rng);
/* Uniform in [0, bound); bound > 0. */
uint32_t tu_rng_below(tu_rng_t *rng, uint32_t bound);

/* A generator seeded for the calling test (uses __func__). */
#define TU_RNG(name) \
  tu_rng_t name;     \
  tu_rng_init(&name, tu_test_seed(__func__))

/* ---- time ------------------------------------------------------------ */

/* Monotonic clock in nanoseconds. */
uint64_t tu_now_ns(void);
void tu_sleep_us(unsigned us);
void tu_sleep_ms(unsigned ms);
/* A time bound in milliseconds scaled for sanitizer builds. */
#define TU_MS(ms) ((uint64_t)(ms) * (uint64_t)TU_SLOW)
/* A Check timeout in seconds scaled for sanitizer builds. */
#define TU_TIMEOUT(s) ((s) * TU_SLOW)

/*
 * TU_WAIT_UNTIL(ok, cond, ms): poll cond every 100 us for at most
 * TU_MS(ms) milliseconds; ok becomes 1 if cond held, 0 on timeout.
 */
#define TU_WAIT_UNTIL(ok, cond, ms)                                   \
  do {                                                               \
    uint64_t tu_deadline_ = tu_now_ns() + TU_MS(ms) * 1000000ull;    \
    (ok) = 0;                                                        \
    for (;;) {                                                       \
      if (cond) {                                                    \
        (ok) = 1;                                                    \
        break;                                                       \
      }                                                              \
      if (tu_now_ns() > tu_deadline_)                                \
        break;                                                       \
      tu_sleep_us(100);                                              \
    }                                                                \
  } while (0)

/* ---- workload sizes --------------------------------------------------- */

/* n scaled by BOC_TEST_SCALE percent (see above), at least 1. */
size_t tu_scale(size_t n);

/* ---- failures recorded off the test thread ---------------------------- */

void tu_fail_record(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Number of failures recorded so far. */
unsigned tu_fail_count(void);
/* Fail the current test (ck_assert) if anything was recorded. */
#define tu_assert_clean() tu_assert_clean_at(__FILE__, __LINE__)
void tu_assert_clean_at(const char *file, int line);

#define TU_EXPECT(cond)                                          \
  do {                                                           \
    if (!(cond))                                                 \
      tu_fail_record(__FILE__, __LINE__, "expected %s", #cond);  \
  } while (0)

/* Expect a libboc call to return a given status. */
#define TU_EXPECT_ST(call, want)                                           \
  do {                                                                     \
    int tu_st_ = (call);                                                   \
    if (tu_st_ != (want))                                                  \
      tu_fail_record(__FILE__, __LINE__, "%s returned %d (%s), wanted %s", \
                     #call, tu_st_, boc_strerror(tu_st_), #want);          \
  } while (0)

/* Check a libboc call's status from the test thread. */
#define ck_assert_st(call, want)                                          \
  do {                                                                    \
    int ck_st_ = (call);                                                  \
    ck_assert_msg(ck_st_ == (want), "%s returned %d (%s), wanted %s (%d)", \
                  #call, ck_st_, boc_strerror(ck_st_), #want, (int)(want)); \
  } while (0)

/* ---- tracked allocations (args and payloads freed exactly once) ------- */

/*
 * A tracker counts, per id, how many times a tracked block was freed.
 * Tracked blocks start with a tu_tracked_t header; tu_tracked_free() is a
 * boc_free_fn.  A block freed twice is caught by its magic number (and by
 * ASan) and recorded as a failure.
 */
typedef struct tu_tracker {
  _Atomic(uint32_t) *freed; /* per id */
  size_t n;
  _Atomic(uint64_t) total;  /* all frees */
} tu_tracker_t;

typedef struct tu_tracked {
  tu_tracker_t *tracker;
  size_t id;
  uint64_t magic;
  /* Free for the tests' own use. */
  _Atomic(int64_t) value;
  _Atomic(int) flag;
  void *ptr;
} tu_tracked_t;

void tu_tracker_init(tu_tracker_t *t, size_t n);
void tu_tracker_destroy(tu_tracker_t *t);
/* Allocate size bytes (>= sizeof(tu_tracked_t)), header filled in. */
void *tu_tracked_new(tu_tracker_t *t, size_t id, size_t size);
#define TU_TRACKED(t, id) ((tu_tracked_t *)tu_tracked_new((t), (id), sizeof(tu_tracked_t)))
void tu_tracked_free(void *p);
uint32_t tu_tracker_count(tu_tracker_t *t, size_t id);
uint64_t tu_tracker_total(tu_tracker_t *t);
/* Assert (ck_assert, test thread) that ids [0, n) were each freed once. */
void tu_tracker_assert_once(tu_tracker_t *t, size_t n);

/* ---- runtime fixtures ------------------------------------------------- */

/* Start the runtime (ck_assert on failure). */
void tu_start(uint32_t workers, uint32_t pull_slots);
/* Stop the runtime if it runs: boc_runtime_wait() must succeed in time. */
void tu_stop(void);
/* 1 if the runtime is running. */
int tu_running(void);

/* Checked fixtures. */
void tu_setup_w1(void);
void tu_setup_w2(void);
void tu_setup_w4(void);
void tu_teardown(void);

/* ---- gates: behaviors that block until the test lets them go ---------- */

typedef struct tu_gate {
  _Atomic(int) entered;
  _Atomic(int) open;
  _Atomic(int) left;
} tu_gate_t;

void tu_gate_init(tu_gate_t *g);
/* A behavior body; arg is a tu_gate_t * (borrowed: pass arg_free NULL). */
void tu_gate_body(boc_behavior_t *b, void *arg);
/* Wait until a gate behavior is inside its body (ck_assert on timeout). */
void tu_gate_wait_entered(tu_gate_t *g);
void tu_gate_open(tu_gate_t *g);

/* A behavior body that does nothing. */
void tu_noop_body(boc_behavior_t *b, void *arg);

/* Create a cown with a NULL payload (ck_assert on failure). */
boc_cown_t *tu_cown(void);
/* Create a cown whose payload is a tracked block with id (value = v). */
boc_cown_t *tu_cown_tracked(tu_tracker_t *t, size_t id, int64_t v);

/* ---- running a suite -------------------------------------------------- */

/* Run a suite with TAP/verbosity from the environment; exit status. */
int tu_run(Suite *s);

#endif /* BOC_TESTUTIL_H */
