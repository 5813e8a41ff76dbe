/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

/* check_blob.c - blobs: bytes, embedded cowns, tokens, references, the
 * graveyard, bad input. */

#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* Not a cown: zeroed memory with the size of one. */
static _Alignas(64) unsigned char fake_object[4096];
#define FAKE_COWN ((boc_cown_t *)(void *)fake_object)

/* Empty the process-wide graveyard (other tests in this process may have
 * left tokens behind when CK_FORK=no). */
static void graveyard_flush(void) {
  uint64_t buf[64];
  size_t n = 0;
  do
    ck_assert_st(boc_blob_graveyard_take(buf, 64, &n), BOC_OK);
  while (n > 0);
}

static boc_blob_t *make_blob(const void *data, size_t size, boc_cown_t *const *cowns,
                             size_t count, uint64_t token) {
  boc_blob_t *b = NULL;
  ck_assert_st(boc_blob_create(data, size, cowns, count, token, &b), BOC_OK);
  ck_assert_ptr_nonnull(b);
  return b;
}

/* ---- bytes -------------------------------------------------------------------- */

START_TEST(test_blob_create_copies_the_bytes) {
  char buf[] = "hello, blob";
  boc_blob_t *b = make_blob(buf, sizeof buf, NULL, 0, 0);
  memset(buf, 'x', sizeof buf); /* the blob has its own copy */
  const void *data = NULL;
  size_t size = 0;
  ck_assert_st(boc_blob_data(b, &data, &size), BOC_OK);
  ck_assert_uint_eq(size, sizeof buf);
  ck_assert_ptr_ne(data, buf);
  ck_assert_mem_eq(data, "hello, blob", sizeof buf);
  boc_cown_t *const *cowns = (boc_cown_t *const *)fake_object;
  size_t count = 99;
  ck_assert_st(boc_blob_cowns(b, &cowns, &count), BOC_OK);
  ck_assert_uint_eq(count, 0);
  uint64_t token = 1;
  ck_assert_st(boc_blob_token(b, &token), BOC_OK);
  ck_assert_uint_eq(token, 0);
  ck_assert_st(boc_blob_release(b), BOC_OK);
}
END_TEST

START_TEST(test_blob_size_zero_has_non_null_data) {
  static const char one = 'z';
  const void *sources[2] = {NULL, &one};
  for (int i = 0; i < 2; i++) {
    boc_blob_t *b = make_blob(sources[i], 0, NULL, 0, 0);
    const void *data = NULL;
    size_t size = 99;
    ck_assert_st(boc_blob_data(b, &data, &size), BOC_OK);
    ck_assert_ptr_nonnull(data);
    ck_assert_uint_eq(size, 0);
    ck_assert_st(boc_blob_release(b), BOC_OK);
  }
}
END_TEST

START_TEST(test_blob_large_bytes_round_trip) {
  TU_RNG(rng);
  size_t size = (size_t)4 << 20;
  unsigned char *buf = malloc(size);
  ck_assert_ptr_nonnull(buf);
  for (size_t i = 0; i < size; i++)
    buf[i] = (unsigned char)tu_rng_next(&rng);
  boc_blob_t *b = make_blob(buf, size, NULL, 0, 0);
  const void *data = NULL;
  size_t got = 0;
  ck_assert_st(boc_blob_data(b, &data, &got), BOC_OK);
  ck_assert_uint_eq(got, size);
  ck_assert_int_eq(memcmp(data, buf, size), 0);
  ck_assert_st(boc_blob_release(b), BOC_OK);
  free(buf);
}
END_TEST

START_TEST(test_blob_token_is_returned) {
  const uint64_t tokens[] = {0, 1, 42, UINT64_MAX};
  for (size_t i = 0; i < sizeof tokens / sizeof tokens[0]; i++) {
    boc_blob_t *b = make_blob("t", 1, NULL, 0, tokens[i]);
    uint64_t got = 7;
    ck_assert_st(boc_blob_token(b, &got), BOC_OK);
    ck_assert_uint_eq(got, tokens[i]);
    ck_assert_st(boc_blob_release(b), BOC_OK);
  }
  graveyard_flush();
}
END_TEST

/* The packed description agrees with the three accessors. */
START_TEST(test_blob_describe_packed_matches_accessors) {
  boc_cown_t *a = tu_cown();
  boc_cown_t *in[2] = {a, a};
  boc_blob_t *b = make_blob("xyz", 3, in, 2, 77);
  uint64_t w[5] = {0, 0, 0, 0, 0};
  ck_assert_st(boc_blob_describe_packed(b, w), BOC_OK);
  const void *data = NULL;
  size_t size = 0;
  ck_assert_st(boc_blob_data(b, &data, &size), BOC_OK);
  boc_cown_t *const *cowns = NULL;
  size_t count = 0;
  ck_assert_st(boc_blob_cowns(b, &cowns, &count), BOC_OK);
  ck_assert_uint_eq(w[0], (uint64_t)(uintptr_t)data);
  ck_assert_uint_eq(w[1], 3);
  ck_assert_uint_eq(w[2], 2);
  ck_assert_uint_eq(w[3], (uint64_t)(uintptr_t)cowns);
  ck_assert_uint_eq(w[4], 77);
  ck_assert_int_eq(memcmp((const void *)(uintptr_t)w[0], "xyz", 3), 0);
  boc_blob_t *empty = make_blob(NULL, 0, NULL, 0, 0);
  ck_assert_st(boc_blob_describe_packed(empty, w), BOC_OK);
  ck_assert_uint_ne(w[0], 0);
  ck_assert_uint_eq(w[1], 0);
  ck_assert_uint_eq(w[2], 0);
  ck_assert_uint_eq(w[3], 0);
  ck_assert_uint_eq(w[4], 0);
  ck_assert_st(boc_blob_describe_packed(NULL, w), BOC_EINVAL);
  ck_assert_st(boc_blob_describe_packed(b, NULL), BOC_EINVAL);
  ck_assert_st(boc_blob_release(empty), BOC_OK);
  ck_assert_st(boc_blob_release(b), BOC_OK);
  ck_assert_st(boc_cown_release(a), BOC_OK);
  graveyard_flush();
}
END_TEST

/* ---- embedded cowns ---------------------------------------------------------------- */

START_TEST(test_blob_cowns_in_creation_order_with_duplicates) {
  boc_cown_t *a = tu_cown(), *c = tu_cown();
  boc_cown_t *in[4] = {a, c, a, a};
  boc_blob_t *b = make_blob(NULL, 0, in, 4, 0);
  boc_cown_t *const *cowns = NULL;
  size_t count = 0;
  ck_assert_st(boc_blob_cowns(b, &cowns, &count), BOC_OK);
  ck_assert_uint_eq(count, 4);
  ck_assert_ptr_nonnull(cowns);
  for (size_t i = 0; i < 4; i++)
    ck_assert_ptr_eq(cowns[i], in[i]);
  ck_assert_st(boc_blob_release(b), BOC_OK);
  ck_assert_st(boc_cown_release(a), BOC_OK);
  ck_assert_st(boc_cown_release(c), BOC_OK);
}
END_TEST

/* The blob holds one reference per entry: the payload of a cown whose
 * handle the caller released is freed only when the blob dies, and a
 * duplicated cown is not freed early either. */
START_TEST(test_blob_keeps_embedded_cowns_alive) {
  tu_tracker_t t;
  tu_tracker_init(&t, 2);
  boc_cown_t *a = tu_cown_tracked(&t, 0, 10);
  boc_cown_t *c = tu_cown_tracked(&t, 1, 20);
  boc_cown_t *in[3] = {a, c, a};
  boc_blob_t *b = make_blob("x", 1, in, 3, 0);
  ck_assert_st(boc_cown_release(a), BOC_OK);
  ck_assert_st(boc_cown_release(c), BOC_OK);
  ck_assert_uint_eq(tu_tracker_total(&t), 0);
  /* The borrowed handles still work. */
  boc_cown_t *const *cowns = NULL;
  size_t count = 0;
  ck_assert_st(boc_blob_cowns(b, &cowns, &count), BOC_OK);
  uint64_t id0 = 0, id2 = 0;
  ck_assert_st(boc_cown_id(cowns[0], &id0), BOC_OK);
  ck_assert_st(boc_cown_id(cowns[2], &id2), BOC_OK);
  ck_assert_uint_eq(id0, id2);
  ck_assert_st(boc_blob_retain(b), BOC_OK);
  ck_assert_st(boc_blob_release(b), BOC_OK);
  ck_assert_uint_eq(tu_tracker_total(&t), 0);
  ck_assert_st(boc_blob_release(b), BOC_OK);
  tu_tracker_assert_once(&t, 2);
  tu_assert_clean();
  tu_tracker_destroy(&t);
}
END_TEST

/* A cown reachable only through a blob can still be used by behaviors:
 * each behavior takes its own reference. */
START_TEST(test_blob_cown_usable_by_behavior_after_handle_released) {
  tu_tracker_t t;
  tu_tracker_init(&t, 1);
  boc_cown_t *a = tu_cown_tracked(&t, 0, 5);
  boc_blob_t *b = make_blob(NULL, 0, &a, 1, 0);
  ck_assert_st(boc_cown_release(a), BOC_OK);
  boc_cown_t *const *cowns = NULL;
  size_t count = 0;
  ck_assert_st(boc_blob_cowns(b, &cowns, &count), BOC_OK);
  tu_gate_t g;
  tu_gate_init(&g);
  ck_assert_st(boc_when(cowns, 1, tu_gate_body, &g, NULL, NULL), BOC_OK);
  tu_gate_wait_entered(&g);
  ck_assert_st(boc_blob_release(b), BOC_OK); /* the behavior still holds it */
  ck_assert_uint_eq(tu_tracker_total(&t), 0);
  tu_gate_open(&g);
  ck_assert_st(boc_runtime_quiesce(BOC_SEC(10 * TU_SLOW)), BOC_OK);
  tu_tracker_assert_once(&t, 1);
  tu_assert_clean();
  tu_tracker_destroy(&t);
}
END_TEST

/* A payload free function may release blobs, which release cowns, whose
 * free functions release more blobs: a chain dies from one release. */
typedef struct chain_link {
  tu_tracked_t hdr; /* tracked: freed once */
  boc_blob_t *next;
} chain_link_t;

static void chain_free(void *p) {
  chain_link_t *l = p;
  boc_blob_t *next = l->next;
  tu_tracked_free(l);
  if (next != NULL)
    TU_EXPECT_ST(boc_blob_release(next), BOC_OK);
}

START_TEST(test_blob_release_from_payload_free_function_cascades) {
  enum { N = 50 };
  tu_tracker_t t;
  tu_tracker_init(&t, N);
  graveyard_flush();
  boc_blob_t *next = NULL;
  for (size_t i = 0; i < N; i++) {
    chain_link_t *l = tu_tracked_new(&t, i, sizeof *l);
    ck_assert_ptr_nonnull(l);
    l->next = next;
    boc_cown_t *c = NULL;
    ck_assert_st(boc_cown_create(l, chain_free, &c), BOC_OK);
    next = make_blob(NULL, 0, &c, 1, 1000 + i);
    ck_assert_st(boc_cown_release(c), BOC_OK);
  }
  ck_assert_uint_eq(tu_tracker_total(&t), 0);
  ck_assert_st(boc_blob_release(next), BOC_OK);
  tu_tracker_assert_once(&t, N);
  /* Every blob of the chain reported its token once. */
  uint64_t tokens[N + 1];
  int seen[N] = {0};
  size_t n = 0;
  ck_assert_st(boc_blob_graveyard_take(tokens, N + 1, &n), BOC_OK);
  ck_assert_uint_eq(n, N);
  for (size_t i = 0; i < N; i++) {
    ck_assert(tokens[i] >= 1000 && tokens[i] < 1000 + N);
    ck_assert_int_eq(seen[tokens[i] - 1000]++, 0);
  }
  tu_assert_clean();
  tu_tracker_destroy(&t);
}
END_TEST

/* ---- references ----------------------------------------------------------------------- */

START_TEST(test_blob_dies_at_last_release) {
  tu_tracker_t t;
  tu_tracker_init(&t, 1);
  graveyard_flush();
  boc_cown_t *a = tu_cown_tracked(&t, 0, 1);
  boc_blob_t *b = make_blob("abc", 3, &a, 1, 77);
  ck_assert_st(boc_cown_release(a), BOC_OK);
  for (int i = 0; i < 5; i++)
    ck_assert_st(boc_blob_retain(b), BOC_OK);
  uint64_t tok[2];
  size_t n = 9;
  for (int i = 0; i < 5; i++) {
    ck_assert_st(boc_blob_release(b), BOC_OK);
    ck_assert_uint_eq(tu_tracker_total(&t), 0);
    ck_assert_st(boc_blob_graveyard_take(tok, 2, &n), BOC_OK);
    ck_assert_uint_eq(n, 0);
  }
  ck_assert_st(boc_blob_release(b), BOC_OK);
  tu_tracker_assert_once(&t, 1);
  ck_assert_st(boc_blob_graveyard_take(tok, 2, &n), BOC_OK);
  ck_assert_uint_eq(n, 1);
  ck_assert_uint_eq(tok[0], 77);
  tu_tracker_destroy(&t);
}
END_TEST

typedef struct rr_ctx {
  boc_blob_t *blob;
  size_t rounds;
} rr_ctx_t;

static void *retain_release_thread(void *arg) {
  rr_ctx_t *ctx = arg;
  for (size_t i = 0; i < ctx->rounds; i++) {
    TU_EXPECT_ST(boc_blob_retain(ctx->blob), BOC_OK);
    if (i % 3 == 0)
      TU_EXPECT_ST(boc_blob_retain(ctx->blob), BOC_OK);
    const void *data = NULL;
    size_t size = 0;
    TU_EXPECT_ST(boc_blob_data(ctx->blob, &data, &size), BOC_OK);
    TU_EXPECT(size == 4 && memcmp(data, "rrrr", 4) == 0);
    if (i % 3 == 0)
      TU_EXPECT_ST(boc_blob_release(ctx->blob), BOC_OK);
    TU_EXPECT_ST(boc_blob_release(ctx->blob), BOC_OK);
  }
  return NULL;
}

START_TEST(test_blob_concurrent_retain_release_keep_it_alive) {
  enum { THREADS = 4 };
  tu_tracker_t t;
  tu_tracker_init(&t, 1);
  graveyard_flush();
  boc_cown_t *a = tu_cown_tracked(&t, 0, 1);
  boc_blob_t *b = make_blob("rrrr", 4, &a, 1, 5);
  ck_assert_st(boc_cown_release(a), BOC_OK);
  rr_ctx_t ctx = {b, tu_scale(200000)};
  pthread_t th[THREADS];
  for (int k = 0; k < THREADS; k++)
    ck_assert_int_eq(pthread_create(&th[k], NULL, retain_release_thread, &ctx), 0);
  for (int k = 0; k < THREADS; k++)
    pthread_join(th[k], NULL);
  tu_assert_clean();
  ck_assert_uint_eq(tu_tracker_total(&t), 0);
  uint64_t tok[1];
  size_t n = 9;
  ck_assert_st(boc_blob_graveyard_take(tok, 1, &n), BOC_OK);
  ck_assert_uint_eq(n, 0);
  ck_assert_st(boc_blob_release(b), BOC_OK);
  tu_tracker_assert_once(&t, 1);
  ck_assert_st(boc_blob_graveyard_take(tok, 1, &n), BOC_OK);
  ck_assert_uint_eq(n, 1);
  ck_assert_uint_eq(tok[0], 5);
  tu_tracker_destroy(&t);
}
END_TEST

/* ---- the graveyard ----------------------------------------------------------------------- */

START_TEST(test_blob_graveyard_reports_oldest_first_and_once) {
  graveyard_flush();
  const uint64_t tokens[] = {11, 0, 12, 13, 0, 14, UINT64_MAX};
  enum { N = sizeof tokens / sizeof tokens[0] };
  boc_blob_t *b[N];
  for (size_t i = 0; i < N; i++)
    b[i] = make_blob(&i, sizeof i, NULL, 0, tokens[i]);
  /* Die in a different order from creation: 13, 11, 0, 12, 0, UINT64_MAX, 14. */
  const size_t order[N] = {3, 0, 1, 2, 4, 6, 5};
  for (size_t i = 0; i < N; i++)
    ck_assert_st(boc_blob_release(b[order[i]]), BOC_OK);
  uint64_t got[8] = {0};
  size_t n = 99;
  /* capacity smaller than available */
  ck_assert_st(boc_blob_graveyard_take(got, 2, &n), BOC_OK);
  ck_assert_uint_eq(n, 2);
  ck_assert_uint_eq(got[0], 13);
  ck_assert_uint_eq(got[1], 11);
  /* capacity 0 (tokens may be NULL) moves nothing */
  ck_assert_st(boc_blob_graveyard_take(NULL, 0, &n), BOC_OK);
  ck_assert_uint_eq(n, 0);
  memset(got, 0, sizeof got);
  ck_assert_st(boc_blob_graveyard_take(got, 8, &n), BOC_OK);
  ck_assert_uint_eq(n, 3); /* token 0 is never reported */
  ck_assert_uint_eq(got[0], 12);
  ck_assert_uint_eq(got[1], UINT64_MAX);
  ck_assert_uint_eq(got[2], 14);
  ck_assert_uint_eq(got[3], 0); /* nothing written past the count */
  ck_assert_st(boc_blob_graveyard_take(got, 8, &n), BOC_OK);
  ck_assert_uint_eq(n, 0);
}
END_TEST

/* Many threads kill blobs while another takes tokens: every token comes
 * out exactly once, and each thread's tokens come out in its own order. */
enum { GY_THREADS = 3 };

typedef struct gy_ctx {
  size_t per_thread;
  int k;
} gy_ctx_t;

static void *graveyard_killer(void *arg) {
  gy_ctx_t *ctx = arg;
  for (size_t i = 0; i < ctx->per_thread; i++) {
    uint64_t token = ((uint64_t)(ctx->k + 1) << 32) | (uint64_t)(i + 1);
    boc_blob_t *b = NULL;
    TU_EXPECT_ST(boc_blob_create(&i, sizeof i, NULL, 0, token, &b), BOC_OK);
    if (b != NULL)
      TU_EXPECT_ST(boc_blob_release(b), BOC_OK);
  }
  return NULL;
}

START_TEST(test_blob_graveyard_concurrent_deaths_each_token_once) {
  graveyard_flush();
  size_t per = tu_scale(20000);
  gy_ctx_t ctx[GY_THREADS];
  pthread_t th[GY_THREADS];
  for (int k = 0; k < GY_THREADS; k++) {
    ctx[k].per_thread = per;
    ctx[k].k = k;
    ck_assert_int_eq(pthread_create(&th[k], NULL, graveyard_killer, &ctx[k]), 0);
  }
  uint64_t next[GY_THREADS];
  for (int k = 0; k < GY_THREADS; k++)
    next[k] = 1;
  size_t total = 0, bad = 0;
  uint64_t buf[97];
  uint64_t deadline = tu_now_ns() + TU_MS(20000) * 1000000ull;
  while (total < per * GY_THREADS && tu_now_ns() < deadline) {
    size_t n = 0;
    ck_assert_st(boc_blob_graveyard_take(buf, 1 + (total % 97), &n), BOC_OK);
    for (size_t i = 0; i < n; i++) {
      uint64_t k = (buf[i] >> 32) - 1, seq = buf[i] & 0xffffffffu;
      if (k >= GY_THREADS || seq != next[k])
        bad++;
      else
        next[k]++;
    }
    total += n;
    if (n == 0)
      tu_sleep_us(50);
  }
  for (int k = 0; k < GY_THREADS; k++)
    pthread_join(th[k], NULL);
  tu_assert_clean();
  ck_assert_uint_eq(bad, 0);
  ck_assert_uint_eq(total, per * GY_THREADS);
  size_t n = 0;
  ck_assert_st(boc_blob_graveyard_take(buf, 97, &n), BOC_OK);
  ck_assert_uint_eq(n, 0);
}
END_TEST

/* ---- bad input ---------------------------------------------------------------------------- */

START_TEST(test_blob_create_bad_input_is_einval_and_takes_nothing) {
  tu_tracker_t t;
  tu_tracker_init(&t, 1);
  memset(fake_object, 0, sizeof fake_object);
  boc_cown_t *a = tu_cown_tracked(&t, 0, 1);
  boc_blob_t *const sentinel = (boc_blob_t *)(void *)(fake_object + 64);
  boc_blob_t *out = sentinel;
  char byte = 1;
  boc_cown_t *with_null[2] = {a, NULL};
  boc_cown_t *with_fake[3] = {a, a, FAKE_COWN};
  boc_cown_t *many[1] = {a};

  ck_assert_st(boc_blob_create(&byte, 1, NULL, 0, 0, NULL), BOC_EINVAL);
  ck_assert_st(boc_blob_create(NULL, 1, NULL, 0, 0, &out), BOC_EINVAL);
  ck_assert_st(boc_blob_create(&byte, 1, NULL, 1, 0, &out), BOC_EINVAL);
  ck_assert_st(boc_blob_create(&byte, 1, with_null, 2, 0, &out), BOC_EINVAL);
  ck_assert_st(boc_blob_create(&byte, 1, with_fake, 3, 0, &out), BOC_EINVAL);
  ck_assert_st(boc_blob_create(&byte, (size_t)BOC_BLOB_MAX_SIZE + 1, NULL, 0, 0, &out),
               BOC_EINVAL);
  ck_assert_st(boc_blob_create(&byte, SIZE_MAX, NULL, 0, 0, &out), BOC_EINVAL);
  ck_assert_st(boc_blob_create(&byte, 1, many, (size_t)BOC_BLOB_MAX_COWNS + 1, 0, &out),
               BOC_EINVAL);
  ck_assert_ptr_eq(out, sentinel); /* out untouched on error */
  for (size_t i = 0; i < sizeof fake_object; i++)
    ck_assert_msg(fake_object[i] == 0, "byte %zu of a non-cown was written", i);
  /* No reference was taken: the single release frees the payload. */
  ck_assert_st(boc_cown_release(a), BOC_OK);
  tu_tracker_assert_once(&t, 1);
  tu_tracker_destroy(&t);
}
END_TEST

START_TEST(test_blob_create_at_the_cown_limit_succeeds) {
  size_t n = BOC_BLOB_MAX_COWNS;
  boc_cown_t *a = tu_cown();
  boc_cown_t **many = malloc(n * sizeof *many);
  ck_assert_ptr_nonnull(many);
  for (size_t i = 0; i < n; i++)
    many[i] = a;
  boc_blob_t *b = make_blob(NULL, 0, many, n, 0);
  size_t count = 0;
  boc_cown_t *const *cowns = NULL;
  ck_assert_st(boc_blob_cowns(b, &cowns, &count), BOC_OK);
  ck_assert_uint_eq(count, n);
  ck_assert_ptr_eq(cowns[n - 1], a);
  ck_assert_st(boc_blob_release(b), BOC_OK);
  ck_assert_st(boc_cown_release(a), BOC_OK);
  free(many);
}
END_TEST

START_TEST(test_blob_accessors_bad_input_is_einval) {
  boc_blob_t *b = make_blob("q", 1, NULL, 0, 3);
  const void *data = (const void *)fake_object;
  size_t size = 123;
  boc_cown_t *const *cowns = (boc_cown_t *const *)fake_object;
  size_t count = 123;
  uint64_t token = 123;
  ck_assert_st(boc_blob_data(NULL, &data, &size), BOC_EINVAL);
  ck_assert_st(boc_blob_data(b, NULL, &size), BOC_EINVAL);
  ck_assert_st(boc_blob_data(b, &data, NULL), BOC_EINVAL);
  ck_assert_st(boc_blob_cowns(NULL, &cowns, &count), BOC_EINVAL);
  ck_assert_st(boc_blob_cowns(b, NULL, &count), BOC_EINVAL);
  ck_assert_st(boc_blob_cowns(b, &cowns, NULL), BOC_EINVAL);
  ck_assert_st(boc_blob_token(NULL, &token), BOC_EINVAL);
  ck_assert_st(boc_blob_token(b, NULL), BOC_EINVAL);
  ck_assert_st(boc_blob_retain(NULL), BOC_EINVAL);
  ck_assert_st(boc_blob_release(NULL), BOC_EINVAL);
  ck_assert_st(boc_blob_graveyard_take(NULL, 1, &count), BOC_EINVAL);
  uint64_t tok[1];
  ck_assert_st(boc_blob_graveyard_take(tok, 1, NULL), BOC_EINVAL);
  ck_assert_st(boc_blob_graveyard_take(NULL, 0, NULL), BOC_EINVAL);
  /* untouched on error */
  ck_assert_ptr_eq(data, (const void *)fake_object);
  ck_assert_uint_eq(size, 123);
  ck_assert_ptr_eq(cowns, (boc_cown_t *const *)fake_object);
  ck_assert_uint_eq(count, 123);
  ck_assert_uint_eq(token, 123);
  ck_assert_st(boc_blob_release(b), BOC_OK);
  graveyard_flush();
}
END_TEST

static Suite *blob_suite(void) {
  Suite *s = suite_create("blob");

  TCase *tc = tcase_create("bytes");
  tcase_set_timeout(tc, TU_TIMEOUT(20));
  tcase_add_checked_fixture(tc, NULL, tu_teardown);
  tcase_add_test(tc, test_blob_create_copies_the_bytes);
  tcase_add_test(tc, test_blob_size_zero_has_non_null_data);
  tcase_add_test(tc, test_blob_large_bytes_round_trip);
  tcase_add_test(tc, test_blob_token_is_returned);
  tcase_add_test(tc, test_blob_describe_packed_matches_accessors);
  suite_add_tcase(s, tc);

  tc = tcase_create("cowns");
  tcase_set_timeout(tc, TU_TIMEOUT(20));
  tcase_add_checked_fixture(tc, NULL, tu_teardown);
  tcase_add_test(tc, test_blob_cowns_in_creation_order_with_duplicates);
  tcase_add_test(tc, test_blob_keeps_embedded_cowns_alive);
  tcase_add_test(tc, test_blob_release_from_payload_free_function_cascades);
  suite_add_tcase(s, tc);

  tc = tcase_create("cowns_running");
  tcase_set_timeout(tc, TU_TIMEOUT(20));
  tcase_add_checked_fixture(tc, tu_setup_w2, tu_teardown);
  tcase_add_test(tc, test_blob_cown_usable_by_behavior_after_handle_released);
  suite_add_tcase(s, tc);

  tc = tcase_create("refs");
  tcase_set_timeout(tc, TU_TIMEOUT(20));
  tcase_add_checked_fixture(tc, NULL, tu_teardown);
  tcase_add_test(tc, test_blob_dies_at_last_release);
  tcase_add_test(tc, test_blob_concurrent_retain_release_keep_it_alive);
  suite_add_tcase(s, tc);

  tc = tcase_create("graveyard");
  tcase_set_timeout(tc, TU_TIMEOUT(30));
  tcase_add_checked_fixture(tc, NULL, tu_teardown);
  tcase_add_test(tc, test_blob_graveyard_reports_oldest_first_and_once);
  tcase_add_test(tc, test_blob_graveyard_concurrent_deaths_each_token_once);
  suite_add_tcase(s, tc);

  tc = tcase_create("errors");
  tcase_set_timeout(tc, TU_TIMEOUT(20));
  tcase_add_checked_fixture(tc, NULL, tu_teardown);
  tcase_add_test(tc, test_blob_create_bad_input_is_einval_and_takes_nothing);
  tcase_add_test(tc, test_blob_create_at_the_cown_limit_succeeds);
  tcase_add_test(tc, test_blob_accessors_bad_input_is_einval);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  tu_init("check_blob");
  return tu_run(blob_suite());
}
