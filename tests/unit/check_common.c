/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

/* check_common.c - status strings, versions and shared constants. */

#define _POSIX_C_SOURCE 200809L
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#define UNKNOWN_TEXT "unknown libboc status"

START_TEST(test_strerror_every_code_has_its_own_text) {
  for (int i = 0; i < BOC_STATUS_MAX; i++) {
    const char *s = boc_strerror(i);
    ck_assert_msg(s != NULL, "boc_strerror(%d) is NULL", i);
    ck_assert_msg(s[0] != '\0', "boc_strerror(%d) is empty", i);
    ck_assert_msg(strcmp(s, UNKNOWN_TEXT) != 0,
                  "boc_strerror(%d) says the code is unknown", i);
    for (int j = 0; j < i; j++)
      ck_assert_msg(strcmp(s, boc_strerror(j)) != 0,
                    "boc_strerror(%d) and boc_strerror(%d) are both \"%s\"",
                    i, j, s);
  }
}
END_TEST

START_TEST(test_strerror_unknown_codes_say_unknown) {
  const int codes[] = {-1, -13, BOC_STATUS_MAX, BOC_STATUS_MAX + 1, 100,
                       INT_MAX, INT_MIN};
  for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
    const char *s = boc_strerror(codes[i]);
    ck_assert_msg(s != NULL, "boc_strerror(%d) is NULL", codes[i]);
    ck_assert_str_eq(s, UNKNOWN_TEXT);
  }
}
END_TEST

START_TEST(test_strerror_returns_stable_static_strings) {
  for (int i = -1; i <= BOC_STATUS_MAX; i++) {
    const char *a = boc_strerror(i);
    char copy[256];
    snprintf(copy, sizeof copy, "%s", a);
    const char *b = boc_strerror(i);
    ck_assert_str_eq(a, b);
    ck_assert_str_eq(copy, b);
  }
}
END_TEST

START_TEST(test_strerror_ok_is_not_an_error_text) {
  /* BOC_OK describes success, and the runtime need not be started. */
  const char *s = boc_strerror(BOC_OK);
  ck_assert_ptr_nonnull(s);
  ck_assert_str_ne(s, boc_strerror(BOC_EINVAL));
  ck_assert(!tu_running());
}
END_TEST

START_TEST(test_status_values_are_fixed_by_the_abi) {
  ck_assert_int_eq(BOC_OK, 0);
  ck_assert_int_eq(BOC_EINVAL, 1);
  ck_assert_int_eq(BOC_ENOMEM, 2);
  ck_assert_int_eq(BOC_ENOTRUNNING, 3);
  ck_assert_int_eq(BOC_ERUNNING, 4);
  ck_assert_int_eq(BOC_ESHUTDOWN, 5);
  ck_assert_int_eq(BOC_ETIMEDOUT, 6);
  ck_assert_int_eq(BOC_EBUSY, 7);
  ck_assert_int_eq(BOC_ENOTHELD, 8);
  ck_assert_int_eq(BOC_ENOTATTACHED, 9);
  ck_assert_int_eq(BOC_ESTOPPED, 10);
  ck_assert_int_eq(BOC_EDEADLK, 11);
  ck_assert_int_eq(BOC_ENOSLOT, 12);
  ck_assert_int_eq(BOC_EINTERNAL, 13);
  ck_assert_int_eq(BOC_ENOENT, 14);
  ck_assert_int_eq(BOC_EFULL, 15);
  ck_assert_int_eq(BOC_ECONFLICT, 16);
  ck_assert_int_eq(BOC_STATUS_MAX, 17);
}
END_TEST

START_TEST(test_version_matches_header) {
  const char *v = boc_version();
  ck_assert_ptr_nonnull(v);
  ck_assert_str_eq(v, BOC_VERSION_STRING);
  char want[64];
  snprintf(want, sizeof want, "%d.%d.%d", BOC_VERSION_MAJOR, BOC_VERSION_MINOR,
           BOC_VERSION_PATCH);
  ck_assert_str_eq(v, want);
  ck_assert_ptr_eq(v, boc_version());
}
END_TEST

START_TEST(test_abi_version_matches_header) {
  ck_assert_int_eq(boc_abi_version(), BOC_ABI_VERSION);
}
END_TEST

START_TEST(test_timeout_macros_are_nanoseconds) {
  ck_assert(BOC_FOREVER < 0);
  ck_assert(BOC_MSEC(1) == 1000000);
  ck_assert(BOC_MSEC(1500) == 1500000000);
  ck_assert(BOC_SEC(3) == INT64_C(3000000000));
  ck_assert(BOC_SEC(10) == BOC_MSEC(10000));
  ck_assert_int_eq(BOC_MAX_WORKERS, 1024);
  ck_assert(sizeof(BOC_SEC(1)) == sizeof(int64_t));
}
END_TEST

static _Atomic(int) strerror_bad;

static void *strerror_thread(void *arg) {
  (void)arg;
  for (int round = 0; round < 2000; round++) {
    int code = (round % (BOC_STATUS_MAX + 3)) - 1;
    const char *s = boc_strerror(code);
    if (s == NULL || s[0] == '\0')
      atomic_fetch_add(&strerror_bad, 1);
    if (boc_abi_version() != BOC_ABI_VERSION ||
        strcmp(boc_version(), BOC_VERSION_STRING) != 0)
      atomic_fetch_add(&strerror_bad, 1);
  }
  return NULL;
}

START_TEST(test_strerror_and_versions_are_thread_safe) {
  pthread_t th[4];
  for (int i = 0; i < 4; i++)
    ck_assert_int_eq(pthread_create(&th[i], NULL, strerror_thread, NULL), 0);
  for (int i = 0; i < 4; i++)
    pthread_join(th[i], NULL);
  ck_assert_int_eq(atomic_load(&strerror_bad), 0);
}
END_TEST

static Suite *common_suite(void) {
  Suite *s = suite_create("common");
  TCase *tc = tcase_create("common");
  tcase_set_timeout(tc, TU_TIMEOUT(10));
  tcase_add_test(tc, test_strerror_every_code_has_its_own_text);
  tcase_add_test(tc, test_strerror_unknown_codes_say_unknown);
  tcase_add_test(tc, test_strerror_returns_stable_static_strings);
  tcase_add_test(tc, test_strerror_ok_is_not_an_error_text);
  tcase_add_test(tc, test_status_values_are_fixed_by_the_abi);
  tcase_add_test(tc, test_version_matches_header);
  tcase_add_test(tc, test_abi_version_matches_header);
  tcase_add_test(tc, test_timeout_macros_are_nanoseconds);
  tcase_add_test(tc, test_strerror_and_versions_are_thread_safe);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  tu_init("check_common");
  return tu_run(common_suite());
}
