/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

/* testutil.c - helpers shared by the Check programs (see testutil.h). */

#define _POSIX_C_SOURCE 200809L
#include "testutil.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define TU_MAGIC_LIVE 0x6c6962626f634c56ull /* "libbocLV" */
#define TU_MAGIC_DEAD 0x6c6962626f634444ull /* "libbocDD" */

/* ---- seeds ------------------------------------------------------------ */

static uint64_t tu_run_seed;

static uint64_t tu_splitmix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

void tu_init(const char *program) {
  const char *env = getenv("BOC_TEST_SEED");
  if (env != NULL && *env != '\0') {
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(env, &end, 0);
    if (errno != 0 || end == env || *end != '\0') {
      fprintf(stderr, "%s: BOC_TEST_SEED=\"%s\" is not a number\n", program,
              env);
      exit(2);
    }
    tu_run_seed = (uint64_t)v;
  } else {
    tu_run_seed = tu_splitmix(tu_now_ns() ^ ((uint64_t)getpid() << 32)) %
                  1000000000ull;
  }
  fprintf(stderr, "# seed: %" PRIu64 " (%s; replay with BOC_TEST_SEED=%" PRIu64
                  ")\n",
          tu_run_seed, program, tu_run_seed);
  fflush(stderr);
}

uint64_t tu_seed(void) { return tu_run_seed; }

uint64_t tu_test_seed(const char *name) {
  uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
  for (const char *p = name; *p != '\0'; p++) {
    h ^= (unsigned char)*p;
    h *= 0x100000001b3ull;
  }
  return tu_splitmix(h ^ tu_splitmix(tu_run_seed));
}

void tu_rng_init(tu_rng_t *rng, uint64_t seed) {
  rng->state = tu_splitmix(seed) | 1u;
}

uint64_t tu_rng_next(tu_rng_t *rng) {
  /* xorshift64* */
  uint64_t x = rng->state;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  rng->state = x;
  return x * 0x2545f4914f6cdd1dull;
}

uint32_t tu_rng_below(tu_rng_t *rng, uint32_t bound) {
  return (uint32_t)((tu_rng_next(rng) >> 32) % bound);
}

/* ---- time ------------------------------------------------------------- */

uint64_t tu_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void tu_sleep_us(unsigned us) {
  struct timespec ts;
  ts.tv_sec = us / 1000000u;
  ts.tv_nsec = (long)(us % 1000000u) * 1000L;
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

void tu_sleep_ms(unsigned ms) {
  while (ms >= 1000u) {
    tu_sleep_us(1000000u);
    ms -= 1000u;
  }
  tu_sleep_us(ms * 1000u);
}

/* ---- workload sizes ----------------------------------------------------- */

size_t tu_scale(size_t n) {
  unsigned long pct = TU_DEFAULT_SCALE;
  const char *env = getenv("BOC_TEST_SCALE");
  if (env != NULL && *env != '\0') {
    char *end = NULL;
    unsigned long v = strtoul(env, &end, 10);
    if (end != env && *end == '\0' && v > 0)
      pct = v;
  }
  size_t r = (size_t)(((unsigned long long)n * pct) / 100ull);
  return r == 0 ? 1 : r;
}

/* ---- failures off the test thread --------------------------------------- */

static _Atomic(unsigned) tu_failures;
static pthread_mutex_t tu_fail_lock = PTHREAD_MUTEX_INITIALIZER;
static char tu_first_failure[512];

void tu_fail_record(const char *file, int line, const char *fmt, ...) {
  char msg[400];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  unsigned n = atomic_fetch_add(&tu_failures, 1u);
  if (n < 20)
    fprintf(stderr, "# %s:%d: %s\n", file, line, msg);
  if (n == 0) {
    pthread_mutex_lock(&tu_fail_lock);
    snprintf(tu_first_failure, sizeof tu_first_failure, "%s:%d: %s", file,
             line, msg);
    pthread_mutex_unlock(&tu_fail_lock);
  }
}

unsigned tu_fail_count(void) { return atomic_load(&tu_failures); }

void tu_assert_clean_at(const char *file, int line) {
  unsigned n = atomic_load(&tu_failures);
  if (n == 0)
    return;
  pthread_mutex_lock(&tu_fail_lock);
  char copy[sizeof tu_first_failure];
  memcpy(copy, tu_first_failure, sizeof copy);
  pthread_mutex_unlock(&tu_fail_lock);
  ck_abort_msg("%u failure(s) recorded off the test thread (checked at %s:%d; "
               "seed %" PRIu64 "); first: %s",
               n, file, line, tu_run_seed, copy);
}

/* ---- tracked allocations -------------------------------------------------- */

void tu_tracker_init(tu_tracker_t *t, size_t n) {
  t->n = n;
  t->freed = calloc(n == 0 ? 1 : n, sizeof *t->freed);
  ck_assert_ptr_nonnull(t->freed);
  for (size_t i = 0; i < n; i++)
    atomic_init(&t->freed[i], 0u);
  atomic_init(&t->total, 0u);
}

void tu_tracker_destroy(tu_tracker_t *t) {
  free((void *)t->freed);
  t->freed = NULL;
  t->n = 0;
}

void *tu_tracked_new(tu_tracker_t *t, size_t id, size_t size) {
  if (size < sizeof(tu_tracked_t))
    size = sizeof(tu_tracked_t);
  tu_tracked_t *p = calloc(1, size);
  if (p == NULL)
    return NULL;
  p->tracker = t;
  p->id = id;
  p->magic = TU_MAGIC_LIVE;
  atomic_init(&p->value, 0);
  atomic_init(&p->flag, 0);
  p->ptr = NULL;
  return p;
}

void tu_tracked_free(void *ptr) {
  tu_tracked_t *p = ptr;
  if (p == NULL) {
    tu_fail_record(__FILE__, __LINE__, "free function called with NULL");
    return;
  }
  if (p->magic != TU_MAGIC_LIVE) {
    tu_fail_record(__FILE__, __LINE__,
                   "tracked block %p freed twice or corrupt (magic %#" PRIx64
                   ")",
                   ptr, p->magic);
    return;
  }
  tu_tracker_t *t = p->tracker;
  if (p->id < t->n)
    atomic_fetch_add(&t->freed[p->id], 1u);
  else
    tu_fail_record(__FILE__, __LINE__, "tracked id %zu out of range", p->id);
  atomic_fetch_add(&t->total, 1u);
  p->magic = TU_MAGIC_DEAD;
  free(p);
}

uint32_t tu_tracker_count(tu_tracker_t *t, size_t id) {
  return atomic_load(&t->freed[id]);
}

uint64_t tu_tracker_total(tu_tracker_t *t) { return atomic_load(&t->total); }

void tu_tracker_assert_once(tu_tracker_t *t, size_t n) {
  for (size_t i = 0; i < n; i++) {
    uint32_t c = atomic_load(&t->freed[i]);
    ck_assert_msg(c == 1, "tracked block %zu freed %u times, wanted exactly 1",
                  i, c);
  }
}

/* ---- runtime fixtures ----------------------------------------------------- */

void tu_start(uint32_t workers, uint32_t pull_slots) {
  boc_runtime_config_t cfg;
  ck_assert_st(boc_runtime_config_init(&cfg), BOC_OK);
  cfg.workers = workers;
  cfg.pull_slots = pull_slots;
  ck_assert_st(boc_runtime_start(&cfg), BOC_OK);
}

int tu_running(void) {
  uint32_t n = 0;
  return boc_runtime_worker_count(&n) == BOC_OK;
}

void tu_stop(void) {
  if (!tu_running())
    return;
  ck_assert_st(boc_runtime_wait(BOC_SEC(10 * TU_SLOW)), BOC_OK);
  ck_assert(!tu_running());
}

void tu_setup_w1(void) { tu_start(1, 0); }
void tu_setup_w2(void) { tu_start(2, 0); }
void tu_setup_w4(void) { tu_start(4, 0); }

void tu_teardown(void) {
  tu_stop();
  tu_assert_clean();
}

/* ---- gates ------------------------------------------------------------------ */

void tu_gate_init(tu_gate_t *g) {
  atomic_init(&g->entered, 0);
  atomic_init(&g->open, 0);
  atomic_init(&g->left, 0);
}

void tu_gate_body(boc_behavior_t *b, void *arg) {
  (void)b;
  tu_gate_t *g = arg;
  atomic_store(&g->entered, 1);
  uint64_t deadline = tu_now_ns() + TU_MS(30000) * 1000000ull;
  while (!atomic_load(&g->open)) {
    if (tu_now_ns() > deadline) {
      tu_fail_record(__FILE__, __LINE__, "gate never opened");
      break;
    }
    tu_sleep_us(100);
  }
  atomic_store(&g->left, 1);
}

void tu_gate_wait_entered(tu_gate_t *g) {
  int ok;
  TU_WAIT_UNTIL(ok, atomic_load(&g->entered), 10000);
  ck_assert_msg(ok, "gate behavior did not start within 10 s");
}

void tu_gate_open(tu_gate_t *g) { atomic_store(&g->open, 1); }

void tu_noop_body(boc_behavior_t *b, void *arg) {
  (void)b;
  (void)arg;
}

boc_cown_t *tu_cown(void) {
  boc_cown_t *c = NULL;
  ck_assert_st(boc_cown_create(NULL, NULL, &c), BOC_OK);
  ck_assert_ptr_nonnull(c);
  return c;
}

boc_cown_t *tu_cown_tracked(tu_tracker_t *t, size_t id, int64_t v) {
  tu_tracked_t *p = TU_TRACKED(t, id);
  ck_assert_ptr_nonnull(p);
  atomic_store(&p->value, v);
  boc_cown_t *c = NULL;
  ck_assert_st(boc_cown_create(p, tu_tracked_free, &c), BOC_OK);
  ck_assert_ptr_nonnull(c);
  return c;
}

/* ---- running a suite ---------------------------------------------------------- */

int tu_run(Suite *s) {
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_ENV);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
