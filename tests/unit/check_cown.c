/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

/* check_cown.c - cowns: references, ids, payloads, flags, acquire. */

#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* ---- references and ids ---------------------------------------------------- */

START_TEST(test_cown_create_returns_one_reference) {
  tu_tracker_t t;
  tu_tracker_init(&t, 1);
  boc_cown_t *c = tu_cown_tracked(&t, 0, 7);
  ck_assert_uint_eq(tu_tracker_count(&t, 0), 0);
  ck_assert_st(boc_cown_release(c), BOC_OK);
  ck_assert_uint_eq(tu_tracker_count(&t, 0), 1);
  tu_tracker_destroy(&t);
}
END_TEST

START_TEST(test_cown_payload_freed_once_at_last_release) {
  tu_tracker_t t;
  tu_tracker_init(&t, 1);
  boc_cown_t *c = tu_cown_tracked(&t, 0, 1);
  for (int i = 0; i < 3; i++)
    ck_assert_st(boc_cown_retain(c), BOC_OK);
  for (int i = 0; i < 3; i++) {
    ck_assert_st(boc_cown_release(c), BOC_OK);
    ck_assert_uint_eq(tu_tracker_count(&t, 0), 0);
  }
  ck_assert_st(boc_cown_release(c), BOC_OK);
  ck_assert_uint_eq(tu_tracker_count(&t, 0), 1);
  tu_assert_clean();
  tu_tracker_destroy(&t);
}
END_TEST

START_TEST(test_cown_null_free_fn_leaves_payload_alone) {
  static int payload = 42;
  boc_cown_t *c = NULL;
  ck_assert_st(boc_cown_create(&payload, NULL, &c), BOC_OK);
  ck_assert_st(boc_cown_acquire(c), BOC_OK);
  void *p = NULL;
  ck_assert_st(boc_cown_get(c, &p), BOC_OK);
  ck_assert_ptr_eq(p, &payload);
  ck_assert_st(boc_cown_relinquish(c), BOC_OK);
  ck_assert_st(boc_cown_release(c), BOC_OK);
  ck_assert_int_eq(payload, 42);
}
END_TEST

START_TEST(test_cown_ids_start_at_one_and_increase) {
  enum { N = 200 };
  boc_cown_t *c[N];
  uint64_t prev = 0;
  for (int i = 0; i < N; i++) {
    c[i] = tu_cown();
    uint64_t id = 0;
    ck_assert_st(boc_cown_id(c[i], &id), BOC_OK);
    ck_assert_msg(id >= 1, "cown id %llu < 1", (unsigned long long)id);
    ck_assert_msg(id > prev, "cown id %llu after %llu does not increase",
                  (unsigned long long)id, (unsigned long long)prev);
    uint64_t again = 0;
    ck_assert_st(boc_cown_id(c[i], &again), BOC_OK);
    ck_assert_uint_eq(again, id);
    prev = id;
  }
  for (int i = 0; i < N; i++)
    ck_assert_st(boc_cown_release(c[i]), BOC_OK);
  /* Ids are not reused after cowns die. */
  boc_cown_t *d = tu_cown();
  uint64_t id = 0;
  ck_assert_st(boc_cown_id(d, &id), BOC_OK);
  ck_assert_uint_gt(id, prev);
  ck_assert_st(boc_cown_release(d), BOC_OK);
}
END_TEST

enum { ID_THREADS = 4, ID_PER_THREAD = 500 };
static uint64_t id_seen[ID_THREADS][ID_PER_THREAD];

static void *id_thread(void *arg) {
  size_t k = (size_t)arg;
  uint64_t prev = 0;
  for (int i = 0; i < ID_PER_THREAD; i++) {
    boc_cown_t *c = NULL;
    if (boc_cown_create(NULL, NULL, &c) != BOC_OK) {
      tu_fail_record(__FILE__, __LINE__, "boc_cown_create failed");
      return NULL;
    }
    TU_EXPECT_ST(boc_cown_id(c, &id_seen[k][i]), BOC_OK);
    TU_EXPECT(id_seen[k][i] > prev);
    prev = id_seen[k][i];
    TU_EXPECT_ST(boc_cown_release(c), BOC_OK);
  }
  return NULL;
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

START_TEST(test_cown_ids_unique_across_threads) {
  pthread_t th[ID_THREADS];
  for (size_t k = 0; k < ID_THREADS; k++)
    ck_assert_int_eq(pthread_create(&th[k], NULL, id_thread, (void *)k), 0);
  for (size_t k = 0; k < ID_THREADS; k++)
    pthread_join(th[k], NULL);
  tu_assert_clean();
  uint64_t *all = malloc(sizeof id_seen);
  ck_assert_ptr_nonnull(all);
  memcpy(all, id_seen, sizeof id_seen);
  size_t n = ID_THREADS * ID_PER_THREAD;
  qsort(all, n, sizeof *all, cmp_u64);
  ck_assert_uint_ge(all[0], 1);
  for (size_t i = 1; i < n; i++)
    ck_assert_msg(all[i] != all[i - 1], "cown id %llu handed out twice",
                  (unsigned long long)all[i]);
  free(all);
}
END_TEST

static boc_cown_t *rr_cown;

static void *retain_release_thread(void *arg) {
  (void)arg;
  for (int i = 0; i < 5000; i++) {
    TU_EXPECT_ST(boc_cown_retain(rr_cown), BOC_OK);
    TU_EXPECT_ST(boc_cown_release(rr_cown), BOC_OK);
  }
  return NULL;
}

START_TEST(test_cown_concurrent_retain_release_keep_payload) {
  tu_tracker_t t;
  tu_tracker_init(&t, 1);
  rr_cown = tu_cown_tracked(&t, 0, 0);
  pthread_t th[4];
  for (int k = 0; k < 4; k++)
    ck_assert_int_eq(pthread_create(&th[k], NULL, retain_release_thread, NULL),
                     0);
  for (int k = 0; k < 4; k++)
    pthread_join(th[k], NULL);
  tu_assert_clean();
  ck_assert_uint_eq(tu_tracker_count(&t, 0), 0);
  ck_assert_st(boc_cown_release(rr_cown), BOC_OK);
  ck_assert_uint_eq(tu_tracker_count(&t, 0), 1);
  tu_tracker_destroy(&t);
}
END_TEST

/* ---- payloads through acquire --------------------------------------------- */

START_TEST(test_cown_get_returns_payload_to_acquirer) {
  tu_tracker_t t;
  tu_tracker_init(&t, 1);
  tu_tracked_t *p = TU_TRACKED(&t, 0);
  boc_cown_t *c = NULL;
  ck_assert_st(boc_cown_create(p, tu_tracked_free, &c), BOC_OK);
  ck_assert_st(boc_cown_acquire(c), BOC_OK);
  void *got = NULL;
  ck_assert_st(boc_cown_get(c, &got), BOC_OK);
  ck_assert_ptr_eq(got, p);
  ck_assert_st(boc_cown_relinquish(c), BOC_OK);
  ck_assert_st(boc_cown_release(c), BOC_OK);
  ck_assert_uint_eq(tu_tracker_count(&t, 0), 1);
  tu_tracker_destroy(&t);
}
END_TEST

START_TEST(test_cown_set_frees_previous_payload_once) {
  tu_tracker_t t;
  tu_tracker_init(&t, 3);
  boc_cown_t *c = tu_cown_tracked(&t, 0, 0);
  ck_assert_st(boc_cown_acquire(c), BOC_OK);
  tu_tracked_t *p1 = TU_TRACKED(&t, 1);
  ck_assert_st(boc_cown_set(c, p1, tu_tracked_free), BOC_OK);
  /* The previous payload's free function ran before set returned. */
  ck_assert_uint_eq(tu_tracker_count(&t, 0), 1);
  ck_assert_uint_eq(tu_tracker_count(&t, 1), 0);
  void *got = NULL;
  ck_assert_st(boc_cown_get(c, &got), BOC_OK);
  ck_assert_ptr_eq(got, p1);
  tu_tracked_t *p2 = TU_TRACKED(&t, 2);
  ck_assert_st(boc_cown_set(c, p2, tu_tracked_free), BOC_OK);
  ck_assert_uint_eq(tu_tracker_count(&t, 1), 1);
  ck_assert_uint_eq(tu_tracker_count(&t, 2), 0);
  ck_assert_st(boc_cown_relinquish(c), BOC_OK);
  ck_assert_uint_eq(tu_tracker_count(&t, 2), 0);
  ck_assert_st(boc_cown_release(c), BOC_OK);
  tu_tracker_assert_once(&t, 3);
  tu_assert_clean();
  tu_tracker_destroy(&t);
}
END_TEST

START_TEST(test_cown_set_null_payload_frees_previous) {
  tu_tracker_t t;
  tu_tracker_init(&t, 1);
  boc_cown_t *c = tu_cown_tracked(&t, 0, 0);
  ck_assert_st(boc_cown_acquire(c), BOC_OK);
  ck_assert_st(boc_cown_set(c, NULL, NULL), BOC_OK);
  ck_assert_uint_eq(tu_tracker_count(&t, 0), 1);
  void *got = (void *)&t;
  ck_assert_st(boc_cown_get(c, &got), BOC_OK);
  ck_assert_ptr_null(got);
  ck_assert_st(boc_cown_relinquish(c), BOC_OK);
  ck_assert_st(boc_cown_release(c), BOC_OK);
  ck_assert_uint_eq(tu_tracker_count(&t, 0), 1);
  tu_tracker_destroy(&t);
}
END_TEST

START_TEST(test_cown_accessors_not_held_from_main) {
  tu_tracker_t t;
  tu_tracker_init(&t, 2);
  boc_cown_t *c = tu_cown_tracked(&t, 0, 0);
  void *got = (void *)&t;
  ck_assert_st(boc_cown_get(c, &got), BOC_ENOTHELD);
  ck_assert_ptr_eq(got, &t); /* untouched on error */
  tu_tracked_t *p = TU_TRACKED(&t, 1);
  ck_assert_st(boc_cown_set(c, p, tu_tracked_free), BOC_ENOTHELD);
  /* On error the caller keeps the payload: nothing was freed. */
  ck_assert_uint_eq(tu_tracker_count(&t, 0), 0);
  ck_assert_uint_eq(tu_tracker_count(&t, 1), 0);
  uint32_t flags = 0xdead;
  ck_assert_st(boc_cown_flags(c, &flags), BOC_ENOTHELD);
  ck_assert_uint_eq(flags, 0xdead);
  ck_assert_st(boc_cown_set_flags(c, BOC_COWN_EXCEPTION), BOC_ENOTHELD);
  ck_assert_st(boc_cown_relinquish(c), BOC_ENOTHELD);
  tu_tracked_free(p);
  ck_assert_st(boc_cown_release(c), BOC_OK);
  tu_tracker_assert_once(&t, 2);
  tu_tracker_destroy(&t);
}
END_TEST

static boc_cown_t *other_thread_cown;

static void *other_thread_probe(void *arg) {
  (void)arg;
  void *got = NULL;
  uint32_t flags = 0;
  TU_EXPECT_ST(boc_cown_get(other_thread_cown, &got), BOC_ENOTHELD);
  TU_EXPECT_ST(boc_cown_set(other_thread_cown, NULL, NULL), BOC_ENOTHELD);
  TU_EXPECT_ST(boc_cown_flags(other_thread_cown, &flags), BOC_ENOTHELD);
  TU_EXPECT_ST(boc_cown_set_flags(other_thread_cown, 0), BOC_ENOTHELD);
  TU_EXPECT_ST(boc_cown_relinquish(other_thread_cown), BOC_ENOTHELD);
  TU_EXPECT_ST(boc_cown_acquire(other_thread_cown), BOC_EBUSY);
  return NULL;
}

START_TEST(test_cown_accessors_not_held_by_other_thread_while_acquired) {
  tu_tracker_t t;
  tu_tracker_init(&t, 1);
  other_thread_cown = tu_cown_tracked(&t, 0, 0);
  ck_assert_st(boc_cown_acquire(other_thread_cown), BOC_OK);
  pthread_t th;
  ck_assert_int_eq(pthread_create(&th, NULL, other_thread_probe, NULL), 0);
  pthread_join(th, NULL);
  tu_assert_clean();
  ck_assert_uint_eq(tu_tracker_count(&t, 0), 0);
  void *got = NULL;
  ck_assert_st(boc_cown_get(other_thread_cown, &got), BOC_OK);
  ck_assert_ptr_nonnull(got);
  ck_assert_st(boc_cown_relinquish(other_thread_cown), BOC_OK);
  ck_assert_st(boc_cown_release(other_thread_cown), BOC_OK);
  tu_tracker_assert_once(&t, 1);
  tu_tracker_destroy(&t);
}
END_TEST

/* ---- accessors inside behaviors -------------------------------------------- */

typedef struct two_cowns {
  boc_cown_t *named;
  boc_cown_t *other;
  tu_tracker_t *tracker;
  _Atomic(int) ran;
} two_cowns_t;

static void not_named_body(boc_behavior_t *b, void *arg) {
  (void)b;
  two_cowns_t *x = arg;
  void *got = NULL;
  uint32_t flags = 0;
  TU_EXPECT_ST(boc_cown_get(x->other, &got), BOC_ENOTHELD);
  TU_EXPECT_ST(boc_cown_set(x->other, NULL, NULL), BOC_ENOTHELD);
  TU_EXPECT_ST(boc_cown_flags(x->other, &flags), BOC_ENOTHELD);
  TU_EXPECT_ST(boc_cown_set_flags(x->other, BOC_COWN_EXCEPTION), BOC_ENOTHELD);
  TU_EXPECT_ST(boc_cown_relinquish(x->other), BOC_ENOTHELD);
  TU_EXPECT_ST(boc_cown_get(x->named, &got), BOC_OK);
  TU_EXPECT(got != NULL);
  TU_EXPECT_ST(boc_cown_relinquish(x->named), BOC_ENOTHELD);
  atomic_store(&x->ran, 1);
}

START_TEST(test_cown_accessors_not_held_in_behavior_not_naming_it) {
  tu_tracker_t t;
  tu_tracker_init(&t, 2);
  two_cowns_t x = {0};
  x.named = tu_cown_tracked(&t, 0, 0);
  x.other = tu_cown_tracked(&t, 1, 0);
  atomic_init(&x.ran, 0);
  ck_assert_st(boc_when(&x.named, 1, not_named_body, &x, NULL, NULL), BOC_OK);
  ck_assert_st(boc_runtime_quiesce(BOC_SEC(10)), BOC_OK);
  ck_assert_int_eq(atomic_load(&x.ran), 1);
  tu_assert_clean();
  ck_assert_uint_eq(tu_tracker_count(&t, 1), 0);
  ck_assert_st(boc_cown_release(x.named), BOC_OK);
  ck_assert_st(boc_cown_release(x.other), BOC_OK);
  tu_tracker_assert_once(&t, 2);
  tu_tracker_destroy(&t);
}
END_TEST

static void named_body(boc_behavior_t *b, void *arg) {
  (void)b;
  two_cowns_t *x = arg;
  void *got = NULL;
  TU_EXPECT_ST(boc_cown_get(x->named, &got), BOC_OK);
  TU_EXPECT(got != NULL && ((tu_tracked_t *)got)->id == 0);
  uint32_t flags = 99;
  TU_EXPECT_ST(boc_cown_flags(x->named, &flags), BOC_OK);
  TU_EXPECT(flags == 0);
  TU_EXPECT_ST(boc_cown_set_flags(x->named, BOC_COWN_EXCEPTION), BOC_OK);
  TU_EXPECT_ST(boc_cown_flags(x->named, &flags), BOC_OK);
  TU_EXPECT(flags == BOC_COWN_EXCEPTION);
  tu_tracked_t *p = TU_TRACKED(x->tracker, 1);
  atomic_store(&p->value, 11);
  TU_EXPECT_ST(boc_cown_set(x->named, p, tu_tracked_free), BOC_OK);
  /* The old payload was freed on this thread before set returned. */
  TU_EXPECT(tu_tracker_count(x->tracker, 0) == 1);
  TU_EXPECT(tu_tracker_count(x->tracker, 1) == 0);
  TU_EXPECT_ST(boc_cown_get(x->named, &got), BOC_OK);
  TU_EXPECT(got == p);
  atomic_store(&x->ran, 1);
}

static void flags_reader_body(boc_behavior_t *b, void *arg) {
  (void)b;
  two_cowns_t *x = arg;
  uint32_t flags = 0;
  void *got = NULL;
  TU_EXPECT_ST(boc_cown_flags(x->named, &flags), BOC_OK);
  TU_EXPECT(flags == BOC_COWN_EXCEPTION);
  TU_EXPECT_ST(boc_cown_get(x->named, &got), BOC_OK);
  TU_EXPECT(got != NULL && atomic_load(&((tu_tracked_t *)got)->value) == 11);
  atomic_fetch_add(&x->ran, 1);
}

START_TEST(test_cown_accessors_work_in_behavior_naming_it) {
  tu_tracker_t t;
  tu_tracker_init(&t, 2);
  two_cowns_t x = {0};
  x.tracker = &t;
  x.named = tu_cown_tracked(&t, 0, 0);
  atomic_init(&x.ran, 0);
  ck_assert_st(boc_when(&x.named, 1, named_body, &x, NULL, NULL), BOC_OK);
  ck_assert_st(boc_when(&x.named, 1, flags_reader_body, &x, NULL, NULL),
               BOC_OK);
  ck_assert_st(boc_runtime_quiesce(BOC_SEC(10)), BOC_OK);
  ck_assert_int_eq(atomic_load(&x.ran), 2);
  tu_assert_clean();
  ck_assert_st(boc_cown_release(x.named), BOC_OK);
  tu_tracker_assert_once(&t, 2);
  tu_tracker_destroy(&t);
}
END_TEST

/* ---- flags ----------------------------------------------------------------- */

START_TEST(test_cown_flags_start_clear_and_round_trip) {
  boc_cown_t *c = tu_cown();
  ck_assert_st(boc_cown_acquire(c), BOC_OK);
  uint32_t f = 77;
  ck_assert_st(boc_cown_flags(c, &f), BOC_OK);
  ck_assert_uint_eq(f, 0);
  const uint32_t values[] = {BOC_COWN_EXCEPTION, BOC_COWN_DROPPED,
                             BOC_COWN_EXCEPTION | BOC_COWN_DROPPED, 0};
  for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
    ck_assert_st(boc_cown_set_flags(c, values[i]), BOC_OK);
    ck_assert_st(boc_cown_flags(c, &f), BOC_OK);
    ck_assert_uint_eq(f, values[i]);
  }
  ck_assert_st(boc_cown_relinquish(c), BOC_OK);
  ck_assert_st(boc_cown_release(c), BOC_OK);
}
END_TEST

START_TEST(test_cown_set_flags_rejects_unknown_bits) {
  boc_cown_t *c = tu_cown();
  ck_assert_st(boc_cown_acquire(c), BOC_OK);
  ck_assert_st(boc_cown_set_flags(c, BOC_COWN_EXCEPTION), BOC_OK);
  /* 1u << 2 is BOC_COWN_PINNED, accepted and ignored (check_pump.c). */
  const uint32_t bad[] = {1u << 3, 1u << 31, 0xffffffffu,
                          BOC_COWN_EXCEPTION | (1u << 5),
                          BOC_COWN_DROPPED | (1u << 16)};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    ck_assert_st(boc_cown_set_flags(c, bad[i]), BOC_EINVAL);
    uint32_t f = 0;
    ck_assert_st(boc_cown_flags(c, &f), BOC_OK);
    ck_assert_msg(f == BOC_COWN_EXCEPTION,
                  "flags changed to %#x by rejected set_flags(%#x)", f, bad[i]);
  }
  ck_assert_st(boc_cown_relinquish(c), BOC_OK);
  ck_assert_st(boc_cown_release(c), BOC_OK);
}
END_TEST

static void flags_seen_body(boc_behavior_t *b, void *arg) {
  boc_cown_t *c = NULL;
  TU_EXPECT_ST(boc_behavior_cown(b, 0, &c), BOC_OK);
  uint32_t f = 0;
  TU_EXPECT_ST(boc_cown_flags(c, &f), BOC_OK);
  atomic_store((_Atomic(uint32_t) *)arg, f | 0x100u);
}

START_TEST(test_cown_flags_persist_across_holders) {
  boc_cown_t *c = tu_cown();
  ck_assert_st(boc_cown_acquire(c), BOC_OK);
  ck_assert_st(boc_cown_set_flags(c, BOC_COWN_EXCEPTION), BOC_OK);
  ck_assert_st(boc_cown_relinquish(c), BOC_OK);
  _Atomic(uint32_t) seen;
  atomic_init(&seen, 0);
  ck_assert_st(boc_when(&c, 1, flags_seen_body, &seen, NULL, NULL), BOC_OK);
  ck_assert_st(boc_runtime_quiesce(BOC_SEC(10)), BOC_OK);
  tu_assert_clean();
  ck_assert_uint_eq(atomic_load(&seen), BOC_COWN_EXCEPTION | 0x100u);
  ck_assert_st(boc_cown_release(c), BOC_OK);
}
END_TEST

/* ---- acquire / relinquish ------------------------------------------------- */

START_TEST(test_cown_acquire_twice_is_busy) {
  boc_cown_t *c = tu_cown();
  ck_assert_st(boc_cown_acquire(c), BOC_OK);
  ck_assert_st(boc_cown_acquire(c), BOC_EBUSY);
  ck_assert_st(boc_cown_relinquish(c), BOC_OK);
  ck_assert_st(boc_cown_relinquish(c), BOC_ENOTHELD);
  ck_assert_st(boc_cown_acquire(c), BOC_OK);
  ck_assert_st(boc_cown_relinquish(c), BOC_OK);
  ck_assert_st(boc_cown_release(c), BOC_OK);
}
END_TEST

START_TEST(test_cown_relinquish_without_acquire_is_not_held) {
  boc_cown_t *c = tu_cown();
  ck_assert_st(boc_cown_relinquish(c), BOC_ENOTHELD);
  ck_assert_st(boc_cown_release(c), BOC_OK);
}
END_TEST

START_TEST(test_cown_hold_keeps_reference_until_relinquish) {
  tu_tracker_t t;
  tu_tracker_init(&t, 1);
  boc_cown_t *c = tu_cown_tracked(&t, 0, 0);
  ck_assert_st(boc_cown_acquire(c), BOC_OK);
  ck_assert_st(boc_cown_release(c), BOC_OK);
  ck_assert_uint_eq(tu_tracker_count(&t, 0), 0);
  void *got = NULL;
  ck_assert_st(boc_cown_get(c, &got), BOC_OK);
  ck_assert_ptr_nonnull(got);
  ck_assert_st(boc_cown_relinquish(c), BOC_OK);
  ck_assert_uint_eq(tu_tracker_count(&t, 0), 1);
  tu_tracker_destroy(&t);
}
END_TEST

START_TEST(test_cown_acquire_busy_while_behavior_holds_it) {
  boc_cown_t *c = tu_cown();
  tu_gate_t g;
  tu_gate_init(&g);
  ck_assert_st(boc_when(&c, 1, tu_gate_body, &g, NULL, NULL), BOC_OK);
  tu_gate_wait_entered(&g);
  ck_assert_st(boc_cown_acquire(c), BOC_EBUSY);
  void *got = NULL;
  ck_assert_st(boc_cown_get(c, &got), BOC_ENOTHELD);
  tu_gate_open(&g);
  ck_assert_st(boc_runtime_quiesce(BOC_SEC(10)), BOC_OK);
  ck_assert_st(boc_cown_acquire(c), BOC_OK);
  ck_assert_st(boc_cown_relinquish(c), BOC_OK);
  ck_assert_st(boc_cown_release(c), BOC_OK);
}
END_TEST

START_TEST(test_cown_acquire_busy_while_behavior_waits_for_it) {
  /* a is created first, so a's id is lower: the second behavior links into
   * a's queue, then d's; d is idle but waited for. */
  boc_cown_t *a = tu_cown();
  boc_cown_t *d = tu_cown();
  tu_gate_t g;
  tu_gate_init(&g);
  ck_assert_st(boc_when(&a, 1, tu_gate_body, &g, NULL, NULL), BOC_OK);
  tu_gate_wait_entered(&g);
  boc_cown_t *ad[2] = {a, d};
  ck_assert_st(boc_when(ad, 2, tu_noop_body, NULL, NULL, NULL), BOC_OK);
  ck_assert_st(boc_cown_acquire(d), BOC_EBUSY);
  ck_assert_st(boc_cown_acquire(a), BOC_EBUSY);
  tu_gate_open(&g);
  ck_assert_st(boc_runtime_quiesce(BOC_SEC(10)), BOC_OK);
  ck_assert_st(boc_cown_acquire(d), BOC_OK);
  ck_assert_st(boc_cown_acquire(a), BOC_OK);
  ck_assert_st(boc_cown_relinquish(d), BOC_OK);
  ck_assert_st(boc_cown_relinquish(a), BOC_OK);
  ck_assert_st(boc_cown_release(a), BOC_OK);
  ck_assert_st(boc_cown_release(d), BOC_OK);
}
END_TEST

typedef struct queue_log {
  _Atomic(int) next;
  int order[16];
  _Atomic(int) count;
} queue_log_t;

typedef struct queue_arg {
  queue_log_t *log;
  int seq;
} queue_arg_t;

static queue_arg_t queue_args[16];

static void queue_body(boc_behavior_t *b, void *arg) {
  (void)b;
  queue_arg_t *q = arg;
  int i = atomic_fetch_add(&q->log->next, 1);
  if (i < 16)
    q->log->order[i] = q->seq;
  atomic_fetch_add(&q->log->count, 1);
}

START_TEST(test_cown_behaviors_queue_behind_acquired_cown) {
  enum { N = 8 };
  boc_cown_t *c = tu_cown();
  queue_log_t log;
  memset(&log, 0, sizeof log);
  atomic_init(&log.next, 0);
  atomic_init(&log.count, 0);
  ck_assert_st(boc_cown_acquire(c), BOC_OK);
  for (int i = 0; i < N; i++) {
    queue_args[i].log = &log;
    queue_args[i].seq = i;
    ck_assert_st(boc_when(&c, 1, queue_body, &queue_args[i], NULL, NULL),
                 BOC_OK);
  }
  tu_sleep_ms(50);
  ck_assert_int_eq(atomic_load(&log.count), 0);
  /* The queued behaviors are in flight until the hold is given back. */
  ck_assert_st(boc_runtime_quiesce(BOC_MSEC(20)), BOC_ETIMEDOUT);
  ck_assert_st(boc_cown_acquire(c), BOC_EBUSY);
  ck_assert_st(boc_cown_relinquish(c), BOC_OK);
  ck_assert_st(boc_runtime_quiesce(BOC_SEC(10)), BOC_OK);
  ck_assert_int_eq(atomic_load(&log.count), N);
  for (int i = 0; i < N; i++)
    ck_assert_int_eq(log.order[i], i);
  ck_assert_st(boc_cown_release(c), BOC_OK);
}
END_TEST

static void acquire_own_body(boc_behavior_t *b, void *arg) {
  boc_cown_t *c = NULL;
  TU_EXPECT_ST(boc_behavior_cown(b, 0, &c), BOC_OK);
  TU_EXPECT_ST(boc_cown_acquire(c), BOC_EBUSY);
  /* The behavior still holds it afterwards. */
  void *got = NULL;
  TU_EXPECT_ST(boc_cown_get(c, &got), BOC_OK);
  atomic_store((_Atomic(int) *)arg, 1);
}

START_TEST(test_cown_acquire_inside_behavior_naming_it_is_busy) {
  boc_cown_t *c = tu_cown();
  _Atomic(int) ran;
  atomic_init(&ran, 0);
  ck_assert_st(boc_when(&c, 1, acquire_own_body, &ran, NULL, NULL), BOC_OK);
  ck_assert_st(boc_runtime_quiesce(BOC_SEC(10)), BOC_OK);
  ck_assert_int_eq(atomic_load(&ran), 1);
  tu_assert_clean();
  /* The failed acquire left no hold behind. */
  ck_assert_st(boc_cown_acquire(c), BOC_OK);
  ck_assert_st(boc_cown_relinquish(c), BOC_OK);
  ck_assert_st(boc_cown_release(c), BOC_OK);
}
END_TEST

static void acquire_other_body(boc_behavior_t *b, void *arg) {
  (void)b;
  two_cowns_t *x = arg;
  TU_EXPECT_ST(boc_cown_acquire(x->other), BOC_OK);
  void *got = NULL;
  TU_EXPECT_ST(boc_cown_get(x->other, &got), BOC_OK);
  TU_EXPECT(got != NULL && ((tu_tracked_t *)got)->id == 1);
  TU_EXPECT_ST(boc_cown_relinquish(x->other), BOC_OK);
  TU_EXPECT_ST(boc_cown_get(x->other, &got), BOC_ENOTHELD);
  atomic_store(&x->ran, 1);
}

START_TEST(test_cown_acquire_inside_behavior_of_other_cown_succeeds) {
  tu_tracker_t t;
  tu_tracker_init(&t, 2);
  two_cowns_t x = {0};
  x.named = tu_cown_tracked(&t, 0, 0);
  x.other = tu_cown_tracked(&t, 1, 0);
  atomic_init(&x.ran, 0);
  ck_assert_st(boc_when(&x.named, 1, acquire_other_body, &x, NULL, NULL),
               BOC_OK);
  ck_assert_st(boc_runtime_quiesce(BOC_SEC(10)), BOC_OK);
  ck_assert_int_eq(atomic_load(&x.ran), 1);
  tu_assert_clean();
  ck_assert_st(boc_cown_release(x.named), BOC_OK);
  ck_assert_st(boc_cown_release(x.other), BOC_OK);
  tu_tracker_assert_once(&t, 2);
  tu_tracker_destroy(&t);
}
END_TEST

static void read_value_body(boc_behavior_t *b, void *arg) {
  boc_cown_t *c = NULL;
  void *got = NULL;
  TU_EXPECT_ST(boc_behavior_cown(b, 0, &c), BOC_OK);
  TU_EXPECT_ST(boc_cown_get(c, &got), BOC_OK);
  if (got != NULL)
    atomic_store((_Atomic(int64_t) *)arg, atomic_load(&((tu_tracked_t *)got)->value));
}

START_TEST(test_cown_behavior_keeps_released_cown_alive) {
  tu_tracker_t t;
  tu_tracker_init(&t, 1);
  boc_cown_t *c = tu_cown_tracked(&t, 0, 1234);
  tu_gate_t g;
  tu_gate_init(&g);
  _Atomic(int64_t) seen;
  atomic_init(&seen, 0);
  ck_assert_st(boc_when(&c, 1, tu_gate_body, &g, NULL, NULL), BOC_OK);
  ck_assert_st(boc_when(&c, 1, read_value_body, &seen, NULL, NULL), BOC_OK);
  ck_assert_st(boc_cown_release(c), BOC_OK); /* main's reference */
  ck_assert_uint_eq(tu_tracker_count(&t, 0), 0);
  tu_gate_open(&g);
  ck_assert_st(boc_runtime_quiesce(BOC_SEC(10)), BOC_OK);
  tu_assert_clean();
  ck_assert_int_eq(atomic_load(&seen), 1234);
  ck_assert_uint_eq(tu_tracker_count(&t, 0), 1);
  tu_tracker_destroy(&t);
}
END_TEST

/* ---- without a runtime ------------------------------------------------------- */

START_TEST(test_cown_operations_work_without_runtime) {
  ck_assert(!tu_running());
  tu_tracker_t t;
  tu_tracker_init(&t, 2);
  boc_cown_t *c = tu_cown_tracked(&t, 0, 5);
  uint64_t id = 0;
  ck_assert_st(boc_cown_id(c, &id), BOC_OK);
  ck_assert_uint_ge(id, 1);
  ck_assert_st(boc_cown_retain(c), BOC_OK);
  ck_assert_st(boc_cown_acquire(c), BOC_OK);
  void *got = NULL;
  ck_assert_st(boc_cown_get(c, &got), BOC_OK);
  ck_assert_int_eq(atomic_load(&((tu_tracked_t *)got)->value), 5);
  ck_assert_st(boc_cown_set(c, TU_TRACKED(&t, 1), tu_tracked_free), BOC_OK);
  ck_assert_uint_eq(tu_tracker_count(&t, 0), 1);
  ck_assert_st(boc_cown_set_flags(c, BOC_COWN_EXCEPTION), BOC_OK);
  ck_assert_st(boc_cown_relinquish(c), BOC_OK);
  ck_assert_st(boc_cown_release(c), BOC_OK);
  ck_assert_st(boc_cown_release(c), BOC_OK);
  tu_tracker_assert_once(&t, 2);
  tu_tracker_destroy(&t);
  ck_assert(!tu_running());
}
END_TEST

static Suite *cown_suite(void) {
  Suite *s = suite_create("cown");

  TCase *tc = tcase_create("refs");
  tcase_set_timeout(tc, TU_TIMEOUT(20));
  tcase_add_checked_fixture(tc, tu_setup_w2, tu_teardown);
  tcase_add_test(tc, test_cown_create_returns_one_reference);
  tcase_add_test(tc, test_cown_payload_freed_once_at_last_release);
  tcase_add_test(tc, test_cown_null_free_fn_leaves_payload_alone);
  tcase_add_test(tc, test_cown_ids_start_at_one_and_increase);
  tcase_add_test(tc, test_cown_ids_unique_across_threads);
  tcase_add_test(tc, test_cown_concurrent_retain_release_keep_payload);
  suite_add_tcase(s, tc);

  tc = tcase_create("payload");
  tcase_set_timeout(tc, TU_TIMEOUT(20));
  tcase_add_checked_fixture(tc, tu_setup_w2, tu_teardown);
  tcase_add_test(tc, test_cown_get_returns_payload_to_acquirer);
  tcase_add_test(tc, test_cown_set_frees_previous_payload_once);
  tcase_add_test(tc, test_cown_set_null_payload_frees_previous);
  tcase_add_test(tc, test_cown_accessors_not_held_from_main);
  tcase_add_test(tc, test_cown_accessors_not_held_by_other_thread_while_acquired);
  tcase_add_test(tc, test_cown_accessors_not_held_in_behavior_not_naming_it);
  tcase_add_test(tc, test_cown_accessors_work_in_behavior_naming_it);
  tcase_add_test(tc, test_cown_behavior_keeps_released_cown_alive);
  suite_add_tcase(s, tc);

  tc = tcase_create("flags");
  tcase_set_timeout(tc, TU_TIMEOUT(20));
  tcase_add_checked_fixture(tc, tu_setup_w2, tu_teardown);
  tcase_add_test(tc, test_cown_flags_start_clear_and_round_trip);
  tcase_add_test(tc, test_cown_set_flags_rejects_unknown_bits);
  tcase_add_test(tc, test_cown_flags_persist_across_holders);
  suite_add_tcase(s, tc);

  tc = tcase_create("acquire");
  tcase_set_timeout(tc, TU_TIMEOUT(20));
  tcase_add_checked_fixture(tc, tu_setup_w2, tu_teardown);
  tcase_add_test(tc, test_cown_acquire_twice_is_busy);
  tcase_add_test(tc, test_cown_relinquish_without_acquire_is_not_held);
  tcase_add_test(tc, test_cown_hold_keeps_reference_until_relinquish);
  tcase_add_test(tc, test_cown_acquire_busy_while_behavior_holds_it);
  tcase_add_test(tc, test_cown_acquire_busy_while_behavior_waits_for_it);
  tcase_add_test(tc, test_cown_behaviors_queue_behind_acquired_cown);
  tcase_add_test(tc, test_cown_acquire_inside_behavior_naming_it_is_busy);
  tcase_add_test(tc, test_cown_acquire_inside_behavior_of_other_cown_succeeds);
  suite_add_tcase(s, tc);

  tc = tcase_create("no_runtime");
  tcase_set_timeout(tc, TU_TIMEOUT(10));
  tcase_add_checked_fixture(tc, NULL, tu_teardown);
  tcase_add_test(tc, test_cown_operations_work_without_runtime);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  tu_init("check_cown");
  return tu_run(cown_suite());
}
