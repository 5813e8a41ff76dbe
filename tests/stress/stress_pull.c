/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

/*
 * stress_pull - native and pulled behaviors over shared cowns while puller
 * threads attach, pull, detach and re-attach at random.
 *
 * Each round starts a runtime with 1-2 native slots and 1-3 pull slots and
 * one puller thread per pull slot.  The main thread schedules random native
 * and pulled behaviors over random subsets of the cowns; native bodies
 * sometimes schedule more work.  Pullers detach and re-attach at random
 * (keeping at least one attached while work remains), and after the round
 * they pull until boc_runtime_wait() stops the runtime, then must see
 * BOC_ESTOPPED and detach.
 *
 * Invariants: each behavior runs once, exclusively, in scheduling order per
 * cown (main-scheduled ones); every argument is freed once; pullers end
 * with BOC_ESTOPPED; no unexpected status.
 */

#include "stress.h"

#include <pthread.h>

enum { NCOWNS = 16, MAX_SET = 3, MAX_IDS = 1 << 23, MAX_IN_FLIGHT = 5000 };

typedef struct slot_data {
  int64_t last_seq;
  int64_t count;
} slot_data_t;

static boc_cown_t *cowns[NCOWNS];
static _Atomic(int) in_use[NCOWNS];
static _Atomic(uint32_t) *freed;
static _Atomic(size_t) next_id;
static _Atomic(uint64_t) overlaps, out_of_order, runs, scheduled, not_stopped,
    expected_count;

typedef struct job {
  st_arg_t hdr;
  int64_t seq; /* -1 when nested */
  int pulled;
  int depth;
  size_t n;
  int idx[MAX_SET];
} job_t;

static job_t *new_job(void) {
  size_t id = atomic_fetch_add(&next_id, 1);
  if (id >= MAX_IDS) {
    atomic_fetch_sub(&next_id, 1);
    return NULL;
  }
  job_t *j = calloc(1, sizeof *j);
  j->hdr.freed = freed;
  j->hdr.id = id;
  return j;
}

static size_t fill(st_rng_t *r, job_t *j, boc_cown_t **set) {
  j->n = st_below(r, MAX_SET + 1);
  int seen[NCOWNS] = {0};
  size_t distinct = 0;
  for (size_t i = 0; i < j->n; i++) {
    j->idx[i] = (int)st_below(r, NCOWNS);
    set[i] = cowns[j->idx[i]];
    distinct += !seen[j->idx[i]]++;
  }
  return distinct;
}

static void native_body(boc_behavior_t *b, void *arg);

static int submit(job_t *j, boc_cown_t **set, size_t distinct) {
  int st = j->pulled ? boc_when_pull(set, j->n, j, st_arg_free, NULL)
                     : boc_when(set, j->n, native_body, j, st_arg_free, NULL);
  if (st == BOC_OK) {
    atomic_fetch_add(&scheduled, 1);
    atomic_fetch_add(&expected_count, distinct);
  }
  return st;
}

static void work(boc_behavior_t *b, job_t *j) {
  int mine[NCOWNS] = {0};
  size_t count = 0;
  ST_EXPECT_ST(boc_behavior_cown_count(b, &count), BOC_OK);
  ST_EXPECT(count == j->n);
  for (size_t i = 0; i < j->n; i++) {
    int k = j->idx[i];
    if (mine[k]++)
      continue;
    if (atomic_exchange(&in_use[k], 1))
      atomic_fetch_add(&overlaps, 1);
    void *p = NULL;
    ST_EXPECT_ST(boc_cown_get(cowns[k], &p), BOC_OK);
    slot_data_t *d = p;
    if (d != NULL) {
      d->count++;
      if (j->seq >= 0) {
        if (j->seq <= d->last_seq)
          atomic_fetch_add(&out_of_order, 1);
        d->last_seq = j->seq;
      }
    }
  }
  for (int k = 0; k < NCOWNS; k++)
    if (mine[k])
      atomic_store(&in_use[k], 0);
  atomic_fetch_add(&runs, 1);
}

static void native_body(boc_behavior_t *b, void *arg) {
  job_t *j = arg;
  work(b, j);
  if (j->depth > 0) {
    st_rng_t r;
    st_rng_init(&r, j->hdr.id);
    job_t *c = new_job();
    if (c == NULL)
      return;
    boc_cown_t *set[MAX_SET];
    size_t distinct = fill(&r, c, set);
    c->seq = -1;
    c->pulled = (int)st_below(&r, 2);
    c->depth = j->depth - 1;
    ST_EXPECT_ST(submit(c, set, distinct), BOC_OK);
  }
}

typedef struct puller {
  pthread_t th;
  uint64_t seed;
  _Atomic(int) *attached_count;
  _Atomic(int) *round_over; /* stop churning; pull until stopped */
  int final_status;
} puller_t;

static void *puller_main(void *p) {
  puller_t *pl = p;
  st_rng_t r;
  st_rng_init(&r, pl->seed);
  for (;;) {
    int st = boc_worker_attach(BOC_ANY_SLOT, NULL);
    if (st == BOC_ENOTRUNNING || st == BOC_ESHUTDOWN) {
      pl->final_status = BOC_ESTOPPED; /* stopped while detached */
      return NULL;
    }
    if (st != BOC_OK) {
      ST_EXPECT(st == BOC_ENOSLOT);
      st_sleep_us(100);
      continue;
    }
    atomic_fetch_add(pl->attached_count, 1);
    uint32_t budget = 1 + st_below(&r, 200);
    for (;;) {
      boc_behavior_t *b = NULL;
      st = boc_worker_pull(BOC_MSEC(st_below(&r, 5)), &b);
      if (st == BOC_OK) {
        void *arg = NULL;
        ST_EXPECT_ST(boc_behavior_arg(b, &arg), BOC_OK);
        job_t *j = arg;
        ST_EXPECT(j != NULL && j->pulled);
        if (j != NULL)
          work(b, j);
        ST_EXPECT_ST(boc_behavior_complete(b), BOC_OK);
      } else if (st != BOC_ETIMEDOUT) {
        break;
      }
      /* churn: detach now and then, but never the last attached puller */
      if (!atomic_load(pl->round_over) && --budget == 0 &&
          atomic_load(pl->attached_count) > 1)
        break;
    }
    atomic_fetch_sub(pl->attached_count, 1);
    ST_EXPECT_ST(boc_worker_detach(), BOC_OK);
    if (st == BOC_ESTOPPED) {
      pl->final_status = st;
      return NULL;
    }
    if (st != BOC_OK && st != BOC_ETIMEDOUT) {
      ST_EXPECT(0 && "unexpected pull status");
      pl->final_status = st;
      return NULL;
    }
  }
}

int main(int argc, char **argv) {
  st_opts_t o = st_parse(argc, argv);
  st_rng_t rng;
  st_rng_init(&rng, o.seed);
  freed = calloc(MAX_IDS, sizeof *freed);
  if (freed == NULL)
    return 99;
  for (int k = 0; k < NCOWNS; k++) {
    slot_data_t *d = calloc(1, sizeof *d);
    d->last_seq = -1;
    if (boc_cown_create(d, free, &cowns[k]) != BOC_OK)
      return 99;
  }
  printf("1..6\n");
  int rounds = o.seconds < 2 ? 1 : (int)(o.seconds / 2.0);
  uint64_t round_ns = (uint64_t)(o.seconds * 1e9 / rounds);
  int64_t seq = 0;
  int completed = 1;
  for (int round = 0; round < rounds && completed; round++) {
    uint32_t natives = 1 + st_below(&rng, 2), pulls = 1 + st_below(&rng, 3);
    boc_runtime_config_t cfg;
    boc_runtime_config_init(&cfg);
    cfg.workers = natives + pulls;
    cfg.pull_slots = pulls;
    if (boc_runtime_start(&cfg) != BOC_OK)
      return 99;
    _Atomic(int) attached_count, round_over;
    atomic_init(&attached_count, 0);
    atomic_init(&round_over, 0);
    puller_t pl[3];
    for (uint32_t i = 0; i < pulls; i++) {
      pl[i].seed = st_rng_next(&rng);
      pl[i].attached_count = &attached_count;
      pl[i].round_over = &round_over;
      pl[i].final_status = -1;
      pthread_create(&pl[i].th, NULL, puller_main, &pl[i]);
    }
    uint64_t end = st_now_ns() + round_ns;
    /* each round may use its share of the ids (nesting included) */
    size_t quota = (size_t)((double)MAX_IDS * 0.8 * (round + 1) / rounds);
    while (st_now_ns() < end && atomic_load(&next_id) < quota) {
      uint64_t f = 0;
      boc_runtime_in_flight(&f);
      if (f > MAX_IN_FLIGHT) {
        st_sleep_us(100);
        continue;
      }
      job_t *j = new_job();
      if (j == NULL)
        break;
      boc_cown_t *set[MAX_SET];
      size_t distinct = fill(&rng, j, set);
      j->seq = seq++;
      j->pulled = (int)st_below(&rng, 2);
      j->depth = (int)st_below(&rng, 3);
      ST_EXPECT_ST(submit(j, set, distinct), BOC_OK);
    }
    /* Pullers stop churning: every pull slot gets attached again. */
    atomic_store(&round_over, 1);
    int st = boc_runtime_quiesce(BOC_SEC(60));
    if (st != BOC_OK) {
      uint64_t f = 0;
      boc_runtime_in_flight(&f);
      fprintf(stderr, "# round %d: quiesce: %s with %" PRIu64
              " behaviors in flight (%d pullers attached)\n",
              round, boc_strerror(st), f, atomic_load(&attached_count));
      completed = 0;
      ST_EXPECT_ST(boc_runtime_shutdown(), BOC_OK);
    } else {
      ST_EXPECT_ST(boc_runtime_wait(BOC_SEC(60)), BOC_OK);
    }
    for (uint32_t i = 0; i < pulls; i++) {
      pthread_join(pl[i].th, NULL);
      if (pl[i].final_status != BOC_ESTOPPED)
        atomic_fetch_add(&not_stopped, 1);
    }
    printf("# round %d: %u native + %u pull slots, %" PRIu64
           " behaviors so far\n",
           round, natives, pulls, atomic_load(&runs));
  }
  int64_t total = 0;
  for (int k = 0; k < NCOWNS; k++) {
    void *p = NULL;
    ST_EXPECT_ST(boc_cown_acquire(cowns[k]), BOC_OK);
    ST_EXPECT_ST(boc_cown_get(cowns[k], &p), BOC_OK);
    if (p)
      total += ((slot_data_t *)p)->count;
    ST_EXPECT_ST(boc_cown_relinquish(cowns[k]), BOC_OK);
    ST_EXPECT_ST(boc_cown_release(cowns[k]), BOC_OK);
  }
  size_t made = atomic_load(&next_id), bad_free = 0;
  for (size_t i = 0; i < made; i++)
    bad_free += atomic_load(&freed[i]) != 1;
  st_ok(completed && atomic_load(&runs) == atomic_load(&scheduled) &&
            total == (int64_t)atomic_load(&expected_count),
        "every behavior ran exactly once (%" PRIu64 " of %" PRIu64 ")",
        atomic_load(&runs), atomic_load(&scheduled));
  st_ok(atomic_load(&overlaps) == 0, "no overlapping holders (%" PRIu64 ")",
        atomic_load(&overlaps));
  st_ok(atomic_load(&out_of_order) == 0,
        "per-cown scheduling order kept (%" PRIu64 " violations)",
        atomic_load(&out_of_order));
  st_ok(bad_free == 0, "every argument freed exactly once (%zu of %zu wrong)",
        bad_free, made);
  st_ok(atomic_load(&not_stopped) == 0,
        "pullers ended with BOC_ESTOPPED and detached (%" PRIu64 " did not)",
        atomic_load(&not_stopped));
  st_ok(atomic_load(&st_failures) == 0, "no unexpected status (%" PRIu64 ")",
        atomic_load(&st_failures));
  return st_exit_status();
}
