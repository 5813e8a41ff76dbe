/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

/*
 * stress_when - random behaviors over random subsets of N cowns, with
 * random nesting, in rounds with a fresh runtime (1-4 workers) each.
 *
 * Invariants: every scheduled behavior runs exactly once; no two behaviors
 * that share a cown overlap; behaviors scheduled by the main thread run in
 * scheduling order on each cown; per-cown increments and the total balance
 * moved by transfers are conserved; every argument is freed exactly once.
 */

#include "stress.h"

#include <pthread.h>

enum { NCOWNS = 64, MAX_SET = 5, MAX_ARGS = 1 << 23, MAX_IN_FLIGHT = 20000 };

typedef struct account {
  int idx;
  int64_t count;    /* behaviors that held it */
  int64_t balance;  /* moved by transfers */
  int64_t last_seq; /* last main-scheduled behavior that held it */
} account_t;

static boc_cown_t *cowns[NCOWNS];
static _Atomic(int) in_use[NCOWNS];
static _Atomic(uint32_t) *freed;
static _Atomic(size_t) next_id;
static _Atomic(uint64_t) overlaps, out_of_order, runs, scheduled,
    expected_count, id_exhausted;

typedef struct work {
  st_arg_t hdr;
  int64_t seq; /* -1 for nested */
  int depth;
  uint64_t seed;
  size_t n;
  int idx[MAX_SET];
} work_t;

static void body(boc_behavior_t *b, void *arg);

/* Build a random request set into w and set; returns its distinct count. */
static size_t fill_set(st_rng_t *r, work_t *w, boc_cown_t **set) {
  w->n = st_below(r, MAX_SET + 1); /* 0..MAX_SET, duplicates possible */
  int seen[NCOWNS] = {0};
  size_t distinct = 0;
  for (size_t j = 0; j < w->n; j++) {
    w->idx[j] = (int)st_below(r, NCOWNS);
    set[j] = cowns[w->idx[j]];
    if (!seen[w->idx[j]]++)
      distinct++;
  }
  return distinct;
}

static work_t *new_work(void) {
  size_t id = atomic_fetch_add(&next_id, 1);
  if (id >= MAX_ARGS) {
    atomic_fetch_sub(&next_id, 1);
    atomic_store(&id_exhausted, 1);
    return NULL;
  }
  work_t *w = calloc(1, sizeof *w);
  if (w == NULL)
    return NULL;
  w->hdr.freed = freed;
  w->hdr.id = id;
  return w;
}

/* Schedule w over set; on success account for it. */
static int schedule(work_t *w, boc_cown_t **set, size_t distinct) {
  int st = boc_when(set, w->n, body, w, st_arg_free, NULL);
  if (st == BOC_OK) {
    atomic_fetch_add(&scheduled, 1);
    atomic_fetch_add(&expected_count, distinct);
  }
  return st;
}

static void body(boc_behavior_t *b, void *arg) {
  work_t *w = arg;
  int mine[NCOWNS] = {0};
  account_t *acct[MAX_SET];
  size_t na = 0;
  size_t count = 0;
  ST_EXPECT_ST(boc_behavior_cown_count(b, &count), BOC_OK);
  ST_EXPECT(count == w->n);
  for (size_t i = 0; i < w->n; i++) {
    int k = w->idx[i];
    if (mine[k]++)
      continue;
    if (atomic_exchange(&in_use[k], 1))
      atomic_fetch_add(&overlaps, 1);
    boc_cown_t *c = NULL;
    void *p = NULL;
    ST_EXPECT_ST(boc_behavior_cown(b, i, &c), BOC_OK);
    ST_EXPECT(c == cowns[k]);
    ST_EXPECT_ST(boc_cown_get(c, &p), BOC_OK);
    acct[na++] = p;
  }
  for (size_t i = 0; i < na; i++) {
    if (acct[i] == NULL)
      continue;
    acct[i]->count++;
    if (w->seq >= 0) {
      if (w->seq <= acct[i]->last_seq)
        atomic_fetch_add(&out_of_order, 1);
      acct[i]->last_seq = w->seq;
    }
  }
  if (na >= 2 && acct[0] && acct[1] && acct[0]->balance > 0) {
    int64_t amt = 1 + (int64_t)(w->seed % (uint64_t)acct[0]->balance);
    acct[0]->balance -= amt;
    acct[1]->balance += amt;
  }
  /* nested work */
  st_rng_t r;
  st_rng_init(&r, w->seed);
  if (w->depth > 0) {
    uint32_t kids = st_below(&r, 3);
    for (uint32_t i = 0; i < kids; i++) {
      work_t *c = new_work();
      if (c == NULL)
        break;
      boc_cown_t *set[MAX_SET];
      size_t distinct = fill_set(&r, c, set);
      c->seq = -1;
      c->depth = w->depth - 1;
      c->seed = st_rng_next(&r);
      ST_EXPECT_ST(schedule(c, set, distinct), BOC_OK);
    }
  }
  for (int k = 0; k < NCOWNS; k++)
    if (mine[k])
      atomic_store(&in_use[k], 0);
  atomic_fetch_add(&runs, 1);
}

int main(int argc, char **argv) {
  st_opts_t o = st_parse(argc, argv);
  st_rng_t rng;
  st_rng_init(&rng, o.seed);
  freed = calloc(MAX_ARGS, sizeof *freed);
  if (freed == NULL)
    return 99;
  const int64_t start_balance = 1000;
  for (int k = 0; k < NCOWNS; k++) {
    account_t *a = calloc(1, sizeof *a);
    a->idx = k;
    a->balance = start_balance;
    a->last_seq = -1;
    if (boc_cown_create(a, free, &cowns[k]) != BOC_OK)
      return 99;
  }
  printf("1..6\n");
  int rounds = o.seconds < 2 ? 1 : (int)(o.seconds / 2.0);
  uint64_t round_ns = (uint64_t)(o.seconds * 1e9 / rounds);
  int64_t seq = 0;
  int quiesced = 1;
  for (int round = 0; round < rounds; round++) {
    boc_runtime_config_t cfg;
    boc_runtime_config_init(&cfg);
    cfg.workers = 1 + st_below(&rng, 4);
    int st = boc_runtime_start(&cfg);
    if (st != BOC_OK) {
      fprintf(stderr, "# start: %s\n", boc_strerror(st));
      return 99;
    }
    uint64_t end = st_now_ns() + round_ns;
    /* each round may use its share of the ids (nesting included) */
    size_t quota = (size_t)((double)MAX_ARGS * 0.8 * (round + 1) / rounds);
    while (st_now_ns() < end && atomic_load(&next_id) < quota) {
      uint64_t f = 0;
      boc_runtime_in_flight(&f);
      if (f > MAX_IN_FLIGHT) {
        st_sleep_us(200);
        continue;
      }
      work_t *w = new_work();
      if (w == NULL)
        break;
      boc_cown_t *set[MAX_SET];
      size_t distinct = fill_set(&rng, w, set);
      w->seq = seq++;
      w->depth = (int)st_below(&rng, 4);
      w->seed = st_rng_next(&rng);
      ST_EXPECT_ST(schedule(w, set, distinct), BOC_OK);
    }
    st = boc_runtime_quiesce(BOC_SEC(60));
    if (st != BOC_OK) {
      fprintf(stderr, "# round %d: quiesce: %s\n", round, boc_strerror(st));
      quiesced = 0;
      boc_runtime_shutdown();
      break;
    }
    ST_EXPECT_ST(boc_runtime_wait(BOC_SEC(60)), BOC_OK);
    printf("# round %d: %u workers, %" PRIu64 " behaviors so far\n", round,
           cfg.workers, atomic_load(&runs));
  }
  /* Read every account back. */
  int64_t total_count = 0, total_balance = 0;
  for (int k = 0; k < NCOWNS; k++) {
    void *p = NULL;
    ST_EXPECT_ST(boc_cown_acquire(cowns[k]), BOC_OK);
    ST_EXPECT_ST(boc_cown_get(cowns[k], &p), BOC_OK);
    if (p) {
      total_count += ((account_t *)p)->count;
      total_balance += ((account_t *)p)->balance;
    }
    ST_EXPECT_ST(boc_cown_relinquish(cowns[k]), BOC_OK);
    ST_EXPECT_ST(boc_cown_release(cowns[k]), BOC_OK);
  }
  size_t made = atomic_load(&next_id);
  size_t bad_free = 0;
  for (size_t i = 0; i < made; i++)
    bad_free += atomic_load(&freed[i]) != 1;

  st_ok(quiesced && atomic_load(&runs) == atomic_load(&scheduled),
        "every scheduled behavior ran exactly once (%" PRIu64 " of %" PRIu64
        ")",
        atomic_load(&runs), atomic_load(&scheduled));
  st_ok(atomic_load(&overlaps) == 0,
        "behaviors sharing a cown never overlapped (%" PRIu64 " overlaps)",
        atomic_load(&overlaps));
  st_ok(atomic_load(&out_of_order) == 0,
        "main-thread behaviors ran in scheduling order per cown (%" PRIu64
        " violations)",
        atomic_load(&out_of_order));
  st_ok(total_count == (int64_t)atomic_load(&expected_count) &&
            total_balance == start_balance * NCOWNS,
        "counts and balances conserved (count %lld of %llu, balance %lld of "
        "%lld)",
        (long long)total_count,
        (unsigned long long)atomic_load(&expected_count),
        (long long)total_balance, (long long)(start_balance * NCOWNS));
  st_ok(bad_free == 0, "every argument freed exactly once (%zu of %zu wrong)",
        bad_free, made);
  st_ok(atomic_load(&st_failures) == 0, "no unexpected API status (%" PRIu64
        " failures)", atomic_load(&st_failures));
  free((void *)freed);
  return st_exit_status();
}
