/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

/* check_pump.c - pinned cowns, the pinned queue and the pump: routing,
 * FIFO order, limits, the pump claim, reentrancy, status, await, the
 * lifecycle (wait, quiesce, shutdown, restart) and bad input. */

#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#define W(p) ((uint64_t)(uintptr_t)(p))
#define MAXN 512

/* What the recording bodies saw, in the order they ran. */
static _Atomic(int) ran;
static int ran_idx[MAXN];
static pthread_t ran_on[MAXN];

static void reset_records(void) {
  atomic_store(&ran, 0);
  memset(ran_idx, 0, sizeof ran_idx);
}

/* Records (index, thread) and checks that the accessors and the payload
 * functions work for every cown of the behavior. */
static void rec_body(boc_behavior_t *b, void *arg) {
  boc_behavior_t *cur = NULL;
  TU_EXPECT_ST(boc_behavior_current(&cur), BOC_OK);
  TU_EXPECT(cur == b);
  size_t n = 0;
  TU_EXPECT_ST(boc_behavior_cown_count(b, &n), BOC_OK);
  for (size_t i = 0; i < n; i++) {
    boc_cown_t *c = NULL;
    void *p = NULL;
    TU_EXPECT_ST(boc_behavior_cown(b, i, &c), BOC_OK);
    TU_EXPECT_ST(boc_cown_get(c, &p), BOC_OK);
    TU_EXPECT_ST(boc_cown_set(c, p, NULL), BOC_OK);
  }
  int pos = atomic_fetch_add(&ran, 1);
  if (pos < MAXN) {
    ran_idx[pos] = (int)(intptr_t)arg;
    ran_on[pos] = pthread_self();
  }
}

static void sleep_body(boc_behavior_t *b, void *arg) {
  (void)b;
  tu_sleep_ms((unsigned)(uintptr_t)arg);
  atomic_fetch_add(&ran, 1);
}

static boc_cown_t *pinned_cown(void) {
  boc_cown_t *c = NULL;
  ck_assert_st(boc_cown_create_pinned(NULL, NULL, &c), BOC_OK);
  ck_assert_ptr_nonnull(c);
  return c;
}

static boc_pump_status_t status(void) {
  boc_pump_status_t s;
  memset(&s, 0xff, sizeof s);
  ck_assert_st(boc_pump_status(&s), BOC_OK);
  return s;
}

/* Wait until the pinned queue holds at least n behaviors. */
static void wait_depth(uint64_t n) {
  int ok;
  TU_WAIT_UNTIL(ok, status().depth >= n, 10000);
  ck_assert_msg(ok, "pinned queue depth did not reach %llu", (unsigned long long)n);
}

/* Pump until nothing is in flight (bounded). */
static void pump_until_quiescent(void) {
  uint64_t deadline = tu_now_ns() + TU_MS(10000) * 1000000ull;
  for (;;) {
    uint32_t why = 0;
    int st = boc_runtime_await(BOC_MSEC(100), &why);
    ck_assert_msg(st == BOC_OK || st == BOC_ETIMEDOUT, "await: %s", boc_strerror(st));
    if (st == BOC_OK && (why & BOC_AWAIT_QUIESCENT)) return;
    if (st == BOC_OK && (why & BOC_AWAIT_PINNED))
      ck_assert_st(boc_pump(BOC_FOREVER, 0, NULL), BOC_OK);
    ck_assert_msg(tu_now_ns() < deadline, "no quiescence within 10 s");
  }
}

static void setup_w2(void) {
  reset_records();
  tu_start(2, 0);
}
static void setup_w2_p1(void) {
  reset_records();
  tu_start(2, 1);
}
static void setup_none(void) { reset_records(); }

/* ---- pinned cowns and their flag ------------------------------------------- */

START_TEST(test_pump_pinned_cown_reports_flag_and_keeps_it) {
  boc_cown_t *p = pinned_cown(), *c = tu_cown();
  uint32_t f = 99;
  ck_assert_st(boc_cown_acquire(p), BOC_OK);
  ck_assert_st(boc_cown_flags(p, &f), BOC_OK);
  ck_assert_uint_eq(f, BOC_COWN_PINNED);
  /* clearing everything keeps the pin (silently) */
  ck_assert_st(boc_cown_set_flags(p, 0), BOC_OK);
  ck_assert_st(boc_cown_flags(p, &f), BOC_OK);
  ck_assert_uint_eq(f, BOC_COWN_PINNED);
  ck_assert_st(boc_cown_set_flags(p, BOC_COWN_EXCEPTION), BOC_OK);
  ck_assert_st(boc_cown_flags(p, &f), BOC_OK);
  ck_assert_uint_eq(f, BOC_COWN_EXCEPTION | BOC_COWN_PINNED);
  /* a read-modify-write works */
  ck_assert_st(boc_cown_set_flags(p, f & ~(uint32_t)BOC_COWN_EXCEPTION), BOC_OK);
  ck_assert_st(boc_cown_flags(p, &f), BOC_OK);
  ck_assert_uint_eq(f, BOC_COWN_PINNED);
  ck_assert_st(boc_cown_set_flags(p, 1u << 5), BOC_EINVAL);
  ck_assert_st(boc_cown_relinquish(p), BOC_OK);

  /* passing the bit never pins an ordinary cown */
  ck_assert_st(boc_cown_acquire(c), BOC_OK);
  ck_assert_st(boc_cown_flags(c, &f), BOC_OK);
  ck_assert_uint_eq(f, 0);
  ck_assert_st(boc_cown_set_flags(c, BOC_COWN_PINNED | BOC_COWN_EXCEPTION), BOC_OK);
  ck_assert_st(boc_cown_flags(c, &f), BOC_OK);
  ck_assert_uint_eq(f, BOC_COWN_EXCEPTION);
  ck_assert_st(boc_cown_relinquish(c), BOC_OK);
  ck_assert_st(boc_cown_release(p), BOC_OK);
  ck_assert_st(boc_cown_release(c), BOC_OK);
}
END_TEST

START_TEST(test_pump_pinned_ordinary_cown_stays_unpinned_for_behaviors) {
  /* A cown that was passed BOC_COWN_PINNED is still ordinary: its
   * behaviors run on workers. */
  tu_start(2, 0);
  boc_cown_t *c = tu_cown();
  ck_assert_st(boc_cown_acquire(c), BOC_OK);
  ck_assert_st(boc_cown_set_flags(c, BOC_COWN_PINNED), BOC_OK);
  ck_assert_st(boc_cown_relinquish(c), BOC_OK);
  ck_assert_st(boc_when(&c, 1, rec_body, (void *)1, NULL, NULL), BOC_OK);
  ck_assert_st(boc_runtime_quiesce(BOC_SEC(10)), BOC_OK);
  ck_assert_int_eq(atomic_load(&ran), 1);
  ck_assert(!pthread_equal(ran_on[0], pthread_self()));
  ck_assert_uint_eq(status().executed, 0);
  ck_assert_st(boc_cown_release(c), BOC_OK);
}
END_TEST

START_TEST(test_pump_create_pinned_payload_freed_once) {
  tu_tracker_t t;
  tu_tracker_init(&t, 1);
  boc_cown_t *p = NULL;
  ck_assert_st(boc_cown_create_pinned(TU_TRACKED(&t, 0), tu_tracked_free, &p), BOC_OK);
  uint64_t id1 = 0, id2 = 0;
  boc_cown_t *q = pinned_cown();
  ck_assert_st(boc_cown_id(p, &id1), BOC_OK);
  ck_assert_st(boc_cown_id(q, &id2), BOC_OK);
  ck_assert_uint_gt(id2, id1);
  ck_assert_st(boc_cown_release(q), BOC_OK);
  ck_assert_uint_eq(tu_tracker_count(&t, 0), 0);
  ck_assert_st(boc_cown_release(p), BOC_OK);
  tu_tracker_assert_once(&t, 1);
  tu_tracker_destroy(&t);
}
END_TEST

/* ---- routing ------------------------------------------------------------------ */

START_TEST(test_pump_pinned_behavior_runs_on_pumping_thread_only) {
  enum { N = 20 };
  boc_cown_t *p = pinned_cown(), *c = tu_cown();
  boc_cown_t *both[2] = {p, c};
  for (int i = 0; i < N; i++)
    ck_assert_st(boc_when(i % 2 ? both : &p, i % 2 ? 2 : 1, rec_body,
                          (void *)(intptr_t)i, NULL, NULL),
                 BOC_OK);
  /* Ordinary work meanwhile runs on the workers. */
  ck_assert_st(boc_when(NULL, 0, tu_noop_body, NULL, NULL, NULL), BOC_OK);
  wait_depth(1);
  tu_sleep_ms(50);
  ck_assert_int_eq(atomic_load(&ran), 0); /* no worker ran them */
  boc_pump_result_t r;
  memset(&r, 0xff, sizeof r);
  ck_assert_st(boc_pump(BOC_FOREVER, 0, &r), BOC_OK);
  ck_assert_uint_eq(r.executed, N);
  ck_assert_int_eq(r.deadline_reached, 0);
  ck_assert_int_eq(r.pulled_waiting, 0);
  ck_assert_int_eq(atomic_load(&ran), N);
  for (int i = 0; i < N; i++) {
    ck_assert_int_eq(ran_idx[i], i);
    ck_assert(pthread_equal(ran_on[i], pthread_self()));
  }
  ck_assert_st(boc_runtime_quiesce(BOC_SEC(10)), BOC_OK);
  boc_pump_status_t s = status();
  ck_assert_uint_eq(s.depth, 0);
  ck_assert_uint_eq(s.executed, N);
  tu_assert_clean();
  ck_assert_st(boc_cown_release(p), BOC_OK);
  ck_assert_st(boc_cown_release(c), BOC_OK);
}
END_TEST

START_TEST(test_pump_ordinary_behaviors_never_reach_pinned_queue) {
  size_t n = tu_scale(2000);
  boc_cown_t *c[3] = {tu_cown(), tu_cown(), tu_cown()};
  tu_gate_t g;
  tu_gate_init(&g);
  ck_assert_st(boc_when(&c[0], 1, tu_gate_body, &g, NULL, NULL), BOC_OK);
  for (size_t i = 0; i < n; i++)
    ck_assert_st(boc_when(&c[i % 2], 1 + (i % 2), rec_body, NULL, NULL, NULL), BOC_OK);
  tu_gate_wait_entered(&g);
  tu_sleep_ms(20);
  boc_pump_status_t s = status();
  ck_assert_uint_eq(s.depth, 0);
  ck_assert_int_eq(s.nonempty_ns, 0); /* unpinned work does not count */
  tu_gate_open(&g);
  ck_assert_st(boc_runtime_quiesce(BOC_SEC(20)), BOC_OK);
  s = status();
  ck_assert_uint_eq(s.depth, 0);
  ck_assert_int_eq(s.nonempty_ns, 0);
  ck_assert_uint_eq(s.executed, 0);
  ck_assert_int_eq(atomic_load(&ran), (int)n);
  boc_pump_result_t r;
  ck_assert_st(boc_pump(BOC_FOREVER, 0, &r), BOC_OK);
  ck_assert_uint_eq(r.executed, 0);
  for (int i = 0; i < 3; i++) ck_assert_st(boc_cown_release(c[i]), BOC_OK);
}
END_TEST

/* A pinned behavior that is not ready yet (its ordinary cown is busy)
 * reaches the queue only once it holds every cown. */
START_TEST(test_pump_pinned_behavior_queued_only_when_ready) {
  boc_cown_t *p = pinned_cown(), *c = tu_cown();
  boc_cown_t *both[2] = {p, c};
  tu_gate_t g;
  tu_gate_init(&g);
  ck_assert_st(boc_when(&c, 1, tu_gate_body, &g, NULL, NULL), BOC_OK);
  tu_gate_wait_entered(&g);
  ck_assert_st(boc_when(both, 2, rec_body, (void *)7, NULL, NULL), BOC_OK);
  tu_sleep_ms(20);
  ck_assert_uint_eq(status().depth, 0);
  tu_gate_open(&g);
  wait_depth(1);
  boc_pump_result_t r;
  ck_assert_st(boc_pump(BOC_FOREVER, 0, &r), BOC_OK);
  ck_assert_uint_eq(r.executed, 1);
  ck_assert_int_eq(ran_idx[0], 7);
  tu_assert_clean();
  ck_assert_st(boc_cown_release(p), BOC_OK);
  ck_assert_st(boc_cown_release(c), BOC_OK);
}
END_TEST

/* ---- order and limits ---------------------------------------------------------- */

START_TEST(test_pump_runs_pinned_behaviors_in_fifo_order) {
  enum { N = 64 };
  boc_cown_t *p[N];
  for (int i = 0; i < N; i++) p[i] = pinned_cown();
  /* Each is ready at once, so they are queued in scheduling order. */
  for (int i = 0; i < N; i++)
    ck_assert_st(boc_when(&p[i], 1, rec_body, (void *)(intptr_t)i, NULL, NULL), BOC_OK);
  ck_assert_uint_eq(status().depth, N);
  ck_assert_st(boc_pump(BOC_FOREVER, 0, NULL), BOC_OK); /* result may be NULL */
  ck_assert_int_eq(atomic_load(&ran), N);
  for (int i = 0; i < N; i++) ck_assert_int_eq(ran_idx[i], i);
  ck_assert_uint_eq(status().depth, 0);
  tu_assert_clean();
  for (int i = 0; i < N; i++) ck_assert_st(boc_cown_release(p[i]), BOC_OK);
}
END_TEST

START_TEST(test_pump_max_behaviors_limits_a_call) {
  enum { N = 10 };
  boc_cown_t *p[N];
  for (int i = 0; i < N; i++) {
    p[i] = pinned_cown();
    ck_assert_st(boc_when(&p[i], 1, rec_body, (void *)(intptr_t)i, NULL, NULL), BOC_OK);
  }
  boc_pump_result_t r;
  ck_assert_st(boc_pump(BOC_FOREVER, 3, &r), BOC_OK);
  ck_assert_uint_eq(r.executed, 3);
  ck_assert_int_eq(r.deadline_reached, 0);
  ck_assert_int_eq(r.pulled_waiting, 0);
  ck_assert_uint_eq(status().depth, N - 3);
  ck_assert_st(boc_pump(BOC_FOREVER, 1, &r), BOC_OK);
  ck_assert_uint_eq(r.executed, 1);
  ck_assert_st(boc_pump(BOC_FOREVER, 100, &r), BOC_OK);
  ck_assert_uint_eq(r.executed, N - 4);
  for (int i = 0; i < N; i++) ck_assert_int_eq(ran_idx[i], i);
  for (int i = 0; i < N; i++) ck_assert_st(boc_cown_release(p[i]), BOC_OK);
}
END_TEST

START_TEST(test_pump_budget_stops_after_deadline) {
  enum { N = 10 };
  boc_cown_t *p[N];
  for (int i = 0; i < N; i++) {
    p[i] = pinned_cown();
    ck_assert_st(boc_when(&p[i], 1, sleep_body, (void *)(uintptr_t)10, NULL, NULL),
                 BOC_OK);
  }
  boc_pump_result_t r;
  uint64_t t0 = tu_now_ns();
  ck_assert_st(boc_pump(BOC_MSEC(25), 0, &r), BOC_OK);
  uint64_t dt = tu_now_ns() - t0;
  ck_assert_int_eq(r.deadline_reached, 1);
  ck_assert_uint_ge(r.executed, 1);
  ck_assert_uint_le(r.executed, 3); /* 3 x 10 ms passes 25 ms */
  ck_assert_uint_ge(dt, 25000000ull);
  /* A zero budget still runs one behavior. */
  uint64_t before = r.executed;
  ck_assert_st(boc_pump(0, 0, &r), BOC_OK);
  ck_assert_uint_eq(r.executed, 1);
  ck_assert_int_eq(r.deadline_reached, 1);
  ck_assert_uint_eq(status().depth, N - before - 1);
  /* No budget: the rest. */
  ck_assert_st(boc_pump(-5, 0, &r), BOC_OK);
  ck_assert_uint_eq(r.executed, N - before - 1);
  ck_assert_int_eq(r.deadline_reached, 0);
  ck_assert_int_eq(atomic_load(&ran), N);
  for (int i = 0; i < N; i++) ck_assert_st(boc_cown_release(p[i]), BOC_OK);
}
END_TEST

START_TEST(test_pump_empty_queue_returns_at_once) {
  boc_pump_result_t r;
  memset(&r, 0xff, sizeof r);
  uint64_t t0 = tu_now_ns();
  ck_assert_st(boc_pump(BOC_FOREVER, 0, &r), BOC_OK);
  ck_assert_uint_eq(r.executed, 0);
  ck_assert_int_eq(r.deadline_reached, 0);
  ck_assert_int_eq(r.pulled_waiting, 0);
  ck_assert_uint_lt(tu_now_ns() - t0, TU_MS(100) * 1000000ull);
  /* Ordinary work that is running does not make the pump wait either. */
  tu_gate_t g;
  tu_gate_init(&g);
  ck_assert_st(boc_when(NULL, 0, tu_gate_body, &g, NULL, NULL), BOC_OK);
  tu_gate_wait_entered(&g);
  t0 = tu_now_ns();
  ck_assert_st(boc_pump(BOC_FOREVER, 0, &r), BOC_OK);
  ck_assert_uint_eq(r.executed, 0);
  ck_assert_uint_lt(tu_now_ns() - t0, TU_MS(100) * 1000000ull);
  tu_gate_open(&g);
  ck_assert_st(boc_runtime_quiesce(BOC_SEC(10)), BOC_OK); /* g is on this stack */
}
END_TEST

/* ---- pulled pinned behaviors ------------------------------------------------ */

static void *const PULLED_ARG = (void *)0x5151;

START_TEST(test_pump_stops_at_pulled_behavior_and_next_packed_takes_it) {
  /* No pull slots: a pinned pulled behavior needs none. */
  boc_cown_t *a = pinned_cown(), *p = pinned_cown(), *b = pinned_cown();
  boc_cown_t *res = NULL;
  ck_assert_st(boc_when(&a, 1, rec_body, (void *)1, NULL, NULL), BOC_OK);
  ck_assert_st(boc_when_pull(&p, 1, PULLED_ARG, NULL, &res), BOC_OK);
  ck_assert_st(boc_when(&b, 1, rec_body, (void *)2, NULL, NULL), BOC_OK);
  ck_assert_uint_eq(status().depth, 3);
  boc_pump_result_t r;
  ck_assert_st(boc_pump(BOC_FOREVER, 0, &r), BOC_OK);
  ck_assert_uint_eq(r.executed, 1);
  ck_assert_int_eq(r.pulled_waiting, 1);
  ck_assert_st(boc_pump(BOC_FOREVER, 0, &r), BOC_OK);
  ck_assert_uint_eq(r.executed, 0);
  ck_assert_int_eq(r.pulled_waiting, 1);
  ck_assert_uint_eq(status().depth, 2);

  ck_assert_st(boc_pump_begin(), BOC_OK);
  uint64_t io[3] = {0, 0, 99};
  ck_assert_st(boc_pump_next_packed(io), BOC_OK);
  ck_assert_uint_ne(io[0], 0);
  ck_assert_uint_eq(io[1], W(PULLED_ARG));
  ck_assert_uint_eq(io[2], 0);
  boc_behavior_t *pb = (boc_behavior_t *)(uintptr_t)io[0];
  boc_behavior_t *cur = NULL;
  ck_assert_st(boc_behavior_current(&cur), BOC_OK);
  ck_assert_ptr_eq(cur, pb);
  void *arg = NULL;
  ck_assert_st(boc_behavior_arg(pb, &arg), BOC_OK);
  ck_assert_ptr_eq(arg, PULLED_ARG);
  boc_cown_t *rc = NULL;
  ck_assert_st(boc_behavior_result(pb, &rc), BOC_OK);
  ck_assert_ptr_eq(rc, res);
  ck_assert_st(boc_cown_set(rc, (void *)0x77, NULL), BOC_OK);
  void *payload = (void *)1;
  ck_assert_st(boc_cown_get(p, &payload), BOC_OK);
  ck_assert_ptr_null(payload);
  /* Pumping from inside it is refused. */
  ck_assert_st(boc_pump(BOC_FOREVER, 0, &r), BOC_EDEADLK);
  ck_assert_st(boc_runtime_await(0, NULL), BOC_EDEADLK);
  ck_assert_st(boc_pump_end(), BOC_EBUSY);

  /* Complete it, run the native one behind it, then the queue is empty. */
  ck_assert_st(boc_pump_next_packed(io), BOC_ETIMEDOUT);
  ck_assert_uint_eq(io[0], 0);
  ck_assert_uint_eq(io[2], 1);
  ck_assert_st(boc_behavior_current(&cur), BOC_OK);
  ck_assert_ptr_null(cur);
  ck_assert_int_eq(atomic_load(&ran), 2);
  ck_assert_int_eq(ran_idx[1], 2);
  ck_assert_st(boc_pump_end(), BOC_OK);
  ck_assert_st(boc_runtime_quiesce(BOC_SEC(10)), BOC_OK);
  ck_assert_uint_eq(status().executed, 3);
  ck_assert_st(boc_cown_acquire(res), BOC_OK);
  ck_assert_st(boc_cown_get(res, &payload), BOC_OK);
  ck_assert_ptr_eq(payload, (void *)0x77);
  ck_assert_st(boc_cown_relinquish(res), BOC_OK);
  tu_assert_clean();
  ck_assert_st(boc_cown_release(res), BOC_OK);
  ck_assert_st(boc_cown_release(a), BOC_OK);
  ck_assert_st(boc_cown_release(p), BOC_OK);
  ck_assert_st(boc_cown_release(b), BOC_OK);
}
END_TEST

START_TEST(test_pump_behavior_complete_finishes_pump_pulled_behavior) {
  boc_cown_t *p = pinned_cown();
  ck_assert_st(boc_when_pull(&p, 1, PULLED_ARG, NULL, NULL), BOC_OK);
  ck_assert_st(boc_when_pull(&p, 1, PULLED_ARG, NULL, NULL), BOC_OK);
  ck_assert_st(boc_pump_begin(), BOC_OK);
  uint64_t io[3] = {0, 0, 0};
  ck_assert_st(boc_pump_next_packed(io), BOC_OK);
  boc_behavior_t *pb = (boc_behavior_t *)(uintptr_t)io[0];
  /* io[0] == 0 while one is outstanding, or a wrong handle: EINVAL and
   * nothing changes. */
  uint64_t zero[3] = {0, 5, 6};
  ck_assert_st(boc_pump_next_packed(zero), BOC_EINVAL);
  ck_assert_uint_eq(zero[0], 0);
  ck_assert_uint_eq(zero[1], 5);
  ck_assert_uint_eq(zero[2], 6);
  uint64_t bad[3] = {W(&zero), 5, 6};
  ck_assert_st(boc_pump_next_packed(bad), BOC_EINVAL);
  ck_assert_uint_eq(bad[0], W(&zero));
  ck_assert_st(boc_behavior_complete(pb), BOC_OK);
  ck_assert_st(boc_behavior_complete(pb), BOC_EINVAL);
  /* the second one became ready when the first completed */
  ck_assert_st(boc_pump_next_packed(zero), BOC_OK);
  ck_assert_st(boc_behavior_complete((boc_behavior_t *)(uintptr_t)zero[0]), BOC_OK);
  zero[0] = 0;
  ck_assert_st(boc_pump_next_packed(zero), BOC_ETIMEDOUT);
  ck_assert_st(boc_pump_end(), BOC_OK);
  ck_assert_st(boc_pump_end(), BOC_EINVAL);
  ck_assert_st(boc_runtime_quiesce(BOC_SEC(10)), BOC_OK);
  ck_assert_st(boc_cown_release(p), BOC_OK);
}
END_TEST

typedef struct puller {
  pthread_t th;
  _Atomic(int) stop;
  _Atomic(int) got;
  _Atomic(int) attached;
} puller_t;

static void *puller_main(void *arg) {
  puller_t *pl = arg;
  TU_EXPECT_ST(boc_worker_attach(BOC_ANY_SLOT, NULL), BOC_OK);
  atomic_store(&pl->attached, 1);
  uint64_t deadline = tu_now_ns() + TU_MS(20000) * 1000000ull;
  while (!atomic_load(&pl->stop) && tu_now_ns() < deadline) {
    boc_behavior_t *b = NULL;
    int st = boc_worker_pull(BOC_MSEC(10), &b);
    if (st == BOC_OK) {
      atomic_fetch_add(&pl->got, 1);
      TU_EXPECT_ST(boc_behavior_complete(b), BOC_OK);
    } else if (st != BOC_ETIMEDOUT) {
      break;
    }
  }
  TU_EXPECT_ST(boc_worker_detach(), BOC_OK);
  return NULL;
}

START_TEST(test_pump_pinned_pulled_never_go_to_pull_slots) {
  puller_t pl;
  memset(&pl, 0, sizeof pl);
  ck_assert_int_eq(pthread_create(&pl.th, NULL, puller_main, &pl), 0);
  int ok;
  TU_WAIT_UNTIL(ok, atomic_load(&pl.attached), 10000);
  ck_assert(ok);
  boc_cown_t *p = pinned_cown(), *c = tu_cown();
  boc_cown_t *both[2] = {c, p};
  for (int i = 0; i < 5; i++) ck_assert_st(boc_when_pull(both, 2, NULL, NULL, NULL), BOC_OK);
  ck_assert_st(boc_when_pull(&c, 1, NULL, NULL, NULL), BOC_OK); /* ordinary */
  TU_WAIT_UNTIL(ok, atomic_load(&pl.got) == 0 && status().depth == 1, 10000);
  ck_assert(ok);
  tu_sleep_ms(50);
  ck_assert_int_eq(atomic_load(&pl.got), 0);
  ck_assert_st(boc_pump_begin(), BOC_OK);
  uint64_t io[3] = {0, 0, 0};
  for (int i = 0; i < 5; i++) {
    uint64_t t_end = tu_now_ns() + TU_MS(10000) * 1000000ull;
    int st;
    while ((st = boc_pump_next_packed(io)) == BOC_ETIMEDOUT && tu_now_ns() < t_end)
      tu_sleep_us(200);
    ck_assert_st(st, BOC_OK);
  }
  uint64_t t_end = tu_now_ns() + TU_MS(10000) * 1000000ull;
  int st;
  do
    st = boc_pump_next_packed(io);
  while (st == BOC_OK && tu_now_ns() < t_end);
  ck_assert_st(st, BOC_ETIMEDOUT);
  ck_assert_st(boc_pump_end(), BOC_OK);
  /* the ordinary pulled one went to the puller */
  TU_WAIT_UNTIL(ok, atomic_load(&pl.got) == 1, 10000);
  ck_assert(ok);
  atomic_store(&pl.stop, 1);
  pthread_join(pl.th, NULL);
  ck_assert_uint_eq(status().executed, 5);
  tu_assert_clean();
  ck_assert_st(boc_cown_release(p), BOC_OK);
  ck_assert_st(boc_cown_release(c), BOC_OK);
}
END_TEST

START_TEST(test_pump_unpinned_pulled_without_pull_slots_is_enoslot) {
  boc_cown_t *c = tu_cown(), *p = pinned_cown();
  ck_assert_st(boc_when_pull(&c, 1, NULL, NULL, NULL), BOC_ENOSLOT);
  ck_assert_st(boc_when_pull(NULL, 0, NULL, NULL, NULL), BOC_ENOSLOT);
  boc_cown_t *both[2] = {c, p};
  ck_assert_st(boc_when_pull(both, 2, NULL, NULL, NULL), BOC_OK);
  ck_assert_st(boc_pump_begin(), BOC_OK);
  uint64_t io[3] = {0, 0, 0};
  ck_assert_st(boc_pump_next_packed(io), BOC_OK);
  ck_assert_st(boc_pump_next_packed(io), BOC_ETIMEDOUT);
  ck_assert_st(boc_pump_end(), BOC_OK);
  ck_assert_st(boc_cown_release(c), BOC_OK);
  ck_assert_st(boc_cown_release(p), BOC_OK);
}
END_TEST

/* ---- the claim: one pumper, no reentrancy ------------------------------------- */

typedef struct other {
  pthread_t th;
  int pump_st, begin_st, next_st, end_st;
} other_t;

static void *other_main(void *arg) {
  other_t *o = arg;
  boc_pump_result_t r;
  uint64_t io[3] = {0, 0, 0};
  o->pump_st = boc_pump(BOC_FOREVER, 0, &r);
  o->begin_st = boc_pump_begin();
  o->next_st = boc_pump_next_packed(io);
  o->end_st = boc_pump_end();
  return NULL;
}

static void run_other(other_t *o) {
  memset(o, 0, sizeof *o);
  ck_assert_int_eq(pthread_create(&o->th, NULL, other_main, o), 0);
  ck_assert_int_eq(pthread_join(o->th, NULL), 0);
}

START_TEST(test_pump_second_pumper_gets_ebusy) {
  ck_assert_st(boc_pump_begin(), BOC_OK);
  ck_assert_st(boc_pump_begin(), BOC_EBUSY); /* this thread already holds it */
  ck_assert_st(boc_pump(BOC_FOREVER, 0, NULL), BOC_EDEADLK);
  other_t o;
  run_other(&o);
  ck_assert_st(o.pump_st, BOC_EBUSY);
  ck_assert_st(o.begin_st, BOC_EBUSY);
  ck_assert_st(o.next_st, BOC_EDEADLK);
  ck_assert_st(o.end_st, BOC_EINVAL);
  ck_assert_st(boc_pump_end(), BOC_OK);
  run_other(&o);
  ck_assert_st(o.pump_st, BOC_OK);
  ck_assert_st(o.begin_st, BOC_OK);
  ck_assert_st(o.next_st, BOC_ETIMEDOUT);
  ck_assert_st(o.end_st, BOC_OK);
}
END_TEST

/* Another thread inside boc_pump() (running a long pinned body) holds
 * the pump too. */
typedef struct pumper {
  pthread_t th;
  int st;
  boc_pump_result_t r;
} pumper_t;

static void *pumper_main(void *arg) {
  pumper_t *pm = arg;
  pm->st = boc_pump(BOC_FOREVER, 0, &pm->r);
  return NULL;
}

START_TEST(test_pump_pump_in_progress_makes_others_ebusy) {
  boc_cown_t *p = pinned_cown();
  tu_gate_t g;
  tu_gate_init(&g);
  ck_assert_st(boc_when(&p, 1, tu_gate_body, &g, NULL, NULL), BOC_OK);
  pumper_t pm;
  memset(&pm, 0, sizeof pm);
  ck_assert_int_eq(pthread_create(&pm.th, NULL, pumper_main, &pm), 0);
  tu_gate_wait_entered(&g);
  ck_assert_st(boc_pump(BOC_FOREVER, 0, NULL), BOC_EBUSY);
  ck_assert_st(boc_pump_begin(), BOC_EBUSY);
  tu_gate_open(&g);
  pthread_join(pm.th, NULL);
  ck_assert_st(pm.st, BOC_OK);
  ck_assert_uint_eq(pm.r.executed, 1);
  ck_assert_st(boc_pump(BOC_FOREVER, 0, NULL), BOC_OK);
  tu_assert_clean();
  ck_assert_st(boc_cown_release(p), BOC_OK);
}
END_TEST

static void reentrant_body(boc_behavior_t *b, void *arg) {
  (void)b;
  (void)arg;
  boc_pump_result_t r;
  uint64_t io[3] = {0, 0, 0};
  TU_EXPECT_ST(boc_pump(BOC_FOREVER, 0, &r), BOC_EDEADLK);
  TU_EXPECT_ST(boc_pump_begin(), BOC_EDEADLK);
  TU_EXPECT_ST(boc_pump_next_packed(io), BOC_EDEADLK);
  TU_EXPECT_ST(boc_runtime_await(0, NULL), BOC_EDEADLK);
  TU_EXPECT_ST(boc_runtime_quiesce(0), BOC_EDEADLK);
  atomic_fetch_add(&ran, 1);
}

START_TEST(test_pump_is_not_reentrant_from_behaviors) {
  boc_cown_t *p = pinned_cown();
  /* on a worker */
  ck_assert_st(boc_when(NULL, 0, reentrant_body, NULL, NULL, NULL), BOC_OK);
  ck_assert_st(boc_runtime_quiesce(BOC_SEC(10)), BOC_OK);
  ck_assert_int_eq(atomic_load(&ran), 1);
  /* a pinned body run by boc_pump() */
  ck_assert_st(boc_when(&p, 1, reentrant_body, NULL, NULL, NULL), BOC_OK);
  boc_pump_result_t r;
  ck_assert_st(boc_pump(BOC_FOREVER, 0, &r), BOC_OK);
  ck_assert_uint_eq(r.executed, 1);
  /* a pinned body run by boc_pump_next_packed() */
  ck_assert_st(boc_when(&p, 1, reentrant_body, NULL, NULL, NULL), BOC_OK);
  ck_assert_st(boc_pump_begin(), BOC_OK);
  uint64_t io[3] = {0, 0, 0};
  ck_assert_st(boc_pump_next_packed(io), BOC_ETIMEDOUT);
  ck_assert_uint_eq(io[2], 1);
  ck_assert_st(boc_pump_end(), BOC_OK);
  ck_assert_int_eq(atomic_load(&ran), 3);
  tu_assert_clean();
  ck_assert_st(boc_cown_release(p), BOC_OK);
}
END_TEST

/* ---- status ------------------------------------------------------------------- */

START_TEST(test_pump_status_nonempty_time_grows_and_resets) {
  boc_pump_status_t s = status();
  ck_assert_uint_eq(s.depth, 0);
  ck_assert_int_eq(s.nonempty_ns, 0);
  ck_assert_uint_eq(s.executed, 0);
  boc_cown_t *p = pinned_cown(), *q = pinned_cown();
  ck_assert_st(boc_when(&p, 1, rec_body, NULL, NULL, NULL), BOC_OK);
  ck_assert_st(boc_when(&q, 1, rec_body, NULL, NULL, NULL), BOC_OK);
  boc_pump_status_t s1 = status();
  ck_assert_uint_eq(s1.depth, 2);
  ck_assert_int_ge(s1.nonempty_ns, 0);
  tu_sleep_ms(30);
  boc_pump_status_t s2 = status();
  ck_assert_int_ge(s2.nonempty_ns, s1.nonempty_ns + 30000000);
  /* Taking one leaves the queue non-empty: the time keeps running. */
  boc_pump_result_t r;
  ck_assert_st(boc_pump(BOC_FOREVER, 1, &r), BOC_OK);
  boc_pump_status_t s3 = status();
  ck_assert_uint_eq(s3.depth, 1);
  ck_assert_int_ge(s3.nonempty_ns, s2.nonempty_ns);
  ck_assert_uint_eq(s3.executed, 1);
  ck_assert_st(boc_pump(BOC_FOREVER, 0, &r), BOC_OK);
  boc_pump_status_t s4 = status();
  ck_assert_uint_eq(s4.depth, 0);
  ck_assert_int_eq(s4.nonempty_ns, 0);
  ck_assert_uint_eq(s4.executed, 2);
  /* A new stretch starts from zero. */
  ck_assert_st(boc_when(&p, 1, rec_body, NULL, NULL, NULL), BOC_OK);
  boc_pump_status_t s5 = status();
  ck_assert_uint_eq(s5.depth, 1);
  ck_assert_int_lt(s5.nonempty_ns, s2.nonempty_ns);
  ck_assert_st(boc_pump(BOC_FOREVER, 0, &r), BOC_OK);
  ck_assert_st(boc_cown_release(p), BOC_OK);
  ck_assert_st(boc_cown_release(q), BOC_OK);
}
END_TEST

/* ---- await -------------------------------------------------------------------- */

static boc_cown_t *later_pinned;

/* An ordinary behavior that schedules pinned work after a while. */
static void schedule_pinned_later(boc_behavior_t *b, void *arg) {
  (void)b;
  tu_sleep_ms((unsigned)(uintptr_t)arg);
  TU_EXPECT_ST(boc_when(&later_pinned, 1, rec_body, (void *)42, NULL, NULL), BOC_OK);
}

START_TEST(test_pump_await_wakes_when_worker_enqueues_pinned_work) {
  later_pinned = pinned_cown();
  ck_assert_st(boc_when(NULL, 0, schedule_pinned_later, (void *)(uintptr_t)50, NULL, NULL),
               BOC_OK);
  uint32_t why = 0;
  uint64_t t0 = tu_now_ns();
  ck_assert_st(boc_runtime_await(BOC_SEC(10), &why), BOC_OK);
  uint64_t dt = tu_now_ns() - t0;
  ck_assert_uint_eq(why, BOC_AWAIT_PINNED); /* the pinned one is in flight */
  ck_assert_uint_ge(dt, 40000000ull);
  ck_assert_uint_lt(dt, TU_MS(2000) * 1000000ull);
  /* Still true: returns at once. */
  ck_assert_st(boc_runtime_await(BOC_SEC(10), &why), BOC_OK);
  ck_assert_uint_eq(why & BOC_AWAIT_PINNED, BOC_AWAIT_PINNED);
  ck_assert_st(boc_pump(BOC_FOREVER, 0, NULL), BOC_OK);
  ck_assert_int_eq(ran_idx[0], 42);
  ck_assert_st(boc_runtime_await(BOC_SEC(10), &why), BOC_OK);
  ck_assert_uint_eq(why, BOC_AWAIT_QUIESCENT);
  tu_assert_clean();
  ck_assert_st(boc_cown_release(later_pinned), BOC_OK);
}
END_TEST

START_TEST(test_pump_await_wakes_at_quiescence) {
  ck_assert_st(boc_when(NULL, 0, sleep_body, (void *)(uintptr_t)50, NULL, NULL), BOC_OK);
  uint32_t why = 0;
  uint64_t t0 = tu_now_ns();
  ck_assert_st(boc_runtime_await(BOC_FOREVER, &why), BOC_OK);
  uint64_t dt = tu_now_ns() - t0;
  ck_assert_uint_eq(why, BOC_AWAIT_QUIESCENT);
  ck_assert_int_eq(atomic_load(&ran), 1);
  ck_assert_uint_ge(dt, 40000000ull);
  ck_assert_uint_lt(dt, TU_MS(2000) * 1000000ull);
  /* Idle: at once, NULL why allowed, a zero timeout too. */
  ck_assert_st(boc_runtime_await(0, NULL), BOC_OK);
  ck_assert_st(boc_runtime_await(0, &why), BOC_OK);
  ck_assert_uint_eq(why, BOC_AWAIT_QUIESCENT);
}
END_TEST

START_TEST(test_pump_await_times_out_otherwise) {
  tu_gate_t g;
  tu_gate_init(&g);
  ck_assert_st(boc_when(NULL, 0, tu_gate_body, &g, NULL, NULL), BOC_OK);
  tu_gate_wait_entered(&g);
  uint32_t why = 77;
  const int64_t timeouts[] = {BOC_MSEC(60), BOC_MSEC(20), 0};
  for (size_t i = 0; i < 3; i++) {
    uint64_t t0 = tu_now_ns();
    ck_assert_st(boc_runtime_await(timeouts[i], &why), BOC_ETIMEDOUT);
    uint64_t dt = tu_now_ns() - t0;
    ck_assert_uint_ge(dt, (uint64_t)timeouts[i]);
    ck_assert_uint_lt(dt, (uint64_t)timeouts[i] + TU_MS(2000) * 1000000ull);
  }
  ck_assert_uint_eq(why, 77); /* untouched on error */
  tu_gate_open(&g);
  ck_assert_st(boc_runtime_await(BOC_SEC(10), &why), BOC_OK);
  ck_assert_uint_eq(why, BOC_AWAIT_QUIESCENT);
}
END_TEST

/* Many enqueue/await rounds: no lost wake-up (each await would hang for
 * its whole 10 s timeout otherwise). */
START_TEST(test_pump_await_does_not_lose_wakeups) {
  later_pinned = pinned_cown();
  size_t rounds = tu_scale(200);
  uint64_t t0 = tu_now_ns();
  for (size_t i = 0; i < rounds; i++) {
    ck_assert_st(boc_when(NULL, 0, schedule_pinned_later, (void *)0, NULL, NULL), BOC_OK);
    uint32_t why = 0;
    ck_assert_st(boc_runtime_await(BOC_SEC(10), &why), BOC_OK);
    if (why & BOC_AWAIT_PINNED) {
      boc_pump_result_t r;
      ck_assert_st(boc_pump(BOC_FOREVER, 0, &r), BOC_OK);
    } else {
      ck_assert_msg(0, "await returned %u before the pinned behavior was queued", why);
    }
  }
  pump_until_quiescent();
  ck_assert_int_eq(atomic_load(&ran), (int)rounds);
  ck_assert_uint_lt(tu_now_ns() - t0, TU_MS(8000) * 1000000ull);
  tu_assert_clean();
  ck_assert_st(boc_cown_release(later_pinned), BOC_OK);
}
END_TEST

/* ---- lifecycle -------------------------------------------------------------- */

typedef struct lifecycle_call {
  pthread_t th;
  int wait; /* 2: boc_runtime_shutdown, 1: boc_runtime_wait, 0: quiesce */
  _Atomic(int) done;
  int st;
} lifecycle_call_t;

static void *lifecycle_main(void *arg) {
  lifecycle_call_t *l = arg;
  l->st = l->wait == 2   ? boc_runtime_shutdown()
          : l->wait == 1 ? boc_runtime_wait(BOC_SEC(20))
                         : boc_runtime_quiesce(BOC_SEC(20));
  atomic_store(&l->done, 1);
  return NULL;
}

/* A chain that alternates pinned and ordinary behaviors on shared cowns. */
static void schedule_mixed_chain(boc_cown_t *p, boc_cown_t *c, int n) {
  boc_cown_t *both[2] = {p, c};
  for (int i = 0; i < n; i++) {
    if (i % 3 == 0)
      ck_assert_st(boc_when(&c, 1, sleep_body, (void *)(uintptr_t)1, NULL, NULL), BOC_OK);
    else
      ck_assert_st(boc_when(i % 3 == 1 ? &p : both, i % 3 == 1 ? 1 : 2, sleep_body,
                            (void *)(uintptr_t)1, NULL, NULL),
                   BOC_OK);
  }
}

static void quiesce_or_wait_while_pumping(int wait) {
  enum { N = 30 };
  boc_cown_t *p = pinned_cown(), *c = tu_cown();
  schedule_mixed_chain(p, c, N);
  lifecycle_call_t l;
  memset(&l, 0, sizeof l);
  l.wait = wait;
  ck_assert_int_eq(pthread_create(&l.th, NULL, lifecycle_main, &l), 0);
  /* The waiting thread cannot finish until the pinned work is pumped. */
  tu_sleep_ms(30);
  ck_assert_int_eq(atomic_load(&l.done), 0);
  uint64_t deadline = tu_now_ns() + TU_MS(15000) * 1000000ull;
  while (!atomic_load(&l.done) && tu_now_ns() < deadline) {
    uint32_t why = 0;
    int st = boc_runtime_await(BOC_MSEC(20), &why);
    if (st == BOC_OK && (why & BOC_AWAIT_PINNED)) {
      int pst = boc_pump(BOC_FOREVER, 0, NULL);
      ck_assert(pst == BOC_OK || pst == BOC_ENOTRUNNING);
    } else if (st == BOC_OK) {
      tu_sleep_us(200); /* quiescent: the other thread is finishing */
    } else {
      ck_assert(st == BOC_ETIMEDOUT || st == BOC_ENOTRUNNING);
    }
  }
  pthread_join(l.th, NULL);
  ck_assert_st(l.st, BOC_OK);
  ck_assert_int_eq(atomic_load(&ran), N);
  ck_assert_int_eq(tu_running(), !wait);
  ck_assert_st(boc_cown_release(p), BOC_OK);
  ck_assert_st(boc_cown_release(c), BOC_OK);
}

START_TEST(test_pump_quiesce_waits_for_pinned_work_pumped_elsewhere) {
  quiesce_or_wait_while_pumping(0);
}
END_TEST

START_TEST(test_pump_wait_waits_for_pinned_work_pumped_elsewhere) {
  quiesce_or_wait_while_pumping(1);
}
END_TEST

START_TEST(test_pump_quiesce_times_out_while_pinned_work_is_queued) {
  boc_cown_t *p = pinned_cown();
  ck_assert_st(boc_when(&p, 1, rec_body, NULL, NULL, NULL), BOC_OK);
  ck_assert_st(boc_runtime_quiesce(BOC_MSEC(30)), BOC_ETIMEDOUT);
  ck_assert_st(boc_runtime_wait(BOC_MSEC(30)), BOC_ETIMEDOUT);
  uint64_t n = 0;
  ck_assert_st(boc_runtime_in_flight(&n), BOC_OK);
  ck_assert_uint_eq(n, 1);
  ck_assert_st(boc_pump(BOC_FOREVER, 0, NULL), BOC_OK);
  ck_assert_st(boc_runtime_wait(BOC_SEC(10)), BOC_OK);
  ck_assert_int_eq(atomic_load(&ran), 1);
  ck_assert_st(boc_cown_release(p), BOC_OK);
}
END_TEST

START_TEST(test_pump_shutdown_drops_queued_pinned_behaviors) {
  enum { N = 12 };
  tu_tracker_t t;
  tu_tracker_init(&t, N);
  boc_cown_t *p = pinned_cown(), *q = pinned_cown(), *c = tu_cown();
  boc_cown_t *pc[2] = {p, c}, *qc[2] = {q, c};
  boc_cown_t *r[N];
  /* Pinned and ordinary behaviors interleaved on c: dropping one hands c
   * to the next, which may be pinned or not, until all are dropped. */
  for (size_t i = 0; i < N; i++) {
    boc_cown_t **set = i % 3 == 0 ? pc : i % 3 == 1 ? &c : qc;
    size_t n = i % 3 == 1 ? 1 : 2;
    if (i == 3)
      ck_assert_st(boc_when_pull(set, n, TU_TRACKED(&t, i), tu_tracked_free, &r[i]), BOC_OK);
    else
      ck_assert_st(boc_when(set, n, rec_body, TU_TRACKED(&t, i), tu_tracked_free, &r[i]),
                   BOC_OK);
  }
  /* a pinned pulled one queued too */
  ck_assert_uint_eq(status().depth, 1);
  ck_assert_st(boc_runtime_shutdown(), BOC_OK);
  ck_assert_int_eq(atomic_load(&ran), 0);
  tu_tracker_assert_once(&t, N);
  for (size_t i = 0; i < N; i++) {
    uint32_t f = 0;
    ck_assert_st(boc_cown_acquire(r[i]), BOC_OK);
    ck_assert_st(boc_cown_flags(r[i], &f), BOC_OK);
    ck_assert_uint_eq(f, BOC_COWN_DROPPED);
    ck_assert_st(boc_cown_relinquish(r[i]), BOC_OK);
    ck_assert_st(boc_cown_release(r[i]), BOC_OK);
  }
  /* every cown was handed back */
  boc_cown_t *all[3] = {p, q, c};
  for (int i = 0; i < 3; i++) {
    ck_assert_st(boc_cown_acquire(all[i]), BOC_OK);
    ck_assert_st(boc_cown_relinquish(all[i]), BOC_OK);
    ck_assert_st(boc_cown_release(all[i]), BOC_OK);
  }
  boc_pump_status_t s = status();
  ck_assert_uint_eq(s.depth, 0);
  ck_assert_uint_eq(s.executed, 0);
  tu_tracker_destroy(&t);
}
END_TEST

START_TEST(test_pump_shutdown_waits_for_running_pinned_behavior) {
  tu_tracker_t t;
  tu_tracker_init(&t, 3);
  boc_cown_t *p = pinned_cown();
  tu_gate_t g;
  tu_gate_init(&g);
  ck_assert_st(boc_when(&p, 1, tu_gate_body, &g, NULL, NULL), BOC_OK);
  for (size_t i = 0; i < 3; i++)
    ck_assert_st(boc_when(&p, 1, rec_body, TU_TRACKED(&t, i), tu_tracked_free, NULL),
                 BOC_OK);
  pumper_t pm;
  memset(&pm, 0, sizeof pm);
  ck_assert_int_eq(pthread_create(&pm.th, NULL, pumper_main, &pm), 0);
  tu_gate_wait_entered(&g);
  lifecycle_call_t l;
  memset(&l, 0, sizeof l);
  l.wait = 2;
  ck_assert_int_eq(pthread_create(&l.th, NULL, lifecycle_main, &l), 0);
  int ok;
  TU_WAIT_UNTIL(ok, !tu_running(), 10000);
  ck_assert(ok);
  tu_sleep_ms(30);
  ck_assert_int_eq(atomic_load(&l.done), 0); /* waits for the pump */
  tu_gate_open(&g);
  pthread_join(l.th, NULL);
  ck_assert_st(l.st, BOC_OK);
  pthread_join(pm.th, NULL);
  ck_assert_st(pm.st, BOC_OK);
  /* the gate one ran; the others either ran on the pump before the
   * shutdown closed the queue or were dropped; each arg freed once */
  ck_assert_uint_ge(pm.r.executed, 1);
  ck_assert_int_eq(atomic_load(&ran), (int)pm.r.executed - 1);
  tu_tracker_assert_once(&t, 3);
  ck_assert_st(boc_pump(BOC_FOREVER, 0, NULL), BOC_ENOTRUNNING);
  ck_assert_st(boc_cown_release(p), BOC_OK);
  tu_tracker_destroy(&t);
  tu_assert_clean();
}
END_TEST

START_TEST(test_pump_restart_resets_queue_and_claim) {
  boc_cown_t *p = pinned_cown();
  for (int round = 0; round < 3; round++) {
    if (round > 0) tu_start(2, 0);
    ck_assert_uint_eq(status().executed, 0);
    ck_assert_st(boc_when(&p, 1, rec_body, NULL, NULL, NULL), BOC_OK);
    ck_assert_st(boc_when(&p, 1, rec_body, NULL, NULL, NULL), BOC_OK);
    /* This thread keeps the pump across the stop. */
    ck_assert_st(boc_pump_begin(), BOC_OK);
    uint64_t io[3] = {0, 0, 0};
    ck_assert_st(boc_pump_next_packed(io), BOC_ETIMEDOUT);
    ck_assert_uint_eq(io[2], 2);
    ck_assert_uint_eq(status().executed, 2);
    ck_assert_st(boc_runtime_wait(BOC_SEC(10)), BOC_OK);
    boc_pump_status_t s = status();
    ck_assert_uint_eq(s.depth, 0);
    ck_assert_uint_eq(s.executed, 0);
    /* still held (stale) until boc_pump_end(): nothing to take */
    ck_assert_st(boc_pump_next_packed(io), BOC_ETIMEDOUT);
  }
  /* after a restart the stale claim is forgotten: another thread may
   * pump, and this one's end still succeeds */
  tu_start(2, 0);
  uint64_t io[3] = {0, 0, 0};
  ck_assert_st(boc_pump_next_packed(io), BOC_EDEADLK);
  other_t o;
  run_other(&o);
  ck_assert_st(o.pump_st, BOC_OK);
  ck_assert_st(o.begin_st, BOC_OK);
  ck_assert_st(o.end_st, BOC_OK);
  ck_assert_st(boc_pump_end(), BOC_OK);
  ck_assert_st(boc_pump_end(), BOC_EINVAL);
  ck_assert_st(boc_pump_begin(), BOC_OK);
  ck_assert_st(boc_pump_end(), BOC_OK);
  ck_assert_int_eq(atomic_load(&ran), 6);
  ck_assert_st(boc_cown_release(p), BOC_OK);
}
END_TEST

/* ---- mixed work, seeded --------------------------------------------------------- */

enum { MX_COWNS = 8, MX_PINNED = 3, MX_MAX_SET = 3 };

typedef struct mx_arg {
  int n;
  int idx[MX_MAX_SET];
  int64_t expect[MX_MAX_SET]; /* the cown's counter when this one runs */
  int pinned;
} mx_arg_t;

static _Atomic(int) mx_in_use[MX_COWNS];
static pthread_t mx_pumper;
static boc_cown_t *mx_cown[MX_COWNS];

static void mx_body(boc_behavior_t *b, void *arg) {
  mx_arg_t *a = arg;
  if (a->pinned) TU_EXPECT(pthread_equal(pthread_self(), mx_pumper));
  else TU_EXPECT(!pthread_equal(pthread_self(), mx_pumper));
  for (int j = 0; j < a->n; j++) {
    TU_EXPECT(atomic_exchange(&mx_in_use[a->idx[j]], 1) == 0);
    boc_cown_t *c = NULL;
    TU_EXPECT_ST(boc_behavior_cown(b, (size_t)j, &c), BOC_OK);
    int64_t *v = NULL;
    TU_EXPECT_ST(boc_cown_get(c, (void **)&v), BOC_OK);
    if (v != NULL) {
      TU_EXPECT(*v == a->expect[j]);
      (*v)++;
    }
  }
  for (int j = 0; j < a->n; j++) atomic_store(&mx_in_use[a->idx[j]], 0);
  atomic_fetch_add(&ran, 1);
}

typedef struct mx_sched {
  pthread_t th;
  size_t n;
  uint64_t seed;
  _Atomic(int) done;
} mx_sched_t;

static void *mx_scheduler(void *arg) {
  mx_sched_t *s = arg;
  tu_rng_t rng;
  tu_rng_init(&rng, s->seed);
  int64_t count[MX_COWNS] = {0};
  for (size_t i = 0; i < s->n; i++) {
    mx_arg_t *a = calloc(1, sizeof *a);
    a->n = 1 + (int)tu_rng_below(&rng, MX_MAX_SET);
    boc_cown_t *set[MX_MAX_SET];
    for (int j = 0; j < a->n; j++) {
      int k;
      int dup;
      do {
        k = (int)tu_rng_below(&rng, MX_COWNS);
        dup = 0;
        for (int m = 0; m < j; m++) dup |= a->idx[m] == k;
      } while (dup);
      a->idx[j] = k;
      a->expect[j] = count[k]++;
      a->pinned |= k < MX_PINNED;
      set[j] = mx_cown[k];
    }
    TU_EXPECT_ST(boc_when(set, (size_t)a->n, mx_body, a, free, NULL), BOC_OK);
  }
  atomic_store(&s->done, 1);
  return NULL;
}

START_TEST(test_pump_mixed_work_keeps_order_and_exclusion) {
  mx_pumper = pthread_self();
  for (int k = 0; k < MX_COWNS; k++) {
    int64_t *v = calloc(1, sizeof *v);
    atomic_store(&mx_in_use[k], 0);
    if (k < MX_PINNED)
      ck_assert_st(boc_cown_create_pinned(v, free, &mx_cown[k]), BOC_OK);
    else
      ck_assert_st(boc_cown_create(v, free, &mx_cown[k]), BOC_OK);
  }
  mx_sched_t s;
  memset(&s, 0, sizeof s);
  s.n = tu_scale(3000);
  s.seed = tu_test_seed(__func__);
  ck_assert_int_eq(pthread_create(&s.th, NULL, mx_scheduler, &s), 0);
  uint64_t deadline = tu_now_ns() + TU_MS(15000) * 1000000ull;
  for (;;) {
    uint32_t why = 0;
    int st = boc_runtime_await(BOC_MSEC(50), &why);
    ck_assert(st == BOC_OK || st == BOC_ETIMEDOUT);
    if (st == BOC_OK && (why & BOC_AWAIT_PINNED))
      ck_assert_st(boc_pump(BOC_MSEC(5), 0, NULL), BOC_OK);
    else if (st == BOC_OK && atomic_load(&s.done) && (why & BOC_AWAIT_QUIESCENT))
      break;
    else if (st == BOC_OK)
      tu_sleep_us(100); /* quiescent, the scheduler is not done yet */
    ck_assert_msg(tu_now_ns() < deadline, "mixed work did not finish in time");
  }
  pthread_join(s.th, NULL);
  ck_assert_int_eq(atomic_load(&ran), (int)s.n);
  tu_assert_clean();
  for (int k = 0; k < MX_COWNS; k++) ck_assert_st(boc_cown_release(mx_cown[k]), BOC_OK);
}
END_TEST

/* ---- bad input and a stopped runtime -------------------------------------------- */

START_TEST(test_pump_calls_when_not_running) {
  boc_pump_result_t r;
  memset(&r, 0x5a, sizeof r);
  ck_assert_st(boc_pump(BOC_FOREVER, 0, &r), BOC_ENOTRUNNING);
  ck_assert_uint_eq(r.executed, 0x5a5a5a5a5a5a5a5aull); /* untouched */
  ck_assert_st(boc_pump(BOC_FOREVER, 0, NULL), BOC_ENOTRUNNING);
  ck_assert_st(boc_pump_begin(), BOC_ENOTRUNNING);
  ck_assert_st(boc_pump_end(), BOC_EINVAL);
  uint64_t io[3] = {0, 1, 2};
  ck_assert_st(boc_pump_next_packed(io), BOC_EDEADLK);
  ck_assert_uint_eq(io[1], 1);
  ck_assert_st(boc_pump_next_packed(NULL), BOC_EINVAL);
  ck_assert_st(boc_pump_status(NULL), BOC_EINVAL);
  boc_pump_status_t s = status();
  ck_assert_uint_eq(s.depth, 0);
  ck_assert_int_eq(s.nonempty_ns, 0);
  ck_assert_uint_eq(s.executed, 0);
  uint32_t why = 9;
  ck_assert_st(boc_runtime_await(0, &why), BOC_ENOTRUNNING);
  ck_assert_st(boc_runtime_await(BOC_MSEC(10), NULL), BOC_ENOTRUNNING);
  ck_assert_uint_eq(why, 9);
  /* pinned cowns need no runtime */
  boc_cown_t *p = pinned_cown();
  ck_assert_st(boc_when(&p, 1, rec_body, NULL, NULL, NULL), BOC_ENOTRUNNING);
  ck_assert_st(boc_cown_create_pinned(NULL, NULL, NULL), BOC_EINVAL);
  ck_assert_st(boc_cown_release(p), BOC_OK);
  /* the same after a run */
  tu_start(1, 0);
  ck_assert_st(boc_pump_begin(), BOC_OK);
  tu_stop();
  ck_assert_st(boc_pump_next_packed(io), BOC_ETIMEDOUT); /* stale hold */
  ck_assert_st(boc_pump_end(), BOC_OK);
  ck_assert_st(boc_pump_next_packed(io), BOC_EDEADLK);
  ck_assert_st(boc_pump(BOC_FOREVER, 0, NULL), BOC_ENOTRUNNING);
  ck_assert_st(boc_runtime_await(0, NULL), BOC_ENOTRUNNING);
}
END_TEST

START_TEST(test_pump_end_without_begin_is_einval) {
  ck_assert_st(boc_pump_end(), BOC_EINVAL);
  /* boc_pump() does not leave a claim behind */
  ck_assert_st(boc_pump(BOC_FOREVER, 0, NULL), BOC_OK);
  ck_assert_st(boc_pump_end(), BOC_EINVAL);
  uint64_t io[3] = {0, 0, 0};
  ck_assert_st(boc_pump_next_packed(io), BOC_EDEADLK);
  ck_assert_st(boc_pump_next_packed(NULL), BOC_EINVAL);
  ck_assert_st(boc_pump_status(NULL), BOC_EINVAL);
}
END_TEST

static Suite *pump_suite(void) {
  Suite *s = suite_create("pump");

  TCase *tc = tcase_create("pinned_cowns");
  tcase_set_timeout(tc, TU_TIMEOUT(20));
  tcase_add_checked_fixture(tc, setup_none, tu_teardown);
  tcase_add_test(tc, test_pump_pinned_cown_reports_flag_and_keeps_it);
  tcase_add_test(tc, test_pump_pinned_ordinary_cown_stays_unpinned_for_behaviors);
  tcase_add_test(tc, test_pump_create_pinned_payload_freed_once);
  tcase_add_test(tc, test_pump_calls_when_not_running);
  suite_add_tcase(s, tc);

  tc = tcase_create("routing");
  tcase_set_timeout(tc, TU_TIMEOUT(20));
  tcase_add_checked_fixture(tc, setup_w2, tu_teardown);
  tcase_add_test(tc, test_pump_pinned_behavior_runs_on_pumping_thread_only);
  tcase_add_test(tc, test_pump_ordinary_behaviors_never_reach_pinned_queue);
  tcase_add_test(tc, test_pump_pinned_behavior_queued_only_when_ready);
  tcase_add_test(tc, test_pump_runs_pinned_behaviors_in_fifo_order);
  tcase_add_test(tc, test_pump_max_behaviors_limits_a_call);
  tcase_add_test(tc, test_pump_budget_stops_after_deadline);
  tcase_add_test(tc, test_pump_empty_queue_returns_at_once);
  tcase_add_test(tc, test_pump_stops_at_pulled_behavior_and_next_packed_takes_it);
  tcase_add_test(tc, test_pump_behavior_complete_finishes_pump_pulled_behavior);
  tcase_add_test(tc, test_pump_unpinned_pulled_without_pull_slots_is_enoslot);
  tcase_add_test(tc, test_pump_second_pumper_gets_ebusy);
  tcase_add_test(tc, test_pump_pump_in_progress_makes_others_ebusy);
  tcase_add_test(tc, test_pump_is_not_reentrant_from_behaviors);
  tcase_add_test(tc, test_pump_status_nonempty_time_grows_and_resets);
  tcase_add_test(tc, test_pump_end_without_begin_is_einval);
  suite_add_tcase(s, tc);

  tc = tcase_create("pull_slots");
  tcase_set_timeout(tc, TU_TIMEOUT(30));
  tcase_add_checked_fixture(tc, setup_w2_p1, tu_teardown);
  tcase_add_test(tc, test_pump_pinned_pulled_never_go_to_pull_slots);
  suite_add_tcase(s, tc);

  tc = tcase_create("await");
  tcase_set_timeout(tc, TU_TIMEOUT(30));
  tcase_add_checked_fixture(tc, setup_w2, tu_teardown);
  tcase_add_test(tc, test_pump_await_wakes_when_worker_enqueues_pinned_work);
  tcase_add_test(tc, test_pump_await_wakes_at_quiescence);
  tcase_add_test(tc, test_pump_await_times_out_otherwise);
  tcase_add_test(tc, test_pump_await_does_not_lose_wakeups);
  tcase_add_test(tc, test_pump_mixed_work_keeps_order_and_exclusion);
  suite_add_tcase(s, tc);

  tc = tcase_create("lifecycle");
  tcase_set_timeout(tc, TU_TIMEOUT(30));
  tcase_add_checked_fixture(tc, setup_w2, tu_teardown);
  tcase_add_test(tc, test_pump_quiesce_waits_for_pinned_work_pumped_elsewhere);
  tcase_add_test(tc, test_pump_wait_waits_for_pinned_work_pumped_elsewhere);
  tcase_add_test(tc, test_pump_quiesce_times_out_while_pinned_work_is_queued);
  tcase_add_test(tc, test_pump_shutdown_drops_queued_pinned_behaviors);
  tcase_add_test(tc, test_pump_shutdown_waits_for_running_pinned_behavior);
  tcase_add_test(tc, test_pump_restart_resets_queue_and_claim);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  tu_init("check_pump");
  return tu_run(pump_suite());
}
