/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

/* check_errors.c - every public function with NULL or invalid arguments,
 * from the wrong thread or at the wrong time: the documented status, no
 * crash, out-parameters untouched, consumed arguments freed exactly once. */

#define _POSIX_C_SOURCE 200809L
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* Zeroed, well-aligned memory that is not a libboc object. */
static _Alignas(64) unsigned char fake_object[4096];
#define FAKE_COWN ((boc_cown_t *)(void *)fake_object)
#define FAKE_BEHAVIOR ((boc_behavior_t *)(void *)fake_object)

/* ---- common ---------------------------------------------------------------------- */

START_TEST(test_errors_strerror_never_null) {
  for (int i = -1000; i <= 1000; i++) {
    const char *s = boc_strerror(i);
    ck_assert_msg(s != NULL && s[0] != '\0', "boc_strerror(%d)", i);
  }
  ck_assert_ptr_nonnull(boc_strerror(INT_MIN));
  ck_assert_ptr_nonnull(boc_strerror(INT_MAX));
}
END_TEST

/* ---- cowns ----------------------------------------------------------------------- */

START_TEST(test_errors_cown_create_null_out_keeps_payload) {
  tu_tracker_t t;
  tu_tracker_init(&t, 1);
  tu_tracked_t *p = TU_TRACKED(&t, 0);
  ck_assert_st(boc_cown_create(p, tu_tracked_free, NULL), BOC_EINVAL);
  ck_assert_uint_eq(tu_tracker_count(&t, 0), 0); /* caller keeps it */
  tu_tracked_free(p);
  ck_assert_st(boc_cown_create(NULL, NULL, NULL), BOC_EINVAL);
  tu_tracker_destroy(&t);
}
END_TEST

START_TEST(test_errors_cown_functions_reject_null_cown) {
  tu_tracker_t t;
  tu_tracker_init(&t, 1);
  tu_tracked_t *p = TU_TRACKED(&t, 0);
  uint64_t id = 5;
  void *got = (void *)&t;
  uint32_t flags = 5;
  ck_assert_st(boc_cown_retain(NULL), BOC_EINVAL);
  ck_assert_st(boc_cown_release(NULL), BOC_EINVAL);
  ck_assert_st(boc_cown_id(NULL, &id), BOC_EINVAL);
  ck_assert_uint_eq(id, 5);
  ck_assert_st(boc_cown_get(NULL, &got), BOC_EINVAL);
  ck_assert_ptr_eq(got, &t);
  ck_assert_st(boc_cown_set(NULL, p, tu_tracked_free), BOC_EINVAL);
  ck_assert_uint_eq(tu_tracker_count(&t, 0), 0);
  ck_assert_st(boc_cown_flags(NULL, &flags), BOC_EINVAL);
  ck_assert_uint_eq(flags, 5);
  ck_assert_st(boc_cown_set_flags(NULL, 0), BOC_EINVAL);
  ck_assert_st(boc_cown_set_flags(NULL, BOC_COWN_EXCEPTION), BOC_EINVAL);
  ck_assert_st(boc_cown_acquire(NULL), BOC_EINVAL);
  ck_assert_st(boc_cown_relinquish(NULL), BOC_EINVAL);
  tu_tracked_free(p);
  tu_tracker_destroy(&t);
}
END_TEST

START_TEST(test_errors_cown_functions_reject_null_out) {
  boc_cown_t *c = tu_cown();
  ck_assert_st(boc_cown_id(c, NULL), BOC_EINVAL);
  ck_assert_st(boc_cown_get(c, NULL), BOC_EINVAL);
  ck_assert_st(boc_cown_flags(c, NULL), BOC_EINVAL);
  /* also while held, where the call would otherwise succeed */
  ck_assert_st(boc_cown_acquire(c), BOC_OK);
  ck_assert_st(boc_cown_get(c, NULL), BOC_EINVAL);
  ck_assert_st(boc_cown_flags(c, NULL), BOC_EINVAL);
  ck_assert_st(boc_cown_relinquish(c), BOC_OK);
  ck_assert_st(boc_cown_release(c), BOC_OK);
}
END_TEST

START_TEST(test_errors_cown_functions_reject_non_cown_handle) {
  memset(fake_object, 0, sizeof fake_object);
  uint64_t id = 5;
  void *got = NULL;
  uint32_t flags = 0;
  ck_assert_st(boc_cown_retain(FAKE_COWN), BOC_EINVAL);
  ck_assert_st(boc_cown_release(FAKE_COWN), BOC_EINVAL);
  ck_assert_st(boc_cown_id(FAKE_COWN, &id), BOC_EINVAL);
  ck_assert_uint_eq(id, 5);
  ck_assert_st(boc_cown_get(FAKE_COWN, &got), BOC_EINVAL);
  ck_assert_st(boc_cown_set(FAKE_COWN, NULL, NULL), BOC_EINVAL);
  ck_assert_st(boc_cown_flags(FAKE_COWN, &flags), BOC_EINVAL);
  ck_assert_st(boc_cown_set_flags(FAKE_COWN, 0), BOC_EINVAL);
  ck_assert_st(boc_cown_acquire(FAKE_COWN), BOC_EINVAL);
  ck_assert_st(boc_cown_relinquish(FAKE_COWN), BOC_EINVAL);
  /* nothing was written into it */
  for (size_t i = 0; i < sizeof fake_object; i++)
    ck_assert_msg(fake_object[i] == 0, "byte %zu of a non-cown was written", i);
}
END_TEST

START_TEST(test_errors_cown_set_flags_invalid_bits_checked_before_hold) {
  boc_cown_t *c = tu_cown();
  /* not held and invalid: either error is documented, but never OK */
  int st = boc_cown_set_flags(c, 1u << 7);
  ck_assert_msg(st == BOC_EINVAL || st == BOC_ENOTHELD,
                "set_flags(bad bits, not held) returned %d", st);
  ck_assert_st(boc_cown_acquire(c), BOC_OK);
  ck_assert_st(boc_cown_set_flags(c, 1u << 7), BOC_EINVAL);
  ck_assert_st(boc_cown_relinquish(c), BOC_OK);
  ck_assert_st(boc_cown_release(c), BOC_OK);
}
END_TEST

/* ---- boc_when / boc_when_pull ------------------------------------------------------ */

static void expect_when_fails(boc_cown_t *const *cowns, size_t count,
                              boc_behavior_fn fn, int pulled, int want,
                              const char *what) {
  tu_tracker_t t;
  tu_tracker_init(&t, 1);
  boc_cown_t *r = (boc_cown_t *)0x4;
  int st = pulled ? boc_when_pull(cowns, count, TU_TRACKED(&t, 0),
                                  tu_tracked_free, &r)
                  : boc_when(cowns, count, fn, TU_TRACKED(&t, 0),
                             tu_tracked_free, &r);
  ck_assert_msg(st == want, "%s (%s): returned %d (%s), wanted %d", what,
                pulled ? "boc_when_pull" : "boc_when", st, boc_strerror(st),
                want);
  ck_assert_msg(tu_tracker_count(&t, 0) == 1, "%s: arg freed %u times", what,
                tu_tracker_count(&t, 0));
  ck_assert_msg(r == (boc_cown_t *)0x4, "%s: result written on error", what);
  tu_tracker_destroy(&t);
  /* a NULL arg_free on an error path is fine too */
  st = pulled ? boc_when_pull(cowns, count, &t, NULL, NULL)
              : boc_when(cowns, count, fn, &t, NULL, NULL);
  ck_assert_msg(st == want, "%s (NULL arg_free): returned %d", what, st);
}

START_TEST(test_errors_when_rejects_bad_arguments) {
  memset(fake_object, 0, sizeof fake_object);
  boc_cown_t *c = tu_cown();
  boc_cown_t *with_null[2] = {NULL, c};
  boc_cown_t *with_fake[3] = {c, FAKE_COWN, c};
  for (int pulled = 0; pulled < 2; pulled++) {
    if (!pulled)
      expect_when_fails(&c, 1, NULL, 0, BOC_EINVAL, "NULL fn");
    if (!pulled)
      expect_when_fails(NULL, 0, NULL, 0, BOC_EINVAL, "NULL fn, no cowns");
    expect_when_fails(NULL, 1, tu_noop_body, pulled, BOC_EINVAL,
                      "NULL array, count 1");
    expect_when_fails(NULL, SIZE_MAX, tu_noop_body, pulled, BOC_EINVAL,
                      "NULL array, count SIZE_MAX");
    expect_when_fails(with_null, 2, tu_noop_body, pulled, BOC_EINVAL,
                      "NULL cown");
    expect_when_fails(with_fake, 3, tu_noop_body, pulled, BOC_EINVAL,
                      "non-cown in array");
    expect_when_fails(&c, (size_t)BOC_WHEN_MAX_COWNS + 1, tu_noop_body, pulled,
                      BOC_EINVAL, "count > BOC_WHEN_MAX_COWNS");
    expect_when_fails(&c, SIZE_MAX, tu_noop_body, pulled, BOC_EINVAL,
                      "count SIZE_MAX");
  }
  /* c is not held by anything after all that */
  ck_assert_st(boc_runtime_quiesce(BOC_SEC(10)), BOC_OK);
  ck_assert_st(boc_cown_acquire(c), BOC_OK);
  ck_assert_st(boc_cown_relinquish(c), BOC_OK);
  ck_assert_st(boc_cown_release(c), BOC_OK);
}
END_TEST

START_TEST(test_errors_when_before_start_is_not_running) {
  boc_cown_t *c = tu_cown();
  expect_when_fails(&c, 1, tu_noop_body, 0, BOC_ENOTRUNNING, "never started");
  expect_when_fails(&c, 1, tu_noop_body, 1, BOC_ENOTRUNNING, "never started");
  ck_assert_st(boc_cown_release(c), BOC_OK);
}
END_TEST

/* ---- behavior accessors -------------------------------------------------------------- */

START_TEST(test_errors_behavior_accessors_reject_null_behavior) {
  size_t n = 3;
  boc_cown_t *c = (boc_cown_t *)0x5;
  void *a = (void *)0x6;
  uint64_t id = 7;
  ck_assert_st(boc_behavior_current(NULL), BOC_EINVAL);
  ck_assert_st(boc_behavior_cown_count(NULL, &n), BOC_EINVAL);
  ck_assert_st(boc_behavior_cown(NULL, 0, &c), BOC_EINVAL);
  ck_assert_st(boc_behavior_result(NULL, &c), BOC_EINVAL);
  ck_assert_st(boc_behavior_arg(NULL, &a), BOC_EINVAL);
  ck_assert_st(boc_behavior_id(NULL, &id), BOC_EINVAL);
  ck_assert_uint_eq(n, 3);
  ck_assert_ptr_eq(c, (boc_cown_t *)0x5);
  ck_assert_ptr_eq(a, (void *)0x6);
  ck_assert_uint_eq(id, 7);
}
END_TEST

START_TEST(test_errors_behavior_accessors_reject_non_behavior_handle) {
  memset(fake_object, 0, sizeof fake_object);
  size_t n = 3;
  boc_cown_t *c = NULL;
  void *a = NULL;
  uint64_t id = 0;
  ck_assert_st(boc_behavior_cown_count(FAKE_BEHAVIOR, &n), BOC_EINVAL);
  ck_assert_st(boc_behavior_cown(FAKE_BEHAVIOR, 0, &c), BOC_EINVAL);
  ck_assert_st(boc_behavior_result(FAKE_BEHAVIOR, &c), BOC_EINVAL);
  ck_assert_st(boc_behavior_arg(FAKE_BEHAVIOR, &a), BOC_EINVAL);
  ck_assert_st(boc_behavior_id(FAKE_BEHAVIOR, &id), BOC_EINVAL);
  ck_assert_st(boc_behavior_complete(FAKE_BEHAVIOR), BOC_EINVAL);
}
END_TEST

static void null_out_body(boc_behavior_t *b, void *arg) {
  TU_EXPECT_ST(boc_behavior_cown_count(b, NULL), BOC_EINVAL);
  TU_EXPECT_ST(boc_behavior_cown(b, 0, NULL), BOC_EINVAL);
  TU_EXPECT_ST(boc_behavior_result(b, NULL), BOC_EINVAL);
  TU_EXPECT_ST(boc_behavior_arg(b, NULL), BOC_EINVAL);
  TU_EXPECT_ST(boc_behavior_id(b, NULL), BOC_EINVAL);
  boc_cown_t *c = (boc_cown_t *)0x9;
  TU_EXPECT_ST(boc_behavior_cown(b, 1, &c), BOC_EINVAL);
  TU_EXPECT_ST(boc_behavior_cown(b, SIZE_MAX, &c), BOC_EINVAL);
  TU_EXPECT(c == (boc_cown_t *)0x9);
  /* a native behavior cannot be completed like a pulled one */
  TU_EXPECT_ST(boc_behavior_complete(b), BOC_EINVAL);
  atomic_store((_Atomic(int) *)arg, 1);
}

START_TEST(test_errors_behavior_accessors_reject_null_out) {
  boc_cown_t *c = tu_cown();
  _Atomic(int) ran;
  atomic_init(&ran, 0);
  ck_assert_st(boc_when(&c, 1, null_out_body, &ran, NULL, NULL), BOC_OK);
  ck_assert_st(boc_runtime_quiesce(BOC_SEC(10)), BOC_OK);
  tu_assert_clean();
  ck_assert_int_eq(atomic_load(&ran), 1);
  ck_assert_st(boc_cown_release(c), BOC_OK);
}
END_TEST

/* A behavior that publishes its handle and blocks, so other threads can try
 * to use a handle that is valid but not theirs. */
typedef struct published {
  tu_gate_t gate;
  _Atomic(boc_behavior_t *) handle;
  _Atomic(int) foreign_ran;
} published_t;

static void publish_body(boc_behavior_t *b, void *arg) {
  published_t *p = arg;
  atomic_store(&p->handle, b);
  tu_gate_body(b, &p->gate);
}

static void expect_accessors_refuse(boc_behavior_t *h, const char *who) {
  size_t n = 3;
  boc_cown_t *c = (boc_cown_t *)0x5;
  void *a = (void *)0x6;
  uint64_t id = 7;
  int st;
  if ((st = boc_behavior_cown_count(h, &n)) != BOC_EINVAL)
    tu_fail_record(__FILE__, __LINE__, "%s: cown_count returned %d", who, st);
  if ((st = boc_behavior_cown(h, 0, &c)) != BOC_EINVAL)
    tu_fail_record(__FILE__, __LINE__, "%s: cown returned %d", who, st);
  if ((st = boc_behavior_result(h, &c)) != BOC_EINVAL)
    tu_fail_record(__FILE__, __LINE__, "%s: result returned %d", who, st);
  if ((st = boc_behavior_arg(h, &a)) != BOC_EINVAL)
    tu_fail_record(__FILE__, __LINE__, "%s: arg returned %d", who, st);
  if ((st = boc_behavior_id(h, &id)) != BOC_EINVAL)
    tu_fail_record(__FILE__, __LINE__, "%s: id returned %d", who, st);
  if ((st = boc_behavior_complete(h)) != BOC_EINVAL)
    tu_fail_record(__FILE__, __LINE__, "%s: complete returned %d", who, st);
  if (n != 3 || c != (boc_cown_t *)0x5 || a != (void *)0x6 || id != 7)
    tu_fail_record(__FILE__, __LINE__, "%s: out-parameter written on error",
                   who);
}

static void foreign_accessor_body(boc_behavior_t *b, void *arg) {
  (void)b;
  published_t *p = arg;
  expect_accessors_refuse(atomic_load(&p->handle), "another behavior");
  atomic_store(&p->foreign_ran, 1);
}

START_TEST(test_errors_behavior_accessors_reject_other_threads_behavior) {
  boc_cown_t *c = tu_cown(), *d = tu_cown();
  published_t p;
  tu_gate_init(&p.gate);
  atomic_init(&p.handle, NULL);
  atomic_init(&p.foreign_ran, 0);
  ck_assert_st(boc_when(&c, 1, publish_body, &p, NULL, NULL), BOC_OK);
  tu_gate_wait_entered(&p.gate);
  boc_behavior_t *h = atomic_load(&p.handle);
  ck_assert_ptr_nonnull(h);
  expect_accessors_refuse(h, "main thread");
  /* from a behavior running on the other worker */
  ck_assert_st(boc_when(&d, 1, foreign_accessor_body, &p, NULL, NULL), BOC_OK);
  int ok;
  TU_WAIT_UNTIL(ok, atomic_load(&p.foreign_ran), 10000);
  ck_assert_msg(ok, "behavior on the other worker did not run");
  tu_gate_open(&p.gate);
  ck_assert_st(boc_runtime_quiesce(BOC_SEC(10)), BOC_OK);
  tu_assert_clean();
  ck_assert_st(boc_cown_release(c), BOC_OK);
  ck_assert_st(boc_cown_release(d), BOC_OK);
}
END_TEST

/* ---- runtime --------------------------------------------------------------------------- */

START_TEST(test_errors_runtime_functions_reject_null_out) {
  for (int running = 0; running < 2; running++) {
    ck_assert_st(boc_runtime_config_init(NULL), BOC_EINVAL);
    int st = boc_runtime_worker_count(NULL);
    ck_assert_msg(st == BOC_EINVAL || (!running && st == BOC_ENOTRUNNING),
                  "worker_count(NULL) returned %d", st);
    ck_assert_st(boc_runtime_in_flight(NULL), BOC_EINVAL);
    ck_assert_st(boc_default_worker_count(NULL), BOC_EINVAL);
    ck_assert_st(boc_runtime_stats(NULL, 0, NULL), BOC_EINVAL);
    boc_worker_stats_t s;
    ck_assert_st(boc_runtime_stats(&s, 1, NULL), BOC_EINVAL);
    size_t count = 99;
    ck_assert_st(boc_runtime_stats(NULL, 1, &count), BOC_EINVAL);
    ck_assert_uint_eq(count, 99);
    ck_assert_st(boc_runtime_stats(NULL, 0, &count), BOC_OK);
    if (!running)
      tu_start(2, 0);
  }
}
END_TEST

START_TEST(test_errors_lifecycle_when_not_running) {
  ck_assert_st(boc_runtime_quiesce(0), BOC_ENOTRUNNING);
  ck_assert_st(boc_runtime_quiesce(BOC_MSEC(1)), BOC_ENOTRUNNING);
  ck_assert_st(boc_runtime_quiesce(BOC_FOREVER), BOC_ENOTRUNNING);
  ck_assert_st(boc_runtime_wait(0), BOC_ENOTRUNNING);
  ck_assert_st(boc_runtime_wait(BOC_FOREVER), BOC_ENOTRUNNING);
  ck_assert_st(boc_runtime_shutdown(), BOC_ENOTRUNNING);
  uint32_t n = 42;
  ck_assert_st(boc_runtime_worker_count(&n), BOC_ENOTRUNNING);
  ck_assert_uint_eq(n, 42);
  uint64_t f = 42;
  ck_assert_st(boc_runtime_in_flight(&f), BOC_OK);
  ck_assert_uint_eq(f, 0);
}
END_TEST

START_TEST(test_errors_start_rejects_bad_config) {
  boc_runtime_config_t cfg;
  ck_assert_st(boc_runtime_config_init(&cfg), BOC_OK);
  cfg.workers = 1;
  cfg.pull_slots = 2;
  ck_assert_st(boc_runtime_start(&cfg), BOC_EINVAL);
  cfg.pull_slots = 0;
  cfg.reserved[5] = 0x80000000u;
  ck_assert_st(boc_runtime_start(&cfg), BOC_EINVAL);
  cfg.reserved[5] = 0;
  cfg.workers = BOC_MAX_WORKERS + 1;
  ck_assert_st(boc_runtime_start(&cfg), BOC_EINVAL);
  ck_assert(!tu_running());
  ck_assert_st(boc_runtime_quiesce(0), BOC_ENOTRUNNING);
}
END_TEST

START_TEST(test_errors_negative_timeouts_wait_forever) {
  /* Any negative timeout means forever: an idle runtime quiesces at once. */
  tu_start(1, 0);
  ck_assert_st(boc_runtime_quiesce(-2), BOC_OK);
  ck_assert_st(boc_runtime_quiesce(INT64_MIN), BOC_OK);
  ck_assert_st(boc_runtime_wait(INT64_MIN), BOC_OK);
}
END_TEST

/* ---- pull API ---------------------------------------------------------------------------- */

START_TEST(test_errors_pull_functions_when_not_running_or_detached) {
  boc_behavior_t *b = (boc_behavior_t *)0x7;
  uint32_t slot = 9;
  ck_assert_st(boc_worker_attach(BOC_ANY_SLOT, &slot), BOC_ENOTRUNNING);
  ck_assert_uint_eq(slot, 9);
  ck_assert_st(boc_worker_detach(), BOC_ENOTATTACHED);
  ck_assert_st(boc_worker_pull(0, &b), BOC_ENOTATTACHED);
  ck_assert_st(boc_worker_pull(BOC_FOREVER, &b), BOC_ENOTATTACHED);
  ck_assert_ptr_eq(b, (boc_behavior_t *)0x7);
  ck_assert_st(boc_behavior_complete(NULL), BOC_EINVAL);
  tu_start(2, 1);
  ck_assert_st(boc_worker_detach(), BOC_ENOTATTACHED);
  ck_assert_st(boc_worker_pull(0, &b), BOC_ENOTATTACHED);
  ck_assert_st(boc_behavior_complete(NULL), BOC_EINVAL);
  ck_assert_st(boc_worker_attach(-7, NULL), BOC_EINVAL);
  ck_assert_st(boc_worker_attach(0, NULL), BOC_EINVAL);
  ck_assert_st(boc_worker_attach(2, NULL), BOC_EINVAL);
  ck_assert_st(boc_worker_attach(1, NULL), BOC_OK);
  ck_assert_st(boc_worker_pull(0, NULL), BOC_EINVAL);
  ck_assert_st(boc_behavior_complete(NULL), BOC_EINVAL);
  ck_assert_st(boc_worker_detach(), BOC_OK);
}
END_TEST

static Suite *errors_suite(void) {
  Suite *s = suite_create("errors");

  TCase *tc = tcase_create("running");
  tcase_set_timeout(tc, TU_TIMEOUT(20));
  tcase_add_checked_fixture(tc, tu_setup_w2, tu_teardown);
  tcase_add_test(tc, test_errors_strerror_never_null);
  tcase_add_test(tc, test_errors_cown_create_null_out_keeps_payload);
  tcase_add_test(tc, test_errors_cown_functions_reject_null_cown);
  tcase_add_test(tc, test_errors_cown_functions_reject_null_out);
  tcase_add_test(tc, test_errors_cown_functions_reject_non_cown_handle);
  tcase_add_test(tc, test_errors_cown_set_flags_invalid_bits_checked_before_hold);
  tcase_add_test(tc, test_errors_when_rejects_bad_arguments);
  tcase_add_test(tc, test_errors_behavior_accessors_reject_null_behavior);
  tcase_add_test(tc, test_errors_behavior_accessors_reject_non_behavior_handle);
  tcase_add_test(tc, test_errors_behavior_accessors_reject_null_out);
  tcase_add_test(tc, test_errors_behavior_accessors_reject_other_threads_behavior);
  suite_add_tcase(s, tc);

  tc = tcase_create("stopped");
  tcase_set_timeout(tc, TU_TIMEOUT(20));
  tcase_add_checked_fixture(tc, NULL, tu_teardown);
  tcase_add_test(tc, test_errors_when_before_start_is_not_running);
  tcase_add_test(tc, test_errors_runtime_functions_reject_null_out);
  tcase_add_test(tc, test_errors_lifecycle_when_not_running);
  tcase_add_test(tc, test_errors_start_rejects_bad_config);
  tcase_add_test(tc, test_errors_negative_timeouts_wait_forever);
  tcase_add_test(tc, test_errors_pull_functions_when_not_running_or_detached);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  tu_init("check_errors");
  return tu_run(errors_suite());
}
