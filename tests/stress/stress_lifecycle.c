/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

/*
 * stress_lifecycle - repeated start / schedule / quiesce / stop cycles.
 *
 * Each cycle starts a runtime (1-3 workers), schedules random nested chains
 * over a few cowns, each with a result cown, while a second thread keeps
 * scheduling too, then ends in one of three ways: quiesce + wait, wait
 * alone, or a forced shutdown with work still queued behind a slow
 * behavior.
 *
 * Invariants: every argument is freed exactly once; after a shutdown a
 * result cown carries BOC_COWN_DROPPED exactly when its behavior did not
 * run; without a shutdown every behavior runs, and a nested boc_when() from
 * a running behavior is never refused (its parent is in flight, so the
 * runtime cannot have stopped); lifecycle calls return documented statuses.
 */

#include "stress.h"

#include <pthread.h>

enum { NCOWNS = 8, MAX_IDS = 1 << 21 };

static boc_cown_t *cowns[NCOWNS];
static _Atomic(uint32_t) *freed;
static _Atomic(uint8_t) *ran;
static boc_cown_t **results; /* per id, or NULL */
static _Atomic(size_t) next_id;
static _Atomic(int) shutting_down; /* refusals allowed */
static _Atomic(uint64_t) refused_nested, refused_total, bad_flags,
    not_run_without_shutdown, cycles_done;

typedef struct link {
  st_arg_t hdr;
  int depth;
  unsigned sleep_us;
} link_t;

static link_t *new_link(int depth) {
  size_t id = atomic_fetch_add(&next_id, 1);
  if (id >= MAX_IDS) {
    atomic_fetch_sub(&next_id, 1);
    return NULL;
  }
  link_t *l = calloc(1, sizeof *l);
  l->hdr.freed = freed;
  l->hdr.id = id;
  l->depth = depth;
  return l;
}

static void link_body(boc_behavior_t *b, void *arg);

static int schedule_link(boc_cown_t **set, size_t n, link_t *l) {
  size_t id = l->hdr.id;
  boc_cown_t *r = NULL;
  int st = boc_when(set, n, link_body, l, st_arg_free, &r);
  results[id] = st == BOC_OK ? r : NULL;
  return st;
}

static void link_body(boc_behavior_t *b, void *arg) {
  link_t *l = arg;
  atomic_store(&ran[l->hdr.id], 1);
  if (l->sleep_us)
    st_sleep_us(l->sleep_us);
  if (l->depth <= 0)
    return;
  size_t n = 0;
  boc_cown_t *set[2] = {NULL, NULL};
  ST_EXPECT_ST(boc_behavior_cown_count(b, &n), BOC_OK);
  for (size_t i = 0; i < n && i < 2; i++)
    ST_EXPECT_ST(boc_behavior_cown(b, i, &set[i]), BOC_OK);
  link_t *next = new_link(l->depth - 1);
  if (next == NULL)
    return;
  int st = schedule_link(set, n < 2 ? n : 2, next);
  if (st != BOC_OK) {
    atomic_fetch_add(&refused_total, 1);
    if (!atomic_load(&shutting_down)) {
      if (atomic_fetch_add(&refused_nested, 1) < 5)
        fprintf(stderr,
                "# nested boc_when from a running behavior refused: %s "
                "(no shutdown in progress)\n",
                boc_strerror(st));
    } else {
      ST_EXPECT(st == BOC_ESHUTDOWN || st == BOC_ENOTRUNNING);
    }
  }
}

typedef struct feeder {
  uint64_t seed;
  _Atomic(int) stop;
} feeder_t;

static void *feeder_main(void *p) {
  feeder_t *f = p;
  st_rng_t r;
  st_rng_init(&r, f->seed);
  while (!atomic_load(&f->stop)) {
    link_t *l = new_link((int)st_below(&r, 4));
    if (l == NULL)
      break;
    boc_cown_t *set[2] = {cowns[st_below(&r, NCOWNS)], cowns[st_below(&r, NCOWNS)]};
    int st = schedule_link(set, st_below(&r, 3), l);
    if (st != BOC_OK) {
      /* the runtime stopped (wait) or is stopping (shutdown) */
      ST_EXPECT(st == BOC_ENOTRUNNING || st == BOC_ESHUTDOWN);
      break;
    }
    st_sleep_us(st_below(&r, 30));
  }
  return NULL;
}

int main(int argc, char **argv) {
  st_opts_t o = st_parse(argc, argv);
  st_rng_t rng;
  st_rng_init(&rng, o.seed);
  freed = calloc(MAX_IDS, sizeof *freed);
  ran = calloc(MAX_IDS, sizeof *ran);
  results = calloc(MAX_IDS, sizeof *results);
  if (!freed || !ran || !results)
    return 99;
  for (int k = 0; k < NCOWNS; k++)
    if (boc_cown_create(NULL, NULL, &cowns[k]) != BOC_OK)
      return 99;
  printf("1..5\n");
  uint64_t end = st_now_ns() + (uint64_t)(o.seconds * 1e9);
  uint64_t shutdowns = 0, waits = 0;
  do {
    size_t first = atomic_load(&next_id);
    boc_runtime_config_t cfg;
    boc_runtime_config_init(&cfg);
    cfg.workers = 1 + st_below(&rng, 3);
    ST_EXPECT_ST(boc_runtime_start(&cfg), BOC_OK);
    ST_EXPECT_ST(boc_runtime_start(&cfg), BOC_ERUNNING);
    int mode = (int)st_below(&rng, 3); /* 0 quiesce+wait, 1 wait, 2 shutdown */
    atomic_store(&shutting_down, 0);
    feeder_t f;
    f.seed = st_rng_next(&rng);
    atomic_init(&f.stop, 0);
    pthread_t th;
    pthread_create(&th, NULL, feeder_main, &f);
    int chains = 1 + (int)st_below(&rng, 30);
    for (int i = 0; i < chains; i++) {
      link_t *l = new_link((int)st_below(&rng, 20));
      if (l == NULL)
        break;
      if (mode == 2 && i == 0)
        l->sleep_us = 2000; /* something to be queued behind */
      boc_cown_t *set[2] = {cowns[st_below(&rng, NCOWNS)],
                            cowns[st_below(&rng, NCOWNS)]};
      ST_EXPECT_ST(schedule_link(set, 1 + st_below(&rng, 2), l), BOC_OK);
    }
    if (mode == 0)
      ST_EXPECT_ST(boc_runtime_quiesce(BOC_SEC(60)), BOC_OK);
    if (mode == 2) {
      atomic_store(&shutting_down, 1);
      ST_EXPECT_ST(boc_runtime_shutdown(), BOC_OK);
      shutdowns++;
    } else {
      ST_EXPECT_ST(boc_runtime_wait(BOC_SEC(60)), BOC_OK);
      waits++;
    }
    atomic_store(&f.stop, 1);
    pthread_join(th, NULL);
    ST_EXPECT_ST(boc_runtime_quiesce(0), BOC_ENOTRUNNING);
    ST_EXPECT_ST(boc_runtime_shutdown(), BOC_ENOTRUNNING);
    /* Check this cycle's behaviors. */
    size_t last = atomic_load(&next_id);
    for (size_t id = first; id < last; id++) {
      if (results[id] == NULL) /* refused: freed on the error path */
        continue;
      uint32_t flags = 0;
      ST_EXPECT_ST(boc_cown_acquire(results[id]), BOC_OK);
      ST_EXPECT_ST(boc_cown_flags(results[id], &flags), BOC_OK);
      ST_EXPECT_ST(boc_cown_relinquish(results[id]), BOC_OK);
      int dropped = (flags & BOC_COWN_DROPPED) != 0;
      int did_run = atomic_load(&ran[id]) != 0;
      if (dropped == did_run) {
        if (atomic_fetch_add(&bad_flags, 1) < 5)
          fprintf(stderr, "# behavior %zu: ran=%d but dropped flag=%d\n", id,
                  did_run, dropped);
      }
      if (mode != 2 && !did_run)
        atomic_fetch_add(&not_run_without_shutdown, 1);
      ST_EXPECT_ST(boc_cown_release(results[id]), BOC_OK);
      results[id] = NULL;
    }
    atomic_fetch_add(&cycles_done, 1);
  } while (st_now_ns() < end && atomic_load(&next_id) + 100000 < MAX_IDS);

  size_t made = atomic_load(&next_id), bad_free = 0;
  for (size_t i = 0; i < made; i++)
    bad_free += atomic_load(&freed[i]) != 1;
  for (int k = 0; k < NCOWNS; k++)
    ST_EXPECT_ST(boc_cown_release(cowns[k]), BOC_OK);
  printf("# %" PRIu64 " cycles (%" PRIu64 " wait, %" PRIu64
         " shutdown), %zu behaviors, %" PRIu64 " refusals\n",
         atomic_load(&cycles_done), waits, shutdowns, made,
         atomic_load(&refused_total));
  st_ok(bad_free == 0, "every argument freed exactly once (%zu of %zu wrong)",
        bad_free, made);
  st_ok(atomic_load(&bad_flags) == 0,
        "BOC_COWN_DROPPED set exactly on behaviors that did not run (%" PRIu64
        " wrong)",
        atomic_load(&bad_flags));
  st_ok(atomic_load(&not_run_without_shutdown) == 0,
        "without shutdown every accepted behavior ran (%" PRIu64 " did not)",
        atomic_load(&not_run_without_shutdown));
  st_ok(atomic_load(&refused_nested) == 0,
        "nested boc_when from a running behavior never refused while no "
        "shutdown was in progress (%" PRIu64 " refused)",
        atomic_load(&refused_nested));
  st_ok(atomic_load(&st_failures) == 0,
        "lifecycle and API calls returned documented statuses (%" PRIu64
        " failures)",
        atomic_load(&st_failures));
  return st_exit_status();
}
