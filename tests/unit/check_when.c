/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

/* check_when.c - boc_when(): ordering, exclusion, duplicates, nesting,
 * futures and argument ownership. */

#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static void quiesce_ok(void) {
  ck_assert_st(boc_runtime_quiesce(BOC_SEC(30 * TU_SLOW)), BOC_OK);
}

/* ---- order on one cown ----------------------------------------------------- */

typedef struct seq_log {
  _Atomic(size_t) len;
  size_t cap;
  int64_t *v;
} seq_log_t;

static void seq_log_init(seq_log_t *l, size_t cap) {
  atomic_init(&l->len, 0);
  l->cap = cap;
  l->v = calloc(cap, sizeof *l->v);
  ck_assert_ptr_nonnull(l->v);
}

static void seq_log_push(seq_log_t *l, int64_t x) {
  size_t i = atomic_fetch_add(&l->len, 1);
  if (i < l->cap)
    l->v[i] = x;
  else
    tu_fail_record(__FILE__, __LINE__, "sequence log overflow");
}

typedef struct order_arg {
  tu_tracked_t hdr;
  seq_log_t *log;
  int64_t seq;
} order_arg_t;

static void order_body(boc_behavior_t *b, void *arg) {
  (void)b;
  order_arg_t *a = arg;
  seq_log_push(a->log, a->seq);
}

START_TEST(test_when_one_cown_runs_in_scheduling_order) {
  size_t n = tu_scale(5000);
  boc_cown_t *c = tu_cown();
  seq_log_t log;
  seq_log_init(&log, n);
  tu_tracker_t t;
  tu_tracker_init(&t, n);
  for (size_t i = 0; i < n; i++) {
    order_arg_t *a = tu_tracked_new(&t, i, sizeof *a);
    a->log = &log;
    a->seq = (int64_t)i;
    ck_assert_st(boc_when(&c, 1, order_body, a, tu_tracked_free, NULL), BOC_OK);
  }
  quiesce_ok();
  tu_assert_clean();
  ck_assert_uint_eq(atomic_load(&log.len), n);
  for (size_t i = 0; i < n; i++)
    ck_assert_msg(log.v[i] == (int64_t)i, "position %zu ran behavior %lld", i,
                  (long long)log.v[i]);
  tu_tracker_assert_once(&t, n);
  ck_assert_st(boc_cown_release(c), BOC_OK);
  free(log.v);
  tu_tracker_destroy(&t);
}
END_TEST

enum { ORD_THREADS = 4 };
static boc_cown_t *ord_cown;
static seq_log_t ord_log;
static size_t ord_per_thread;

static void *ord_thread(void *arg) {
  int64_t k = (int64_t)(intptr_t)arg;
  for (size_t i = 0; i < ord_per_thread; i++) {
    order_arg_t *a = malloc(sizeof *a);
    if (a == NULL)
      return NULL;
    memset(a, 0, sizeof *a);
    a->log = &ord_log;
    a->seq = k * 1000000 + (int64_t)i;
    TU_EXPECT_ST(boc_when(&ord_cown, 1, order_body, a, free, NULL), BOC_OK);
  }
  return NULL;
}

START_TEST(test_when_each_scheduling_thread_keeps_its_order) {
  ord_per_thread = tu_scale(1000);
  ord_cown = tu_cown();
  seq_log_init(&ord_log, ORD_THREADS * ord_per_thread);
  pthread_t th[ORD_THREADS];
  for (intptr_t k = 0; k < ORD_THREADS; k++)
    ck_assert_int_eq(pthread_create(&th[k], NULL, ord_thread, (void *)k), 0);
  for (int k = 0; k < ORD_THREADS; k++)
    pthread_join(th[k], NULL);
  quiesce_ok();
  tu_assert_clean();
  ck_assert_uint_eq(atomic_load(&ord_log.len), ORD_THREADS * ord_per_thread);
  int64_t last[ORD_THREADS];
  for (int k = 0; k < ORD_THREADS; k++)
    last[k] = -1;
  for (size_t i = 0; i < ORD_THREADS * ord_per_thread; i++) {
    int64_t k = ord_log.v[i] / 1000000, s = ord_log.v[i] % 1000000;
    ck_assert(k >= 0 && k < ORD_THREADS);
    ck_assert_msg(s == last[k] + 1, "thread %lld: behavior %lld ran after %lld",
                  (long long)k, (long long)s, (long long)last[k]);
    last[k] = s;
  }
  ck_assert_st(boc_cown_release(ord_cown), BOC_OK);
  free(ord_log.v);
}
END_TEST

/* ---- exclusion and per-cown order over many cowns -------------------------- */

enum { EX_COWNS = 16, EX_MAX_SET = 5 };

typedef struct ex_state {
  _Atomic(int) in_use[EX_COWNS];
  _Atomic(uint64_t) overlaps;
  _Atomic(uint64_t) runs;
  seq_log_t log[EX_COWNS];
  boc_cown_t *cown[EX_COWNS];
} ex_state_t;

static ex_state_t ex;

typedef struct ex_arg {
  tu_tracked_t hdr;
  int64_t seq;
  size_t n;
  int idx[EX_MAX_SET]; /* may repeat */
} ex_arg_t;

static void ex_body(boc_behavior_t *b, void *arg) {
  ex_arg_t *a = arg;
  int mine[EX_COWNS] = {0};
  size_t count = 0;
  TU_EXPECT_ST(boc_behavior_cown_count(b, &count), BOC_OK);
  TU_EXPECT(count == a->n);
  for (size_t i = 0; i < a->n; i++) {
    boc_cown_t *c = NULL;
    TU_EXPECT_ST(boc_behavior_cown(b, i, &c), BOC_OK);
    TU_EXPECT(c == ex.cown[a->idx[i]]);
    if (mine[a->idx[i]]++)
      continue; /* a duplicate: already marked */
    if (atomic_exchange(&ex.in_use[a->idx[i]], 1) != 0)
      atomic_fetch_add(&ex.overlaps, 1);
  }
  for (volatile int spin = 0; spin < 200; spin++) {
  }
  for (int k = 0; k < EX_COWNS; k++) {
    if (mine[k]) {
      seq_log_push(&ex.log[k], a->seq);
      atomic_store(&ex.in_use[k], 0);
    }
  }
  atomic_fetch_add(&ex.runs, 1);
}

static void ex_run(size_t n, size_t max_set) {
  TU_RNG(rng);
  memset(&ex, 0, sizeof ex);
  for (int k = 0; k < EX_COWNS; k++) {
    atomic_init(&ex.in_use[k], 0);
    seq_log_init(&ex.log[k], n);
    ex.cown[k] = tu_cown();
  }
  atomic_init(&ex.overlaps, 0);
  atomic_init(&ex.runs, 0);
  tu_tracker_t t;
  tu_tracker_init(&t, n);
  /* expected per-cown logs */
  seq_log_t want[EX_COWNS];
  for (int k = 0; k < EX_COWNS; k++)
    seq_log_init(&want[k], n);
  for (size_t i = 0; i < n; i++) {
    ex_arg_t *a = tu_tracked_new(&t, i, sizeof *a);
    ck_assert_ptr_nonnull(a);
    a->seq = (int64_t)i;
    a->n = 1 + tu_rng_below(&rng, (uint32_t)max_set);
    boc_cown_t *set[EX_MAX_SET];
    int mine[EX_COWNS] = {0};
    for (size_t j = 0; j < a->n; j++) {
      a->idx[j] = (int)tu_rng_below(&rng, EX_COWNS);
      set[j] = ex.cown[a->idx[j]];
      if (!mine[a->idx[j]]++)
        seq_log_push(&want[a->idx[j]], (int64_t)i);
    }
    ck_assert_st(boc_when(set, a->n, ex_body, a, tu_tracked_free, NULL),
                 BOC_OK);
  }
  quiesce_ok();
  tu_assert_clean();
  ck_assert_uint_eq(atomic_load(&ex.runs), n);
  ck_assert_msg(atomic_load(&ex.overlaps) == 0,
                "%llu times two behaviors held one cown at once",
                (unsigned long long)atomic_load(&ex.overlaps));
  for (int k = 0; k < EX_COWNS; k++) {
    size_t len = atomic_load(&ex.log[k].len);
    ck_assert_uint_eq(len, atomic_load(&want[k].len));
    for (size_t i = 0; i < len; i++)
      ck_assert_msg(ex.log[k].v[i] == want[k].v[i],
                    "cown %d: position %zu ran behavior %lld, scheduled %lld",
                    k, i, (long long)ex.log[k].v[i], (long long)want[k].v[i]);
    free(ex.log[k].v);
    free(want[k].v);
    ck_assert_st(boc_cown_release(ex.cown[k]), BOC_OK);
  }
  tu_tracker_assert_once(&t, n);
  tu_tracker_destroy(&t);
}

START_TEST(test_when_two_cown_behaviors_hold_both_exclusively) {
  ex_run(tu_scale(20000), 2);
}
END_TEST

START_TEST(test_when_behaviors_sharing_a_cown_never_overlap) {
  ex_run(tu_scale(20000), EX_MAX_SET);
}
END_TEST

/* ---- bank: no lost updates ------------------------------------------------- */

enum { BANK_ACCOUNTS = 1000, BANK_START = 1000 };

static _Atomic(int) bank_in_use[BANK_ACCOUNTS];
static _Atomic(uint64_t) bank_overlaps;
static _Atomic(uint64_t) bank_done;

typedef struct transfer {
  tu_tracked_t hdr;
  int from, to;
  int64_t amount;
} transfer_t;

static void transfer_body(boc_behavior_t *b, void *arg) {
  transfer_t *tr = arg;
  boc_cown_t *from = NULL, *to = NULL;
  TU_EXPECT_ST(boc_behavior_cown(b, 0, &from), BOC_OK);
  TU_EXPECT_ST(boc_behavior_cown(b, 1, &to), BOC_OK);
  if (atomic_exchange(&bank_in_use[tr->from], 1))
    atomic_fetch_add(&bank_overlaps, 1);
  if (atomic_exchange(&bank_in_use[tr->to], 1))
    atomic_fetch_add(&bank_overlaps, 1);
  void *pf = NULL, *pt = NULL;
  TU_EXPECT_ST(boc_cown_get(from, &pf), BOC_OK);
  TU_EXPECT_ST(boc_cown_get(to, &pt), BOC_OK);
  if (pf != NULL && pt != NULL) {
    tu_tracked_t *af = pf, *at = pt;
    /* Plain read-modify-write split in two steps: a second holder would
     * lose an update. */
    int64_t bf = atomic_load_explicit(&af->value, memory_order_relaxed);
    int64_t bt = atomic_load_explicit(&at->value, memory_order_relaxed);
    int64_t amt = tr->amount <= bf ? tr->amount : bf;
    atomic_store_explicit(&af->value, bf - amt, memory_order_relaxed);
    atomic_store_explicit(&at->value, bt + amt, memory_order_relaxed);
  }
  atomic_store(&bank_in_use[tr->from], 0);
  atomic_store(&bank_in_use[tr->to], 0);
  atomic_fetch_add(&bank_done, 1);
}

START_TEST(test_when_transfers_conserve_total) {
  TU_RNG(rng);
  size_t n = tu_scale(100000);
  tu_tracker_t accounts, args;
  tu_tracker_init(&accounts, BANK_ACCOUNTS);
  tu_tracker_init(&args, n);
  boc_cown_t **acct = calloc(BANK_ACCOUNTS, sizeof *acct);
  ck_assert_ptr_nonnull(acct);
  for (int i = 0; i < BANK_ACCOUNTS; i++) {
    atomic_init(&bank_in_use[i], 0);
    acct[i] = tu_cown_tracked(&accounts, (size_t)i, BANK_START);
  }
  for (size_t i = 0; i < n; i++) {
    transfer_t *tr = tu_tracked_new(&args, i, sizeof *tr);
    ck_assert_ptr_nonnull(tr);
    tr->from = (int)tu_rng_below(&rng, BANK_ACCOUNTS);
    do
      tr->to = (int)tu_rng_below(&rng, BANK_ACCOUNTS);
    while (tr->to == tr->from);
    tr->amount = 1 + (int64_t)tu_rng_below(&rng, 200);
    boc_cown_t *pair[2] = {acct[tr->from], acct[tr->to]};
    ck_assert_st(boc_when(pair, 2, transfer_body, tr, tu_tracked_free, NULL),
                 BOC_OK);
  }
  quiesce_ok();
  tu_assert_clean();
  ck_assert_uint_eq(atomic_load(&bank_done), n);
  ck_assert_uint_eq(atomic_load(&bank_overlaps), 0);
  int64_t total = 0;
  for (int i = 0; i < BANK_ACCOUNTS; i++) {
    ck_assert_st(boc_cown_acquire(acct[i]), BOC_OK);
    void *p = NULL;
    ck_assert_st(boc_cown_get(acct[i], &p), BOC_OK);
    int64_t v = atomic_load(&((tu_tracked_t *)p)->value);
    ck_assert_int_ge(v, 0);
    total += v;
    ck_assert_st(boc_cown_relinquish(acct[i]), BOC_OK);
    ck_assert_st(boc_cown_release(acct[i]), BOC_OK);
  }
  ck_assert_int_eq(total, (int64_t)BANK_ACCOUNTS * BANK_START);
  tu_tracker_assert_once(&accounts, BANK_ACCOUNTS);
  tu_tracker_assert_once(&args, n);
  free(acct);
  tu_tracker_destroy(&accounts);
  tu_tracker_destroy(&args);
}
END_TEST

/* ---- duplicates ------------------------------------------------------------ */

typedef struct dup_probe {
  boc_cown_t *const *want; /* the array given to boc_when */
  size_t n;
  _Atomic(int) runs;
} dup_probe_t;

static void dup_body(boc_behavior_t *b, void *arg) {
  dup_probe_t *p = arg;
  atomic_fetch_add(&p->runs, 1);
  size_t count = 0;
  TU_EXPECT_ST(boc_behavior_cown_count(b, &count), BOC_OK);
  TU_EXPECT(count == p->n);
  for (size_t i = 0; i < p->n; i++) {
    boc_cown_t *c = NULL;
    TU_EXPECT_ST(boc_behavior_cown(b, i, &c), BOC_OK);
    TU_EXPECT(c == p->want[i]);
    void *payload = NULL;
    TU_EXPECT_ST(boc_cown_get(c, &payload), BOC_OK);
    /* Same cown, same payload, writable through either index. */
    TU_EXPECT_ST(boc_cown_set_flags(c, BOC_COWN_EXCEPTION), BOC_OK);
  }
  boc_cown_t *c = NULL;
  TU_EXPECT_ST(boc_behavior_cown(b, p->n, &c), BOC_EINVAL);
}

static void run_dup_case(boc_cown_t *const *cowns, size_t n) {
  dup_probe_t p;
  p.want = cowns;
  p.n = n;
  atomic_init(&p.runs, 0);
  ck_assert_st(boc_when(cowns, n, dup_body, &p, NULL, NULL), BOC_OK);
  quiesce_ok();
  tu_assert_clean();
  ck_assert_int_eq(atomic_load(&p.runs), 1);
}

START_TEST(test_when_duplicate_pair_runs_once) {
  boc_cown_t *c = tu_cown();
  boc_cown_t *set[2] = {c, c};
  run_dup_case(set, 2);
  ck_assert_st(boc_cown_release(c), BOC_OK);
}
END_TEST

START_TEST(test_when_duplicate_triple_runs_once) {
  boc_cown_t *c = tu_cown();
  boc_cown_t *set[3] = {c, c, c};
  run_dup_case(set, 3);
  ck_assert_st(boc_cown_release(c), BOC_OK);
}
END_TEST

START_TEST(test_when_nonadjacent_duplicates_run_once) {
  boc_cown_t *a = tu_cown(), *b = tu_cown(), *c = tu_cown();
  /* c is newest (highest id) but comes first; a and b repeat apart. */
  boc_cown_t *set[6] = {c, a, b, a, c, b};
  run_dup_case(set, 6);
  ck_assert_st(boc_cown_release(a), BOC_OK);
  ck_assert_st(boc_cown_release(b), BOC_OK);
  ck_assert_st(boc_cown_release(c), BOC_OK);
}
END_TEST

START_TEST(test_when_duplicates_release_every_reference) {
  tu_tracker_t t;
  tu_tracker_init(&t, 2);
  boc_cown_t *a = tu_cown_tracked(&t, 0, 0);
  boc_cown_t *b = tu_cown_tracked(&t, 1, 0);
  boc_cown_t *set[5] = {a, b, a, a, b};
  for (int i = 0; i < 10; i++)
    ck_assert_st(boc_when(set, 5, tu_noop_body, NULL, NULL, NULL), BOC_OK);
  quiesce_ok();
  ck_assert_st(boc_cown_release(a), BOC_OK);
  ck_assert_st(boc_cown_release(b), BOC_OK);
  /* Neither a leaked nor an extra reference: freed now, exactly once. */
  tu_tracker_assert_once(&t, 2);
  tu_assert_clean();
  tu_tracker_destroy(&t);
}
END_TEST

START_TEST(test_when_duplicates_keep_scheduling_order) {
  boc_cown_t *c = tu_cown(), *d = tu_cown();
  seq_log_t log;
  seq_log_init(&log, 64);
  order_arg_t args[60];
  memset(args, 0, sizeof args);
  for (int i = 0; i < 60; i++) {
    args[i].log = &log;
    args[i].seq = i;
    boc_cown_t *set[3];
    size_t n;
    switch (i % 3) {
    case 0: set[0] = c; n = 1; break;
    case 1: set[0] = c; set[1] = d; set[2] = c; n = 3; break;
    default: set[0] = d; set[1] = c; set[2] = d; n = 3; break;
    }
    ck_assert_st(boc_when(set, n, order_body, &args[i], NULL, NULL), BOC_OK);
  }
  quiesce_ok();
  ck_assert_uint_eq(atomic_load(&log.len), 60);
  for (int i = 0; i < 60; i++)
    ck_assert_int_eq(log.v[i], i);
  free(log.v);
  ck_assert_st(boc_cown_release(c), BOC_OK);
  ck_assert_st(boc_cown_release(d), BOC_OK);
}
END_TEST

/* ---- zero cowns and the largest request set --------------------------------- */

typedef struct zero_probe {
  _Atomic(int) runs;
  _Atomic(int) result_seen;
} zero_probe_t;

static void zero_body(boc_behavior_t *b, void *arg) {
  zero_probe_t *p = arg;
  size_t count = 99;
  TU_EXPECT_ST(boc_behavior_cown_count(b, &count), BOC_OK);
  TU_EXPECT(count == 0);
  boc_cown_t *c = NULL;
  TU_EXPECT_ST(boc_behavior_cown(b, 0, &c), BOC_EINVAL);
  boc_cown_t *r = NULL;
  TU_EXPECT_ST(boc_behavior_result(b, &r), BOC_OK);
  if (r != NULL) {
    TU_EXPECT_ST(boc_cown_set(r, (void *)(uintptr_t)0x51, NULL), BOC_OK);
    atomic_store(&p->result_seen, 1);
  }
  atomic_fetch_add(&p->runs, 1);
}

START_TEST(test_when_zero_cowns_runs_once) {
  zero_probe_t p;
  atomic_init(&p.runs, 0);
  atomic_init(&p.result_seen, 0);
  ck_assert_st(boc_when(NULL, 0, zero_body, &p, NULL, NULL), BOC_OK);
  boc_cown_t *unused = tu_cown();
  ck_assert_st(boc_when(&unused, 0, zero_body, &p, NULL, NULL), BOC_OK);
  quiesce_ok();
  tu_assert_clean();
  ck_assert_int_eq(atomic_load(&p.runs), 2);
  ck_assert_int_eq(atomic_load(&p.result_seen), 0);
  /* count 0 took no hold on the array's cown */
  ck_assert_st(boc_cown_acquire(unused), BOC_OK);
  ck_assert_st(boc_cown_relinquish(unused), BOC_OK);
  ck_assert_st(boc_cown_release(unused), BOC_OK);
}
END_TEST

static void read_result_payload_body(boc_behavior_t *b, void *arg) {
  boc_cown_t *c = NULL;
  void *v = NULL;
  TU_EXPECT_ST(boc_behavior_cown(b, 0, &c), BOC_OK);
  TU_EXPECT_ST(boc_cown_get(c, &v), BOC_OK);
  atomic_store((_Atomic(uintptr_t) *)arg, (uintptr_t)v);
}

START_TEST(test_when_zero_cowns_result_is_a_future) {
  zero_probe_t p;
  atomic_init(&p.runs, 0);
  atomic_init(&p.result_seen, 0);
  boc_cown_t *r = NULL;
  ck_assert_st(boc_when(NULL, 0, zero_body, &p, NULL, &r), BOC_OK);
  ck_assert_ptr_nonnull(r);
  _Atomic(uintptr_t) seen;
  atomic_init(&seen, 0);
  ck_assert_st(boc_when(&r, 1, read_result_payload_body, &seen, NULL, NULL),
               BOC_OK);
  quiesce_ok();
  tu_assert_clean();
  ck_assert_int_eq(atomic_load(&p.result_seen), 1);
  ck_assert_uint_eq(atomic_load(&seen), 0x51);
  ck_assert_st(boc_cown_release(r), BOC_OK);
}
END_TEST

static void count_runs_body(boc_behavior_t *b, void *arg) {
  size_t count = 0;
  TU_EXPECT_ST(boc_behavior_cown_count(b, &count), BOC_OK);
  TU_EXPECT(count == BOC_WHEN_MAX_COWNS);
  atomic_fetch_add((_Atomic(int) *)arg, 1);
}

START_TEST(test_when_max_cowns_is_accepted) {
  boc_cown_t *c[3] = {tu_cown(), tu_cown(), tu_cown()};
  boc_cown_t **set = malloc(BOC_WHEN_MAX_COWNS * sizeof *set);
  ck_assert_ptr_nonnull(set);
  for (size_t i = 0; i < BOC_WHEN_MAX_COWNS; i++)
    set[i] = c[i % 3];
  _Atomic(int) runs;
  atomic_init(&runs, 0);
  ck_assert_st(boc_when(set, BOC_WHEN_MAX_COWNS, count_runs_body, &runs, NULL,
                        NULL),
               BOC_OK);
  quiesce_ok();
  tu_assert_clean();
  ck_assert_int_eq(atomic_load(&runs), 1);
  free(set);
  for (int i = 0; i < 3; i++)
    ck_assert_st(boc_cown_release(c[i]), BOC_OK);
}
END_TEST

/* ---- nesting ----------------------------------------------------------------- */

static void child_reads_body(boc_behavior_t *b, void *arg) {
  boc_cown_t *c = NULL;
  void *p = NULL;
  TU_EXPECT_ST(boc_behavior_cown(b, 0, &c), BOC_OK);
  TU_EXPECT_ST(boc_cown_get(c, &p), BOC_OK);
  atomic_store((_Atomic(int64_t) *)arg,
               p ? atomic_load(&((tu_tracked_t *)p)->value) : -1);
}

static void parent_body(boc_behavior_t *b, void *arg) {
  boc_cown_t *c = NULL;
  void *p = NULL;
  TU_EXPECT_ST(boc_behavior_cown(b, 0, &c), BOC_OK);
  TU_EXPECT_ST(boc_cown_get(c, &p), BOC_OK);
  atomic_store(&((tu_tracked_t *)p)->value, 1);
  TU_EXPECT_ST(boc_when(&c, 1, child_reads_body, arg, NULL, NULL), BOC_OK);
  /* The child cannot start while this behavior holds c. */
  tu_sleep_ms(20);
  atomic_store(&((tu_tracked_t *)p)->value, 2);
}

START_TEST(test_when_nested_behavior_runs_after_parent) {
  tu_tracker_t t;
  tu_tracker_init(&t, 1);
  boc_cown_t *c = tu_cown_tracked(&t, 0, 0);
  _Atomic(int64_t) seen;
  atomic_init(&seen, 0);
  ck_assert_st(boc_when(&c, 1, parent_body, &seen, NULL, NULL), BOC_OK);
  ck_assert_st(boc_cown_release(c), BOC_OK);
  quiesce_ok();
  tu_assert_clean();
  ck_assert_int_eq(atomic_load(&seen), 2);
  tu_tracker_assert_once(&t, 1);
  tu_tracker_destroy(&t);
}
END_TEST

typedef struct chain {
  _Atomic(int64_t) links;
  int64_t depth;
  _Atomic(int) out_of_order;
  tu_tracker_t *args;
} chain_t;

typedef struct chain_arg {
  tu_tracked_t hdr;
  chain_t *chain;
  int64_t index;
} chain_arg_t;

static void chain_body(boc_behavior_t *b, void *arg) {
  chain_arg_t *a = arg;
  chain_t *ch = a->chain;
  int64_t prev = atomic_fetch_add(&ch->links, 1);
  if (prev != a->index)
    atomic_store(&ch->out_of_order, 1);
  if (a->index + 1 < ch->depth) {
    size_t n = 0;
    TU_EXPECT_ST(boc_behavior_cown_count(b, &n), BOC_OK);
    boc_cown_t *set[2] = {NULL, NULL};
    for (size_t i = 0; i < n && i < 2; i++)
      TU_EXPECT_ST(boc_behavior_cown(b, i, &set[i]), BOC_OK);
    chain_arg_t *next =
        tu_tracked_new(ch->args, (size_t)a->index + 1, sizeof *next);
    next->chain = ch;
    next->index = a->index + 1;
    TU_EXPECT_ST(boc_when(set, n, chain_body, next, tu_tracked_free, NULL),
                 BOC_OK);
  }
}

static void run_chain(size_t ncowns) {
  int64_t depth = (int64_t)tu_scale(2000);
  tu_tracker_t t;
  tu_tracker_init(&t, (size_t)depth);
  chain_t ch;
  atomic_init(&ch.links, 0);
  atomic_init(&ch.out_of_order, 0);
  ch.depth = depth;
  ch.args = &t;
  boc_cown_t *set[2] = {tu_cown(), tu_cown()};
  chain_arg_t *first = tu_tracked_new(&t, 0, sizeof *first);
  first->chain = &ch;
  first->index = 0;
  ck_assert_st(boc_when(set, ncowns, chain_body, first, tu_tracked_free, NULL),
               BOC_OK);
  /* Nested scheduling keeps the runtime busy until the last link. */
  quiesce_ok();
  tu_assert_clean();
  ck_assert_int_eq(atomic_load(&ch.links), depth);
  ck_assert_int_eq(atomic_load(&ch.out_of_order), 0);
  tu_tracker_assert_once(&t, (size_t)depth);
  tu_tracker_destroy(&t);
  ck_assert_st(boc_cown_release(set[0]), BOC_OK);
  ck_assert_st(boc_cown_release(set[1]), BOC_OK);
}

START_TEST(test_when_nested_chain_on_one_cown_runs_every_link) { run_chain(1); }
END_TEST

START_TEST(test_when_nested_chain_on_two_cowns_runs_every_link) {
  run_chain(2);
}
END_TEST

START_TEST(test_when_nested_chain_without_cowns_runs_every_link) {
  run_chain(0);
}
END_TEST

enum { TREE_FANOUT = 6, TREE_DEPTH = 3, TREE_COWNS = 4 };
static boc_cown_t *tree_cowns[TREE_COWNS];
static _Atomic(int64_t) tree_nodes;

static void tree_body(boc_behavior_t *b, void *arg) {
  (void)b;
  intptr_t level = (intptr_t)arg;
  atomic_fetch_add(&tree_nodes, 1);
  if (level >= TREE_DEPTH)
    return;
  for (int i = 0; i < TREE_FANOUT; i++) {
    boc_cown_t *set[2] = {tree_cowns[(level + i) % TREE_COWNS],
                          tree_cowns[(level * 3 + i + 1) % TREE_COWNS]};
    TU_EXPECT_ST(boc_when(set, 1 + (size_t)(i % 2), tree_body,
                          (void *)(level + 1), NULL, NULL),
                 BOC_OK);
  }
}

START_TEST(test_when_nested_fanout_runs_every_behavior) {
  atomic_init(&tree_nodes, 0);
  for (int i = 0; i < TREE_COWNS; i++)
    tree_cowns[i] = tu_cown();
  ck_assert_st(boc_when(tree_cowns, 1, tree_body, (void *)0, NULL, NULL),
               BOC_OK);
  quiesce_ok();
  tu_assert_clean();
  int64_t want = 0, level = 1;
  for (int d = 0; d <= TREE_DEPTH; d++, level *= TREE_FANOUT)
    want += level;
  ck_assert_int_eq(atomic_load(&tree_nodes), want);
  for (int i = 0; i < TREE_COWNS; i++)
    ck_assert_st(boc_cown_release(tree_cowns[i]), BOC_OK);
}
END_TEST

/* ---- results are futures ------------------------------------------------------ */

typedef struct future_probe {
  tu_tracker_t *tracker;
  boc_cown_t *result;
  _Atomic(int64_t) seen;
  _Atomic(int) producer_done;
  _Atomic(int) consumer_early;
} future_probe_t;

static void producer_body(boc_behavior_t *b, void *arg) {
  future_probe_t *f = arg;
  boc_cown_t *r = NULL;
  TU_EXPECT_ST(boc_behavior_result(b, &r), BOC_OK);
  TU_EXPECT(r != NULL);
  size_t n = 9;
  TU_EXPECT_ST(boc_behavior_cown_count(b, &n), BOC_OK);
  TU_EXPECT(n == 1); /* the result is not one of the named cowns */
  if (r == NULL)
    return;
  void *p = (void *)1;
  TU_EXPECT_ST(boc_cown_get(r, &p), BOC_OK);
  TU_EXPECT(p == NULL); /* a new result starts empty */
  tu_sleep_ms(30);
  tu_tracked_t *v = TU_TRACKED(f->tracker, 0);
  atomic_store(&v->value, 99);
  TU_EXPECT_ST(boc_cown_set(r, v, tu_tracked_free), BOC_OK);
  atomic_store(&f->producer_done, 1);
}

static void consumer_body(boc_behavior_t *b, void *arg) {
  future_probe_t *f = arg;
  if (!atomic_load(&f->producer_done))
    atomic_store(&f->consumer_early, 1);
  boc_cown_t *r = NULL;
  void *p = NULL;
  TU_EXPECT_ST(boc_behavior_cown(b, 0, &r), BOC_OK);
  TU_EXPECT(r == f->result);
  TU_EXPECT_ST(boc_cown_get(r, &p), BOC_OK);
  atomic_store(&f->seen, p ? atomic_load(&((tu_tracked_t *)p)->value) : -1);
  uint32_t flags = 7;
  TU_EXPECT_ST(boc_cown_flags(r, &flags), BOC_OK);
  TU_EXPECT(flags == 0);
}

START_TEST(test_when_result_cown_is_a_future) {
  tu_tracker_t t;
  tu_tracker_init(&t, 1);
  future_probe_t f;
  f.tracker = &t;
  atomic_init(&f.seen, 0);
  atomic_init(&f.producer_done, 0);
  atomic_init(&f.consumer_early, 0);
  boc_cown_t *a = tu_cown();
  f.result = (boc_cown_t *)0x1; /* must be overwritten */
  boc_cown_t *r = (boc_cown_t *)0x1;
  ck_assert_st(boc_when(&a, 1, producer_body, &f, NULL, &r), BOC_OK);
  ck_assert_ptr_ne(r, (boc_cown_t *)0x1);
  ck_assert_ptr_nonnull(r);
  f.result = r;
  /* Scheduled while the producer is still running (it sleeps). */
  ck_assert_st(boc_when(&r, 1, consumer_body, &f, NULL, NULL), BOC_OK);
  quiesce_ok();
  tu_assert_clean();
  ck_assert_int_eq(atomic_load(&f.consumer_early), 0);
  ck_assert_int_eq(atomic_load(&f.seen), 99);
  ck_assert_uint_eq(tu_tracker_count(&t, 0), 0);
  ck_assert_st(boc_cown_release(r), BOC_OK);
  ck_assert_uint_eq(tu_tracker_count(&t, 0), 1);
  ck_assert_st(boc_cown_release(a), BOC_OK);
  tu_tracker_destroy(&t);
}
END_TEST

static void future_step_body(boc_behavior_t *b, void *arg) {
  (void)arg;
  boc_cown_t *in = NULL, *out = NULL;
  void *p = NULL;
  TU_EXPECT_ST(boc_behavior_cown(b, 0, &in), BOC_OK);
  TU_EXPECT_ST(boc_behavior_result(b, &out), BOC_OK);
  TU_EXPECT_ST(boc_cown_get(in, &p), BOC_OK);
  TU_EXPECT_ST(boc_cown_set(out, (void *)((uintptr_t)p + 1), NULL), BOC_OK);
}

START_TEST(test_when_chain_of_futures_passes_values) {
  enum { STEPS = 50 };
  boc_cown_t *cur = NULL;
  ck_assert_st(boc_cown_create((void *)(uintptr_t)0, NULL, &cur), BOC_OK);
  for (int i = 0; i < STEPS; i++) {
    boc_cown_t *next = NULL;
    ck_assert_st(boc_when(&cur, 1, future_step_body, NULL, NULL, &next),
                 BOC_OK);
    ck_assert_st(boc_cown_release(cur), BOC_OK);
    cur = next;
  }
  _Atomic(uintptr_t) seen;
  atomic_init(&seen, 0);
  ck_assert_st(boc_when(&cur, 1, read_result_payload_body, &seen, NULL, NULL),
               BOC_OK);
  quiesce_ok();
  tu_assert_clean();
  ck_assert_uint_eq(atomic_load(&seen), STEPS);
  ck_assert_st(boc_cown_release(cur), BOC_OK);
}
END_TEST

static void no_result_body(boc_behavior_t *b, void *arg) {
  boc_cown_t *r = (boc_cown_t *)0x1;
  TU_EXPECT_ST(boc_behavior_result(b, &r), BOC_OK);
  TU_EXPECT(r == NULL);
  atomic_store((_Atomic(int) *)arg, 1);
}

START_TEST(test_when_result_accessor_is_null_without_result) {
  boc_cown_t *c = tu_cown();
  _Atomic(int) ran;
  atomic_init(&ran, 0);
  ck_assert_st(boc_when(&c, 1, no_result_body, &ran, NULL, NULL), BOC_OK);
  quiesce_ok();
  tu_assert_clean();
  ck_assert_int_eq(atomic_load(&ran), 1);
  ck_assert_st(boc_cown_release(c), BOC_OK);
}
END_TEST

START_TEST(test_when_result_of_finished_behavior_is_idle_and_empty) {
  boc_cown_t *c = tu_cown();
  boc_cown_t *r = NULL;
  ck_assert_st(boc_when(&c, 1, tu_noop_body, NULL, NULL, &r), BOC_OK);
  quiesce_ok();
  ck_assert_st(boc_cown_acquire(r), BOC_OK);
  void *p = (void *)1;
  uint32_t flags = 9;
  ck_assert_st(boc_cown_get(r, &p), BOC_OK);
  ck_assert_ptr_null(p);
  ck_assert_st(boc_cown_flags(r, &flags), BOC_OK);
  ck_assert_uint_eq(flags, 0);
  ck_assert_st(boc_cown_relinquish(r), BOC_OK);
  uint64_t idc = 0, idr = 0;
  ck_assert_st(boc_cown_id(c, &idc), BOC_OK);
  ck_assert_st(boc_cown_id(r, &idr), BOC_OK);
  ck_assert_uint_gt(idr, idc);
  ck_assert_st(boc_cown_release(r), BOC_OK);
  ck_assert_st(boc_cown_release(c), BOC_OK);
}
END_TEST

/* ---- the argument and its free function ---------------------------------------- */

typedef struct arg_probe {
  tu_tracked_t hdr;
  _Atomic(int) body_ran;
} arg_probe_t;

static _Atomic(int) freed_before_body;

static void arg_probe_free(void *p) {
  arg_probe_t *a = p;
  if (!atomic_load(&a->body_ran))
    atomic_fetch_add(&freed_before_body, 1);
  tu_tracked_free(p);
}

static void arg_probe_body(boc_behavior_t *b, void *arg) {
  void *got = NULL;
  TU_EXPECT_ST(boc_behavior_arg(b, &got), BOC_OK);
  TU_EXPECT(got == arg);
  atomic_store(&((arg_probe_t *)arg)->body_ran, 1);
}

START_TEST(test_when_arg_freed_once_after_body) {
  enum { N = 300 };
  tu_tracker_t t;
  tu_tracker_init(&t, N);
  atomic_init(&freed_before_body, 0);
  boc_cown_t *c[3] = {tu_cown(), tu_cown(), tu_cown()};
  for (size_t i = 0; i < N; i++) {
    arg_probe_t *a = tu_tracked_new(&t, i, sizeof *a);
    atomic_init(&a->body_ran, 0);
    ck_assert_st(boc_when(c, i % 4, arg_probe_body, a, arg_probe_free, NULL),
                 BOC_OK);
  }
  quiesce_ok();
  tu_assert_clean();
  ck_assert_int_eq(atomic_load(&freed_before_body), 0);
  tu_tracker_assert_once(&t, N);
  tu_tracker_destroy(&t);
  for (int i = 0; i < 3; i++)
    ck_assert_st(boc_cown_release(c[i]), BOC_OK);
}
END_TEST

START_TEST(test_when_null_arg_free_is_allowed) {
  static int marker;
  _Atomic(int) ran;
  atomic_init(&ran, 0);
  boc_cown_t *c = tu_cown();
  ck_assert_st(boc_when(&c, 1, no_result_body, &ran, NULL, NULL), BOC_OK);
  ck_assert_st(boc_when(&c, 1, tu_noop_body, &marker, NULL, NULL), BOC_OK);
  quiesce_ok();
  tu_assert_clean();
  ck_assert_int_eq(atomic_load(&ran), 1);
  ck_assert_st(boc_cown_release(c), BOC_OK);
}
END_TEST

/* Calls boc_when() with a bad argument: the status is as wanted, arg was
 * freed exactly once before the call returned, result untouched. */
static void expect_when_error(boc_cown_t *const *cowns, size_t count,
                              boc_behavior_fn fn, int want, const char *what) {
  tu_tracker_t t;
  tu_tracker_init(&t, 1);
  tu_tracked_t *a = TU_TRACKED(&t, 0);
  boc_cown_t *r = (boc_cown_t *)0x2;
  int st = boc_when(cowns, count, fn, a, tu_tracked_free, &r);
  ck_assert_msg(st == want, "%s: boc_when returned %d (%s), wanted %d", what,
                st, boc_strerror(st), want);
  ck_assert_msg(tu_tracker_count(&t, 0) == 1,
                "%s: arg freed %u times before boc_when returned", what,
                tu_tracker_count(&t, 0));
  ck_assert_msg(r == (boc_cown_t *)0x2, "%s: result set on error", what);
  tu_tracker_destroy(&t);
}

START_TEST(test_when_arg_freed_once_on_every_error) {
  boc_cown_t *c = tu_cown();
  boc_cown_t *with_null[3] = {c, NULL, c};
  expect_when_error(&c, 1, NULL, BOC_EINVAL, "NULL fn");
  expect_when_error(NULL, 1, tu_noop_body, BOC_EINVAL, "NULL array, count 1");
  expect_when_error(with_null, 3, tu_noop_body, BOC_EINVAL, "NULL in array");
  boc_cown_t **big = malloc((BOC_WHEN_MAX_COWNS + 1) * sizeof *big);
  ck_assert_ptr_nonnull(big);
  for (size_t i = 0; i <= BOC_WHEN_MAX_COWNS; i++)
    big[i] = c;
  expect_when_error(big, BOC_WHEN_MAX_COWNS + 1, tu_noop_body, BOC_EINVAL,
                    "count > BOC_WHEN_MAX_COWNS");
  free(big);
  /* Nothing ran and nothing is held. */
  ck_assert_st(boc_cown_acquire(c), BOC_OK);
  ck_assert_st(boc_cown_relinquish(c), BOC_OK);
  quiesce_ok();
  tu_stop();
  expect_when_error(&c, 1, tu_noop_body, BOC_ENOTRUNNING, "runtime stopped");
  expect_when_error(NULL, 0, tu_noop_body, BOC_ENOTRUNNING,
                    "runtime stopped, no cowns");
  ck_assert_st(boc_cown_release(c), BOC_OK);
}
END_TEST

START_TEST(test_when_before_start_is_not_running) {
  ck_assert(!tu_running());
  expect_when_error(NULL, 0, tu_noop_body, BOC_ENOTRUNNING, "never started");
}
END_TEST

/* ---- behavior identity and accessors ---------------------------------------------- */

typedef struct id_probe {
  _Atomic(size_t) n;
  uint64_t ids[256];
  _Atomic(int) bad_current;
} id_probe_t;

static void id_body(boc_behavior_t *b, void *arg) {
  id_probe_t *p = arg;
  boc_behavior_t *cur = NULL;
  TU_EXPECT_ST(boc_behavior_current(&cur), BOC_OK);
  if (cur != b)
    atomic_store(&p->bad_current, 1);
  uint64_t id = 0;
  TU_EXPECT_ST(boc_behavior_id(b, &id), BOC_OK);
  size_t i = atomic_fetch_add(&p->n, 1);
  if (i < 256)
    p->ids[i] = id;
}

START_TEST(test_when_behavior_ids_increase_in_scheduling_order) {
  id_probe_t p;
  memset(&p, 0, sizeof p);
  atomic_init(&p.n, 0);
  atomic_init(&p.bad_current, 0);
  boc_cown_t *c = tu_cown();
  for (int i = 0; i < 200; i++)
    ck_assert_st(boc_when(&c, 1, id_body, &p, NULL, NULL), BOC_OK);
  quiesce_ok();
  tu_assert_clean();
  ck_assert_uint_eq(atomic_load(&p.n), 200);
  ck_assert_int_eq(atomic_load(&p.bad_current), 0);
  for (int i = 1; i < 200; i++)
    ck_assert_msg(p.ids[i] > p.ids[i - 1], "behavior id %llu ran after %llu",
                  (unsigned long long)p.ids[i],
                  (unsigned long long)p.ids[i - 1]);
  ck_assert_st(boc_cown_release(c), BOC_OK);
}
END_TEST

START_TEST(test_when_current_is_null_outside_behaviors) {
  boc_behavior_t *cur = (boc_behavior_t *)0x1;
  ck_assert_st(boc_behavior_current(&cur), BOC_OK);
  ck_assert_ptr_null(cur);
}
END_TEST

static Suite *when_suite(void) {
  Suite *s = suite_create("when");

  TCase *tc = tcase_create("order");
  tcase_set_timeout(tc, TU_TIMEOUT(30));
  tcase_add_checked_fixture(tc, tu_setup_w2, tu_teardown);
  tcase_add_test(tc, test_when_one_cown_runs_in_scheduling_order);
  tcase_add_test(tc, test_when_each_scheduling_thread_keeps_its_order);
  tcase_add_test(tc, test_when_two_cown_behaviors_hold_both_exclusively);
  tcase_add_test(tc, test_when_behaviors_sharing_a_cown_never_overlap);
  tcase_add_test(tc, test_when_transfers_conserve_total);
  suite_add_tcase(s, tc);

  tc = tcase_create("duplicates");
  tcase_set_timeout(tc, TU_TIMEOUT(20));
  tcase_add_checked_fixture(tc, tu_setup_w2, tu_teardown);
  tcase_add_test(tc, test_when_duplicate_pair_runs_once);
  tcase_add_test(tc, test_when_duplicate_triple_runs_once);
  tcase_add_test(tc, test_when_nonadjacent_duplicates_run_once);
  tcase_add_test(tc, test_when_duplicates_release_every_reference);
  tcase_add_test(tc, test_when_duplicates_keep_scheduling_order);
  tcase_add_test(tc, test_when_zero_cowns_runs_once);
  tcase_add_test(tc, test_when_zero_cowns_result_is_a_future);
  tcase_add_test(tc, test_when_max_cowns_is_accepted);
  suite_add_tcase(s, tc);

  tc = tcase_create("nesting");
  tcase_set_timeout(tc, TU_TIMEOUT(20));
  tcase_add_checked_fixture(tc, tu_setup_w2, tu_teardown);
  tcase_add_test(tc, test_when_nested_behavior_runs_after_parent);
  tcase_add_test(tc, test_when_nested_chain_on_one_cown_runs_every_link);
  tcase_add_test(tc, test_when_nested_chain_on_two_cowns_runs_every_link);
  tcase_add_test(tc, test_when_nested_chain_without_cowns_runs_every_link);
  tcase_add_test(tc, test_when_nested_fanout_runs_every_behavior);
  suite_add_tcase(s, tc);

  tc = tcase_create("futures");
  tcase_set_timeout(tc, TU_TIMEOUT(20));
  tcase_add_checked_fixture(tc, tu_setup_w2, tu_teardown);
  tcase_add_test(tc, test_when_result_cown_is_a_future);
  tcase_add_test(tc, test_when_chain_of_futures_passes_values);
  tcase_add_test(tc, test_when_result_accessor_is_null_without_result);
  tcase_add_test(tc, test_when_result_of_finished_behavior_is_idle_and_empty);
  suite_add_tcase(s, tc);

  tc = tcase_create("args");
  tcase_set_timeout(tc, TU_TIMEOUT(20));
  tcase_add_checked_fixture(tc, tu_setup_w2, tu_teardown);
  tcase_add_test(tc, test_when_arg_freed_once_after_body);
  tcase_add_test(tc, test_when_null_arg_free_is_allowed);
  tcase_add_test(tc, test_when_arg_freed_once_on_every_error);
  tcase_add_test(tc, test_when_behavior_ids_increase_in_scheduling_order);
  tcase_add_test(tc, test_when_current_is_null_outside_behaviors);
  suite_add_tcase(s, tc);

  tc = tcase_create("no_runtime");
  tcase_set_timeout(tc, TU_TIMEOUT(10));
  tcase_add_checked_fixture(tc, NULL, tu_teardown);
  tcase_add_test(tc, test_when_before_start_is_not_running);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  tu_init("check_when");
  return tu_run(when_suite());
}
