/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

/* check_pull.c - foreign threads on pull slots: attach, pull, complete,
 * detach; mixed native and pulled behaviors; stopping. */

#define _POSIX_C_SOURCE 200809L
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static _Atomic(int64_t) counter;

static void count_body(boc_behavior_t *b, void *arg) {
  (void)b;
  (void)arg;
  atomic_fetch_add(&counter, 1);
}

static void setup_w2_p1(void) {
  atomic_store(&counter, 0);
  tu_start(2, 1);
}
static void setup_w3_p2(void) {
  atomic_store(&counter, 0);
  tu_start(3, 2);
}
static void setup_w1_p1(void) {
  atomic_store(&counter, 0);
  tu_start(1, 1);
}
static void setup_none(void) { atomic_store(&counter, 0); }

/* The test thread may attach; it must detach before the teardown stops the
 * runtime (lifecycle calls from an attached thread are BOC_EDEADLK). */
static void teardown_detach(void) {
  (void)boc_worker_detach();
  tu_teardown();
}

/* Pull one pulled behavior, waiting up to 10 s (ck_assert on failure). */
static boc_behavior_t *pull_one(void) {
  boc_behavior_t *b = NULL;
  int st;
  uint64_t deadline = tu_now_ns() + TU_MS(10000) * 1000000ull;
  do
    st = boc_worker_pull(BOC_MSEC(50), &b);
  while (st == BOC_ETIMEDOUT && tu_now_ns() < deadline);
  ck_assert_msg(st == BOC_OK, "boc_worker_pull returned %d (%s)", st,
                boc_strerror(st));
  ck_assert_ptr_nonnull(b);
  return b;
}

/* ---- helper threads that hold an attachment ---------------------------------- */

typedef struct holder {
  pthread_t th;
  int slot;           /* slot to ask for */
  int status;         /* attach result */
  uint32_t got;       /* slot received */
  _Atomic(int) ready; /* attach was tried */
  _Atomic(int) release;
  int detach_status;
} holder_t;

static void *holder_thread(void *arg) {
  holder_t *h = arg;
  h->got = UINT32_MAX;
  h->status = boc_worker_attach(h->slot, &h->got);
  atomic_store(&h->ready, 1);
  uint64_t deadline = tu_now_ns() + TU_MS(20000) * 1000000ull;
  while (!atomic_load(&h->release) && tu_now_ns() < deadline)
    tu_sleep_us(200);
  h->detach_status = boc_worker_detach();
  return NULL;
}

static void holder_start(holder_t *h, int slot) {
  memset(h, 0, sizeof *h);
  h->slot = slot;
  atomic_init(&h->ready, 0);
  atomic_init(&h->release, 0);
  ck_assert_int_eq(pthread_create(&h->th, NULL, holder_thread, h), 0);
  int ok;
  TU_WAIT_UNTIL(ok, atomic_load(&h->ready), 10000);
  ck_assert(ok);
}

static void holder_finish(holder_t *h) {
  atomic_store(&h->release, 1);
  pthread_join(h->th, NULL);
  int want = h->status == BOC_OK ? BOC_OK : BOC_ENOTATTACHED;
  ck_assert_int_eq(h->detach_status, want);
}

/* ---- configuration and attach ------------------------------------------------- */

START_TEST(test_pull_config_with_pull_slots_starts) {
  uint32_t n = 0;
  ck_assert_st(boc_runtime_worker_count(&n), BOC_OK);
  ck_assert_uint_eq(n, 3);
  size_t count = 0;
  ck_assert_st(boc_runtime_stats(NULL, 0, &count), BOC_OK);
  ck_assert_uint_eq(count, 3);
  /* native work runs with pull slots unattached */
  for (int i = 0; i < 50; i++)
    ck_assert_st(boc_when(NULL, 0, count_body, NULL, NULL, NULL), BOC_OK);
  ck_assert_st(boc_runtime_quiesce(BOC_SEC(10)), BOC_OK);
  ck_assert_int_eq(atomic_load(&counter), 50);
}
END_TEST

START_TEST(test_pull_attach_any_slot_takes_free_pull_slots) {
  holder_t a, b, c;
  holder_start(&a, BOC_ANY_SLOT);
  holder_start(&b, BOC_ANY_SLOT);
  holder_start(&c, BOC_ANY_SLOT);
  ck_assert_st(a.status, BOC_OK);
  ck_assert_st(b.status, BOC_OK);
  ck_assert_st(c.status, BOC_ENOSLOT);
  ck_assert_uint_eq(c.got, UINT32_MAX); /* untouched on error */
  /* pull slots are the last ones: 1 and 2 of 3 */
  ck_assert(a.got == 1 || a.got == 2);
  ck_assert(b.got == 1 || b.got == 2);
  ck_assert_uint_ne(a.got, b.got);
  holder_finish(&c);
  holder_finish(&a);
  /* the freed slot can be taken again */
  holder_start(&c, BOC_ANY_SLOT);
  ck_assert_st(c.status, BOC_OK);
  ck_assert_uint_eq(c.got, a.got);
  holder_finish(&b);
  holder_finish(&c);
}
END_TEST

START_TEST(test_pull_attach_specific_slot) {
  uint32_t got = 0;
  ck_assert_st(boc_worker_attach(2, &got), BOC_OK);
  ck_assert_uint_eq(got, 2);
  ck_assert_st(boc_worker_detach(), BOC_OK);
  ck_assert_st(boc_worker_attach(1, NULL), BOC_OK); /* slot_out may be NULL */
  ck_assert_st(boc_worker_detach(), BOC_OK);
}
END_TEST

START_TEST(test_pull_attach_twice_is_ebusy) {
  uint32_t got = 0;
  ck_assert_st(boc_worker_attach(BOC_ANY_SLOT, &got), BOC_OK);
  ck_assert_st(boc_worker_attach(BOC_ANY_SLOT, NULL), BOC_EBUSY);
  ck_assert_st(boc_worker_attach((int)got, NULL), BOC_EBUSY);
  ck_assert_st(boc_worker_attach(got == 1 ? 2 : 1, NULL), BOC_EBUSY);
  ck_assert_st(boc_worker_detach(), BOC_OK);
  ck_assert_st(boc_worker_detach(), BOC_ENOTATTACHED);
}
END_TEST

START_TEST(test_pull_attach_taken_slot_is_ebusy) {
  ck_assert_st(boc_worker_attach(1, NULL), BOC_OK);
  holder_t h;
  holder_start(&h, 1);
  ck_assert_st(h.status, BOC_EBUSY);
  holder_finish(&h);
  holder_start(&h, 2);
  ck_assert_st(h.status, BOC_OK);
  holder_finish(&h);
  ck_assert_st(boc_worker_detach(), BOC_OK);
  holder_start(&h, 1);
  ck_assert_st(h.status, BOC_OK);
  holder_finish(&h);
}
END_TEST

START_TEST(test_pull_attach_native_slot_is_einval) {
  uint32_t got = 77;
  ck_assert_st(boc_worker_attach(0, &got), BOC_EINVAL);
  ck_assert_uint_eq(got, 77);
  ck_assert_st(boc_worker_detach(), BOC_ENOTATTACHED);
}
END_TEST

START_TEST(test_pull_attach_out_of_range_is_einval) {
  const int bad[] = {3, 4, BOC_MAX_WORKERS, INT_MAX, -2, -1000, INT_MIN};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    int st = boc_worker_attach(bad[i], NULL);
    ck_assert_msg(st == BOC_EINVAL, "attach(%d) returned %d (%s)", bad[i], st,
                  boc_strerror(st));
  }
  ck_assert_st(boc_worker_detach(), BOC_ENOTATTACHED);
}
END_TEST

START_TEST(test_pull_attach_without_pull_slots_is_enoslot) {
  tu_start(2, 0);
  ck_assert_st(boc_worker_attach(BOC_ANY_SLOT, NULL), BOC_ENOSLOT);
  ck_assert_st(boc_worker_attach(0, NULL), BOC_EINVAL);
  ck_assert_st(boc_worker_attach(1, NULL), BOC_EINVAL);
  ck_assert_st(boc_worker_detach(), BOC_ENOTATTACHED);
}
END_TEST

START_TEST(test_pull_attach_when_not_running_is_enotrunning) {
  ck_assert_st(boc_worker_attach(BOC_ANY_SLOT, NULL), BOC_ENOTRUNNING);
  ck_assert_st(boc_worker_attach(0, NULL), BOC_ENOTRUNNING);
  tu_start(2, 1);
  tu_stop();
  ck_assert_st(boc_worker_attach(BOC_ANY_SLOT, NULL), BOC_ENOTRUNNING);
}
END_TEST

START_TEST(test_pull_calls_without_attach_are_enotattached) {
  boc_behavior_t *b = (boc_behavior_t *)0x1;
  ck_assert_st(boc_worker_pull(0, &b), BOC_ENOTATTACHED);
  ck_assert_st(boc_worker_pull(BOC_MSEC(10), &b), BOC_ENOTATTACHED);
  ck_assert_ptr_eq(b, (boc_behavior_t *)0x1);
  ck_assert_st(boc_worker_detach(), BOC_ENOTATTACHED);
  ck_assert_st(boc_behavior_complete(NULL), BOC_EINVAL);
}
END_TEST

START_TEST(test_pull_pull_null_out_is_einval) {
  ck_assert_st(boc_worker_attach(BOC_ANY_SLOT, NULL), BOC_OK);
  ck_assert_st(boc_worker_pull(0, NULL), BOC_EINVAL);
  ck_assert_st(boc_worker_detach(), BOC_OK);
}
END_TEST

/* ---- pull timeouts --------------------------------------------------------------- */

START_TEST(test_pull_times_out_after_timeout) {
  ck_assert_st(boc_worker_attach(BOC_ANY_SLOT, NULL), BOC_OK);
  boc_behavior_t *b = (boc_behavior_t *)0x1;
  const int64_t timeouts[] = {BOC_MSEC(100), BOC_MSEC(30)};
  for (size_t i = 0; i < 2; i++) {
    uint64_t t0 = tu_now_ns();
    ck_assert_st(boc_worker_pull(timeouts[i], &b), BOC_ETIMEDOUT);
    uint64_t dt = tu_now_ns() - t0;
    ck_assert_msg(dt >= (uint64_t)timeouts[i],
                  "pull(%lld ns) returned after only %llu ns",
                  (long long)timeouts[i], (unsigned long long)dt);
    ck_assert_msg(dt < (uint64_t)timeouts[i] + TU_MS(2000) * 1000000ull,
                  "pull(%lld ns) took %llu ns", (long long)timeouts[i],
                  (unsigned long long)dt);
  }
  uint64_t t0 = tu_now_ns();
  ck_assert_st(boc_worker_pull(0, &b), BOC_ETIMEDOUT); /* poll once */
  ck_assert_uint_lt(tu_now_ns() - t0, TU_MS(1000) * 1000000ull);
  ck_assert_ptr_eq(b, (boc_behavior_t *)0x1);
  ck_assert_st(boc_worker_detach(), BOC_OK);
}
END_TEST

/* ---- running pulled behaviors ----------------------------------------------------- */

static void read_payload_body(boc_behavior_t *b, void *arg) {
  boc_cown_t *c = NULL;
  void *p = NULL;
  TU_EXPECT_ST(boc_behavior_cown(b, 0, &c), BOC_OK);
  TU_EXPECT_ST(boc_cown_get(c, &p), BOC_OK);
  atomic_store((_Atomic(int64_t) *)arg,
               p ? atomic_load(&((tu_tracked_t *)p)->value) : -1);
}

START_TEST(test_pull_behavior_gets_its_cowns) {
  tu_tracker_t t, args;
  tu_tracker_init(&t, 3);
  tu_tracker_init(&args, 1);
  boc_cown_t *a = tu_cown_tracked(&t, 0, 10);
  boc_cown_t *c = tu_cown_tracked(&t, 1, 20);
  boc_cown_t *set[3] = {c, a, c};
  tu_tracked_t *arg = TU_TRACKED(&args, 0);
  boc_cown_t *r = NULL;
  ck_assert_st(boc_when_pull(set, 3, arg, tu_tracked_free, &r), BOC_OK);
  ck_assert_ptr_nonnull(r);
  ck_assert_st(boc_worker_attach(BOC_ANY_SLOT, NULL), BOC_OK);
  boc_behavior_t *b = pull_one();

  boc_behavior_t *cur = NULL;
  ck_assert_st(boc_behavior_current(&cur), BOC_OK);
  ck_assert_ptr_eq(cur, b);
  size_t n = 0;
  ck_assert_st(boc_behavior_cown_count(b, &n), BOC_OK);
  ck_assert_uint_eq(n, 3);
  for (size_t i = 0; i < 3; i++) {
    boc_cown_t *x = NULL;
    ck_assert_st(boc_behavior_cown(b, i, &x), BOC_OK);
    ck_assert_ptr_eq(x, set[i]);
  }
  void *got = NULL;
  ck_assert_st(boc_behavior_arg(b, &got), BOC_OK);
  ck_assert_ptr_eq(got, arg);
  boc_cown_t *res = NULL;
  ck_assert_st(boc_behavior_result(b, &res), BOC_OK);
  ck_assert_ptr_eq(res, r);
  uint64_t id = 0;
  ck_assert_st(boc_behavior_id(b, &id), BOC_OK);
  ck_assert_uint_ge(id, 1);
  /* payload accessors work on the pulled behavior's cowns */
  void *p = NULL;
  ck_assert_st(boc_cown_get(a, &p), BOC_OK);
  ck_assert_int_eq(atomic_load(&((tu_tracked_t *)p)->value), 10);
  tu_tracked_t *np = TU_TRACKED(&t, 2);
  atomic_store(&np->value, 30);
  ck_assert_st(boc_cown_set(c, np, tu_tracked_free), BOC_OK);
  ck_assert_uint_eq(tu_tracker_count(&t, 1), 1);
  ck_assert_st(boc_cown_set_flags(r, BOC_COWN_EXCEPTION), BOC_OK);
  ck_assert_st(boc_cown_acquire(a), BOC_EBUSY);
  ck_assert_uint_eq(tu_tracker_count(&args, 0), 0);

  ck_assert_st(boc_behavior_complete(b), BOC_OK);
  ck_assert_uint_eq(tu_tracker_count(&args, 0), 1);
  ck_assert_st(boc_behavior_current(&cur), BOC_OK);
  ck_assert_ptr_null(cur);
  ck_assert_st(boc_cown_get(a, &p), BOC_ENOTHELD);
  ck_assert_st(boc_worker_detach(), BOC_OK);

  /* a native behavior after it sees the new payload */
  _Atomic(int64_t) seen;
  atomic_init(&seen, 0);
  ck_assert_st(boc_when(&c, 1, read_payload_body, &seen, NULL, NULL), BOC_OK);
  ck_assert_st(boc_runtime_quiesce(BOC_SEC(10)), BOC_OK);
  tu_assert_clean();
  ck_assert_int_eq(atomic_load(&seen), 30);
  ck_assert_st(boc_cown_acquire(r), BOC_OK);
  uint32_t f = 0;
  ck_assert_st(boc_cown_flags(r, &f), BOC_OK);
  ck_assert_uint_eq(f, BOC_COWN_EXCEPTION);
  ck_assert_st(boc_cown_relinquish(r), BOC_OK);
  ck_assert_st(boc_cown_release(r), BOC_OK);
  ck_assert_st(boc_cown_release(a), BOC_OK);
  ck_assert_st(boc_cown_release(c), BOC_OK);
  tu_tracker_assert_once(&t, 3);
  tu_tracker_destroy(&t);
  tu_tracker_destroy(&args);
}
END_TEST

/* Keep pulling (running any native behaviors that reach this slot) until
 * cond holds; returns 1 if it did within 10 s. */
#define PULL_UNTIL(ok, cond)                                             \
  do {                                                                   \
    uint64_t pu_deadline_ = tu_now_ns() + TU_MS(10000) * 1000000ull;     \
    (ok) = 0;                                                            \
    while (!((ok) = (cond)) && tu_now_ns() < pu_deadline_) {             \
      boc_behavior_t *pu_b_ = NULL;                                      \
      int pu_st_ = boc_worker_pull(BOC_MSEC(10), &pu_b_);                \
      ck_assert_msg(pu_st_ == BOC_ETIMEDOUT, "pull returned %d", pu_st_); \
    }                                                                    \
  } while (0)

START_TEST(test_pull_complete_hands_cowns_on) {
  boc_cown_t *c = tu_cown();
  ck_assert_st(boc_when_pull(&c, 1, NULL, NULL, NULL), BOC_OK);
  ck_assert_st(boc_when(&c, 1, count_body, NULL, NULL, NULL), BOC_OK);
  ck_assert_st(boc_worker_attach(BOC_ANY_SLOT, NULL), BOC_OK);
  boc_behavior_t *b = pull_one();
  tu_sleep_ms(50);
  /* the native behavior waits for the pulled one's cown */
  ck_assert_int_eq(atomic_load(&counter), 0);
  ck_assert_st(boc_behavior_complete(b), BOC_OK);
  int ok;
  PULL_UNTIL(ok, atomic_load(&counter) == 1);
  ck_assert_msg(ok, "behavior behind a completed pulled behavior did not run");
  ck_assert_st(boc_worker_detach(), BOC_OK);
  ck_assert_st(boc_cown_release(c), BOC_OK);
}
END_TEST

/* The puller completes its last pulled behavior and detaches.  The native
 * behavior that became ready on completion must still run (on a native
 * worker): a detached pull slot must not strand native work. */
START_TEST(test_pull_next_completes_then_pulls_with_arg) {
  boc_cown_t *c = tu_cown();
  int tag1 = 1, tag2 = 2;
  ck_assert_st(boc_when_pull(&c, 1, &tag1, NULL, NULL), BOC_OK);
  ck_assert_st(boc_when_pull(&c, 1, &tag2, NULL, NULL), BOC_OK);
  ck_assert_st(boc_worker_attach(BOC_ANY_SLOT, NULL), BOC_OK);
  boc_behavior_t *b = NULL;
  void *arg = NULL;
  /* No behavior to complete yet: a plain pull that also returns the arg. */
  ck_assert_st(boc_worker_pull_next(NULL, BOC_SEC(10), &b, &arg), BOC_OK);
  ck_assert_ptr_eq(arg, &tag1);
  /* The second needs the first's cown: it only arrives after completion. */
  boc_behavior_t *b2 = NULL;
  ck_assert_st(boc_worker_pull_next(b, BOC_SEC(10), &b2, &arg), BOC_OK);
  ck_assert_ptr_eq(arg, &tag2);
  boc_behavior_t *cur = NULL;
  ck_assert_st(boc_behavior_current(&cur), BOC_OK);
  ck_assert_ptr_eq(cur, b2);
  /* Completing something that is not ours fails and pulls nothing. */
  boc_behavior_t *b3 = NULL;
  ck_assert_st(boc_worker_pull_next(b, 0, &b3, NULL), BOC_EINVAL);
  ck_assert_ptr_null(b3);
  ck_assert_st(boc_worker_pull_next(NULL, 0, NULL, NULL), BOC_EINVAL);
  /* Complete the last one; nothing else is queued: timeout. */
  ck_assert_st(boc_worker_pull_next(b2, 0, &b3, NULL), BOC_ETIMEDOUT);
  ck_assert_st(boc_worker_detach(), BOC_OK);
  ck_assert_st(boc_cown_release(c), BOC_OK);
}
END_TEST

START_TEST(test_pull_native_successor_runs_after_puller_detaches) {
  boc_cown_t *c = tu_cown();
  ck_assert_st(boc_when_pull(&c, 1, NULL, NULL, NULL), BOC_OK);
  for (int i = 0; i < 3; i++)
    ck_assert_st(boc_when(&c, 1, count_body, NULL, NULL, NULL), BOC_OK);
  ck_assert_st(boc_worker_attach(BOC_ANY_SLOT, NULL), BOC_OK);
  boc_behavior_t *b = pull_one();
  ck_assert_st(boc_behavior_complete(b), BOC_OK);
  ck_assert_st(boc_worker_detach(), BOC_OK);
  int ok;
  TU_WAIT_UNTIL(ok, atomic_load(&counter) == 3, 5000);
  ck_assert_msg(ok,
                "%lld of 3 native behaviors ran after the puller detached "
                "(stranded in the pull slot's queue?)",
                (long long)atomic_load(&counter));
  ck_assert_st(boc_runtime_quiesce(BOC_SEC(10)), BOC_OK);
  ck_assert_st(boc_cown_release(c), BOC_OK);
}
END_TEST

START_TEST(test_pull_before_complete_is_ebusy) {
  boc_cown_t *c = tu_cown(), *d = tu_cown();
  ck_assert_st(boc_when_pull(&c, 1, NULL, NULL, NULL), BOC_OK);
  ck_assert_st(boc_when_pull(&d, 1, NULL, NULL, NULL), BOC_OK);
  ck_assert_st(boc_worker_attach(BOC_ANY_SLOT, NULL), BOC_OK);
  boc_behavior_t *b = pull_one();
  boc_behavior_t *b2 = (boc_behavior_t *)0x1;
  ck_assert_st(boc_worker_pull(BOC_MSEC(10), &b2), BOC_EBUSY);
  ck_assert_ptr_eq(b2, (boc_behavior_t *)0x1);
  ck_assert_st(boc_worker_detach(), BOC_EBUSY);
  ck_assert_st(boc_behavior_complete(b), BOC_OK);
  b2 = pull_one();
  ck_assert_ptr_nonnull(b2);
  ck_assert_st(boc_behavior_complete(b2), BOC_OK);
  ck_assert_st(boc_worker_detach(), BOC_OK);
  ck_assert_st(boc_cown_release(c), BOC_OK);
  ck_assert_st(boc_cown_release(d), BOC_OK);
}
END_TEST

static boc_behavior_t *foreign_b;
static _Atomic(int) foreign_status;

static void *complete_from_other_thread(void *arg) {
  (void)arg;
  atomic_store(&foreign_status, boc_behavior_complete(foreign_b));
  size_t n = 0;
  TU_EXPECT_ST(boc_behavior_cown_count(foreign_b, &n), BOC_EINVAL);
  void *a = NULL;
  TU_EXPECT_ST(boc_behavior_arg(foreign_b, &a), BOC_EINVAL);
  return NULL;
}

START_TEST(test_pull_complete_from_other_thread_is_einval) {
  tu_tracker_t t;
  tu_tracker_init(&t, 1);
  boc_cown_t *c = tu_cown();
  ck_assert_st(boc_when_pull(&c, 1, TU_TRACKED(&t, 0), tu_tracked_free, NULL),
               BOC_OK);
  ck_assert_st(boc_worker_attach(BOC_ANY_SLOT, NULL), BOC_OK);
  foreign_b = pull_one();
  pthread_t th;
  ck_assert_int_eq(pthread_create(&th, NULL, complete_from_other_thread, NULL),
                   0);
  pthread_join(th, NULL);
  tu_assert_clean();
  ck_assert_st(atomic_load(&foreign_status), BOC_EINVAL);
  ck_assert_uint_eq(tu_tracker_count(&t, 0), 0);
  ck_assert_st(boc_behavior_complete(foreign_b), BOC_OK);
  ck_assert_uint_eq(tu_tracker_count(&t, 0), 1);
  ck_assert_st(boc_worker_detach(), BOC_OK);
  ck_assert_st(boc_cown_release(c), BOC_OK);
  tu_tracker_destroy(&t);
}
END_TEST

static pthread_t main_thread;
static _Atomic(int) ran_elsewhere;

static void where_body(boc_behavior_t *b, void *arg) {
  (void)arg;
  if (!pthread_equal(pthread_self(), main_thread))
    atomic_store(&ran_elsewhere, 1);
  /* a native behavior is not the thread's pulled behavior */
  TU_EXPECT_ST(boc_behavior_complete(b), BOC_EINVAL);
  atomic_fetch_add(&counter, 1);
}

START_TEST(test_pull_runs_native_behaviors_inside_pull) {
  /* One slot, and it is a pull slot: native work only runs in pull(). */
  main_thread = pthread_self();
  atomic_store(&ran_elsewhere, 0);
  boc_cown_t *c = tu_cown();
  for (int i = 0; i < 10; i++)
    ck_assert_st(boc_when(i % 2 ? &c : NULL, (size_t)(i % 2), where_body, NULL,
                          NULL, NULL),
                 BOC_OK);
  tu_sleep_ms(30);
  ck_assert_int_eq(atomic_load(&counter), 0);
  ck_assert_st(boc_worker_attach(BOC_ANY_SLOT, NULL), BOC_OK);
  uint64_t deadline = tu_now_ns() + TU_MS(10000) * 1000000ull;
  while (atomic_load(&counter) < 10 && tu_now_ns() < deadline) {
    boc_behavior_t *b = NULL;
    int st = boc_worker_pull(BOC_MSEC(20), &b);
    ck_assert_msg(st == BOC_ETIMEDOUT,
                  "pull returned %d (%s) with only native work", st,
                  boc_strerror(st));
  }
  ck_assert_int_eq(atomic_load(&counter), 10);
  ck_assert_int_eq(atomic_load(&ran_elsewhere), 0);
  tu_assert_clean();
  ck_assert_st(boc_worker_detach(), BOC_OK);
  ck_assert_st(boc_cown_release(c), BOC_OK);
}
END_TEST

START_TEST(test_pull_lifecycle_from_attached_thread_is_edeadlk) {
  ck_assert_st(boc_worker_attach(BOC_ANY_SLOT, NULL), BOC_OK);
  ck_assert_st(boc_runtime_start(NULL), BOC_EDEADLK);
  ck_assert_st(boc_runtime_quiesce(0), BOC_EDEADLK);
  ck_assert_st(boc_runtime_wait(BOC_MSEC(10)), BOC_EDEADLK);
  ck_assert_st(boc_runtime_shutdown(), BOC_EDEADLK);
  ck_assert(tu_running());
  ck_assert_st(boc_worker_detach(), BOC_OK);
  ck_assert_st(boc_runtime_quiesce(BOC_SEC(1)), BOC_OK);
}
END_TEST

static void attach_in_behavior_body(boc_behavior_t *b, void *arg) {
  (void)b;
  (void)arg;
  TU_EXPECT_ST(boc_worker_attach(BOC_ANY_SLOT, NULL), BOC_EDEADLK);
  TU_EXPECT_ST(boc_worker_attach(1, NULL), BOC_EDEADLK);
  atomic_fetch_add(&counter, 1);
}

START_TEST(test_pull_attach_from_behavior_is_edeadlk) {
  ck_assert_st(boc_when(NULL, 0, attach_in_behavior_body, NULL, NULL, NULL),
               BOC_OK);
  ck_assert_st(boc_runtime_quiesce(BOC_SEC(10)), BOC_OK);
  tu_assert_clean();
  ck_assert_int_eq(atomic_load(&counter), 1);
  /* the slot is still free */
  ck_assert_st(boc_worker_attach(1, NULL), BOC_OK);
  ck_assert_st(boc_worker_detach(), BOC_OK);
}
END_TEST

START_TEST(test_pull_pulled_result_is_a_future) {
  boc_cown_t *a = tu_cown();
  boc_cown_t *r = NULL;
  ck_assert_st(boc_when_pull(&a, 1, NULL, NULL, &r), BOC_OK);
  tu_tracker_t t;
  tu_tracker_init(&t, 1);
  _Atomic(int64_t) seen;
  atomic_init(&seen, 0);
  ck_assert_st(boc_when(&r, 1, read_payload_body, &seen, NULL, NULL), BOC_OK);
  ck_assert_st(boc_worker_attach(BOC_ANY_SLOT, NULL), BOC_OK);
  boc_behavior_t *b = pull_one();
  tu_sleep_ms(20);
  ck_assert_int_eq(atomic_load(&seen), 0);
  boc_cown_t *res = NULL;
  ck_assert_st(boc_behavior_result(b, &res), BOC_OK);
  ck_assert_ptr_eq(res, r);
  tu_tracked_t *v = TU_TRACKED(&t, 0);
  atomic_store(&v->value, 4242);
  ck_assert_st(boc_cown_set(res, v, tu_tracked_free), BOC_OK);
  ck_assert_st(boc_behavior_complete(b), BOC_OK);
  int ok;
  PULL_UNTIL(ok, atomic_load(&seen) != 0);
  ck_assert_st(boc_worker_detach(), BOC_OK);
  ck_assert_st(boc_runtime_quiesce(BOC_SEC(10)), BOC_OK);
  tu_assert_clean();
  ck_assert_int_eq(atomic_load(&seen), 4242);
  ck_assert_st(boc_cown_release(r), BOC_OK);
  ck_assert_st(boc_cown_release(a), BOC_OK);
  tu_tracker_assert_once(&t, 1);
  tu_tracker_destroy(&t);
}
END_TEST

/* ---- errors of boc_when_pull ------------------------------------------------------ */

static void expect_when_pull_error(boc_cown_t *const *cowns, size_t n,
                                   int want, const char *what) {
  tu_tracker_t t;
  tu_tracker_init(&t, 1);
  boc_cown_t *r = (boc_cown_t *)0x3;
  int st = boc_when_pull(cowns, n, TU_TRACKED(&t, 0), tu_tracked_free, &r);
  ck_assert_msg(st == want, "%s: boc_when_pull returned %d (%s), wanted %d",
                what, st, boc_strerror(st), want);
  ck_assert_msg(tu_tracker_count(&t, 0) == 1, "%s: arg freed %u times", what,
                tu_tracker_count(&t, 0));
  ck_assert_msg(r == (boc_cown_t *)0x3, "%s: result set on error", what);
  tu_tracker_destroy(&t);
}

START_TEST(test_pull_when_pull_without_pull_slots_is_enoslot) {
  tu_start(2, 0);
  boc_cown_t *c = tu_cown();
  expect_when_pull_error(&c, 1, BOC_ENOSLOT, "no pull slots");
  expect_when_pull_error(NULL, 0, BOC_ENOSLOT, "no pull slots, no cowns");
  ck_assert_st(boc_cown_acquire(c), BOC_OK);
  ck_assert_st(boc_cown_relinquish(c), BOC_OK);
  ck_assert_st(boc_cown_release(c), BOC_OK);
}
END_TEST

START_TEST(test_pull_when_pull_bad_arguments_free_arg) {
  tu_start(2, 1);
  boc_cown_t *c = tu_cown();
  boc_cown_t *with_null[2] = {c, NULL};
  expect_when_pull_error(NULL, 2, BOC_EINVAL, "NULL array");
  expect_when_pull_error(with_null, 2, BOC_EINVAL, "NULL cown");
  boc_cown_t **big = malloc((BOC_WHEN_MAX_COWNS + 1) * sizeof *big);
  ck_assert_ptr_nonnull(big);
  for (size_t i = 0; i <= BOC_WHEN_MAX_COWNS; i++)
    big[i] = c;
  expect_when_pull_error(big, BOC_WHEN_MAX_COWNS + 1, BOC_EINVAL, "too many");
  free(big);
  tu_stop();
  expect_when_pull_error(&c, 1, BOC_ENOTRUNNING, "stopped");
  ck_assert_st(boc_cown_release(c), BOC_OK);
}
END_TEST

/* ---- stopping ----------------------------------------------------------------------- */

typedef struct puller {
  pthread_t th;
  _Atomic(int) attached;
  _Atomic(int) stop;        /* leave the loop even without ESTOPPED */
  _Atomic(int64_t) pulled;
  _Atomic(int) last_status; /* the status that ended the loop */
  int detach_status;
  unsigned hold_us;         /* how long to hold each pulled behavior */
  void (*work)(boc_behavior_t *b);
} puller_t;

static void *puller_thread(void *arg) {
  puller_t *p = arg;
  int st = boc_worker_attach(BOC_ANY_SLOT, NULL);
  if (st != BOC_OK) {
    tu_fail_record(__FILE__, __LINE__, "puller attach returned %d (%s)", st,
                   boc_strerror(st));
    atomic_store(&p->last_status, st);
    atomic_store(&p->attached, -1);
    return NULL;
  }
  atomic_store(&p->attached, 1);
  uint64_t deadline = tu_now_ns() + TU_MS(30000) * 1000000ull;
  for (;;) {
    boc_behavior_t *b = NULL;
    st = boc_worker_pull(BOC_MSEC(20), &b);
    if (st == BOC_ETIMEDOUT) {
      if (atomic_load(&p->stop) || tu_now_ns() > deadline)
        break;
      continue;
    }
    if (st != BOC_OK)
      break;
    if (p->work)
      p->work(b);
    if (p->hold_us)
      tu_sleep_us(p->hold_us);
    atomic_fetch_add(&p->pulled, 1);
    TU_EXPECT_ST(boc_behavior_complete(b), BOC_OK);
  }
  atomic_store(&p->last_status, st);
  p->detach_status = boc_worker_detach();
  return NULL;
}

static void puller_start(puller_t *p, unsigned hold_us,
                         void (*work)(boc_behavior_t *)) {
  memset(p, 0, sizeof *p);
  atomic_init(&p->attached, 0);
  atomic_init(&p->stop, 0);
  atomic_init(&p->pulled, 0);
  atomic_init(&p->last_status, -1);
  p->hold_us = hold_us;
  p->work = work;
  ck_assert_int_eq(pthread_create(&p->th, NULL, puller_thread, p), 0);
  int ok;
  TU_WAIT_UNTIL(ok, atomic_load(&p->attached) != 0, 10000);
  ck_assert(ok && atomic_load(&p->attached) == 1);
}

START_TEST(test_pull_after_wait_puller_gets_estopped) {
  tu_tracker_t t;
  tu_tracker_init(&t, 40);
  puller_t p;
  puller_start(&p, 200, NULL);
  boc_cown_t *c = tu_cown();
  for (size_t i = 0; i < 40; i++)
    ck_assert_st(boc_when_pull(i % 2 ? &c : NULL, i % 2, TU_TRACKED(&t, i),
                               tu_tracked_free, NULL),
                 BOC_OK);
  ck_assert_st(boc_runtime_wait(BOC_SEC(20)), BOC_OK);
  ck_assert(!tu_running());
  /* wait quiesced first: every pulled behavior was completed */
  ck_assert_int_eq(atomic_load(&p.pulled), 40);
  tu_tracker_assert_once(&t, 40);
  pthread_join(p.th, NULL);
  tu_assert_clean();
  ck_assert_st(atomic_load(&p.last_status), BOC_ESTOPPED);
  ck_assert_st(p.detach_status, BOC_OK);
  ck_assert_st(boc_cown_release(c), BOC_OK);
  tu_tracker_destroy(&t);
}
END_TEST

typedef struct idle_attached {
  _Atomic(int) attached;
  _Atomic(int) go;
  int pull_status, detach_status, reattach_status, redetach_status;
} idle_attached_t;

static void *idle_attached_thread(void *arg) {
  idle_attached_t *x = arg;
  int st = boc_worker_attach(BOC_ANY_SLOT, NULL);
  atomic_store(&x->attached, st == BOC_OK ? 1 : -1);
  uint64_t deadline = tu_now_ns() + TU_MS(20000) * 1000000ull;
  while (atomic_load(&x->go) == 0 && tu_now_ns() < deadline)
    tu_sleep_us(200);
  boc_behavior_t *b = NULL;
  x->pull_status = boc_worker_pull(BOC_MSEC(10), &b);
  x->detach_status = boc_worker_detach();
  /* the restarted runtime can be attached again */
  x->reattach_status = boc_worker_attach(BOC_ANY_SLOT, NULL);
  x->redetach_status = boc_worker_detach();
  return NULL;
}

START_TEST(test_pull_detach_after_stop_succeeds) {
  idle_attached_t x;
  memset(&x, 0, sizeof x);
  atomic_init(&x.attached, 0);
  atomic_init(&x.go, 0);
  pthread_t th;
  ck_assert_int_eq(pthread_create(&th, NULL, idle_attached_thread, &x), 0);
  int ok;
  TU_WAIT_UNTIL(ok, atomic_load(&x.attached) != 0, 10000);
  ck_assert(ok && atomic_load(&x.attached) == 1);
  /* the attached thread is not inside libboc: wait does not block on it */
  ck_assert_st(boc_runtime_wait(BOC_SEC(10)), BOC_OK);
  tu_start(2, 1); /* a new run: the old attachment is stale */
  atomic_store(&x.go, 1);
  pthread_join(th, NULL);
  ck_assert_st(x.pull_status, BOC_ESTOPPED);
  ck_assert_st(x.detach_status, BOC_OK);
  ck_assert_st(x.reattach_status, BOC_OK);
  ck_assert_st(x.redetach_status, BOC_OK);
}
END_TEST

START_TEST(test_pull_shutdown_drops_unpulled_behaviors) {
  enum { N = 8 };
  tu_tracker_t t;
  tu_tracker_init(&t, N);
  boc_cown_t *c = tu_cown();
  boc_cown_t *r[N];
  for (size_t i = 0; i < N; i++)
    ck_assert_st(boc_when_pull(i % 2 ? &c : NULL, i % 2, TU_TRACKED(&t, i),
                               tu_tracked_free, &r[i]),
                 BOC_OK);
  /* nobody attached: shutdown must not wait for a puller */
  ck_assert_st(boc_runtime_shutdown(), BOC_OK);
  tu_tracker_assert_once(&t, N);
  for (size_t i = 0; i < N; i++) {
    ck_assert_st(boc_cown_acquire(r[i]), BOC_OK);
    uint32_t f = 0;
    ck_assert_st(boc_cown_flags(r[i], &f), BOC_OK);
    ck_assert_uint_eq(f & BOC_COWN_DROPPED, BOC_COWN_DROPPED);
    ck_assert_st(boc_cown_relinquish(r[i]), BOC_OK);
    ck_assert_st(boc_cown_release(r[i]), BOC_OK);
  }
  ck_assert_st(boc_cown_acquire(c), BOC_OK);
  ck_assert_st(boc_cown_relinquish(c), BOC_OK);
  ck_assert_st(boc_cown_release(c), BOC_OK);
  tu_tracker_destroy(&t);
}
END_TEST

static _Atomic(int) pull_started;

static void mark_started(boc_behavior_t *b) {
  (void)b;
  atomic_store(&pull_started, 1);
}

START_TEST(test_pull_shutdown_lets_pulled_behavior_finish) {
  tu_tracker_t t;
  tu_tracker_init(&t, 3);
  atomic_store(&pull_started, 0);
  puller_t p;
  puller_start(&p, 150000, mark_started); /* holds each one 150 ms */
  boc_cown_t *c = tu_cown();
  boc_cown_t *r[3];
  for (size_t i = 0; i < 3; i++)
    ck_assert_st(boc_when_pull(&c, 1, TU_TRACKED(&t, i), tu_tracked_free,
                               &r[i]),
                 BOC_OK);
  int ok;
  /* the first one is being run by the puller */
  TU_WAIT_UNTIL(ok, atomic_load(&pull_started), 10000);
  ck_assert(ok);
  tu_sleep_ms(30);
  ck_assert_st(boc_runtime_shutdown(), BOC_OK);
  pthread_join(p.th, NULL);
  tu_assert_clean();
  ck_assert_st(p.detach_status, BOC_OK);
  ck_assert_st(atomic_load(&p.last_status), BOC_ESTOPPED);
  /* the running one finished; the queued ones were dropped */
  ck_assert_int_eq(atomic_load(&p.pulled), 1);
  tu_tracker_assert_once(&t, 3);
  for (size_t i = 0; i < 3; i++) {
    ck_assert_st(boc_cown_acquire(r[i]), BOC_OK);
    uint32_t f = 0;
    ck_assert_st(boc_cown_flags(r[i], &f), BOC_OK);
    ck_assert_uint_eq(f & BOC_COWN_DROPPED, i == 0 ? 0 : BOC_COWN_DROPPED);
    ck_assert_st(boc_cown_relinquish(r[i]), BOC_OK);
    ck_assert_st(boc_cown_release(r[i]), BOC_OK);
  }
  ck_assert_st(boc_cown_release(c), BOC_OK);
  tu_tracker_destroy(&t);
}
END_TEST

/* ---- mixed native and pulled over shared cowns ----------------------------------------- */

enum { MIX_COWNS = 8, MIX_MAX_SET = 3 };

typedef struct mix_state {
  boc_cown_t *cown[MIX_COWNS];
  _Atomic(int) in_use[MIX_COWNS];
  int64_t *log[MIX_COWNS];
  size_t len[MIX_COWNS]; /* written only by the cown's holder */
  _Atomic(uint64_t) overlaps;
  _Atomic(int64_t) native_runs, pulled_runs;
} mix_state_t;

static mix_state_t mix;

typedef struct mix_arg {
  tu_tracked_t hdr;
  int64_t seq;
  size_t n;
  int idx[MIX_MAX_SET];
  int pulled;
} mix_arg_t;

static void mix_work(boc_behavior_t *b, mix_arg_t *a) {
  int mine[MIX_COWNS] = {0};
  for (size_t i = 0; i < a->n; i++) {
    boc_cown_t *c = NULL;
    TU_EXPECT_ST(boc_behavior_cown(b, i, &c), BOC_OK);
    TU_EXPECT(c == mix.cown[a->idx[i]]);
    if (mine[a->idx[i]]++)
      continue;
    if (atomic_exchange(&mix.in_use[a->idx[i]], 1))
      atomic_fetch_add(&mix.overlaps, 1);
  }
  for (int k = 0; k < MIX_COWNS; k++) {
    if (!mine[k])
      continue;
    mix.log[k][mix.len[k]++] = a->seq;
    atomic_store(&mix.in_use[k], 0);
  }
}

static void mix_native_body(boc_behavior_t *b, void *arg) {
  mix_arg_t *a = arg;
  TU_EXPECT(!a->pulled);
  mix_work(b, a);
  atomic_fetch_add(&mix.native_runs, 1);
}

static void mix_pulled_work(boc_behavior_t *b) {
  void *arg = NULL;
  TU_EXPECT_ST(boc_behavior_arg(b, &arg), BOC_OK);
  mix_arg_t *a = arg;
  TU_EXPECT(a != NULL && a->pulled);
  if (a != NULL)
    mix_work(b, a);
  atomic_fetch_add(&mix.pulled_runs, 1);
}

START_TEST(test_pull_mixed_native_and_pulled_keep_order_and_exclusion) {
  TU_RNG(rng);
  size_t n = tu_scale(4000);
  memset(&mix, 0, sizeof mix);
  for (int k = 0; k < MIX_COWNS; k++) {
    mix.cown[k] = tu_cown();
    atomic_init(&mix.in_use[k], 0);
    mix.log[k] = calloc(n, sizeof(int64_t));
    ck_assert_ptr_nonnull(mix.log[k]);
  }
  int64_t **want = calloc(MIX_COWNS, sizeof *want);
  size_t want_len[MIX_COWNS] = {0};
  for (int k = 0; k < MIX_COWNS; k++)
    want[k] = calloc(n, sizeof(int64_t));
  tu_tracker_t t;
  tu_tracker_init(&t, n);
  puller_t p;
  puller_start(&p, 0, mix_pulled_work);
  int64_t pulled = 0;
  for (size_t i = 0; i < n; i++) {
    mix_arg_t *a = tu_tracked_new(&t, i, sizeof *a);
    a->seq = (int64_t)i;
    a->n = 1 + tu_rng_below(&rng, MIX_MAX_SET);
    a->pulled = tu_rng_below(&rng, 2);
    boc_cown_t *set[MIX_MAX_SET];
    int mine[MIX_COWNS] = {0};
    for (size_t j = 0; j < a->n; j++) {
      a->idx[j] = (int)tu_rng_below(&rng, MIX_COWNS);
      set[j] = mix.cown[a->idx[j]];
      if (!mine[a->idx[j]]++)
        want[a->idx[j]][want_len[a->idx[j]]++] = (int64_t)i;
    }
    if (a->pulled) {
      pulled++;
      ck_assert_st(boc_when_pull(set, a->n, a, tu_tracked_free, NULL), BOC_OK);
    } else {
      ck_assert_st(boc_when(set, a->n, mix_native_body, a, tu_tracked_free,
                            NULL),
                   BOC_OK);
    }
  }
  ck_assert_st(boc_runtime_quiesce(BOC_SEC(30 * TU_SLOW)), BOC_OK);
  atomic_store(&p.stop, 1);
  pthread_join(p.th, NULL);
  tu_assert_clean();
  ck_assert_st(p.detach_status, BOC_OK);
  ck_assert_int_eq(atomic_load(&mix.pulled_runs), pulled);
  ck_assert_int_eq(atomic_load(&mix.native_runs), (int64_t)n - pulled);
  ck_assert_uint_eq(atomic_load(&mix.overlaps), 0);
  for (int k = 0; k < MIX_COWNS; k++) {
    ck_assert_uint_eq(mix.len[k], want_len[k]);
    for (size_t i = 0; i < want_len[k]; i++)
      ck_assert_msg(mix.log[k][i] == want[k][i],
                    "cown %d position %zu: ran %lld, scheduled %lld", k, i,
                    (long long)mix.log[k][i], (long long)want[k][i]);
    free(mix.log[k]);
    free(want[k]);
    ck_assert_st(boc_cown_release(mix.cown[k]), BOC_OK);
  }
  free(want);
  tu_tracker_assert_once(&t, n);
  tu_tracker_destroy(&t);
}
END_TEST

/* ---- packed calls (for bindings) ---------------------------------------------- */

#define W(p) ((uint64_t)(uintptr_t)(p))

/* The packed pair does what boc_when_pull + boc_worker_pull_next do: the
 * result cown comes back in the word after the handles, the argument is
 * handed to the puller, completing hands the cown on, and io[0] says
 * whether the named behavior was completed. */
START_TEST(test_pull_packed_when_and_pull_next) {
  boc_cown_t *c = tu_cown();
  int tag1 = 1, tag2 = 2;
  uint64_t w[4] = {1, W(&tag1), W(c), 0};
  ck_assert_st(boc_when_pull_packed(w), BOC_OK);
  boc_cown_t *r1 = (boc_cown_t *)(uintptr_t)w[3];
  ck_assert_ptr_nonnull(r1);
  ck_assert_ptr_ne(r1, c);
  uint64_t w2[4] = {1, W(&tag2), W(c), 0};
  ck_assert_st(boc_when_pull_packed(w2), BOC_OK);
  boc_cown_t *r2 = (boc_cown_t *)(uintptr_t)w2[3];
  ck_assert_ptr_nonnull(r2);
  ck_assert_ptr_ne(r2, r1);

  ck_assert_st(boc_worker_attach(BOC_ANY_SLOT, NULL), BOC_OK);
  uint64_t io[3] = {0, (uint64_t)BOC_SEC(10), 0};
  ck_assert_st(boc_worker_pull_next_packed(io), BOC_OK);
  ck_assert_ptr_eq((void *)(uintptr_t)io[1], &tag1);
  boc_behavior_t *b1 = (boc_behavior_t *)(uintptr_t)io[0];
  boc_cown_t *res = NULL;
  ck_assert_st(boc_behavior_result(b1, &res), BOC_OK);
  ck_assert_ptr_eq(res, r1);
  boc_cown_t *held = NULL;
  ck_assert_st(boc_behavior_cown(b1, 0, &held), BOC_OK);
  ck_assert_ptr_eq(held, c);

  /* The second needs the first's cown: it arrives after completion. */
  io[1] = (uint64_t)BOC_SEC(10);
  ck_assert_st(boc_worker_pull_next_packed(io), BOC_OK);
  ck_assert_ptr_eq((void *)(uintptr_t)io[1], &tag2);
  boc_behavior_t *b2 = (boc_behavior_t *)(uintptr_t)io[0];
  ck_assert_ptr_ne(b2, NULL);

  /* Completing a behavior that is not ours fails: io[0] is left as it
   * was (that behavior is still running) and nothing is pulled. */
  uint64_t bad[3] = {W(b1), 0, 0};
  ck_assert_st(boc_worker_pull_next_packed(bad), BOC_EINVAL);
  ck_assert_uint_eq(bad[0], W(b1));
  ck_assert_uint_eq(bad[1], 0);

  /* Complete the last one; nothing is queued: timeout, and io[0] == 0
   * says the behavior was completed. */
  io[1] = 0;
  ck_assert_st(boc_worker_pull_next_packed(io), BOC_ETIMEDOUT);
  ck_assert_uint_eq(io[0], 0);
  ck_assert_uint_eq(io[1], 0);
  ck_assert_st(boc_worker_detach(), BOC_OK);
  ck_assert_st(boc_runtime_quiesce(BOC_SEC(10)), BOC_OK);
  ck_assert_st(boc_cown_release(r1), BOC_OK);
  ck_assert_st(boc_cown_release(r2), BOC_OK);
  ck_assert_st(boc_cown_release(c), BOC_OK);
}
END_TEST

/* io[2]: a reference given up with the call is released after the
 * completion (the cown stays alive while other references remain); a bad
 * handle there is BOC_EINVAL with nothing done; a failed completion leaves
 * it unreleased. */
START_TEST(test_pull_packed_releases_io2) {
  boc_cown_t *c = tu_cown();
  int tag = 1;
  uint64_t w[4] = {1, W(&tag), W(c), 0};
  ck_assert_st(boc_when_pull_packed(w), BOC_OK);
  boc_cown_t *r = (boc_cown_t *)(uintptr_t)w[3];
  /* An extra reference on c, given up through io[2] below. */
  ck_assert_st(boc_cown_retain(c), BOC_OK);
  ck_assert_st(boc_worker_attach(BOC_ANY_SLOT, NULL), BOC_OK);
  uint64_t io[3] = {0, (uint64_t)BOC_SEC(10), 0};
  ck_assert_st(boc_worker_pull_next_packed(io), BOC_OK);
  boc_behavior_t *b = (boc_behavior_t *)(uintptr_t)io[0];

  /* Not a cown handle in io[2]: nothing happens, the behavior still runs. */
  uint64_t junk[16] = {0}; /* readable, but no cown's magic */
  uint64_t badio[3] = {W(b), 0, W(junk)};
  ck_assert_st(boc_worker_pull_next_packed(badio), BOC_EINVAL);
  ck_assert_uint_eq(badio[0], W(b));
  ck_assert_uint_eq(badio[2], W(junk));
  boc_cown_t *held = NULL;
  ck_assert_st(boc_behavior_cown(b, 0, &held), BOC_OK);

  /* A completion that fails (not our behavior): io[2] is kept. */
  uint64_t other[3] = {W(c), 0, W(c)};
  ck_assert_st(boc_worker_pull_next_packed(other), BOC_EINVAL);
  ck_assert_uint_eq(other[2], W(c));

  /* Complete, release the extra reference and the result's, time out. */
  io[1] = 0;
  io[2] = W(r);
  ck_assert_st(boc_worker_pull_next_packed(io), BOC_ETIMEDOUT);
  ck_assert_uint_eq(io[0], 0);
  ck_assert_uint_eq(io[2], 0);
  io[2] = W(c);
  ck_assert_st(boc_worker_pull_next_packed(io), BOC_ETIMEDOUT);
  ck_assert_uint_eq(io[2], 0);
  ck_assert_st(boc_worker_detach(), BOC_OK);
  /* c is alive: our own reference remains. */
  uint64_t id = 0;
  ck_assert_st(boc_cown_id(c, &id), BOC_OK);
  ck_assert_st(boc_runtime_quiesce(BOC_SEC(10)), BOC_OK);
  ck_assert_st(boc_cown_release(c), BOC_OK);
}
END_TEST

/* Zero cowns, and several cowns with a duplicate, through the packed call. */
START_TEST(test_pull_packed_when_zero_and_many_cowns) {
  boc_cown_t *a = tu_cown(), *b = tu_cown();
  uint64_t w0[3] = {0, 7, 0};
  ck_assert_st(boc_when_pull_packed(w0), BOC_OK);
  ck_assert_uint_ne(w0[2], 0);
  uint64_t w3[6] = {3, 8, W(a), W(b), W(a), 0};
  ck_assert_st(boc_when_pull_packed(w3), BOC_OK);
  ck_assert_uint_ne(w3[5], 0);
  ck_assert_st(boc_worker_attach(BOC_ANY_SLOT, NULL), BOC_OK);
  uint64_t io[3] = {0, (uint64_t)BOC_SEC(10), 0};
  int seen0 = 0, seen3 = 0;
  for (int i = 0; i < 2; i++) {
    io[1] = (uint64_t)BOC_SEC(10);
    ck_assert_st(boc_worker_pull_next_packed(io), BOC_OK);
    size_t n = 99;
    ck_assert_st(boc_behavior_cown_count((boc_behavior_t *)(uintptr_t)io[0], &n),
                 BOC_OK);
    if (io[1] == 7) {
      seen0++;
      ck_assert_uint_eq(n, 0);
    } else {
      ck_assert_uint_eq(io[1], 8);
      seen3++;
      ck_assert_uint_eq(n, 3);
    }
  }
  ck_assert_int_eq(seen0, 1);
  ck_assert_int_eq(seen3, 1);
  io[1] = 0;
  ck_assert_st(boc_worker_pull_next_packed(io), BOC_ETIMEDOUT);
  ck_assert_st(boc_worker_detach(), BOC_OK);
  ck_assert_st(boc_cown_release((boc_cown_t *)(uintptr_t)w0[2]), BOC_OK);
  ck_assert_st(boc_cown_release((boc_cown_t *)(uintptr_t)w3[5]), BOC_OK);
  ck_assert_st(boc_cown_release(a), BOC_OK);
  ck_assert_st(boc_cown_release(b), BOC_OK);
}
END_TEST

/* Bad input: NULL arrays, too many cowns, a NULL handle, no pull slots,
 * not attached; no result word is written on error. */
START_TEST(test_pull_packed_bad_input) {
  ck_assert_st(boc_when_pull_packed(NULL), BOC_EINVAL);
  ck_assert_st(boc_worker_pull_next_packed(NULL), BOC_EINVAL);
  uint64_t huge[3] = {(uint64_t)BOC_WHEN_MAX_COWNS + 1, 0, 0};
  ck_assert_st(boc_when_pull_packed(huge), BOC_EINVAL);
  uint64_t wnull[4] = {1, 0, 0, 0x5};
  ck_assert_st(boc_when_pull_packed(wnull), BOC_EINVAL);
  ck_assert_uint_eq(wnull[3], 0x5);
  uint64_t io[3] = {0, 0, 0};
  ck_assert_st(boc_worker_pull_next_packed(io), BOC_ENOTATTACHED);
  tu_stop();
  boc_cown_t *c = tu_cown();
  uint64_t w[4] = {1, 0, W(c), 0x5};
  ck_assert_st(boc_when_pull_packed(w), BOC_ENOTRUNNING);
  ck_assert_uint_eq(w[3], 0x5);
  tu_start(2, 0);
  ck_assert_st(boc_when_pull_packed(w), BOC_ENOSLOT);
  ck_assert_uint_eq(w[3], 0x5);
  ck_assert_st(boc_cown_release(c), BOC_OK);
}
END_TEST

static Suite *pull_suite(void) {
  Suite *s = suite_create("pull");

  TCase *tc = tcase_create("attach");
  tcase_set_timeout(tc, TU_TIMEOUT(20));
  tcase_add_checked_fixture(tc, setup_w3_p2, teardown_detach);
  tcase_add_test(tc, test_pull_config_with_pull_slots_starts);
  tcase_add_test(tc, test_pull_attach_any_slot_takes_free_pull_slots);
  tcase_add_test(tc, test_pull_attach_specific_slot);
  tcase_add_test(tc, test_pull_attach_twice_is_ebusy);
  tcase_add_test(tc, test_pull_attach_taken_slot_is_ebusy);
  tcase_add_test(tc, test_pull_attach_native_slot_is_einval);
  tcase_add_test(tc, test_pull_attach_out_of_range_is_einval);
  tcase_add_test(tc, test_pull_calls_without_attach_are_enotattached);
  tcase_add_test(tc, test_pull_pull_null_out_is_einval);
  tcase_add_test(tc, test_pull_lifecycle_from_attached_thread_is_edeadlk);
  suite_add_tcase(s, tc);

  tc = tcase_create("attach_other_configs");
  tcase_set_timeout(tc, TU_TIMEOUT(20));
  tcase_add_checked_fixture(tc, setup_none, teardown_detach);
  tcase_add_test(tc, test_pull_attach_without_pull_slots_is_enoslot);
  tcase_add_test(tc, test_pull_attach_when_not_running_is_enotrunning);
  tcase_add_test(tc, test_pull_when_pull_without_pull_slots_is_enoslot);
  tcase_add_test(tc, test_pull_when_pull_bad_arguments_free_arg);
  suite_add_tcase(s, tc);

  tc = tcase_create("pulling");
  tcase_set_timeout(tc, TU_TIMEOUT(20));
  tcase_add_checked_fixture(tc, setup_w2_p1, teardown_detach);
  tcase_add_test(tc, test_pull_times_out_after_timeout);
  tcase_add_test(tc, test_pull_behavior_gets_its_cowns);
  tcase_add_test(tc, test_pull_complete_hands_cowns_on);
  tcase_add_test(tc, test_pull_next_completes_then_pulls_with_arg);
  tcase_add_test(tc, test_pull_native_successor_runs_after_puller_detaches);
  tcase_add_test(tc, test_pull_before_complete_is_ebusy);
  tcase_add_test(tc, test_pull_complete_from_other_thread_is_einval);
  tcase_add_test(tc, test_pull_attach_from_behavior_is_edeadlk);
  tcase_add_test(tc, test_pull_pulled_result_is_a_future);
  tcase_add_test(tc, test_pull_mixed_native_and_pulled_keep_order_and_exclusion);
  tcase_add_test(tc, test_pull_packed_when_and_pull_next);
  tcase_add_test(tc, test_pull_packed_releases_io2);
  tcase_add_test(tc, test_pull_packed_when_zero_and_many_cowns);
  tcase_add_test(tc, test_pull_packed_bad_input);
  suite_add_tcase(s, tc);

  tc = tcase_create("pull_only");
  tcase_set_timeout(tc, TU_TIMEOUT(20));
  tcase_add_checked_fixture(tc, setup_w1_p1, teardown_detach);
  tcase_add_test(tc, test_pull_runs_native_behaviors_inside_pull);
  suite_add_tcase(s, tc);

  tc = tcase_create("stopping");
  tcase_set_timeout(tc, TU_TIMEOUT(30));
  tcase_add_checked_fixture(tc, setup_w2_p1, teardown_detach);
  tcase_add_test(tc, test_pull_after_wait_puller_gets_estopped);
  tcase_add_test(tc, test_pull_detach_after_stop_succeeds);
  tcase_add_test(tc, test_pull_shutdown_drops_unpulled_behaviors);
  tcase_add_test(tc, test_pull_shutdown_lets_pulled_behavior_finish);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  tu_init("check_pull");
  return tu_run(pull_suite());
}
