/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

/* check_noticeboard.c - the noticeboard: entries, versions,
 * compare-and-set, capacity, keys, snapshots, blob lifetimes, sync, and
 * concurrent use from threads and from native behaviors. */

#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* ---- helpers ------------------------------------------------------------- */

#define K(s) (s), strlen(s) /* a C string as (key, len) */

/* A blob holding size bytes and the given cowns (borrowed); NULL (and a
 * recorded failure) if it cannot be made.  Usable off the test thread. */
static boc_blob_t *mk_blob(const void *data, size_t size, boc_cown_t **cowns,
                           size_t ncowns) {
  boc_blob_t *b = NULL;
  int st = boc_blob_create(data, size, cowns, ncowns, 0, &b);
  if (st != BOC_OK) {
    tu_fail_record(__FILE__, __LINE__, "boc_blob_create: %s", boc_strerror(st));
    return NULL;
  }
  return b;
}

static boc_blob_t *mk_str(const char *s) {
  return mk_blob(s, strlen(s), NULL, 0);
}

static boc_blob_t *mk_u64(uint64_t v) { return mk_blob(&v, sizeof v, NULL, 0); }

/* The uint64_t in a blob made by mk_u64 (UINT64_MAX and a failure if the
 * blob has another size). */
static uint64_t blob_u64(const boc_blob_t *b) {
  const void *data = NULL;
  size_t size = 0;
  uint64_t v = UINT64_MAX;
  if (boc_blob_data(b, &data, &size) != BOC_OK || size != sizeof v) {
    tu_fail_record(__FILE__, __LINE__, "blob is not a uint64_t (size %zu)",
                   size);
    return UINT64_MAX;
  }
  memcpy(&v, data, sizeof v);
  return v;
}

/* 1 if the blob holds exactly the bytes of s. */
static int blob_is(const boc_blob_t *b, const char *s) {
  const void *data = NULL;
  size_t size = 0;
  if (boc_blob_data(b, &data, &size) != BOC_OK)
    return 0;
  return size == strlen(s) && memcmp(data, s, size) == 0;
}

/* Write a string value (test thread); returns the entry's version. */
static uint64_t put_str(const char *key, size_t len, const char *value) {
  boc_blob_t *b = mk_str(value);
  ck_assert_ptr_nonnull(b);
  uint64_t v = 0;
  ck_assert_st(boc_nb_write(key, len, b, &v), BOC_OK);
  ck_assert_st(boc_blob_release(b), BOC_OK);
  return v;
}

/* Assert that key holds the string value (test thread); returns its
 * version. */
static uint64_t expect_str(const char *key, size_t len, const char *value) {
  boc_blob_t *b = NULL;
  uint64_t v = 0;
  ck_assert_st(boc_nb_read(key, len, &b, &v), BOC_OK);
  ck_assert_msg(blob_is(b, value), "key does not hold \"%s\"", value);
  ck_assert_st(boc_blob_release(b), BOC_OK);
  return v;
}

static uint64_t board_version(void) {
  uint64_t v = UINT64_MAX;
  ck_assert_st(boc_nb_version(&v), BOC_OK);
  return v;
}

static size_t board_count(void) {
  boc_nb_snapshot_t *s = NULL;
  size_t n = SIZE_MAX;
  ck_assert_st(boc_nb_snapshot(&s), BOC_OK);
  ck_assert_st(boc_nb_snapshot_count(s, &n), BOC_OK);
  ck_assert_st(boc_nb_snapshot_release(s), BOC_OK);
  return n;
}

/*
 * Read-modify-write: add 1 to the uint64_t under key (absent = 0) with a
 * compare-and-set retry loop.  Usable off the test thread; returns the
 * status of the final compare-and-set and counts conflicts.
 */
static int increment(const char *key, uint64_t *conflicts) {
  size_t len = strlen(key);
  for (;;) {
    boc_blob_t *cur = NULL;
    uint64_t ver = 0, val = 0;
    int st = boc_nb_read(key, len, &cur, &ver);
    if (st == BOC_OK) {
      val = blob_u64(cur);
      boc_blob_release(cur);
    } else if (st != BOC_ENOENT) {
      return st;
    }
    boc_blob_t *next = mk_u64(val + 1);
    if (next == NULL)
      return BOC_ENOMEM;
    st = boc_nb_compare_and_set(key, len, ver, next, NULL);
    boc_blob_release(next);
    if (st != BOC_ECONFLICT)
      return st;
    if (conflicts != NULL)
      (*conflicts)++;
  }
}

/* The board is process-wide: start every test from an empty board with
 * the default capacity (needed with CK_FORK=no), and leave it so. */
static void nb_reset(void) {
  ck_assert_st(boc_nb_clear(), BOC_OK);
  ck_assert_st(boc_nb_set_capacity(BOC_NB_DEFAULT_CAPACITY), BOC_OK);
}
static void setup_stopped(void) { nb_reset(); }
static void setup_w2(void) {
  nb_reset();
  tu_start(2, 0);
}
static void teardown(void) {
  tu_teardown();
  nb_reset();
}

/* ---- write, read, overwrite, delete -------------------------------------- */

START_TEST(test_nb_write_then_read_returns_the_blob) {
  boc_blob_t *b = mk_str("hello");
  ck_assert_ptr_nonnull(b);
  uint64_t wv = 0;
  ck_assert_st(boc_nb_write(K("greeting"), b, &wv), BOC_OK);
  ck_assert_uint_gt(wv, 0);

  boc_blob_t *r = NULL;
  uint64_t rv = 0;
  ck_assert_st(boc_nb_read(K("greeting"), &r, &rv), BOC_OK);
  ck_assert_ptr_eq(r, b); /* the same blob, not a copy */
  ck_assert_uint_eq(rv, wv);
  ck_assert(blob_is(r, "hello"));
  ck_assert_st(boc_blob_release(r), BOC_OK);
  ck_assert_st(boc_blob_release(b), BOC_OK);
  /* The entry's own reference keeps the blob alive. */
  expect_str(K("greeting"), "hello");
  /* version may be NULL for both calls. */
  b = mk_str("x");
  ck_assert_st(boc_nb_write(K("other"), b, NULL), BOC_OK);
  ck_assert_st(boc_nb_read(K("other"), &r, NULL), BOC_OK);
  ck_assert_ptr_eq(r, b);
  ck_assert_st(boc_blob_release(r), BOC_OK);
  ck_assert_st(boc_blob_release(b), BOC_OK);
}
END_TEST

START_TEST(test_nb_overwrite_replaces_value_and_version) {
  uint64_t v1 = put_str(K("k"), "one");
  uint64_t v2 = put_str(K("k"), "two");
  ck_assert_uint_gt(v2, v1);
  ck_assert_uint_eq(expect_str(K("k"), "two"), v2);
  ck_assert_uint_eq(board_count(), 1);
  /* Writing the same blob again is an ordinary change. */
  boc_blob_t *b = NULL;
  ck_assert_st(boc_nb_read(K("k"), &b, NULL), BOC_OK);
  uint64_t v3 = 0;
  ck_assert_st(boc_nb_write(K("k"), b, &v3), BOC_OK);
  ck_assert_uint_gt(v3, v2);
  ck_assert_st(boc_blob_release(b), BOC_OK);
  ck_assert_uint_eq(expect_str(K("k"), "two"), v3);
}
END_TEST

START_TEST(test_nb_delete_removes_the_key) {
  put_str(K("a"), "1");
  put_str(K("b"), "2");
  ck_assert_st(boc_nb_delete(K("a")), BOC_OK);
  boc_blob_t *r = (boc_blob_t *)0x1;
  uint64_t v = 77;
  ck_assert_st(boc_nb_read(K("a"), &r, &v), BOC_ENOENT);
  ck_assert_ptr_eq(r, (boc_blob_t *)0x1); /* untouched on error */
  ck_assert_uint_eq(v, 77);
  ck_assert_st(boc_nb_delete(K("a")), BOC_ENOENT);
  expect_str(K("b"), "2");
  ck_assert_uint_eq(board_count(), 1);
  /* A deleted key can be written again, with a new version. */
  uint64_t va = put_str(K("a"), "3");
  ck_assert_uint_eq(expect_str(K("a"), "3"), va);
}
END_TEST

START_TEST(test_nb_missing_key_is_enoent) {
  boc_blob_t *r = (boc_blob_t *)0x1;
  uint64_t v = 77;
  ck_assert_st(boc_nb_read(K("nothing"), &r, &v), BOC_ENOENT);
  ck_assert_ptr_eq(r, (boc_blob_t *)0x1);
  ck_assert_uint_eq(v, 77);
  ck_assert_st(boc_nb_delete(K("nothing")), BOC_ENOENT);
}
END_TEST

START_TEST(test_nb_keys_are_byte_strings) {
  const char hi[] = {(char)0xff, (char)0x80, 'x'};
  put_str(K("ab"), "ab");
  put_str(K("abc"), "abc");
  put_str("abcdef", 1, "a"); /* only the first len bytes count */
  put_str(hi, sizeof hi, "hi");
  expect_str(K("ab"), "ab");
  expect_str(K("abc"), "abc");
  expect_str(K("a"), "a");
  expect_str(hi, sizeof hi, "hi");
  boc_blob_t *r = NULL;
  ck_assert_st(boc_nb_read(hi, 2, &r, NULL), BOC_ENOENT);
  ck_assert_st(boc_nb_read(K("AB"), &r, NULL), BOC_ENOENT);
  ck_assert_uint_eq(board_count(), 4);
}
END_TEST

START_TEST(test_nb_empty_key_is_a_key) {
  uint64_t v = put_str(NULL, 0, "empty");
  ck_assert_uint_eq(expect_str("", 0, "empty"), v);
  ck_assert_uint_eq(expect_str("ignored", 0, "empty"), v);
  ck_assert_uint_eq(board_count(), 1);
  boc_nb_snapshot_t *s = NULL;
  ck_assert_st(boc_nb_snapshot(&s), BOC_OK);
  const char *key = NULL;
  size_t len = 99;
  boc_blob_t *val = NULL;
  ck_assert_st(boc_nb_snapshot_entry(s, 0, &key, &len, &val, NULL), BOC_OK);
  ck_assert_uint_eq(len, 0);
  ck_assert_ptr_nonnull(key);
  ck_assert(blob_is(val, "empty"));
  ck_assert_st(boc_nb_snapshot_release(s), BOC_OK);
  ck_assert_st(boc_nb_delete(NULL, 0), BOC_OK);
  ck_assert_uint_eq(board_count(), 0);
}
END_TEST

START_TEST(test_nb_null_value_and_outputs_are_einval) {
  uint64_t v = 77;
  ck_assert_st(boc_nb_write(K("k"), NULL, &v), BOC_EINVAL);
  ck_assert_uint_eq(v, 77);
  ck_assert_uint_eq(board_count(), 0);
  put_str(K("k"), "x");
  ck_assert_st(boc_nb_read(K("k"), NULL, &v), BOC_EINVAL);
  ck_assert_uint_eq(v, 77);
  ck_assert_st(boc_nb_version(NULL), BOC_EINVAL);
  ck_assert_st(boc_nb_snapshot(NULL), BOC_EINVAL);
  ck_assert_st(boc_nb_capacity(NULL), BOC_EINVAL);
  ck_assert_st(boc_nb_snapshot_version(NULL, &v), BOC_EINVAL);
  size_t n = 5;
  ck_assert_st(boc_nb_snapshot_count(NULL, &n), BOC_EINVAL);
  ck_assert_uint_eq(n, 5);
  const char *key = NULL;
  size_t len = 0;
  boc_blob_t *val = NULL;
  ck_assert_st(boc_nb_snapshot_entry(NULL, 0, &key, &len, &val, NULL),
               BOC_EINVAL);
  boc_nb_snapshot_t *s = NULL;
  ck_assert_st(boc_nb_snapshot(&s), BOC_OK);
  ck_assert_st(boc_nb_snapshot_version(s, NULL), BOC_EINVAL);
  ck_assert_st(boc_nb_snapshot_count(s, NULL), BOC_EINVAL);
  ck_assert_st(boc_nb_snapshot_entry(s, 0, NULL, &len, &val, NULL), BOC_EINVAL);
  ck_assert_st(boc_nb_snapshot_entry(s, 0, &key, NULL, &val, NULL), BOC_EINVAL);
  ck_assert_st(boc_nb_snapshot_entry(s, 0, &key, &len, NULL, NULL), BOC_EINVAL);
  ck_assert_st(boc_nb_snapshot_release(s), BOC_OK);
  ck_assert_st(boc_nb_snapshot_release(NULL), BOC_OK);
}
END_TEST

/* ---- keys ---------------------------------------------------------------- */

START_TEST(test_nb_key_of_63_bytes_is_accepted) {
  char key[BOC_NB_MAX_KEY_SIZE];
  memset(key, 'k', sizeof key);
  ck_assert_uint_eq(sizeof key, 63);
  uint64_t v = put_str(key, sizeof key, "long");
  ck_assert_uint_eq(expect_str(key, sizeof key, "long"), v);
  boc_blob_t *b = mk_str("cas");
  uint64_t v2 = 0;
  ck_assert_st(boc_nb_compare_and_set(key, sizeof key, v, b, &v2), BOC_OK);
  ck_assert_st(boc_blob_release(b), BOC_OK);
  boc_nb_snapshot_t *s = NULL;
  ck_assert_st(boc_nb_snapshot(&s), BOC_OK);
  const char *k = NULL;
  size_t len = 0;
  boc_blob_t *val = NULL;
  ck_assert_st(boc_nb_snapshot_entry(s, 0, &k, &len, &val, NULL), BOC_OK);
  ck_assert_uint_eq(len, 63);
  ck_assert_int_eq(memcmp(k, key, 63), 0);
  ck_assert_st(boc_nb_snapshot_release(s), BOC_OK);
  ck_assert_st(boc_nb_delete(key, sizeof key), BOC_OK);
}
END_TEST

START_TEST(test_nb_key_of_64_bytes_is_einval) {
  char key[BOC_NB_MAX_KEY_SIZE + 1];
  memset(key, 'k', sizeof key);
  boc_blob_t *b = mk_str("v");
  uint64_t v = 77;
  boc_blob_t *r = (boc_blob_t *)0x1;
  uint64_t before = board_version();
  ck_assert_st(boc_nb_write(key, sizeof key, b, &v), BOC_EINVAL);
  ck_assert_st(boc_nb_read(key, sizeof key, &r, &v), BOC_EINVAL);
  ck_assert_st(boc_nb_delete(key, sizeof key), BOC_EINVAL);
  ck_assert_st(boc_nb_compare_and_set(key, sizeof key, 0, b, &v), BOC_EINVAL);
  ck_assert_st(boc_nb_compare_and_set(key, SIZE_MAX, 0, b, &v), BOC_EINVAL);
  ck_assert_uint_eq(v, 77);
  ck_assert_ptr_eq(r, (boc_blob_t *)0x1);
  ck_assert_uint_eq(board_version(), before);
  ck_assert_uint_eq(board_count(), 0);
  ck_assert_st(boc_blob_release(b), BOC_OK);
}
END_TEST

START_TEST(test_nb_key_with_nul_byte_is_einval) {
  const char key[] = {'a', '\0', 'b'};
  boc_blob_t *b = mk_str("v");
  boc_blob_t *r = NULL;
  ck_assert_st(boc_nb_write(key, sizeof key, b, NULL), BOC_EINVAL);
  ck_assert_st(boc_nb_write("\0", 1, b, NULL), BOC_EINVAL);
  ck_assert_st(boc_nb_read(key, sizeof key, &r, NULL), BOC_EINVAL);
  ck_assert_st(boc_nb_delete(key, sizeof key), BOC_EINVAL);
  ck_assert_st(boc_nb_compare_and_set(key, sizeof key, 0, b, NULL), BOC_EINVAL);
  ck_assert_st(boc_nb_compare_and_set(key, sizeof key, 0, NULL, NULL),
               BOC_EINVAL);
  ck_assert_uint_eq(board_count(), 0);
  /* The bytes before the NUL are a fine key on their own. */
  ck_assert_st(boc_nb_write(key, 1, b, NULL), BOC_OK);
  ck_assert_st(boc_blob_release(b), BOC_OK);
  expect_str(K("a"), "v");
}
END_TEST

START_TEST(test_nb_null_key_with_length_is_einval) {
  boc_blob_t *b = mk_str("v");
  boc_blob_t *r = NULL;
  ck_assert_st(boc_nb_write(NULL, 1, b, NULL), BOC_EINVAL);
  ck_assert_st(boc_nb_read(NULL, 3, &r, NULL), BOC_EINVAL);
  ck_assert_st(boc_nb_delete(NULL, 1), BOC_EINVAL);
  ck_assert_st(boc_nb_compare_and_set(NULL, 1, 0, b, NULL), BOC_EINVAL);
  ck_assert_uint_eq(board_count(), 0);
  ck_assert_st(boc_blob_release(b), BOC_OK);
}
END_TEST

/* ---- versions ------------------------------------------------------------ */

START_TEST(test_nb_versions_are_unique_and_increasing) {
  TU_RNG(rng);
  enum { KEYS = 8 };
  uint64_t seen_max = board_version();
  uint64_t cur[KEYS] = {0};
  size_t n = tu_scale(2000);
  for (size_t i = 0; i < n; i++) {
    unsigned k = tu_rng_below(&rng, KEYS);
    char key[8];
    snprintf(key, sizeof key, "k%u", k);
    uint64_t v;
    if (cur[k] != 0 && tu_rng_below(&rng, 4) == 0) {
      ck_assert_st(boc_nb_delete(K(key)), BOC_OK);
      v = board_version();
      cur[k] = 0;
    } else {
      boc_blob_t *b = mk_u64(i);
      ck_assert_st(boc_nb_write(K(key), b, &v), BOC_OK);
      ck_assert_st(boc_blob_release(b), BOC_OK);
      cur[k] = v;
      ck_assert_uint_eq(board_version(), v);
    }
    ck_assert_msg(v > seen_max, "version %llu after %llu",
                  (unsigned long long)v, (unsigned long long)seen_max);
    seen_max = v;
  }
  for (unsigned k = 0; k < KEYS; k++) {
    char key[8];
    snprintf(key, sizeof key, "k%u", k);
    boc_blob_t *b = NULL;
    uint64_t v = 0;
    int st = boc_nb_read(K(key), &b, &v);
    if (cur[k] == 0) {
      ck_assert_st(st, BOC_ENOENT);
    } else {
      ck_assert_st(st, BOC_OK);
      ck_assert_uint_eq(v, cur[k]);
      ck_assert_st(boc_blob_release(b), BOC_OK);
    }
  }
}
END_TEST

START_TEST(test_nb_board_version_changes_on_changes_only) {
  uint64_t v0 = board_version();
  /* Clearing an empty board changes nothing. */
  ck_assert_st(boc_nb_clear(), BOC_OK);
  ck_assert_uint_eq(board_version(), v0);

  uint64_t w = put_str(K("a"), "1");
  ck_assert_uint_gt(w, v0);
  ck_assert_uint_eq(board_version(), w);

  /* Reads, snapshots, syncs and failed changes leave it alone. */
  expect_str(K("a"), "1");
  boc_blob_t *r = NULL;
  ck_assert_st(boc_nb_read(K("zz"), &r, NULL), BOC_ENOENT);
  ck_assert_uint_eq(board_count(), 1);
  uint64_t sv = 0;
  ck_assert_st(boc_nb_sync(0, &sv), BOC_OK);
  ck_assert_uint_eq(sv, w);
  ck_assert_st(boc_nb_delete(K("zz")), BOC_ENOENT);
  boc_blob_t *b = mk_str("2");
  ck_assert_st(boc_nb_compare_and_set(K("a"), w + 1000, b, NULL),
               BOC_ECONFLICT);
  ck_assert_st(boc_nb_compare_and_set(K("zz"), 5, NULL, NULL), BOC_ECONFLICT);
  ck_assert_st(boc_nb_set_capacity(1), BOC_OK);
  ck_assert_st(boc_nb_write(K("new"), b, NULL), BOC_EFULL);
  ck_assert_st(boc_nb_set_capacity(BOC_NB_DEFAULT_CAPACITY), BOC_OK);
  ck_assert_uint_eq(board_version(), w);

  /* Each change moves it. */
  uint64_t prev = w, v = 0;
  ck_assert_st(boc_nb_compare_and_set(K("a"), w, b, &v), BOC_OK);
  ck_assert_uint_gt(v, prev);
  ck_assert_uint_eq(board_version(), v);
  prev = v;
  ck_assert_st(boc_nb_delete(K("a")), BOC_OK);
  ck_assert_uint_gt(board_version(), prev);
  prev = board_version();
  put_str(K("b"), "3");
  ck_assert_uint_gt(board_version(), prev);
  prev = board_version();
  ck_assert_st(boc_nb_clear(), BOC_OK);
  ck_assert_uint_gt(board_version(), prev);
  ck_assert_st(boc_blob_release(b), BOC_OK);
}
END_TEST

/* ---- compare-and-set ----------------------------------------------------- */

START_TEST(test_nb_cas_replaces_when_version_matches) {
  uint64_t v1 = put_str(K("k"), "old");
  boc_blob_t *b = mk_str("new");
  uint64_t v2 = 0;
  ck_assert_st(boc_nb_compare_and_set(K("k"), v1, b, &v2), BOC_OK);
  ck_assert_uint_gt(v2, v1);
  ck_assert_uint_eq(expect_str(K("k"), "new"), v2);
  /* The old version is stale now. */
  uint64_t cur = 0;
  ck_assert_st(boc_nb_compare_and_set(K("k"), v1, b, &cur), BOC_ECONFLICT);
  ck_assert_uint_eq(cur, v2);
  /* version may be NULL. */
  ck_assert_st(boc_nb_compare_and_set(K("k"), v2, b, NULL), BOC_OK);
  ck_assert_st(boc_blob_release(b), BOC_OK);
}
END_TEST

START_TEST(test_nb_cas_conflict_reports_version_and_changes_nothing) {
  uint64_t v1 = put_str(K("k"), "keep");
  uint64_t before = board_version();
  boc_blob_t *b = mk_str("lose");
  const uint64_t wrong[] = {v1 - 1, v1 + 1, 0, UINT64_MAX};
  for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++) {
    uint64_t cur = 12345;
    ck_assert_st(boc_nb_compare_and_set(K("k"), wrong[i], b, &cur),
                 BOC_ECONFLICT);
    ck_assert_uint_eq(cur, v1);
    cur = 12345;
    ck_assert_st(boc_nb_compare_and_set(K("k"), wrong[i], NULL, &cur),
                 BOC_ECONFLICT);
    ck_assert_uint_eq(cur, v1);
  }
  ck_assert_st(boc_nb_compare_and_set(K("k"), 0, b, NULL), BOC_ECONFLICT);
  ck_assert_uint_eq(expect_str(K("k"), "keep"), v1);
  ck_assert_uint_eq(board_version(), before);
  ck_assert_st(boc_blob_release(b), BOC_OK);
}
END_TEST

START_TEST(test_nb_cas_expected_zero_inserts_if_absent) {
  boc_blob_t *b = mk_str("first");
  uint64_t v = 0;
  ck_assert_st(boc_nb_compare_and_set(K("k"), 0, b, &v), BOC_OK);
  ck_assert_uint_gt(v, 0);
  ck_assert_uint_eq(expect_str(K("k"), "first"), v);
  ck_assert_st(boc_blob_release(b), BOC_OK);
  /* A second insert-if-absent conflicts and reports the entry. */
  b = mk_str("second");
  uint64_t cur = 0;
  ck_assert_st(boc_nb_compare_and_set(K("k"), 0, b, &cur), BOC_ECONFLICT);
  ck_assert_uint_eq(cur, v);
  ck_assert_st(boc_blob_release(b), BOC_OK);
  expect_str(K("k"), "first");
}
END_TEST

START_TEST(test_nb_cas_null_value_deletes) {
  uint64_t v1 = put_str(K("k"), "doomed");
  uint64_t before = board_version();
  uint64_t v = 12345;
  ck_assert_st(boc_nb_compare_and_set(K("k"), v1, NULL, &v), BOC_OK);
  ck_assert_uint_eq(v, 0);
  ck_assert_uint_gt(board_version(), before);
  boc_blob_t *r = NULL;
  ck_assert_st(boc_nb_read(K("k"), &r, NULL), BOC_ENOENT);
  ck_assert_uint_eq(board_count(), 0);
}
END_TEST

START_TEST(test_nb_cas_on_deleted_key_conflicts) {
  uint64_t v1 = put_str(K("k"), "x");
  ck_assert_st(boc_nb_delete(K("k")), BOC_OK);
  boc_blob_t *b = mk_str("y");
  uint64_t cur = 12345;
  ck_assert_st(boc_nb_compare_and_set(K("k"), v1, b, &cur), BOC_ECONFLICT);
  ck_assert_uint_eq(cur, 0); /* absent */
  cur = 12345;
  ck_assert_st(boc_nb_compare_and_set(K("k"), v1, NULL, &cur), BOC_ECONFLICT);
  ck_assert_uint_eq(cur, 0);
  ck_assert_uint_eq(board_count(), 0);
  /* Re-inserting with expected 0 works, and gets a fresh version. */
  uint64_t v2 = 0;
  ck_assert_st(boc_nb_compare_and_set(K("k"), 0, b, &v2), BOC_OK);
  ck_assert_uint_gt(v2, v1);
  ck_assert_st(boc_blob_release(b), BOC_OK);
}
END_TEST

START_TEST(test_nb_cas_delete_of_absent_key_with_zero_changes_nothing) {
  uint64_t before = board_version();
  uint64_t v = 12345;
  ck_assert_st(boc_nb_compare_and_set(K("none"), 0, NULL, &v), BOC_OK);
  ck_assert_uint_eq(v, 0);
  ck_assert_uint_eq(board_version(), before);
  ck_assert_uint_eq(board_count(), 0);
}
END_TEST

START_TEST(test_nb_cas_increment_loop_counts) {
  uint64_t conflicts = 0;
  for (int i = 0; i < 100; i++)
    ck_assert_st(increment("ctr", &conflicts), BOC_OK);
  ck_assert_uint_eq(conflicts, 0); /* nobody else writes */
  boc_blob_t *r = NULL;
  ck_assert_st(boc_nb_read(K("ctr"), &r, NULL), BOC_OK);
  ck_assert_uint_eq(blob_u64(r), 100);
  ck_assert_st(boc_blob_release(r), BOC_OK);
  tu_assert_clean();
}
END_TEST

/* ---- capacity ------------------------------------------------------------ */

START_TEST(test_nb_capacity_default) {
  size_t c = 0;
  ck_assert_st(boc_nb_capacity(&c), BOC_OK);
  ck_assert_uint_eq(c, BOC_NB_DEFAULT_CAPACITY);
  ck_assert_uint_eq(BOC_NB_DEFAULT_CAPACITY, 1024);
  /* The default board takes exactly that many keys. */
  boc_blob_t *b = mk_str("v");
  char key[16];
  for (size_t i = 0; i < BOC_NB_DEFAULT_CAPACITY; i++) {
    snprintf(key, sizeof key, "key%zu", i);
    ck_assert_st(boc_nb_write(K(key), b, NULL), BOC_OK);
  }
  ck_assert_st(boc_nb_write(K("one-more"), b, NULL), BOC_EFULL);
  ck_assert_uint_eq(board_count(), BOC_NB_DEFAULT_CAPACITY);
  ck_assert_st(boc_blob_release(b), BOC_OK);
}
END_TEST

START_TEST(test_nb_full_board_refuses_new_keys_only) {
  ck_assert_st(boc_nb_set_capacity(3), BOC_OK);
  size_t c = 0;
  ck_assert_st(boc_nb_capacity(&c), BOC_OK);
  ck_assert_uint_eq(c, 3);
  uint64_t va = put_str(K("a"), "a");
  put_str(K("b"), "b");
  put_str(K("c"), "c");
  uint64_t before = board_version();

  boc_blob_t *d = mk_str("d");
  uint64_t v = 77;
  ck_assert_st(boc_nb_write(K("d"), d, &v), BOC_EFULL);
  ck_assert_st(boc_nb_compare_and_set(K("d"), 0, d, &v), BOC_EFULL);
  ck_assert_uint_eq(v, 77);
  ck_assert_uint_eq(board_version(), before);
  boc_blob_t *r = NULL;
  ck_assert_st(boc_nb_read(K("d"), &r, NULL), BOC_ENOENT);
  ck_assert_uint_eq(board_count(), 3);

  /* Overwriting and deleting still work on a full board. */
  put_str(K("b"), "b2");
  ck_assert_st(boc_nb_compare_and_set(K("a"), va, d, NULL), BOC_OK);
  expect_str(K("a"), "d");
  ck_assert_st(boc_nb_delete(K("c")), BOC_OK);
  /* ...and make room for a new key. */
  ck_assert_st(boc_nb_write(K("d"), d, NULL), BOC_OK);
  ck_assert_st(boc_nb_write(K("e"), d, NULL), BOC_EFULL);
  ck_assert_st(boc_blob_release(d), BOC_OK);
  /* Clearing empties it entirely. */
  ck_assert_st(boc_nb_clear(), BOC_OK);
  ck_assert_uint_eq(board_count(), 0);
  put_str(K("x"), "x");
  put_str(K("y"), "y");
  put_str(K("z"), "z");
}
END_TEST

START_TEST(test_nb_set_capacity_validates) {
  ck_assert_st(boc_nb_set_capacity(0), BOC_EINVAL);
  ck_assert_st(boc_nb_set_capacity(BOC_NB_MAX_CAPACITY + 1), BOC_EINVAL);
  ck_assert_st(boc_nb_set_capacity(SIZE_MAX), BOC_EINVAL);
  size_t c = 0;
  ck_assert_st(boc_nb_capacity(&c), BOC_OK);
  ck_assert_uint_eq(c, BOC_NB_DEFAULT_CAPACITY);
  ck_assert_st(boc_nb_set_capacity(BOC_NB_MAX_CAPACITY), BOC_OK);
  ck_assert_st(boc_nb_capacity(&c), BOC_OK);
  ck_assert_uint_eq(c, BOC_NB_MAX_CAPACITY);
  ck_assert_st(boc_nb_set_capacity(1), BOC_OK);
  ck_assert_st(boc_nb_capacity(&c), BOC_OK);
  ck_assert_uint_eq(c, 1);
}
END_TEST

START_TEST(test_nb_set_capacity_below_count_is_ebusy) {
  put_str(K("a"), "a");
  put_str(K("b"), "b");
  put_str(K("c"), "c");
  ck_assert_st(boc_nb_set_capacity(2), BOC_EBUSY);
  ck_assert_st(boc_nb_set_capacity(1), BOC_EBUSY);
  size_t c = 0;
  ck_assert_st(boc_nb_capacity(&c), BOC_OK);
  ck_assert_uint_eq(c, BOC_NB_DEFAULT_CAPACITY); /* unchanged */
  ck_assert_st(boc_nb_set_capacity(3), BOC_OK);  /* equal is fine */
  ck_assert_st(boc_nb_capacity(&c), BOC_OK);
  ck_assert_uint_eq(c, 3);
  ck_assert_st(boc_nb_delete(K("a")), BOC_OK);
  ck_assert_st(boc_nb_set_capacity(2), BOC_OK);
}
END_TEST

/* ---- snapshots ----------------------------------------------------------- */

START_TEST(test_nb_snapshot_holds_every_entry) {
  TU_RNG(rng);
  enum { N = 50 };
  uint64_t ver[N], val[N];
  for (unsigned i = 0; i < N; i++) {
    char key[8];
    snprintf(key, sizeof key, "s%u", i);
    val[i] = tu_rng_next(&rng);
    boc_blob_t *b = mk_u64(val[i]);
    ck_assert_st(boc_nb_write(K(key), b, &ver[i]), BOC_OK);
    ck_assert_st(boc_blob_release(b), BOC_OK);
  }
  boc_nb_snapshot_t *s = NULL;
  ck_assert_st(boc_nb_snapshot(&s), BOC_OK);
  uint64_t sv = 0;
  size_t n = 0;
  ck_assert_st(boc_nb_snapshot_version(s, &sv), BOC_OK);
  ck_assert_uint_eq(sv, board_version());
  ck_assert_st(boc_nb_snapshot_count(s, &n), BOC_OK);
  ck_assert_uint_eq(n, N);
  int seen[N] = {0};
  for (size_t i = 0; i < n; i++) {
    const char *key = NULL;
    size_t len = 0;
    boc_blob_t *b = NULL;
    uint64_t v = 0;
    ck_assert_st(boc_nb_snapshot_entry(s, i, &key, &len, &b, &v), BOC_OK);
    ck_assert(len >= 2 && len < 8 && key[0] == 's');
    char buf[8];
    memcpy(buf, key, len);
    buf[len] = '\0';
    unsigned k = (unsigned)strtoul(buf + 1, NULL, 10);
    ck_assert_uint_lt(k, N);
    ck_assert_int_eq(seen[k], 0);
    seen[k] = 1;
    ck_assert_uint_eq(v, ver[k]);
    ck_assert_uint_eq(blob_u64(b), val[k]);
    ck_assert_uint_le(v, sv);
  }
  ck_assert_st(boc_nb_snapshot_release(s), BOC_OK);
  tu_assert_clean();
}
END_TEST

START_TEST(test_nb_snapshot_never_changes) {
  put_str(K("a"), "a1");
  put_str(K("b"), "b1");
  boc_nb_snapshot_t *s = NULL;
  ck_assert_st(boc_nb_snapshot(&s), BOC_OK);
  uint64_t sv = 0;
  ck_assert_st(boc_nb_snapshot_version(s, &sv), BOC_OK);

  put_str(K("a"), "a2");
  ck_assert_st(boc_nb_delete(K("b")), BOC_OK);
  put_str(K("c"), "c1");
  for (int i = 0; i < 100; i++) { /* enough new keys to rehash the map */
    char key[8];
    snprintf(key, sizeof key, "n%d", i);
    put_str(K(key), "n");
  }
  ck_assert_st(boc_nb_clear(), BOC_OK);

  uint64_t sv2 = 0;
  size_t n = 0;
  ck_assert_st(boc_nb_snapshot_version(s, &sv2), BOC_OK);
  ck_assert_uint_eq(sv2, sv);
  ck_assert_uint_gt(board_version(), sv);
  ck_assert_st(boc_nb_snapshot_count(s, &n), BOC_OK);
  ck_assert_uint_eq(n, 2);
  int have_a = 0, have_b = 0;
  for (size_t i = 0; i < n; i++) {
    const char *key = NULL;
    size_t len = 0;
    boc_blob_t *b = NULL;
    ck_assert_st(boc_nb_snapshot_entry(s, i, &key, &len, &b, NULL), BOC_OK);
    ck_assert_uint_eq(len, 1);
    if (key[0] == 'a') {
      have_a = 1;
      ck_assert(blob_is(b, "a1"));
    } else {
      ck_assert_int_eq(key[0], 'b');
      have_b = 1;
      ck_assert(blob_is(b, "b1"));
    }
  }
  ck_assert(have_a && have_b);
  ck_assert_st(boc_nb_snapshot_release(s), BOC_OK);
}
END_TEST

START_TEST(test_nb_snapshot_entry_out_of_range_is_einval) {
  boc_nb_snapshot_t *s = NULL;
  ck_assert_st(boc_nb_snapshot(&s), BOC_OK);
  size_t n = 99;
  ck_assert_st(boc_nb_snapshot_count(s, &n), BOC_OK);
  ck_assert_uint_eq(n, 0);
  const char *key = (const char *)0x1;
  size_t len = 77;
  boc_blob_t *b = (boc_blob_t *)0x1;
  uint64_t v = 77;
  ck_assert_st(boc_nb_snapshot_entry(s, 0, &key, &len, &b, &v), BOC_EINVAL);
  ck_assert_st(boc_nb_snapshot_release(s), BOC_OK);

  put_str(K("a"), "a");
  put_str(K("b"), "b");
  ck_assert_st(boc_nb_snapshot(&s), BOC_OK);
  ck_assert_st(boc_nb_snapshot_entry(s, 2, &key, &len, &b, &v), BOC_EINVAL);
  ck_assert_st(boc_nb_snapshot_entry(s, SIZE_MAX, &key, &len, &b, &v),
               BOC_EINVAL);
  ck_assert_ptr_eq(key, (const char *)0x1); /* untouched on error */
  ck_assert_uint_eq(len, 77);
  ck_assert_ptr_eq(b, (boc_blob_t *)0x1);
  ck_assert_uint_eq(v, 77);
  ck_assert_st(boc_nb_snapshot_entry(s, 1, &key, &len, &b, &v), BOC_OK);
  ck_assert_st(boc_nb_snapshot_release(s), BOC_OK);
}
END_TEST

/* ---- blob and cown lifetimes --------------------------------------------- */

/*
 * A blob embedding one tracked cown (id 0 of t), with the board's entry
 * under key as the only reference to either: the cown's payload is freed
 * exactly when the entry lets go of the blob.
 */
static boc_blob_t *entry_with_tracked_cown(tu_tracker_t *t, const char *key) {
  boc_cown_t *c = tu_cown_tracked(t, 0, 0);
  boc_blob_t *b = mk_blob("payload", 7, &c, 1);
  ck_assert_ptr_nonnull(b);
  ck_assert_st(boc_cown_release(c), BOC_OK);
  ck_assert_st(boc_nb_write(K(key), b, NULL), BOC_OK);
  ck_assert_st(boc_blob_release(b), BOC_OK);
  ck_assert_uint_eq(tu_tracker_count(t, 0), 0);
  return b; /* only for identity checks: the caller holds no reference */
}

START_TEST(test_nb_entry_keeps_cowns_alive_until_overwritten) {
  tu_tracker_t t;
  tu_tracker_init(&t, 1);
  entry_with_tracked_cown(&t, "k");
  put_str(K("other"), "unrelated");
  ck_assert_uint_eq(tu_tracker_count(&t, 0), 0);
  put_str(K("k"), "replacement");
  ck_assert_uint_eq(tu_tracker_count(&t, 0), 1);
  ck_assert_st(boc_nb_clear(), BOC_OK);
  ck_assert_uint_eq(tu_tracker_count(&t, 0), 1);
  tu_assert_clean();
  tu_tracker_destroy(&t);
}
END_TEST

START_TEST(test_nb_entry_keeps_cowns_alive_until_deleted) {
  tu_tracker_t t;
  tu_tracker_init(&t, 1);
  entry_with_tracked_cown(&t, "k");
  ck_assert_st(boc_nb_delete(K("nope")), BOC_ENOENT);
  ck_assert_uint_eq(tu_tracker_count(&t, 0), 0);
  ck_assert_st(boc_nb_delete(K("k")), BOC_OK);
  ck_assert_uint_eq(tu_tracker_count(&t, 0), 1);
  tu_assert_clean();
  tu_tracker_destroy(&t);
}
END_TEST

START_TEST(test_nb_entry_keeps_cowns_alive_until_cleared) {
  tu_tracker_t t;
  tu_tracker_init(&t, 1);
  entry_with_tracked_cown(&t, "k");
  put_str(K("other"), "unrelated");
  ck_assert_st(boc_nb_clear(), BOC_OK);
  ck_assert_uint_eq(tu_tracker_count(&t, 0), 1);
  ck_assert_uint_eq(board_count(), 0);
  tu_assert_clean();
  tu_tracker_destroy(&t);
}
END_TEST

START_TEST(test_nb_entry_keeps_cowns_alive_until_cas_replaces_or_deletes) {
  tu_tracker_t t;
  tu_tracker_init(&t, 1);
  entry_with_tracked_cown(&t, "k");
  uint64_t v = 0;
  boc_blob_t *r = NULL;
  ck_assert_st(boc_nb_read(K("k"), &r, &v), BOC_OK);
  ck_assert_st(boc_blob_release(r), BOC_OK);
  boc_blob_t *b = mk_str("cas");
  ck_assert_st(boc_nb_compare_and_set(K("k"), v + 1, b, NULL), BOC_ECONFLICT);
  ck_assert_uint_eq(tu_tracker_count(&t, 0), 0);
  ck_assert_st(boc_nb_compare_and_set(K("k"), v, b, NULL), BOC_OK);
  ck_assert_uint_eq(tu_tracker_count(&t, 0), 1);
  ck_assert_st(boc_blob_release(b), BOC_OK);

  tu_tracker_t t2;
  tu_tracker_init(&t2, 1);
  entry_with_tracked_cown(&t2, "j");
  ck_assert_st(boc_nb_read(K("j"), &r, &v), BOC_OK);
  ck_assert_st(boc_blob_release(r), BOC_OK);
  ck_assert_st(boc_nb_compare_and_set(K("j"), v, NULL, NULL), BOC_OK);
  ck_assert_uint_eq(tu_tracker_count(&t2, 0), 1);
  ck_assert_uint_eq(tu_tracker_count(&t, 0), 1);
  tu_assert_clean();
  tu_tracker_destroy(&t);
  tu_tracker_destroy(&t2);
}
END_TEST

START_TEST(test_nb_read_reference_outlives_the_entry) {
  tu_tracker_t t;
  tu_tracker_init(&t, 1);
  boc_blob_t *orig = entry_with_tracked_cown(&t, "k");
  boc_blob_t *r = NULL;
  ck_assert_st(boc_nb_read(K("k"), &r, NULL), BOC_OK);
  ck_assert_ptr_eq(r, orig);
  ck_assert_st(boc_nb_delete(K("k")), BOC_OK);
  ck_assert_uint_eq(tu_tracker_count(&t, 0), 0);
  ck_assert(blob_is(r, "payload")); /* still readable */
  boc_cown_t *const *cowns = NULL;
  size_t n = 0;
  ck_assert_st(boc_blob_cowns(r, &cowns, &n), BOC_OK);
  ck_assert_uint_eq(n, 1);
  ck_assert_st(boc_blob_release(r), BOC_OK);
  ck_assert_uint_eq(tu_tracker_count(&t, 0), 1);
  tu_assert_clean();
  tu_tracker_destroy(&t);
}
END_TEST

START_TEST(test_nb_snapshot_keeps_blobs_alive) {
  tu_tracker_t t;
  tu_tracker_init(&t, 1);
  boc_blob_t *orig = entry_with_tracked_cown(&t, "k");
  boc_nb_snapshot_t *s1 = NULL, *s2 = NULL;
  ck_assert_st(boc_nb_snapshot(&s1), BOC_OK);
  ck_assert_st(boc_nb_snapshot(&s2), BOC_OK);
  ck_assert_st(boc_nb_delete(K("k")), BOC_OK);
  ck_assert_uint_eq(tu_tracker_count(&t, 0), 0);
  const char *key = NULL;
  size_t len = 0;
  boc_blob_t *b = NULL;
  ck_assert_st(boc_nb_snapshot_entry(s1, 0, &key, &len, &b, NULL), BOC_OK);
  ck_assert_ptr_eq(b, orig);
  ck_assert(blob_is(b, "payload"));
  ck_assert_st(boc_nb_snapshot_release(s1), BOC_OK);
  ck_assert_uint_eq(tu_tracker_count(&t, 0), 0);
  ck_assert_st(boc_nb_snapshot_release(s2), BOC_OK);
  ck_assert_uint_eq(tu_tracker_count(&t, 0), 1);
  tu_assert_clean();
  tu_tracker_destroy(&t);
}
END_TEST

/* A payload free function that uses the board: it runs when a change drops
 * the last reference to a blob, which must happen outside the board's lock
 * (a deadlock here fails the test by its timeout). */
static _Atomic(int) reentrant_calls;
static int reentrant_payload;

static void reentrant_free(void *p) {
  TU_EXPECT(p == &reentrant_payload);
  boc_blob_t *b = NULL;
  int st = boc_nb_read(K("witness"), &b, NULL);
  TU_EXPECT(st == BOC_OK || st == BOC_ENOENT);
  if (st == BOC_OK)
    boc_blob_release(b);
  b = mk_str("from-free");
  if (b != NULL) {
    TU_EXPECT_ST(boc_nb_write(K("written-by-free"), b, NULL), BOC_OK);
    boc_blob_release(b);
  }
  uint64_t v = 0;
  TU_EXPECT_ST(boc_nb_sync(BOC_SEC(5), &v), BOC_OK);
  atomic_fetch_add(&reentrant_calls, 1);
}

static void put_reentrant(const char *key) {
  boc_cown_t *c = NULL;
  ck_assert_st(boc_cown_create(&reentrant_payload, reentrant_free, &c), BOC_OK);
  boc_blob_t *b = mk_blob(NULL, 0, &c, 1);
  ck_assert_ptr_nonnull(b);
  ck_assert_st(boc_cown_release(c), BOC_OK);
  ck_assert_st(boc_nb_write(K(key), b, NULL), BOC_OK);
  ck_assert_st(boc_blob_release(b), BOC_OK);
}

START_TEST(test_nb_blob_free_may_call_back_into_the_board) {
  atomic_store(&reentrant_calls, 0);
  put_str(K("witness"), "w");
  put_reentrant("k");
  put_str(K("k"), "overwrite"); /* overwrite */
  ck_assert_int_eq(atomic_load(&reentrant_calls), 1);
  put_reentrant("k");
  ck_assert_st(boc_nb_delete(K("k")), BOC_OK); /* delete */
  ck_assert_int_eq(atomic_load(&reentrant_calls), 2);
  put_reentrant("k");
  uint64_t v = 0;
  boc_blob_t *r = NULL;
  ck_assert_st(boc_nb_read(K("k"), &r, &v), BOC_OK);
  ck_assert_st(boc_blob_release(r), BOC_OK);
  ck_assert_st(boc_nb_compare_and_set(K("k"), v, NULL, NULL), BOC_OK); /* cas */
  ck_assert_int_eq(atomic_load(&reentrant_calls), 3);
  put_reentrant("k");
  boc_nb_snapshot_t *s = NULL;
  ck_assert_st(boc_nb_snapshot(&s), BOC_OK);
  ck_assert_st(boc_nb_delete(K("k")), BOC_OK);
  ck_assert_int_eq(atomic_load(&reentrant_calls), 3);
  ck_assert_st(boc_nb_snapshot_release(s), BOC_OK); /* snapshot */
  ck_assert_int_eq(atomic_load(&reentrant_calls), 4);
  put_reentrant("k");
  put_reentrant("k2");
  ck_assert_st(boc_nb_clear(), BOC_OK); /* clear */
  ck_assert_int_eq(atomic_load(&reentrant_calls), 6);
  /* The writes made from the free function landed after the clear. */
  expect_str(K("written-by-free"), "from-free");
  tu_assert_clean();
}
END_TEST

/* ---- sync ---------------------------------------------------------------- */

START_TEST(test_nb_sync_reports_completed_writes) {
  uint64_t v = 0;
  ck_assert_st(boc_nb_sync(0, &v), BOC_OK);
  ck_assert_uint_eq(v, board_version());
  uint64_t w = put_str(K("a"), "1");
  const int64_t timeouts[] = {0, BOC_MSEC(10), BOC_FOREVER, -5, INT64_MAX};
  for (size_t i = 0; i < sizeof timeouts / sizeof timeouts[0]; i++) {
    v = 0;
    ck_assert_st(boc_nb_sync(timeouts[i], &v), BOC_OK);
    ck_assert_uint_ge(v, w);
    ck_assert_uint_eq(v, board_version());
  }
  ck_assert_st(boc_nb_sync(BOC_MSEC(10), NULL), BOC_OK);
}
END_TEST

/* Writers publish the version of each write they have completed. */
typedef struct writer {
  pthread_t th;
  unsigned id;
  uint64_t seed;
  size_t rounds;
  _Atomic(uint64_t) done; /* the version of the last completed write */
  _Atomic(int) *stop;
} writer_t;

static void *sync_writer(void *arg) {
  writer_t *w = arg;
  tu_rng_t rng;
  tu_rng_init(&rng, w->seed);
  char key[16];
  for (size_t i = 0; i < w->rounds && !atomic_load(w->stop); i++) {
    snprintf(key, sizeof key, "w%u-%u", w->id, tu_rng_below(&rng, 4));
    boc_blob_t *b = mk_u64(i);
    if (b == NULL)
      break;
    uint64_t v = 0;
    TU_EXPECT_ST(boc_nb_write(K(key), b, &v), BOC_OK);
    boc_blob_release(b);
    atomic_store(&w->done, v);
  }
  return NULL;
}

START_TEST(test_nb_sync_covers_writes_completed_on_other_threads) {
  enum { W = 2 };
  _Atomic(int) stop;
  atomic_init(&stop, 0);
  writer_t w[W];
  for (unsigned i = 0; i < W; i++) {
    w[i].id = i;
    w[i].seed = tu_test_seed(__func__) + i;
    w[i].rounds = tu_scale(20000);
    w[i].stop = &stop;
    atomic_init(&w[i].done, 0);
    ck_assert_int_eq(pthread_create(&w[i].th, NULL, sync_writer, &w[i]), 0);
  }
  uint64_t last = 0;
  size_t ok = 0, timeouts = 0;
  uint64_t deadline = tu_now_ns() + TU_MS(2000) * 1000000ull;
  for (size_t round = 0; round < tu_scale(2000) && tu_now_ns() < deadline;
       round++) {
    uint64_t floor = 0;
    for (unsigned i = 0; i < W; i++) {
      uint64_t d = atomic_load(&w[i].done);
      if (d > floor)
        floor = d;
    }
    uint64_t v = 12345;
    int64_t timeout = (round % 2 == 0) ? 0 : BOC_SEC(5);
    int st = boc_nb_sync(timeout, &v);
    if (st == BOC_ETIMEDOUT && timeout == 0) {
      ck_assert_uint_eq(v, 12345); /* untouched */
      timeouts++;
      continue;
    }
    ck_assert_st(st, BOC_OK);
    ok++;
    ck_assert_msg(v >= floor, "sync version %llu below completed write %llu",
                  (unsigned long long)v, (unsigned long long)floor);
    ck_assert_msg(v >= last, "sync version went back from %llu to %llu",
                  (unsigned long long)last, (unsigned long long)v);
    ck_assert_uint_le(v, board_version());
    last = v;
  }
  atomic_store(&stop, 1);
  for (unsigned i = 0; i < W; i++)
    pthread_join(w[i].th, NULL);
  ck_assert_uint_gt(ok, 0);
  fprintf(stderr, "# sync: %zu ok, %zu polls timed out\n", ok, timeouts);
  tu_assert_clean();
}
END_TEST

/* ---- concurrency --------------------------------------------------------- */

typedef struct incrementer {
  pthread_t th;
  size_t n;
  uint64_t conflicts;
} incrementer_t;

static void *increment_thread(void *arg) {
  incrementer_t *inc = arg;
  for (size_t i = 0; i < inc->n; i++) {
    int st = increment("counter", &inc->conflicts);
    if (st != BOC_OK) {
      tu_fail_record(__FILE__, __LINE__, "increment: %s", boc_strerror(st));
      break;
    }
  }
  return NULL;
}

START_TEST(test_nb_cas_increments_from_threads_reach_the_total) {
  enum { T = 4 };
  incrementer_t inc[T];
  size_t n = tu_scale(3000);
  for (int i = 0; i < T; i++) {
    inc[i].n = n;
    inc[i].conflicts = 0;
    ck_assert_int_eq(
        pthread_create(&inc[i].th, NULL, increment_thread, &inc[i]), 0);
  }
  uint64_t conflicts = 0;
  for (int i = 0; i < T; i++) {
    pthread_join(inc[i].th, NULL);
    conflicts += inc[i].conflicts;
  }
  tu_assert_clean();
  boc_blob_t *r = NULL;
  ck_assert_st(boc_nb_read(K("counter"), &r, NULL), BOC_OK);
  ck_assert_uint_eq(blob_u64(r), (uint64_t)T * n);
  ck_assert_st(boc_blob_release(r), BOC_OK);
  fprintf(stderr, "# %d threads x %zu increments, %llu conflicts\n", T, n,
          (unsigned long long)conflicts);
}
END_TEST

/*
 * Snapshot consistency: writers own disjoint keys and write each key a
 * strictly increasing sequence number (deleting now and then); readers
 * check that every snapshot is internally consistent and never goes back
 * in time relative to the reader's previous snapshot.
 */
enum { SC_KEYS = 16, SC_WRITERS = 2, SC_READERS = 2 };

typedef struct sc_value {
  uint32_t key;
  uint32_t magic;
  uint64_t seq;
} sc_value_t;

typedef struct sc_thread {
  pthread_t th;
  unsigned id;
  uint64_t seed;
  size_t rounds;
  _Atomic(int) *writers_left;
  size_t snapshots;
} sc_thread_t;

static void *sc_writer(void *arg) {
  sc_thread_t *t = arg;
  tu_rng_t rng;
  tu_rng_init(&rng, t->seed);
  uint64_t seq[SC_KEYS] = {0};
  for (size_t i = 0; i < t->rounds; i++) {
    unsigned k = t->id + SC_WRITERS * tu_rng_below(&rng, SC_KEYS / SC_WRITERS);
    char key[8];
    snprintf(key, sizeof key, "sc%02u", k);
    if (tu_rng_below(&rng, 8) == 0) {
      int st = boc_nb_delete(K(key));
      TU_EXPECT(st == BOC_OK || st == BOC_ENOENT);
      continue;
    }
    sc_value_t val = {k, 0x5c5c5c5cu, ++seq[k]};
    boc_blob_t *b = mk_blob(&val, sizeof val, NULL, 0);
    if (b == NULL)
      break;
    TU_EXPECT_ST(boc_nb_write(K(key), b, NULL), BOC_OK);
    boc_blob_release(b);
  }
  atomic_fetch_sub(t->writers_left, 1);
  return NULL;
}

static void *sc_reader(void *arg) {
  sc_thread_t *t = arg;
  uint64_t last_seq[SC_KEYS] = {0}, last_ver[SC_KEYS] = {0};
  uint64_t last_snap = 0;
  uint64_t deadline = tu_now_ns() + TU_MS(10000) * 1000000ull;
  int final_round = 0;
  while (!final_round) {
    /* One more snapshot after the writers are done, so the last one sees
     * the final state. */
    if (atomic_load(t->writers_left) == 0 || tu_now_ns() > deadline)
      final_round = 1;
    boc_nb_snapshot_t *s = NULL;
    int st = boc_nb_snapshot(&s);
    if (st != BOC_OK) {
      tu_fail_record(__FILE__, __LINE__, "snapshot: %s", boc_strerror(st));
      break;
    }
    t->snapshots++;
    uint64_t sv = 0;
    size_t n = 0;
    TU_EXPECT_ST(boc_nb_snapshot_version(s, &sv), BOC_OK);
    TU_EXPECT_ST(boc_nb_snapshot_count(s, &n), BOC_OK);
    TU_EXPECT(sv >= last_snap);
    TU_EXPECT(n <= SC_KEYS);
    last_snap = sv;
    int seen[SC_KEYS] = {0};
    for (size_t i = 0; i < n && i < SC_KEYS; i++) {
      const char *key = NULL;
      size_t len = 0;
      boc_blob_t *b = NULL;
      uint64_t v = 0;
      TU_EXPECT_ST(boc_nb_snapshot_entry(s, i, &key, &len, &b, &v), BOC_OK);
      if (b == NULL || len != 4 || memcmp(key, "sc", 2) != 0) {
        tu_fail_record(__FILE__, __LINE__, "bad snapshot entry %zu", i);
        continue;
      }
      unsigned k = (unsigned)(key[2] - '0') * 10 + (unsigned)(key[3] - '0');
      const void *data = NULL;
      size_t size = 0;
      TU_EXPECT_ST(boc_blob_data(b, &data, &size), BOC_OK);
      sc_value_t val;
      if (k >= SC_KEYS || seen[k] || size != sizeof val) {
        tu_fail_record(__FILE__, __LINE__, "bad snapshot entry %u", k);
        continue;
      }
      seen[k] = 1;
      memcpy(&val, data, sizeof val);
      TU_EXPECT(val.key == k && val.magic == 0x5c5c5c5cu);
      TU_EXPECT(v > 0 && v <= sv);
      TU_EXPECT(val.seq >= last_seq[k]); /* never back in time */
      TU_EXPECT(v >= last_ver[k]);
      TU_EXPECT((val.seq == last_seq[k]) == (v == last_ver[k]));
      last_seq[k] = val.seq;
      last_ver[k] = v;
    }
    boc_nb_snapshot_release(s);
  }
  return NULL;
}

START_TEST(test_nb_snapshots_during_writes_are_consistent) {
  _Atomic(int) writers_left;
  atomic_init(&writers_left, SC_WRITERS);
  sc_thread_t w[SC_WRITERS], r[SC_READERS];
  for (unsigned i = 0; i < SC_READERS; i++) {
    memset(&r[i], 0, sizeof r[i]);
    r[i].writers_left = &writers_left;
    ck_assert_int_eq(pthread_create(&r[i].th, NULL, sc_reader, &r[i]), 0);
  }
  for (unsigned i = 0; i < SC_WRITERS; i++) {
    memset(&w[i], 0, sizeof w[i]);
    w[i].id = i;
    w[i].seed = tu_test_seed(__func__) + i;
    w[i].rounds = tu_scale(20000);
    w[i].writers_left = &writers_left;
    ck_assert_int_eq(pthread_create(&w[i].th, NULL, sc_writer, &w[i]), 0);
  }
  for (unsigned i = 0; i < SC_WRITERS; i++)
    pthread_join(w[i].th, NULL);
  size_t snaps = 0;
  for (unsigned i = 0; i < SC_READERS; i++) {
    pthread_join(r[i].th, NULL);
    snaps += r[i].snapshots;
  }
  tu_assert_clean();
  ck_assert_uint_ge(snaps, SC_READERS);
  fprintf(stderr, "# %zu snapshots during %d x %zu writes\n", snaps, SC_WRITERS,
          tu_scale(20000));
}
END_TEST

/* ---- with the runtime running -------------------------------------------- */

static void increment_body(boc_behavior_t *b, void *arg) {
  (void)b;
  (void)arg;
  TU_EXPECT_ST(increment("counter", NULL), BOC_OK);
}

START_TEST(test_nb_behaviors_increment_with_cas) {
  size_t n = tu_scale(2000);
  for (size_t i = 0; i < n; i++)
    ck_assert_st(boc_when(NULL, 0, increment_body, NULL, NULL, NULL), BOC_OK);
  ck_assert_st(boc_runtime_quiesce(BOC_SEC(20 * TU_SLOW)), BOC_OK);
  tu_assert_clean();
  boc_blob_t *r = NULL;
  ck_assert_st(boc_nb_read(K("counter"), &r, NULL), BOC_OK);
  ck_assert_uint_eq(blob_u64(r), n);
  ck_assert_st(boc_blob_release(r), BOC_OK);
}
END_TEST

/* Behaviors on one cown run in order: each overwrites "last" with its
 * index, checking it sees its predecessor's write. */
static void ordered_body(boc_behavior_t *b, void *arg) {
  (void)b;
  uint64_t i = (uint64_t)(uintptr_t)arg;
  boc_blob_t *r = NULL;
  int st = boc_nb_read(K("last"), &r, NULL);
  if (i == 0) {
    TU_EXPECT(st == BOC_ENOENT);
  } else {
    TU_EXPECT(st == BOC_OK);
    if (st == BOC_OK) {
      TU_EXPECT(blob_u64(r) == i - 1);
      boc_blob_release(r);
    }
  }
  boc_blob_t *v = mk_u64(i);
  if (v != NULL) {
    TU_EXPECT_ST(boc_nb_write(K("last"), v, NULL), BOC_OK);
    boc_blob_release(v);
  }
}

START_TEST(test_nb_behaviors_on_a_cown_see_each_others_writes) {
  boc_cown_t *c = tu_cown();
  size_t n = tu_scale(500);
  uint64_t v0 = board_version();
  for (size_t i = 0; i < n; i++)
    ck_assert_st(
        boc_when(&c, 1, ordered_body, (void *)(uintptr_t)i, NULL, NULL),
        BOC_OK);
  ck_assert_st(boc_cown_release(c), BOC_OK);
  ck_assert_st(boc_runtime_quiesce(BOC_SEC(20 * TU_SLOW)), BOC_OK);
  tu_assert_clean();
  boc_blob_t *r = NULL;
  uint64_t v = 0;
  ck_assert_st(boc_nb_read(K("last"), &r, &v), BOC_OK);
  ck_assert_uint_eq(blob_u64(r), n - 1);
  ck_assert_uint_eq(v, v0 + n); /* nobody else changed the board */
  ck_assert_st(boc_blob_release(r), BOC_OK);
}
END_TEST

/* A cown reachable only through an entry stays alive for a behavior
 * scheduled on it even after the entry is deleted. */
static void touch_body(boc_behavior_t *b, void *arg) {
  (void)arg;
  boc_cown_t *c = NULL;
  TU_EXPECT_ST(boc_behavior_cown(b, 0, &c), BOC_OK);
  void *p = NULL;
  TU_EXPECT_ST(boc_cown_get(c, &p), BOC_OK);
  if (p != NULL)
    atomic_fetch_add(&((tu_tracked_t *)p)->value, 1);
}

START_TEST(test_nb_entry_cown_used_by_a_behavior) {
  tu_tracker_t t;
  tu_tracker_init(&t, 1);
  tu_gate_t g;
  tu_gate_init(&g);
  boc_blob_t *orig = entry_with_tracked_cown(&t, "k");
  boc_blob_t *r = NULL;
  ck_assert_st(boc_nb_read(K("k"), &r, NULL), BOC_OK);
  ck_assert_ptr_eq(r, orig);
  boc_cown_t *const *cowns = NULL;
  size_t n = 0;
  ck_assert_st(boc_blob_cowns(r, &cowns, &n), BOC_OK);
  ck_assert_uint_eq(n, 1);
  boc_cown_t *c = cowns[0];
  /* Hold the cown in a gate behavior so the next one waits behind it. */
  ck_assert_st(boc_when(&c, 1, tu_gate_body, &g, NULL, NULL), BOC_OK);
  ck_assert_st(boc_when(&c, 1, touch_body, NULL, NULL, NULL), BOC_OK);
  tu_gate_wait_entered(&g);
  ck_assert_st(boc_blob_release(r), BOC_OK);
  ck_assert_st(boc_nb_delete(K("k")), BOC_OK);
  ck_assert_uint_eq(tu_tracker_count(&t, 0), 0); /* behaviors hold it */
  tu_gate_open(&g);
  ck_assert_st(boc_runtime_quiesce(BOC_SEC(10 * TU_SLOW)), BOC_OK);
  ck_assert_uint_eq(tu_tracker_count(&t, 0), 1);
  tu_assert_clean();
  tu_tracker_destroy(&t);
}
END_TEST

static void write_body(boc_behavior_t *b, void *arg) {
  (void)b;
  (void)arg;
  boc_blob_t *v = mk_str("from-behavior");
  if (v != NULL) {
    TU_EXPECT_ST(boc_nb_write(K("persist"), v, NULL), BOC_OK);
    boc_blob_release(v);
  }
}

START_TEST(test_nb_outlives_the_runtime) {
  ck_assert_st(boc_when(NULL, 0, write_body, NULL, NULL, NULL), BOC_OK);
  tu_stop();
  ck_assert(!tu_running());
  tu_assert_clean();
  /* Written by a behavior, read after the runtime stopped, then used with
   * a new runtime. */
  expect_str(K("persist"), "from-behavior");
  put_str(K("after"), "stopped");
  tu_start(1, 0);
  ck_assert_st(boc_when(NULL, 0, increment_body, NULL, NULL, NULL), BOC_OK);
  ck_assert_st(boc_runtime_quiesce(BOC_SEC(10 * TU_SLOW)), BOC_OK);
  tu_assert_clean();
  expect_str(K("after"), "stopped");
  boc_blob_t *r = NULL;
  ck_assert_st(boc_nb_read(K("counter"), &r, NULL), BOC_OK);
  ck_assert_uint_eq(blob_u64(r), 1);
  ck_assert_st(boc_blob_release(r), BOC_OK);
}
END_TEST

/* ---- suite --------------------------------------------------------------- */

static Suite *noticeboard_suite(void) {
  Suite *s = suite_create("noticeboard");

  TCase *tc = tcase_create("entries");
  tcase_set_timeout(tc, TU_TIMEOUT(10));
  tcase_add_checked_fixture(tc, setup_stopped, teardown);
  tcase_add_test(tc, test_nb_write_then_read_returns_the_blob);
  tcase_add_test(tc, test_nb_overwrite_replaces_value_and_version);
  tcase_add_test(tc, test_nb_delete_removes_the_key);
  tcase_add_test(tc, test_nb_missing_key_is_enoent);
  tcase_add_test(tc, test_nb_keys_are_byte_strings);
  tcase_add_test(tc, test_nb_empty_key_is_a_key);
  tcase_add_test(tc, test_nb_null_value_and_outputs_are_einval);
  suite_add_tcase(s, tc);

  tc = tcase_create("keys");
  tcase_set_timeout(tc, TU_TIMEOUT(10));
  tcase_add_checked_fixture(tc, setup_stopped, teardown);
  tcase_add_test(tc, test_nb_key_of_63_bytes_is_accepted);
  tcase_add_test(tc, test_nb_key_of_64_bytes_is_einval);
  tcase_add_test(tc, test_nb_key_with_nul_byte_is_einval);
  tcase_add_test(tc, test_nb_null_key_with_length_is_einval);
  suite_add_tcase(s, tc);

  tc = tcase_create("versions");
  tcase_set_timeout(tc, TU_TIMEOUT(10));
  tcase_add_checked_fixture(tc, setup_stopped, teardown);
  tcase_add_test(tc, test_nb_versions_are_unique_and_increasing);
  tcase_add_test(tc, test_nb_board_version_changes_on_changes_only);
  suite_add_tcase(s, tc);

  tc = tcase_create("compare_and_set");
  tcase_set_timeout(tc, TU_TIMEOUT(10));
  tcase_add_checked_fixture(tc, setup_stopped, teardown);
  tcase_add_test(tc, test_nb_cas_replaces_when_version_matches);
  tcase_add_test(tc, test_nb_cas_conflict_reports_version_and_changes_nothing);
  tcase_add_test(tc, test_nb_cas_expected_zero_inserts_if_absent);
  tcase_add_test(tc, test_nb_cas_null_value_deletes);
  tcase_add_test(tc, test_nb_cas_on_deleted_key_conflicts);
  tcase_add_test(tc,
                 test_nb_cas_delete_of_absent_key_with_zero_changes_nothing);
  tcase_add_test(tc, test_nb_cas_increment_loop_counts);
  suite_add_tcase(s, tc);

  tc = tcase_create("capacity");
  tcase_set_timeout(tc, TU_TIMEOUT(10));
  tcase_add_checked_fixture(tc, setup_stopped, teardown);
  tcase_add_test(tc, test_nb_capacity_default);
  tcase_add_test(tc, test_nb_full_board_refuses_new_keys_only);
  tcase_add_test(tc, test_nb_set_capacity_validates);
  tcase_add_test(tc, test_nb_set_capacity_below_count_is_ebusy);
  suite_add_tcase(s, tc);

  tc = tcase_create("snapshots");
  tcase_set_timeout(tc, TU_TIMEOUT(10));
  tcase_add_checked_fixture(tc, setup_stopped, teardown);
  tcase_add_test(tc, test_nb_snapshot_holds_every_entry);
  tcase_add_test(tc, test_nb_snapshot_never_changes);
  tcase_add_test(tc, test_nb_snapshot_entry_out_of_range_is_einval);
  suite_add_tcase(s, tc);

  tc = tcase_create("lifetimes");
  tcase_set_timeout(tc, TU_TIMEOUT(10));
  tcase_add_checked_fixture(tc, setup_stopped, teardown);
  tcase_add_test(tc, test_nb_entry_keeps_cowns_alive_until_overwritten);
  tcase_add_test(tc, test_nb_entry_keeps_cowns_alive_until_deleted);
  tcase_add_test(tc, test_nb_entry_keeps_cowns_alive_until_cleared);
  tcase_add_test(tc,
                 test_nb_entry_keeps_cowns_alive_until_cas_replaces_or_deletes);
  tcase_add_test(tc, test_nb_read_reference_outlives_the_entry);
  tcase_add_test(tc, test_nb_snapshot_keeps_blobs_alive);
  tcase_add_test(tc, test_nb_blob_free_may_call_back_into_the_board);
  suite_add_tcase(s, tc);

  tc = tcase_create("sync");
  tcase_set_timeout(tc, TU_TIMEOUT(20));
  tcase_add_checked_fixture(tc, setup_stopped, teardown);
  tcase_add_test(tc, test_nb_sync_reports_completed_writes);
  tcase_add_test(tc, test_nb_sync_covers_writes_completed_on_other_threads);
  suite_add_tcase(s, tc);

  tc = tcase_create("concurrency");
  tcase_set_timeout(tc, TU_TIMEOUT(30));
  tcase_add_checked_fixture(tc, setup_stopped, teardown);
  tcase_add_test(tc, test_nb_cas_increments_from_threads_reach_the_total);
  tcase_add_test(tc, test_nb_snapshots_during_writes_are_consistent);
  suite_add_tcase(s, tc);

  tc = tcase_create("runtime");
  tcase_set_timeout(tc, TU_TIMEOUT(30));
  tcase_add_checked_fixture(tc, setup_w2, teardown);
  tcase_add_test(tc, test_nb_behaviors_increment_with_cas);
  tcase_add_test(tc, test_nb_behaviors_on_a_cown_see_each_others_writes);
  tcase_add_test(tc, test_nb_entry_cown_used_by_a_behavior);
  tcase_add_test(tc, test_nb_outlives_the_runtime);
  suite_add_tcase(s, tc);

  return s;
}

int main(void) {
  tu_init("check_noticeboard");
  return tu_run(noticeboard_suite());
}
