/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

/* check_runtime.c - lifecycle (start, quiesce, wait, shutdown), worker
 * counts, configuration, in-flight counts, statistics and fairness. */

#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

static _Atomic(int64_t) counter;

static void count_body(boc_behavior_t *b, void *arg) {
  (void)b;
  (void)arg;
  atomic_fetch_add(&counter, 1);
}

/* ---- start / stop cycles ------------------------------------------------------ */

START_TEST(test_runtime_start_wait_cycles_run_all_work) {
  atomic_store(&counter, 0);
  tu_tracker_t t;
  size_t cycles = 10, per = 100;
  tu_tracker_init(&t, cycles * per);
  boc_cown_t *c = tu_cown();
  for (size_t k = 0; k < cycles; k++) {
    ck_assert(!tu_running());
    tu_start(k % 2 ? 1 : 2, 0);
    for (size_t i = 0; i < per; i++)
      ck_assert_st(boc_when(i % 2 ? &c : NULL, i % 2, count_body,
                            TU_TRACKED(&t, k * per + i), tu_tracked_free,
                            NULL),
                   BOC_OK);
    ck_assert_st(boc_runtime_wait(BOC_FOREVER), BOC_OK);
    ck_assert_int_eq(atomic_load(&counter), (int64_t)((k + 1) * per));
    ck_assert(!tu_running());
  }
  tu_tracker_assert_once(&t, cycles * per);
  tu_tracker_destroy(&t);
  ck_assert_st(boc_cown_release(c), BOC_OK);
}
END_TEST

START_TEST(test_runtime_start_shutdown_cycles) {
  atomic_store(&counter, 0);
  for (int k = 0; k < 10; k++) {
    tu_start(2, 0);
    for (int i = 0; i < 20; i++)
      ck_assert_st(boc_when(NULL, 0, count_body, NULL, NULL, NULL), BOC_OK);
    ck_assert_st(boc_runtime_quiesce(BOC_SEC(10)), BOC_OK);
    ck_assert_st(boc_runtime_shutdown(), BOC_OK);
    ck_assert(!tu_running());
    ck_assert_st(boc_runtime_shutdown(), BOC_ENOTRUNNING);
  }
  ck_assert_int_eq(atomic_load(&counter), 200);
}
END_TEST

START_TEST(test_runtime_start_when_running_is_erunning) {
  tu_start(2, 0);
  boc_runtime_config_t cfg;
  ck_assert_st(boc_runtime_config_init(&cfg), BOC_OK);
  cfg.workers = 1;
  ck_assert_st(boc_runtime_start(&cfg), BOC_ERUNNING);
  ck_assert_st(boc_runtime_start(NULL), BOC_ERUNNING);
  uint32_t n = 0;
  ck_assert_st(boc_runtime_worker_count(&n), BOC_OK);
  ck_assert_uint_eq(n, 2); /* the running runtime is unchanged */
}
END_TEST

START_TEST(test_runtime_lifecycle_calls_when_not_running) {
  for (int round = 0; round < 2; round++) {
    ck_assert_st(boc_runtime_quiesce(0), BOC_ENOTRUNNING);
    ck_assert_st(boc_runtime_quiesce(BOC_FOREVER), BOC_ENOTRUNNING);
    ck_assert_st(boc_runtime_wait(BOC_FOREVER), BOC_ENOTRUNNING);
    ck_assert_st(boc_runtime_shutdown(), BOC_ENOTRUNNING);
    uint32_t n = 77;
    ck_assert_st(boc_runtime_worker_count(&n), BOC_ENOTRUNNING);
    ck_assert_uint_eq(n, 77);
    uint64_t f = 77;
    ck_assert_st(boc_runtime_in_flight(&f), BOC_OK);
    ck_assert_uint_eq(f, 0);
    if (round == 0) {
      tu_start(1, 0);
      tu_stop();
    }
  }
}
END_TEST

START_TEST(test_runtime_restart_reuses_cowns_from_earlier_runs) {
  tu_tracker_t t;
  tu_tracker_init(&t, 1);
  boc_cown_t *c = tu_cown_tracked(&t, 0, 0);
  for (int k = 0; k < 5; k++) {
    tu_start(2, 0);
    ck_assert_st(boc_when(&c, 1, count_body, NULL, NULL, NULL), BOC_OK);
    if (k % 2)
      ck_assert_st(boc_runtime_wait(BOC_SEC(10)), BOC_OK);
    else {
      ck_assert_st(boc_runtime_quiesce(BOC_SEC(10)), BOC_OK);
      ck_assert_st(boc_runtime_shutdown(), BOC_OK);
    }
  }
  ck_assert_int_eq(atomic_load(&counter), 5);
  ck_assert_uint_eq(tu_tracker_count(&t, 0), 0);
  ck_assert_st(boc_cown_release(c), BOC_OK);
  tu_tracker_assert_once(&t, 1);
  tu_tracker_destroy(&t);
}
END_TEST

/* ---- quiesce and wait -------------------------------------------------------- */

START_TEST(test_runtime_quiesce_returns_ok_when_idle) {
  tu_start(2, 0);
  ck_assert_st(boc_runtime_quiesce(0), BOC_OK);
  ck_assert_st(boc_runtime_quiesce(BOC_MSEC(10)), BOC_OK);
  ck_assert_st(boc_runtime_quiesce(BOC_FOREVER), BOC_OK);
  ck_assert_st(boc_when(NULL, 0, count_body, NULL, NULL, NULL), BOC_OK);
  ck_assert_st(boc_runtime_quiesce(BOC_FOREVER), BOC_OK);
  ck_assert_int_eq(atomic_load(&counter), 1);
  ck_assert(tu_running());
}
END_TEST

START_TEST(test_runtime_quiesce_times_out_while_behavior_blocked) {
  tu_start(2, 0);
  boc_cown_t *c = tu_cown(), *d = tu_cown();
  tu_gate_t g;
  tu_gate_init(&g);
  ck_assert_st(boc_when(&c, 1, tu_gate_body, &g, NULL, NULL), BOC_OK);
  tu_gate_wait_entered(&g);
  uint64_t t0 = tu_now_ns();
  ck_assert_st(boc_runtime_quiesce(BOC_MSEC(100)), BOC_ETIMEDOUT);
  uint64_t dt = tu_now_ns() - t0;
  ck_assert_msg(dt >= 100000000ull, "quiesce timed out after %llu ns < 100 ms",
                (unsigned long long)dt);
  ck_assert_msg(dt < TU_MS(5000) * 1000000ull,
                "quiesce took %llu ns for a 100 ms timeout",
                (unsigned long long)dt);
  ck_assert_st(boc_runtime_quiesce(0), BOC_ETIMEDOUT);
  /* The runtime stayed up: the other worker runs new work. */
  ck_assert(tu_running());
  ck_assert_st(boc_when(&d, 1, count_body, NULL, NULL, NULL), BOC_OK);
  int ok;
  TU_WAIT_UNTIL(ok, atomic_load(&counter) == 1, 5000);
  ck_assert_msg(ok, "a behavior on another cown did not run while blocked");
  tu_gate_open(&g);
  ck_assert_st(boc_runtime_quiesce(BOC_SEC(10)), BOC_OK);
  ck_assert_st(boc_cown_release(c), BOC_OK);
  ck_assert_st(boc_cown_release(d), BOC_OK);
}
END_TEST

START_TEST(test_runtime_wait_times_out_and_keeps_running) {
  tu_start(2, 0);
  boc_cown_t *c = tu_cown();
  tu_gate_t g;
  tu_gate_init(&g);
  ck_assert_st(boc_when(&c, 1, tu_gate_body, &g, NULL, NULL), BOC_OK);
  tu_gate_wait_entered(&g);
  uint64_t t0 = tu_now_ns();
  ck_assert_st(boc_runtime_wait(BOC_MSEC(50)), BOC_ETIMEDOUT);
  ck_assert_uint_ge(tu_now_ns() - t0, 50000000ull);
  ck_assert(tu_running());
  /* Still accepting work, queued behind the gate. */
  ck_assert_st(boc_when(&c, 1, count_body, NULL, NULL, NULL), BOC_OK);
  ck_assert_st(boc_when(NULL, 0, count_body, NULL, NULL, NULL), BOC_OK);
  tu_gate_open(&g);
  ck_assert_st(boc_runtime_wait(BOC_SEC(10)), BOC_OK);
  ck_assert_int_eq(atomic_load(&counter), 2);
  ck_assert(!tu_running());
  ck_assert_st(boc_cown_release(c), BOC_OK);
}
END_TEST

typedef struct nest_arg {
  tu_tracked_t hdr;
  int depth;
  tu_tracker_t *t;
  _Atomic(size_t) *next_id;
} nest_arg_t;

static _Atomic(int64_t) nest_refused;

static void nest_body(boc_behavior_t *b, void *arg) {
  nest_arg_t *a = arg;
  atomic_fetch_add(&counter, 1);
  if (a->depth <= 0)
    return;
  size_t n = 0;
  boc_cown_t *c = NULL;
  TU_EXPECT_ST(boc_behavior_cown_count(b, &n), BOC_OK);
  if (n > 0)
    TU_EXPECT_ST(boc_behavior_cown(b, 0, &c), BOC_OK);
  nest_arg_t *next =
      tu_tracked_new(a->t, atomic_fetch_add(a->next_id, 1), sizeof *next);
  next->depth = a->depth - 1;
  next->t = a->t;
  next->next_id = a->next_id;
  int st = boc_when(&c, n, nest_body, next, tu_tracked_free, NULL);
  if (st != BOC_OK) {
    atomic_fetch_add(&nest_refused, 1);
    tu_fail_record(__FILE__, __LINE__,
                   "nested boc_when in a behavior in flight returned %d (%s)",
                   st, boc_strerror(st));
  }
}

START_TEST(test_runtime_wait_runs_queued_and_nested_work_then_stops) {
  tu_start(2, 0);
  enum { CHAINS = 20, DEPTH = 50 };
  tu_tracker_t t;
  tu_tracker_init(&t, CHAINS * (DEPTH + 1) + 2);
  _Atomic(size_t) next_id;
  atomic_init(&next_id, 0);
  boc_cown_t *c[2] = {tu_cown(), tu_cown()};
  for (int i = 0; i < CHAINS; i++) {
    nest_arg_t *a = tu_tracked_new(&t, atomic_fetch_add(&next_id, 1), sizeof *a);
    a->depth = DEPTH;
    a->t = &t;
    a->next_id = &next_id;
    ck_assert_st(boc_when(&c[i % 2], i % 3 ? 1 : 0, nest_body, a,
                          tu_tracked_free, NULL),
                 BOC_OK);
  }
  ck_assert_st(boc_runtime_wait(BOC_FOREVER), BOC_OK);
  ck_assert(!tu_running());
  tu_assert_clean();
  ck_assert_int_eq(atomic_load(&counter), CHAINS * (DEPTH + 1));
  size_t made = atomic_load(&next_id);
  ck_assert_uint_eq(made, CHAINS * (DEPTH + 1));
  tu_tracker_assert_once(&t, made);
  uint64_t f = 1;
  ck_assert_st(boc_runtime_in_flight(&f), BOC_OK);
  ck_assert_uint_eq(f, 0);
  /* Scheduling after wait: refused, arg still freed exactly once. */
  tu_tracked_t *late = TU_TRACKED(&t, made);
  ck_assert_st(boc_when(c, 1, count_body, late, tu_tracked_free, NULL),
               BOC_ENOTRUNNING);
  ck_assert_uint_eq(tu_tracker_count(&t, made), 1);
  ck_assert_st(boc_runtime_quiesce(0), BOC_ENOTRUNNING);
  ck_assert_st(boc_runtime_wait(0), BOC_ENOTRUNNING);
  tu_tracker_destroy(&t);
  ck_assert_st(boc_cown_release(c[0]), BOC_OK);
  ck_assert_st(boc_cown_release(c[1]), BOC_OK);
}
END_TEST

/* A thread keeps scheduling short chains while the main thread calls
 * boc_runtime_wait().  Every chain whose first link was accepted must run to
 * the end: its links are in flight, so wait has not quiesced yet and a
 * nested boc_when() from a running link must succeed. */
static _Atomic(int) feeder_stop;
static _Atomic(int64_t) feeder_accepted;

typedef struct feeder_ctx {
  tu_tracker_t *t;
  _Atomic(size_t) *next_id;
  size_t cap;
} feeder_ctx_t;

static void *feeder_thread(void *arg) {
  feeder_ctx_t *fc = arg;
  while (!atomic_load(&feeder_stop)) {
    size_t id = atomic_fetch_add(fc->next_id, 1);
    if (id + 8 >= fc->cap) {
      atomic_fetch_sub(fc->next_id, 1);
      break;
    }
    nest_arg_t *a = tu_tracked_new(fc->t, id, sizeof *a);
    a->depth = 3;
    a->t = fc->t;
    a->next_id = fc->next_id;
    int st = boc_when(NULL, 0, nest_body, a, tu_tracked_free, NULL);
    if (st == BOC_OK) {
      atomic_fetch_add(&feeder_accepted, 1);
      tu_sleep_us(10); /* let the runtime go idle now and then */
    } else {
      if (st != BOC_ENOTRUNNING && st != BOC_ESHUTDOWN)
        tu_fail_record(__FILE__, __LINE__, "feeder boc_when returned %d (%s)",
                       st, boc_strerror(st));
      break;
    }
  }
  return NULL;
}

START_TEST(test_runtime_wait_lets_in_flight_chains_finish) {
  size_t cap = 200000;
  tu_tracker_t t;
  tu_tracker_init(&t, cap);
  _Atomic(size_t) next_id;
  atomic_init(&next_id, 0);
  atomic_init(&nest_refused, 0);
  feeder_ctx_t fc = {&t, &next_id, cap};
  size_t cycles = tu_scale(300);
  for (size_t cycle = 0; cycle < cycles && atomic_load(&nest_refused) == 0;
       cycle++) {
    atomic_store(&counter, 0);
    atomic_store(&feeder_accepted, 0);
    atomic_store(&feeder_stop, 0);
    tu_start(2, 0);
    pthread_t th;
    ck_assert_int_eq(pthread_create(&th, NULL, feeder_thread, &fc), 0);
    tu_sleep_ms(2);
    ck_assert_st(boc_runtime_wait(BOC_SEC(30)), BOC_OK);
    atomic_store(&feeder_stop, 1);
    pthread_join(th, NULL);
    /* Every accepted chain ran its 4 links. */
    ck_assert_msg(atomic_load(&counter) == 4 * atomic_load(&feeder_accepted),
                  "cycle %zu: %lld links ran for %lld accepted chains", cycle,
                  (long long)atomic_load(&counter),
                  (long long)atomic_load(&feeder_accepted));
  }
  tu_assert_clean();
  tu_tracker_assert_once(&t, atomic_load(&next_id));
  tu_tracker_destroy(&t);
}
END_TEST

/* ---- shutdown drops queued work ------------------------------------------------ */

typedef struct shutdown_probe {
  tu_gate_t gate;
  tu_tracker_t *probes;
  _Atomic(size_t) attempts;
  _Atomic(int) saw_eshutdown;
} shutdown_probe_t;

/* Runs on the only worker: blocks until the runtime refuses new work. */
static void shutdown_probe_body(boc_behavior_t *b, void *arg) {
  (void)b;
  shutdown_probe_t *p = arg;
  atomic_store(&p->gate.entered, 1);
  uint64_t deadline = tu_now_ns() + TU_MS(20000) * 1000000ull;
  while (tu_now_ns() < deadline) {
    size_t id = atomic_fetch_add(&p->attempts, 1);
    if (id >= p->probes->n) {
      tu_fail_record(__FILE__, __LINE__, "too many probes");
      return;
    }
    int st = boc_when(NULL, 0, count_body, TU_TRACKED(p->probes, id),
                      tu_tracked_free, NULL);
    if (st == BOC_ESHUTDOWN) {
      atomic_store(&p->saw_eshutdown, 1);
      return;
    }
    if (st != BOC_OK) {
      tu_fail_record(__FILE__, __LINE__,
                     "boc_when during shutdown returned %d (%s)", st,
                     boc_strerror(st));
      return;
    }
    tu_sleep_ms(2);
  }
  tu_fail_record(__FILE__, __LINE__, "shutdown never refused new behaviors");
}

static void run_shutdown_drop(uint32_t workers) {
  enum { CHAIN = 30, ZERO = 10, PROBES = 20000 };
  atomic_store(&counter, 0);
  tu_start(workers, 0);
  tu_tracker_t args, probes, payloads;
  tu_tracker_init(&args, CHAIN + ZERO);
  tu_tracker_init(&probes, PROBES);
  tu_tracker_init(&payloads, 2);
  boc_cown_t *c = tu_cown_tracked(&payloads, 0, 0);
  boc_cown_t *d = tu_cown_tracked(&payloads, 1, 0);
  shutdown_probe_t p;
  tu_gate_init(&p.gate);
  p.probes = &probes;
  atomic_init(&p.attempts, 0);
  atomic_init(&p.saw_eshutdown, 0);
  boc_cown_t *rg = NULL;
  boc_cown_t *blockers[1] = {c};
  ck_assert_st(boc_when(blockers, 1, shutdown_probe_body, &p, NULL, &rg),
               BOC_OK);
  tu_gate_wait_entered(&p.gate);
  boc_cown_t *results[CHAIN + ZERO];
  for (int i = 0; i < CHAIN; i++) {
    boc_cown_t *set[2];
    size_t n = 1;
    set[0] = c;
    if (i % 3 == 1) { set[1] = d; n = 2; }
    if (i % 3 == 2) { set[0] = d; set[1] = c; n = 2; }
    ck_assert_st(boc_when(set, n, count_body, TU_TRACKED(&args, (size_t)i),
                          tu_tracked_free, &results[i]),
                 BOC_OK);
  }
  /* With one worker (busy with the probe), these wait in its queue. */
  size_t nzero = workers == 1 ? ZERO : 0;
  for (size_t i = 0; i < nzero; i++)
    ck_assert_st(boc_when(NULL, 0, count_body, TU_TRACKED(&args, CHAIN + i),
                          tu_tracked_free, &results[CHAIN + i]),
                 BOC_OK);
  uint64_t inflight = 0;
  ck_assert_st(boc_runtime_in_flight(&inflight), BOC_OK);
  ck_assert_uint_ge(inflight, 1 + CHAIN + nzero);

  ck_assert_st(boc_runtime_shutdown(), BOC_OK);
  ck_assert(!tu_running());
  tu_assert_clean();
  ck_assert_int_eq(atomic_load(&p.saw_eshutdown), 1);
  ck_assert_int_eq(atomic_load(&p.gate.entered), 1);
  /* Queued behaviors were dropped, never run (probes too: one worker). */
  if (workers == 1)
    ck_assert_int_eq(atomic_load(&counter), 0);
  tu_tracker_assert_once(&args, CHAIN + nzero);
  tu_tracker_assert_once(&probes, atomic_load(&p.attempts));
  for (size_t i = 0; i < CHAIN + nzero; i++) {
    ck_assert_st(boc_cown_acquire(results[i]), BOC_OK);
    uint32_t f = 0;
    ck_assert_st(boc_cown_flags(results[i], &f), BOC_OK);
    ck_assert_msg(f & BOC_COWN_DROPPED,
                  "result %zu of a dropped behavior lacks BOC_COWN_DROPPED "
                  "(flags %#x)", i, f);
    ck_assert_st(boc_cown_relinquish(results[i]), BOC_OK);
    ck_assert_st(boc_cown_release(results[i]), BOC_OK);
  }
  /* The behavior that ran is not marked dropped. */
  ck_assert_st(boc_cown_acquire(rg), BOC_OK);
  uint32_t f = 0;
  ck_assert_st(boc_cown_flags(rg, &f), BOC_OK);
  ck_assert_uint_eq(f & BOC_COWN_DROPPED, 0);
  ck_assert_st(boc_cown_relinquish(rg), BOC_OK);
  ck_assert_st(boc_cown_release(rg), BOC_OK);
  /* The cowns were handed on: idle now, payloads intact. */
  ck_assert_st(boc_cown_acquire(c), BOC_OK);
  ck_assert_st(boc_cown_acquire(d), BOC_OK);
  ck_assert_st(boc_cown_relinquish(c), BOC_OK);
  ck_assert_st(boc_cown_relinquish(d), BOC_OK);
  ck_assert_uint_eq(tu_tracker_total(&payloads), 0);
  /* Nothing runs after shutdown. */
  ck_assert_st(boc_when(&c, 1, count_body, NULL, NULL, NULL), BOC_ENOTRUNNING);
  /* A new run can use the same cowns. */
  int64_t before = atomic_load(&counter);
  tu_start(workers, 0);
  boc_cown_t *cd[2] = {c, d};
  ck_assert_st(boc_when(cd, 2, count_body, NULL, NULL, NULL), BOC_OK);
  ck_assert_st(boc_runtime_wait(BOC_SEC(10)), BOC_OK);
  ck_assert_int_eq(atomic_load(&counter), before + 1);
  ck_assert_st(boc_cown_release(c), BOC_OK);
  ck_assert_st(boc_cown_release(d), BOC_OK);
  tu_tracker_assert_once(&payloads, 2);
  tu_tracker_destroy(&args);
  tu_tracker_destroy(&probes);
  tu_tracker_destroy(&payloads);
}

START_TEST(test_runtime_shutdown_drops_queued_behaviors_one_worker) {
  run_shutdown_drop(1);
}
END_TEST

START_TEST(test_runtime_shutdown_drops_waiting_behaviors_two_workers) {
  run_shutdown_drop(2);
}
END_TEST

static void *shutdown_thread(void *arg) {
  atomic_store((_Atomic(int) *)arg, boc_runtime_shutdown() + 100);
  return NULL;
}

/* A behavior waits for a cown the main thread acquired; a shutdown started
 * meanwhile must drop it (not run it) once the hold is given back. */
START_TEST(test_runtime_shutdown_drops_behavior_queued_behind_acquired_cown) {
  tu_start(2, 0);
  tu_tracker_t t;
  tu_tracker_init(&t, 1);
  boc_cown_t *c = tu_cown();
  ck_assert_st(boc_cown_acquire(c), BOC_OK);
  boc_cown_t *r = NULL;
  ck_assert_st(boc_when(&c, 1, count_body, TU_TRACKED(&t, 0), tu_tracked_free,
                        &r),
               BOC_OK);
  _Atomic(int) done;
  atomic_init(&done, 0);
  pthread_t th;
  ck_assert_int_eq(pthread_create(&th, NULL, shutdown_thread, &done), 0);
  /* new work is refused as soon as the shutdown begins */
  int ok;
  TU_WAIT_UNTIL(ok, boc_when(NULL, 0, count_body, NULL, NULL, NULL) != BOC_OK,
                5000);
  ck_assert_msg(ok, "shutdown did not start refusing work");
  ck_assert_st(boc_cown_relinquish(c), BOC_OK);
  TU_WAIT_UNTIL(ok, atomic_load(&done) != 0, 5000);
  ck_assert_msg(ok, "shutdown did not return after the hold was given back");
  pthread_join(th, NULL);
  ck_assert_int_eq(atomic_load(&done), 100 + BOC_OK);
  tu_assert_clean();
  int64_t ran = atomic_load(&counter);
  /* zero-cown probes may have run before the shutdown began, the behavior
   * on c must not have */
  ck_assert_uint_eq(tu_tracker_count(&t, 0), 1);
  ck_assert_st(boc_cown_acquire(r), BOC_OK);
  uint32_t f = 0;
  ck_assert_st(boc_cown_flags(r, &f), BOC_OK);
  ck_assert_msg(f & BOC_COWN_DROPPED,
                "behavior queued behind the hold ran or was not marked "
                "dropped (flags %#x, %lld bodies ran)",
                f, (long long)ran);
  ck_assert_st(boc_cown_relinquish(r), BOC_OK);
  ck_assert_st(boc_cown_release(r), BOC_OK);
  ck_assert_st(boc_cown_release(c), BOC_OK);
  tu_tracker_destroy(&t);
}
END_TEST

START_TEST(test_runtime_shutdown_when_idle_stops) {
  tu_start(2, 0);
  ck_assert_st(boc_when(NULL, 0, count_body, NULL, NULL, NULL), BOC_OK);
  ck_assert_st(boc_runtime_quiesce(BOC_SEC(10)), BOC_OK);
  ck_assert_st(boc_runtime_shutdown(), BOC_OK);
  ck_assert(!tu_running());
  ck_assert_int_eq(atomic_load(&counter), 1);
  ck_assert_st(boc_when(NULL, 0, count_body, NULL, NULL, NULL),
               BOC_ENOTRUNNING);
}
END_TEST

/* ---- worker counts and configuration -------------------------------------------- */

START_TEST(test_runtime_workers_env_sets_default_count) {
  ck_assert_int_eq(setenv("BOC_WORKERS", "3", 1), 0);
  uint32_t n = 0;
  ck_assert_st(boc_default_worker_count(&n), BOC_OK);
  ck_assert_uint_eq(n, 3);
  ck_assert_st(boc_runtime_start(NULL), BOC_OK);
  ck_assert_st(boc_runtime_worker_count(&n), BOC_OK);
  ck_assert_uint_eq(n, 3);
  size_t count = 0;
  ck_assert_st(boc_runtime_stats(NULL, 0, &count), BOC_OK);
  ck_assert_uint_eq(count, 3);
  tu_stop();
  /* workers = 0 in a config also means the default */
  boc_runtime_config_t cfg;
  ck_assert_st(boc_runtime_config_init(&cfg), BOC_OK);
  ck_assert_st(boc_runtime_start(&cfg), BOC_OK);
  ck_assert_st(boc_runtime_worker_count(&n), BOC_OK);
  ck_assert_uint_eq(n, 3);
  tu_stop();
  /* an explicit count wins over the environment */
  cfg.workers = 2;
  ck_assert_st(boc_runtime_start(&cfg), BOC_OK);
  ck_assert_st(boc_runtime_worker_count(&n), BOC_OK);
  ck_assert_uint_eq(n, 2);
  tu_stop();
  ck_assert_int_eq(setenv("BOC_WORKERS", "1", 1), 0);
  ck_assert_st(boc_default_worker_count(&n), BOC_OK);
  ck_assert_uint_eq(n, 1);
  ck_assert_int_eq(setenv("BOC_WORKERS", "1024", 1), 0);
  ck_assert_st(boc_default_worker_count(&n), BOC_OK);
  ck_assert_uint_eq(n, BOC_MAX_WORKERS);
}
END_TEST

START_TEST(test_runtime_invalid_workers_env_is_einval) {
  const char *bad[] = {"", "abc", "0", "-1", "1025", "3x", "x3", "1.5",
                       "99999999999999999999"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    ck_assert_int_eq(setenv("BOC_WORKERS", bad[i], 1), 0);
    uint32_t n = 77;
    int st = boc_default_worker_count(&n);
    ck_assert_msg(st == BOC_EINVAL,
                  "BOC_WORKERS=\"%s\": boc_default_worker_count returned %d",
                  bad[i], st);
    ck_assert_uint_eq(n, 77);
    st = boc_runtime_start(NULL);
    ck_assert_msg(st == BOC_EINVAL,
                  "BOC_WORKERS=\"%s\": boc_runtime_start returned %d", bad[i],
                  st);
    ck_assert(!tu_running());
    boc_runtime_config_t cfg;
    ck_assert_st(boc_runtime_config_init(&cfg), BOC_OK);
    st = boc_runtime_start(&cfg); /* workers 0: uses the environment */
    ck_assert_msg(st == BOC_EINVAL,
                  "BOC_WORKERS=\"%s\": start(workers=0) returned %d", bad[i],
                  st);
    ck_assert(!tu_running());
  }
}
END_TEST

START_TEST(test_runtime_default_worker_count_without_env) {
  ck_assert_int_eq(unsetenv("BOC_WORKERS"), 0);
  uint32_t n = 0;
  ck_assert_st(boc_default_worker_count(&n), BOC_OK);
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  ck_assert_uint_ge(n, 1);
  if (cpus > 0)
    ck_assert_uint_le(n, (uint32_t)cpus);
  ck_assert_st(boc_runtime_start(NULL), BOC_OK);
  uint32_t m = 0;
  ck_assert_st(boc_runtime_worker_count(&m), BOC_OK);
  ck_assert_uint_eq(m, n);
}
END_TEST

START_TEST(test_runtime_config_init_fills_defaults) {
  boc_runtime_config_t cfg;
  memset(&cfg, 0xff, sizeof cfg);
  ck_assert_st(boc_runtime_config_init(&cfg), BOC_OK);
  ck_assert_uint_eq(cfg.workers, 0);
  ck_assert_uint_eq(cfg.pull_slots, 0);
  for (size_t i = 0; i < sizeof cfg.reserved / sizeof cfg.reserved[0]; i++)
    ck_assert_uint_eq(cfg.reserved[i], 0);
}
END_TEST

static void expect_start_einval(const boc_runtime_config_t *cfg,
                                const char *what) {
  int st = boc_runtime_start(cfg);
  ck_assert_msg(st == BOC_EINVAL, "%s: start returned %d (%s)", what, st,
                boc_strerror(st));
  ck_assert_msg(!tu_running(), "%s: runtime left running", what);
}

START_TEST(test_runtime_config_validation) {
  boc_runtime_config_t cfg;
  ck_assert_st(boc_runtime_config_init(&cfg), BOC_OK);
  cfg.workers = 2;
  cfg.pull_slots = 3;
  expect_start_einval(&cfg, "pull_slots > workers");
  cfg.workers = BOC_MAX_WORKERS + 1;
  cfg.pull_slots = 0;
  expect_start_einval(&cfg, "workers > BOC_MAX_WORKERS");
  cfg.workers = UINT32_MAX;
  expect_start_einval(&cfg, "workers = UINT32_MAX");
  for (size_t i = 0; i < sizeof cfg.reserved / sizeof cfg.reserved[0]; i++) {
    ck_assert_st(boc_runtime_config_init(&cfg), BOC_OK);
    cfg.workers = 1;
    cfg.reserved[i] = 1;
    expect_start_einval(&cfg, "reserved field non-zero");
  }
  ck_assert_int_eq(setenv("BOC_WORKERS", "2", 1), 0);
  ck_assert_st(boc_runtime_config_init(&cfg), BOC_OK);
  cfg.pull_slots = 3;
  expect_start_einval(&cfg, "pull_slots > BOC_WORKERS");
  /* Limits that are valid. */
  cfg.pull_slots = 2; /* every slot a pull slot */
  ck_assert_st(boc_runtime_start(&cfg), BOC_OK);
  tu_stop();
  ck_assert_st(boc_runtime_config_init(&cfg), BOC_OK);
  cfg.workers = BOC_MAX_WORKERS;
  cfg.pull_slots = BOC_MAX_WORKERS; /* no threads are started */
  ck_assert_st(boc_runtime_start(&cfg), BOC_OK);
  uint32_t n = 0;
  ck_assert_st(boc_runtime_worker_count(&n), BOC_OK);
  ck_assert_uint_eq(n, BOC_MAX_WORKERS);
  tu_stop();
}
END_TEST

/* ---- lifecycle calls from inside a behavior ------------------------------------- */

static void lifecycle_from_behavior_body(boc_behavior_t *b, void *arg) {
  (void)b;
  (void)arg;
  boc_runtime_config_t cfg;
  TU_EXPECT_ST(boc_runtime_config_init(&cfg), BOC_OK);
  cfg.workers = 1;
  TU_EXPECT_ST(boc_runtime_start(&cfg), BOC_EDEADLK);
  TU_EXPECT_ST(boc_runtime_start(NULL), BOC_EDEADLK);
  TU_EXPECT_ST(boc_runtime_quiesce(0), BOC_EDEADLK);
  TU_EXPECT_ST(boc_runtime_quiesce(BOC_MSEC(10)), BOC_EDEADLK);
  TU_EXPECT_ST(boc_runtime_wait(BOC_MSEC(10)), BOC_EDEADLK);
  TU_EXPECT_ST(boc_runtime_wait(BOC_FOREVER), BOC_EDEADLK);
  TU_EXPECT_ST(boc_runtime_shutdown(), BOC_EDEADLK);
  /* Non-lifecycle queries still work. */
  uint32_t n = 0;
  TU_EXPECT_ST(boc_runtime_worker_count(&n), BOC_OK);
  uint64_t f = 0;
  TU_EXPECT_ST(boc_runtime_in_flight(&f), BOC_OK);
  TU_EXPECT(f >= 1);
  atomic_fetch_add(&counter, 1);
}

START_TEST(test_runtime_lifecycle_from_behavior_is_edeadlk) {
  tu_start(2, 0);
  boc_cown_t *c = tu_cown();
  ck_assert_st(boc_when(&c, 1, lifecycle_from_behavior_body, NULL, NULL, NULL),
               BOC_OK);
  ck_assert_st(boc_when(NULL, 0, lifecycle_from_behavior_body, NULL, NULL,
                        NULL),
               BOC_OK);
  ck_assert_st(boc_runtime_quiesce(BOC_SEC(10)), BOC_OK);
  tu_assert_clean();
  ck_assert_int_eq(atomic_load(&counter), 2);
  ck_assert(tu_running());
  ck_assert_st(boc_cown_release(c), BOC_OK);
}
END_TEST

/* ---- lifecycle calls from several threads ---------------------------------------- */

static pthread_barrier_t lc_barrier;

static void *lc_start_thread(void *arg) {
  pthread_barrier_wait(&lc_barrier);
  boc_runtime_config_t cfg;
  boc_runtime_config_init(&cfg);
  cfg.workers = 2;
  *(int *)arg = boc_runtime_start(&cfg);
  return NULL;
}

static void *lc_wait_thread(void *arg) {
  pthread_barrier_wait(&lc_barrier);
  *(int *)arg = boc_runtime_wait(BOC_SEC(10));
  return NULL;
}

START_TEST(test_runtime_lifecycle_calls_are_serialised) {
  for (int round = 0; round < 5; round++) {
    int st[4];
    pthread_t th[4];
    pthread_barrier_init(&lc_barrier, NULL, 4);
    for (int i = 0; i < 4; i++)
      ck_assert_int_eq(pthread_create(&th[i], NULL, lc_start_thread, &st[i]), 0);
    for (int i = 0; i < 4; i++)
      pthread_join(th[i], NULL);
    pthread_barrier_destroy(&lc_barrier);
    int ok = 0, running = 0;
    for (int i = 0; i < 4; i++) {
      ok += st[i] == BOC_OK;
      running += st[i] == BOC_ERUNNING;
    }
    ck_assert_msg(ok == 1 && running == 3,
                  "concurrent starts: %d OK, %d ERUNNING", ok, running);
    for (int i = 0; i < 50; i++)
      ck_assert_st(boc_when(NULL, 0, count_body, NULL, NULL, NULL), BOC_OK);
    pthread_barrier_init(&lc_barrier, NULL, 4);
    for (int i = 0; i < 4; i++)
      ck_assert_int_eq(pthread_create(&th[i], NULL, lc_wait_thread, &st[i]), 0);
    for (int i = 0; i < 4; i++)
      pthread_join(th[i], NULL);
    pthread_barrier_destroy(&lc_barrier);
    for (int i = 0; i < 4; i++)
      ck_assert_msg(st[i] == BOC_OK || st[i] == BOC_ENOTRUNNING,
                    "concurrent wait returned %d (%s)", st[i],
                    boc_strerror(st[i]));
    ck_assert(!tu_running());
    ck_assert_int_eq(atomic_load(&counter), 50 * (round + 1));
  }
}
END_TEST

/* ---- in-flight counts ---------------------------------------------------------- */

START_TEST(test_runtime_in_flight_counts_queued_and_running) {
  tu_start(2, 0);
  boc_cown_t *c = tu_cown();
  tu_gate_t g;
  tu_gate_init(&g);
  uint64_t f = 99;
  ck_assert_st(boc_runtime_in_flight(&f), BOC_OK);
  ck_assert_uint_eq(f, 0);
  ck_assert_st(boc_when(&c, 1, tu_gate_body, &g, NULL, NULL), BOC_OK);
  tu_gate_wait_entered(&g);
  for (int i = 0; i < 5; i++)
    ck_assert_st(boc_when(&c, 1, count_body, NULL, NULL, NULL), BOC_OK);
  ck_assert_st(boc_runtime_in_flight(&f), BOC_OK);
  ck_assert_uint_eq(f, 6);
  tu_gate_open(&g);
  ck_assert_st(boc_runtime_quiesce(BOC_SEC(10)), BOC_OK);
  ck_assert_st(boc_runtime_in_flight(&f), BOC_OK);
  ck_assert_uint_eq(f, 0);
  ck_assert_st(boc_cown_release(c), BOC_OK);
}
END_TEST

/* ---- statistics --------------------------------------------------------------- */

START_TEST(test_runtime_stats_before_start_count_zero) {
  size_t count = 99;
  ck_assert_st(boc_runtime_stats(NULL, 0, &count), BOC_OK);
  ck_assert_uint_eq(count, 0);
  boc_worker_stats_t s[2];
  memset(s, 0xab, sizeof s);
  ck_assert_st(boc_runtime_stats(s, 2, &count), BOC_OK);
  ck_assert_uint_eq(count, 0);
  ck_assert_uint_eq(s[0].worker_index, 0xababababababababull);
}
END_TEST

START_TEST(test_runtime_stats_count_equals_workers) {
  tu_start(3, 0);
  size_t count = 0;
  ck_assert_st(boc_runtime_stats(NULL, 0, &count), BOC_OK);
  ck_assert_uint_eq(count, 3);
  boc_worker_stats_t s[4];
  memset(s, 0xab, sizeof s);
  ck_assert_st(boc_runtime_stats(s, 1, &count), BOC_OK);
  ck_assert_uint_eq(count, 3);
  ck_assert_uint_eq(s[0].worker_index, 0);
  /* only capacity entries are written */
  ck_assert_uint_eq(s[1].worker_index, 0xababababababababull);
  memset(s, 0xab, sizeof s);
  ck_assert_st(boc_runtime_stats(s, 4, &count), BOC_OK);
  ck_assert_uint_eq(count, 3);
  for (uint64_t i = 0; i < 3; i++) {
    ck_assert_uint_eq(s[i].worker_index, i);
    ck_assert_uint_eq(s[i].enqueue_cas_retries, 0);
    ck_assert_uint_ge(s[i].steal_attempts, s[i].steal_failures);
  }
  ck_assert_uint_eq(s[3].worker_index, 0xababababababababull);
}
END_TEST

typedef struct stat_sums {
  uint64_t popped, pushed, resets, parked, steals, stolen_ok;
} stat_sums_t;

static stat_sums_t stat_sum(size_t *count_out) {
  boc_worker_stats_t s[8];
  size_t count = 0;
  ck_assert_st(boc_runtime_stats(s, 8, &count), BOC_OK);
  ck_assert_uint_le(count, 8);
  stat_sums_t r = {0, 0, 0, 0, 0, 0};
  for (size_t i = 0; i < count; i++) {
    r.popped += s[i].popped_local + s[i].popped_via_steal;
    r.pushed += s[i].pushed_local + s[i].dispatched_to_pending +
                s[i].pushed_remote;
    r.resets += s[i].batch_resets;
    r.parked += s[i].parked;
    r.steals += s[i].steal_attempts;
    r.stolen_ok += s[i].popped_via_steal;
  }
  if (count_out)
    *count_out = count;
  return r;
}

static void stat_chain_body(boc_behavior_t *b, void *arg) {
  intptr_t left = (intptr_t)arg;
  atomic_fetch_add(&counter, 1);
  if (left > 0) {
    boc_cown_t *c = NULL;
    TU_EXPECT_ST(boc_behavior_cown(b, 0, &c), BOC_OK);
    TU_EXPECT_ST(boc_when(&c, 1, stat_chain_body, (void *)(left - 1), NULL,
                          NULL),
                 BOC_OK);
  }
}

/*
 * The identity relied on (lib/sched/scheduler.cc): every behavior that runs
 * is dispatched exactly once and taken exactly once by Scheduler::next(),
 * which counts popped_local (own queue or run-next slot) or
 * popped_via_steal.  Every dispatch counts exactly one of
 * dispatched_to_pending, pushed_local (a displaced run-next item, or a push
 * by a pull slot) or pushed_remote; a batch reset re-queues the run-next
 * item and counts pushed_local and batch_resets once more.  So, when
 * quiescent and nothing was dropped:
 *   sum(popped_local + popped_via_steal) == behaviors run
 *   sum(pushed_local + dispatched_to_pending + pushed_remote)
 *     - sum(batch_resets) == behaviors run
 */
START_TEST(test_runtime_stats_popped_totals_match_behaviors_run) {
  tu_start(2, 0);
  boc_cown_t *c[4] = {tu_cown(), tu_cown(), tu_cown(), tu_cown()};
  int64_t want = 0;
  for (int i = 0; i < 400; i++) {
    ck_assert_st(boc_when(&c[i % 4], (size_t)(i % 5 ? 1 : 0), count_body, NULL,
                          NULL, NULL),
                 BOC_OK);
    want++;
  }
  for (int i = 0; i < 4; i++) {
    ck_assert_st(boc_when(&c[i], 1, stat_chain_body, (void *)(intptr_t)300,
                          NULL, NULL),
                 BOC_OK);
    want += 301;
  }
  ck_assert_st(boc_runtime_quiesce(BOC_SEC(20)), BOC_OK);
  tu_assert_clean();
  ck_assert_int_eq(atomic_load(&counter), want);
  size_t count = 0;
  stat_sums_t s = stat_sum(&count);
  ck_assert_uint_eq(count, 2);
  ck_assert_msg(s.popped == (uint64_t)want,
                "popped_local + popped_via_steal = %llu, behaviors run %lld",
                (unsigned long long)s.popped, (long long)want);
  ck_assert_msg(s.pushed - s.resets == (uint64_t)want,
                "pushes %llu - batch resets %llu != behaviors run %lld",
                (unsigned long long)s.pushed, (unsigned long long)s.resets,
                (long long)want);
  /* After the run the final counters stay readable, unchanged. */
  tu_stop();
  stat_sums_t after = stat_sum(&count);
  ck_assert_uint_eq(count, 2);
  ck_assert_uint_eq(after.popped, s.popped);
  for (int i = 0; i < 4; i++)
    ck_assert_st(boc_cown_release(c[i]), BOC_OK);
  /* A new start resets them. */
  tu_start(3, 0);
  stat_sums_t fresh = stat_sum(&count);
  ck_assert_uint_eq(count, 3);
  ck_assert_uint_eq(fresh.popped, 0);
}
END_TEST

START_TEST(test_runtime_stats_parked_increments_when_idle) {
  tu_start(2, 0);
  int ok;
  TU_WAIT_UNTIL(ok, stat_sum(NULL).parked >= 2, 5000);
  ck_assert_msg(ok, "idle workers did not park (parked total %llu)",
                (unsigned long long)stat_sum(NULL).parked);
  for (int round = 0; round < 3; round++) {
    uint64_t before = stat_sum(NULL).parked;
    ck_assert_st(boc_when(NULL, 0, count_body, NULL, NULL, NULL), BOC_OK);
    ck_assert_st(boc_runtime_quiesce(BOC_SEC(10)), BOC_OK);
    TU_WAIT_UNTIL(ok, stat_sum(NULL).parked > before, 5000);
    ck_assert_msg(ok, "round %d: a worker woke for work but did not park again",
                  round);
  }
  ck_assert_int_eq(atomic_load(&counter), 3);
}
END_TEST

/* ---- fairness ------------------------------------------------------------------ */

static _Atomic(int) spin_stop;
static _Atomic(int64_t) spin_links;

static void self_rescheduling_body(boc_behavior_t *b, void *arg) {
  (void)arg;
  int64_t n = atomic_fetch_add(&spin_links, 1);
  if (atomic_load(&spin_stop) || n > 50000000)
    return;
  boc_cown_t *c = NULL;
  TU_EXPECT_ST(boc_behavior_cown(b, 0, &c), BOC_OK);
  TU_EXPECT_ST(boc_when(&c, 1, self_rescheduling_body, NULL, NULL, NULL),
               BOC_OK);
}

static void run_fairness(uint32_t workers) {
  enum { OTHERS = 100 };
  atomic_store(&spin_stop, 0);
  atomic_store(&spin_links, 0);
  tu_start(workers, 0);
  boc_cown_t *c = tu_cown();
  boc_cown_t *others[OTHERS];
  for (int i = 0; i < OTHERS; i++)
    others[i] = tu_cown();
  /* one chain per worker, so every worker has a run-next chain */
  for (uint32_t w = 0; w < workers; w++) {
    boc_cown_t *own = w == 0 ? c : others[OTHERS - 1 - w];
    ck_assert_st(boc_when(&own, 1, self_rescheduling_body, NULL, NULL, NULL),
                 BOC_OK);
  }
  int ok;
  TU_WAIT_UNTIL(ok, atomic_load(&spin_links) > 1000, 5000);
  ck_assert_msg(ok, "the self-rescheduling chain did not get going");
  uint64_t t0 = tu_now_ns();
  for (int i = 0; i < OTHERS - (int)workers; i++)
    ck_assert_st(boc_when(i % 2 ? &others[i] : NULL, (size_t)(i % 2),
                          count_body, NULL, NULL, NULL),
                 BOC_OK);
  TU_WAIT_UNTIL(ok, atomic_load(&counter) == OTHERS - (int)workers, 2000);
  uint64_t dt = tu_now_ns() - t0;
  int64_t done = atomic_load(&counter);
  atomic_store(&spin_stop, 1);
  ck_assert_st(boc_runtime_quiesce(BOC_SEC(20)), BOC_OK);
  tu_assert_clean();
  ck_assert_msg(ok,
                "behaviors scheduled from main starved: %lld of %d ran in "
                "%llu ms while a chain ran %lld links",
                (long long)done, OTHERS - (int)workers,
                (unsigned long long)(dt / 1000000ull),
                (long long)atomic_load(&spin_links));
  ck_assert_st(boc_cown_release(c), BOC_OK);
  for (int i = 0; i < OTHERS; i++)
    ck_assert_st(boc_cown_release(others[i]), BOC_OK);
}

START_TEST(test_runtime_chain_does_not_starve_others_one_worker) {
  run_fairness(1);
}
END_TEST

START_TEST(test_runtime_chains_do_not_starve_others_two_workers) {
  run_fairness(2);
}
END_TEST

static void setup_counter(void) { atomic_store(&counter, 0); }

static Suite *runtime_suite(void) {
  Suite *s = suite_create("runtime");

  TCase *tc = tcase_create("lifecycle");
  tcase_set_timeout(tc, TU_TIMEOUT(30));
  tcase_add_checked_fixture(tc, setup_counter, tu_teardown);
  tcase_add_test(tc, test_runtime_start_wait_cycles_run_all_work);
  tcase_add_test(tc, test_runtime_start_shutdown_cycles);
  tcase_add_test(tc, test_runtime_start_when_running_is_erunning);
  tcase_add_test(tc, test_runtime_lifecycle_calls_when_not_running);
  tcase_add_test(tc, test_runtime_restart_reuses_cowns_from_earlier_runs);
  tcase_add_test(tc, test_runtime_quiesce_returns_ok_when_idle);
  tcase_add_test(tc, test_runtime_quiesce_times_out_while_behavior_blocked);
  tcase_add_test(tc, test_runtime_wait_times_out_and_keeps_running);
  tcase_add_test(tc, test_runtime_wait_runs_queued_and_nested_work_then_stops);
  tcase_add_test(tc, test_runtime_wait_lets_in_flight_chains_finish);
  tcase_add_test(tc, test_runtime_lifecycle_from_behavior_is_edeadlk);
  tcase_add_test(tc, test_runtime_lifecycle_calls_are_serialised);
  tcase_add_test(tc, test_runtime_in_flight_counts_queued_and_running);
  suite_add_tcase(s, tc);

  tc = tcase_create("shutdown");
  tcase_set_timeout(tc, TU_TIMEOUT(30));
  tcase_add_checked_fixture(tc, setup_counter, tu_teardown);
  tcase_add_test(tc, test_runtime_shutdown_drops_queued_behaviors_one_worker);
  tcase_add_test(tc, test_runtime_shutdown_drops_waiting_behaviors_two_workers);
  tcase_add_test(tc, test_runtime_shutdown_when_idle_stops);
  tcase_add_test(tc,
                 test_runtime_shutdown_drops_behavior_queued_behind_acquired_cown);
  suite_add_tcase(s, tc);

  tc = tcase_create("config");
  tcase_set_timeout(tc, TU_TIMEOUT(30));
  tcase_add_checked_fixture(tc, setup_counter, tu_teardown);
  tcase_add_test(tc, test_runtime_workers_env_sets_default_count);
  tcase_add_test(tc, test_runtime_invalid_workers_env_is_einval);
  tcase_add_test(tc, test_runtime_default_worker_count_without_env);
  tcase_add_test(tc, test_runtime_config_init_fills_defaults);
  tcase_add_test(tc, test_runtime_config_validation);
  suite_add_tcase(s, tc);

  tc = tcase_create("stats");
  tcase_set_timeout(tc, TU_TIMEOUT(30));
  tcase_add_checked_fixture(tc, setup_counter, tu_teardown);
  tcase_add_test(tc, test_runtime_stats_before_start_count_zero);
  tcase_add_test(tc, test_runtime_stats_count_equals_workers);
  tcase_add_test(tc, test_runtime_stats_popped_totals_match_behaviors_run);
  tcase_add_test(tc, test_runtime_stats_parked_increments_when_idle);
  tcase_add_test(tc, test_runtime_chain_does_not_starve_others_one_worker);
  tcase_add_test(tc, test_runtime_chains_do_not_starve_others_two_workers);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  tu_init("check_runtime");
  return tu_run(runtime_suite());
}
