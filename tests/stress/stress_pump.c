/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

/*
 * stress_pump - pinned and ordinary behaviors mixed over random subsets of
 * N cowns (the first NPINNED of them pinned), with nesting, while one
 * thread pumps (boc_pump with random budgets and limits, or
 * boc_pump_begin / boc_pump_next_packed for pinned pulled behaviors) in a
 * loop on boc_runtime_await.  Rounds with a fresh runtime (1-3 workers);
 * every third round ends with a forced shutdown instead of a wait.
 *
 * Invariants: every scheduled behavior runs at most once, and exactly once
 * unless a shutdown dropped it; pinned behaviors run on the pump thread
 * and ordinary ones never do; no two behaviors that share a cown overlap;
 * behaviors scheduled by the main thread run in scheduling order on each
 * cown; per-cown counts are conserved; the pinned queue is empty at
 * quiescence and its executed count matches the pinned runs; every
 * argument is freed exactly once.
 */

#include "stress.h"

#include <pthread.h>

enum {
  NCOWNS = 24,
  NPINNED = 6,
  MAX_SET = 4,
  MAX_ARGS = 1 << 22,
  MAX_IN_FLIGHT = 4000
};

typedef struct account {
  int64_t count;    /* behaviors that held it */
  int64_t last_seq; /* last main-scheduled behavior that held it */
} account_t;

typedef struct work {
  size_t id;
  int64_t seq; /* -1 for nested */
  int depth;
  int pinned;
  uint64_t seed;
  size_t n;
  int idx[MAX_SET];
  _Atomic(int) ran;
} work_t;

static boc_cown_t *cowns[NCOWNS];
static _Atomic(int) in_use[NCOWNS];
static _Atomic(uint32_t) *freed;
static _Atomic(size_t) next_id;
static _Atomic(uint64_t) overlaps, out_of_order, runs, scheduled, dropped, expected_count,
    dropped_count, wrong_thread, pinned_runs, twice;
static pthread_t pump_thread;
static _Atomic(int) pump_stop;
static _Atomic(uint64_t) pump_calls, pump_pulled;

static void work_free(void *p) {
  work_t *w = p;
  atomic_fetch_add(&freed[w->id], 1u);
  if (!atomic_load(&w->ran)) {
    atomic_fetch_add(&dropped, 1);
    int seen[NCOWNS] = {0};
    for (size_t i = 0; i < w->n; i++)
      if (!seen[w->idx[i]]++) atomic_fetch_add(&dropped_count, 1);
  }
  free(w);
}

static work_t *new_work(void) {
  size_t id = atomic_fetch_add(&next_id, 1);
  if (id >= MAX_ARGS) {
    atomic_fetch_sub(&next_id, 1);
    return NULL;
  }
  work_t *w = calloc(1, sizeof *w);
  if (w == NULL) return NULL;
  w->id = id;
  return w;
}

static size_t fill_set(st_rng_t *r, work_t *w, boc_cown_t **set) {
  w->n = 1 + st_below(r, MAX_SET); /* duplicates possible */
  int seen[NCOWNS] = {0};
  size_t distinct = 0;
  w->pinned = 0;
  for (size_t j = 0; j < w->n; j++) {
    /* pinned cowns a little more often than their share */
    int k = st_below(r, 4) == 0 ? (int)st_below(r, NPINNED) : (int)st_below(r, NCOWNS);
    w->idx[j] = k;
    set[j] = cowns[k];
    w->pinned |= k < NPINNED;
    if (!seen[k]++) distinct++;
  }
  return distinct;
}

static void body(boc_behavior_t *b, void *arg);

static int schedule(work_t *w, boc_cown_t **set, size_t distinct, int pulled) {
  int st = pulled ? boc_when_pull(set, w->n, w, work_free, NULL)
                  : boc_when(set, w->n, body, w, work_free, NULL);
  /* Refused by a shutdown: the argument was freed unrun, which counts it
   * as dropped, so count it as scheduled too. */
  if (st == BOC_OK || st == BOC_ESHUTDOWN || st == BOC_ENOTRUNNING) {
    atomic_fetch_add(&scheduled, 1);
    atomic_fetch_add(&expected_count, distinct);
  }
  return st;
}

static void body(boc_behavior_t *b, void *arg) {
  work_t *w = arg;
  if (atomic_exchange(&w->ran, 1)) atomic_fetch_add(&twice, 1);
  if (w->pinned != !!pthread_equal(pthread_self(), pump_thread))
    atomic_fetch_add(&wrong_thread, 1);
  if (w->pinned) atomic_fetch_add(&pinned_runs, 1);
  int mine[NCOWNS] = {0};
  account_t *acct[MAX_SET];
  size_t na = 0;
  for (size_t i = 0; i < w->n; i++) {
    int k = w->idx[i];
    if (mine[k]++) continue;
    if (atomic_exchange(&in_use[k], 1)) atomic_fetch_add(&overlaps, 1);
    boc_cown_t *c = NULL;
    void *p = NULL;
    ST_EXPECT_ST(boc_behavior_cown(b, i, &c), BOC_OK);
    ST_EXPECT(c == cowns[k]);
    ST_EXPECT_ST(boc_cown_get(c, &p), BOC_OK);
    acct[na++] = p;
  }
  for (size_t i = 0; i < na; i++) {
    if (acct[i] == NULL) continue;
    acct[i]->count++;
    if (w->seq >= 0) {
      if (w->seq <= acct[i]->last_seq) atomic_fetch_add(&out_of_order, 1);
      acct[i]->last_seq = w->seq;
    }
  }
  st_rng_t r;
  st_rng_init(&r, w->seed);
  if (w->depth > 0) {
    uint32_t kids = st_below(&r, 3);
    for (uint32_t i = 0; i < kids; i++) {
      work_t *c = new_work();
      if (c == NULL) break;
      boc_cown_t *set[MAX_SET];
      size_t distinct = fill_set(&r, c, set);
      c->seq = -1;
      c->depth = w->depth - 1;
      c->seed = st_rng_next(&r);
      int st = schedule(c, set, distinct, 0);
      /* A forced shutdown may refuse it (then it was freed). */
      ST_EXPECT(st == BOC_OK || st == BOC_ESHUTDOWN || st == BOC_ENOTRUNNING);
    }
  }
  for (int k = 0; k < NCOWNS; k++)
    if (mine[k]) atomic_store(&in_use[k], 0);
  atomic_fetch_add(&runs, 1);
}

/* Take pinned pulled behaviors (and the native ones before them) with
 * boc_pump_next_packed() and run them on this thread. */
static void pump_packed(st_rng_t *r) {
  int st = boc_pump_begin();
  if (st != BOC_OK) {
    ST_EXPECT(st == BOC_ENOTRUNNING);
    return;
  }
  uint64_t io[3] = {0, 0, 0};
  uint32_t limit = 1 + st_below(r, 50);
  for (uint32_t i = 0; i < limit; i++) {
    st = boc_pump_next_packed(io);
    if (st != BOC_OK) {
      ST_EXPECT(st == BOC_ETIMEDOUT);
      ST_EXPECT(io[0] == 0);
      break;
    }
    atomic_fetch_add(&pump_pulled, 1);
    body((boc_behavior_t *)(uintptr_t)io[0], (void *)(uintptr_t)io[1]);
  }
  if (io[0] != 0) {
    ST_EXPECT_ST(boc_behavior_complete((boc_behavior_t *)(uintptr_t)io[0]), BOC_OK);
  }
  ST_EXPECT_ST(boc_pump_end(), BOC_OK);
}

static void *pump_main(void *arg) {
  st_rng_t r;
  st_rng_init(&r, *(uint64_t *)arg);
  while (!atomic_load(&pump_stop)) {
    uint32_t why = 0;
    int st = boc_runtime_await(BOC_MSEC(20), &why);
    if (st == BOC_ENOTRUNNING) {
      st_sleep_us(200);
      continue;
    }
    if (st == BOC_ETIMEDOUT) continue;
    ST_EXPECT_ST(st, BOC_OK);
    if (!(why & BOC_AWAIT_PINNED)) {
      st_sleep_us(100); /* quiescent: nothing to pump */
      continue;
    }
    atomic_fetch_add(&pump_calls, 1);
    if (st_below(&r, 4) == 0) {
      pump_packed(&r);
      continue;
    }
    static const int64_t budgets[] = {-1, 0, 100000, 1000000};
    static const uint64_t maxes[] = {0, 1, 7, 100};
    boc_pump_result_t res;
    st = boc_pump(budgets[st_below(&r, 4)], maxes[st_below(&r, 4)], &res);
    if (st == BOC_OK) {
      if (res.pulled_waiting) pump_packed(&r);
    } else {
      ST_EXPECT(st == BOC_ENOTRUNNING);
    }
  }
  return NULL;
}

int main(int argc, char **argv) {
  st_opts_t o = st_parse(argc, argv);
  st_rng_t rng;
  st_rng_init(&rng, o.seed);
  freed = calloc(MAX_ARGS, sizeof *freed);
  if (freed == NULL) return 99;
  for (int k = 0; k < NCOWNS; k++) {
    account_t *a = calloc(1, sizeof *a);
    a->last_seq = -1;
    int st = k < NPINNED ? boc_cown_create_pinned(a, free, &cowns[k])
                         : boc_cown_create(a, free, &cowns[k]);
    if (st != BOC_OK) return 99;
  }
  uint64_t pump_seed = st_rng_next(&rng);
  if (pthread_create(&pump_thread, NULL, pump_main, &pump_seed) != 0) return 99;
  printf("1..8\n");
  int rounds = o.seconds < 2 ? 1 : (int)(o.seconds / 2.0);
  uint64_t round_ns = (uint64_t)(o.seconds * 1e9 / rounds);
  int64_t seq = 0;
  int quiesced = 1, status_ok = 1;
  for (int round = 0; round < rounds; round++) {
    boc_runtime_config_t cfg;
    boc_runtime_config_init(&cfg);
    cfg.workers = 1 + st_below(&rng, 3);
    int st = boc_runtime_start(&cfg);
    if (st != BOC_OK) {
      fprintf(stderr, "# start: %s\n", boc_strerror(st));
      return 99;
    }
    int forced = round % 3 == 2;
    atomic_store(&pinned_runs, 0);
    uint64_t end = st_now_ns() + round_ns;
    size_t quota = (size_t)((double)MAX_ARGS * 0.8 * (round + 1) / rounds);
    while (st_now_ns() < end && atomic_load(&next_id) < quota) {
      uint64_t f = 0;
      boc_runtime_in_flight(&f);
      if (f > MAX_IN_FLIGHT) {
        st_sleep_us(200);
        continue;
      }
      work_t *w = new_work();
      if (w == NULL) break;
      boc_cown_t *set[MAX_SET];
      size_t distinct = fill_set(&rng, w, set);
      w->seq = seq++;
      w->depth = (int)st_below(&rng, 3);
      w->seed = st_rng_next(&rng);
      /* Pinned pulled behaviors need no pull slot. */
      int pulled = w->pinned && st_below(&rng, 3) == 0;
      ST_EXPECT_ST(schedule(w, set, distinct, pulled), BOC_OK);
    }
    if (forced) {
      ST_EXPECT_ST(boc_runtime_shutdown(), BOC_OK);
    } else {
      st = boc_runtime_quiesce(BOC_SEC(60));
      if (st != BOC_OK) {
        fprintf(stderr, "# round %d: quiesce: %s\n", round, boc_strerror(st));
        quiesced = 0;
        boc_runtime_shutdown();
        break;
      }
      boc_pump_status_t ps;
      ST_EXPECT_ST(boc_pump_status(&ps), BOC_OK);
      if (ps.depth != 0 || ps.nonempty_ns != 0 ||
          ps.executed != atomic_load(&pinned_runs)) {
        fprintf(stderr, "# round %d: status depth %" PRIu64 " nonempty %" PRId64
                " executed %" PRIu64 " (pinned runs %" PRIu64 ")\n",
                round, ps.depth, ps.nonempty_ns, ps.executed, atomic_load(&pinned_runs));
        status_ok = 0;
      }
      ST_EXPECT_ST(boc_runtime_wait(BOC_SEC(60)), BOC_OK);
    }
    printf("# round %d: %u workers, %s, %" PRIu64 " behaviors run, %" PRIu64
           " dropped so far; %" PRIu64 " pumps, %" PRIu64 " pinned pulled\n",
           round, cfg.workers, forced ? "shutdown" : "wait", atomic_load(&runs),
           atomic_load(&dropped), atomic_load(&pump_calls), atomic_load(&pump_pulled));
  }
  atomic_store(&pump_stop, 1);
  pthread_join(pump_thread, NULL);

  int64_t total_count = 0;
  for (int k = 0; k < NCOWNS; k++) {
    void *p = NULL;
    ST_EXPECT_ST(boc_cown_acquire(cowns[k]), BOC_OK);
    ST_EXPECT_ST(boc_cown_get(cowns[k], &p), BOC_OK);
    if (p) total_count += ((account_t *)p)->count;
    ST_EXPECT_ST(boc_cown_relinquish(cowns[k]), BOC_OK);
    ST_EXPECT_ST(boc_cown_release(cowns[k]), BOC_OK);
  }
  size_t made = atomic_load(&next_id);
  size_t bad_free = 0;
  for (size_t i = 0; i < made; i++) bad_free += atomic_load(&freed[i]) != 1;

  st_ok(quiesced && atomic_load(&twice) == 0 &&
            atomic_load(&runs) + atomic_load(&dropped) == atomic_load(&scheduled),
        "every behavior ran at most once, and once unless dropped (%" PRIu64
        " ran + %" PRIu64 " dropped of %" PRIu64 ")",
        atomic_load(&runs), atomic_load(&dropped), atomic_load(&scheduled));
  st_ok(atomic_load(&wrong_thread) == 0,
        "pinned behaviors ran on the pump thread, others never (%" PRIu64 " wrong)",
        atomic_load(&wrong_thread));
  st_ok(atomic_load(&overlaps) == 0,
        "behaviors sharing a cown never overlapped (%" PRIu64 " overlaps)",
        atomic_load(&overlaps));
  st_ok(atomic_load(&out_of_order) == 0,
        "main-thread behaviors ran in scheduling order per cown (%" PRIu64 " violations)",
        atomic_load(&out_of_order));
  st_ok(total_count + (int64_t)atomic_load(&dropped_count) ==
            (int64_t)atomic_load(&expected_count),
        "per-cown counts conserved (%lld run + %llu dropped of %llu)", (long long)total_count,
        (unsigned long long)atomic_load(&dropped_count),
        (unsigned long long)atomic_load(&expected_count));
  st_ok(status_ok, "pinned queue empty at quiescence, executed matches pinned runs");
  st_ok(bad_free == 0, "every argument freed exactly once (%zu of %zu wrong)", bad_free,
        made);
  st_ok(atomic_load(&st_failures) == 0, "no unexpected API status (%" PRIu64 " failures)",
        atomic_load(&st_failures));
  free((void *)freed);
  return st_exit_status();
}
