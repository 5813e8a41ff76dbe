/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

/* check_msg.c - tagged message queues: interning, FIFO order, blocking
 * receive on several tags, timeouts, drain and clear, limits, cowns in
 * queued blobs, messaging with and without the runtime, bad input. */

#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "testutil.h"

static _Alignas(64) unsigned char fake_object[256];

/* ---- helpers -------------------------------------------------------------------- */

/* A tag whose name is "<test>/<name>", so tests never share a tag even in
 * one process (CK_FORK=no). */
#define TAG(name) tag_for(__func__, (name))

static uint32_t tag_for(const char *test, const char *name) {
  char buf[256];
  int len = snprintf(buf, sizeof buf, "%s/%s", test, name);
  ck_assert(len > 0 && (size_t)len < sizeof buf);
  uint32_t id = 0;
  ck_assert_st(boc_msg_tag(buf, (size_t)len, &id), BOC_OK);
  return id;
}

/* A blob holding one uint64_t. */
static boc_blob_t *blob_u64(uint64_t v) {
  boc_blob_t *b = NULL;
  int st = boc_blob_create(&v, sizeof v, NULL, 0, 0, &b);
  if (st != BOC_OK) {
    tu_fail_record(__FILE__, __LINE__, "boc_blob_create: %s", boc_strerror(st));
    return NULL;
  }
  return b;
}

static uint64_t blob_value(const boc_blob_t *b) {
  const void *data = NULL;
  size_t size = 0;
  uint64_t v = UINT64_MAX;
  if (boc_blob_data(b, &data, &size) == BOC_OK && size == sizeof v)
    memcpy(&v, data, sizeof v);
  else
    tu_fail_record(__FILE__, __LINE__, "blob %p does not hold a uint64_t", (void *)b);
  return v;
}

/* Send a uint64_t (any thread). */
static int send_u64(uint32_t tag, uint64_t v) {
  boc_blob_t *b = blob_u64(v);
  if (b == NULL)
    return BOC_ENOMEM;
  int st = boc_msg_send(tag, b);
  if (st != BOC_OK)
    TU_EXPECT_ST(boc_blob_release(b), BOC_OK); /* the caller kept it */
  return st;
}

/* Receive a uint64_t (any thread); *v and *tag_out written on BOC_OK. */
static int recv_u64(const uint32_t *tags, size_t n, int64_t timeout_ns, uint32_t *tag_out,
                    uint64_t *v) {
  boc_blob_t *b = NULL;
  int st = boc_msg_receive(tags, n, timeout_ns, tag_out, &b);
  if (st == BOC_OK) {
    *v = blob_value(b);
    TU_EXPECT_ST(boc_blob_release(b), BOC_OK);
  }
  return st;
}

static void reset_messaging(void) {
  ck_assert_st(boc_msg_clear(NULL), BOC_OK);
  boc_msg_limits_t lim = {(size_t)1 << 20, (size_t)1 << 30};
  ck_assert_st(boc_msg_set_limits(&lim), BOC_OK);
}

static void setup_stopped(void) { reset_messaging(); }
static void setup_w2(void) {
  reset_messaging();
  tu_start(2, 0);
}
static void teardown(void) {
  tu_teardown();
  reset_messaging();
}

/* A thread blocked in one receive. */
typedef struct receiver {
  pthread_t th;
  uint32_t tags[8];
  size_t n;
  int64_t timeout_ns;
  _Atomic(int) started;
  _Atomic(int) done;
  int status;
  uint32_t tag;
  uint64_t value;
  uint64_t returned_ns;
} receiver_t;

static void *receiver_main(void *arg) {
  receiver_t *r = arg;
  atomic_store(&r->started, 1);
  r->status = recv_u64(r->tags, r->n, r->timeout_ns, &r->tag, &r->value);
  r->returned_ns = tu_now_ns();
  atomic_store(&r->done, 1);
  return NULL;
}

/* Start a receiver and give it time to park (its spin lasts microseconds). */
static void receiver_start(receiver_t *r, const uint32_t *tags, size_t n, int64_t timeout_ns) {
  memset(r, 0, sizeof *r);
  ck_assert(n <= 8);
  memcpy(r->tags, tags, n * sizeof *tags);
  r->n = n;
  r->timeout_ns = timeout_ns;
  r->status = -1;
  atomic_init(&r->started, 0);
  atomic_init(&r->done, 0);
  ck_assert_int_eq(pthread_create(&r->th, NULL, receiver_main, r), 0);
  int ok;
  TU_WAIT_UNTIL(ok, atomic_load(&r->started), 10000);
  ck_assert(ok);
  tu_sleep_ms(5);
}

static void receiver_join(receiver_t *r) { pthread_join(r->th, NULL); }

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

/* ---- tags -------------------------------------------------------------------------- */

START_TEST(test_msg_tag_same_name_same_id) {
  uint32_t a1 = 0, a2 = 0, b = 0;
  ck_assert_st(boc_msg_tag("alpha", 5, &a1), BOC_OK);
  ck_assert_st(boc_msg_tag("beta", 4, &b), BOC_OK);
  ck_assert_st(boc_msg_tag("alpha", 5, &a2), BOC_OK);
  ck_assert_uint_eq(a1, a2);
  ck_assert_uint_ne(a1, b);
  ck_assert_uint_ne(a1, 0); /* 0 is never a tag */
  /* A prefix is another name; the bytes are copied. */
  char buf[6] = "alpha";
  uint32_t p = 0, again = 0;
  ck_assert_st(boc_msg_tag(buf, 4, &p), BOC_OK);
  ck_assert_uint_ne(p, a1);
  memcpy(buf, "zzzzz", 5);
  ck_assert_st(boc_msg_tag("alph", 4, &again), BOC_OK);
  ck_assert_uint_eq(again, p);
}
END_TEST

START_TEST(test_msg_tag_nul_bytes_and_empty_name) {
  uint32_t ab = 0, ac = 0, a = 0, e1 = 0, e2 = 0, e3 = 0;
  ck_assert_st(boc_msg_tag("a\0b", 3, &ab), BOC_OK);
  ck_assert_st(boc_msg_tag("a\0c", 3, &ac), BOC_OK);
  ck_assert_st(boc_msg_tag("a", 1, &a), BOC_OK);
  ck_assert_uint_ne(ab, ac);
  ck_assert_uint_ne(ab, a);
  ck_assert_st(boc_msg_tag(NULL, 0, &e1), BOC_OK);
  ck_assert_st(boc_msg_tag("ignored", 0, &e2), BOC_OK);
  ck_assert_st(boc_msg_tag("", 0, &e3), BOC_OK);
  ck_assert_uint_eq(e1, e2);
  ck_assert_uint_eq(e1, e3);
  ck_assert_uint_ne(e1, a);
  const char *name = NULL;
  size_t len = 99;
  ck_assert_st(boc_msg_tag_name(ab, &name, &len), BOC_OK);
  ck_assert_uint_eq(len, 3);
  ck_assert_mem_eq(name, "a\0b", 3);
  ck_assert_st(boc_msg_tag_name(e1, &name, &len), BOC_OK);
  ck_assert_uint_eq(len, 0);
  ck_assert_ptr_nonnull(name);
  /* Messages go to the tag they name. */
  ck_assert_st(send_u64(ab, 1), BOC_OK);
  ck_assert_st(send_u64(e1, 2), BOC_OK);
  size_t n = 9;
  ck_assert_st(boc_msg_pending(ac, &n), BOC_OK);
  ck_assert_uint_eq(n, 0);
  ck_assert_st(boc_msg_pending(ab, &n), BOC_OK);
  ck_assert_uint_eq(n, 1);
  ck_assert_st(boc_msg_pending(e1, &n), BOC_OK);
  ck_assert_uint_eq(n, 1);
  tu_assert_clean();
}
END_TEST

START_TEST(test_msg_tag_name_returns_stable_bytes) {
  char big[BOC_MSG_MAX_TAG_SIZE];
  for (size_t i = 0; i < sizeof big; i++)
    big[i] = (char)(i * 7);
  uint32_t id = 0;
  ck_assert_st(boc_msg_tag(big, sizeof big, &id), BOC_OK);
  const char *name = NULL, *name2 = NULL;
  size_t len = 0, len2 = 0;
  ck_assert_st(boc_msg_tag_name(id, &name, &len), BOC_OK);
  ck_assert_uint_eq(len, sizeof big);
  ck_assert_int_eq(memcmp(name, big, sizeof big), 0);
  ck_assert_ptr_ne(name, big);
  /* More tags do not move the bytes. */
  for (int i = 0; i < 300; i++) {
    char more[32];
    int n = snprintf(more, sizeof more, "stable-%d", i);
    uint32_t other = 0;
    ck_assert_st(boc_msg_tag(more, (size_t)n, &other), BOC_OK);
  }
  ck_assert_st(boc_msg_tag_name(id, &name2, &len2), BOC_OK);
  ck_assert_ptr_eq(name2, name);
  ck_assert_uint_eq(len2, len);
  ck_assert_int_eq(memcmp(name, big, sizeof big), 0);
}
END_TEST

START_TEST(test_msg_tag_too_long_is_einval) {
  char big[BOC_MSG_MAX_TAG_SIZE + 1];
  memset(big, 'q', sizeof big);
  uint32_t id = 12345;
  ck_assert_st(boc_msg_tag(big, sizeof big, &id), BOC_EINVAL);
  ck_assert_st(boc_msg_tag(big, SIZE_MAX, &id), BOC_EINVAL);
  ck_assert_uint_eq(id, 12345);
  ck_assert_st(boc_msg_tag(big, BOC_MSG_MAX_TAG_SIZE, &id), BOC_OK);
  ck_assert_uint_ne(id, 12345);
}
END_TEST

/* Threads interning the same names in different orders agree on the ids. */
enum { INTERN_THREADS = 4, INTERN_NAMES = 300 };

typedef struct intern_ctx {
  int k;
  uint32_t ids[INTERN_NAMES];
} intern_ctx_t;

static void *intern_thread(void *arg) {
  intern_ctx_t *c = arg;
  for (int j = 0; j < INTERN_NAMES; j++) {
    int i = c->k % 2 ? INTERN_NAMES - 1 - j : (j * 7 + c->k) % INTERN_NAMES;
    char name[32];
    int len = snprintf(name, sizeof name, "intern-%d", i);
    TU_EXPECT_ST(boc_msg_tag(name, (size_t)len, &c->ids[i]), BOC_OK);
  }
  return NULL;
}

START_TEST(test_msg_tag_concurrent_interning_agrees) {
  static intern_ctx_t ctx[INTERN_THREADS];
  pthread_t th[INTERN_THREADS];
  for (int k = 0; k < INTERN_THREADS; k++) {
    memset(&ctx[k], 0, sizeof ctx[k]);
    ctx[k].k = k;
    ck_assert_int_eq(pthread_create(&th[k], NULL, intern_thread, &ctx[k]), 0);
  }
  for (int k = 0; k < INTERN_THREADS; k++)
    pthread_join(th[k], NULL);
  tu_assert_clean();
  uint64_t sorted[INTERN_NAMES];
  for (int i = 0; i < INTERN_NAMES; i++) {
    for (int k = 1; k < INTERN_THREADS; k++)
      ck_assert_uint_eq(ctx[k].ids[i], ctx[0].ids[i]);
    sorted[i] = ctx[0].ids[i];
  }
  qsort(sorted, INTERN_NAMES, sizeof sorted[0], cmp_u64);
  for (int i = 1; i < INTERN_NAMES; i++)
    ck_assert_uint_ne(sorted[i], sorted[i - 1]);
}
END_TEST

/* Run last, in its own tcase: the registry is process-wide and this fills
 * it (each test is a forked child unless CK_FORK=no). */
START_TEST(test_msg_tag_limit_is_efull) {
  const char *fork_env = getenv("CK_FORK");
  int forked = fork_env == NULL || strcmp(fork_env, "no") != 0;
  uint32_t first = TAG("first");
  size_t created = 1;
  uint32_t last = first;
  int st = BOC_OK;
  char name[64];
  for (size_t i = 0; i < BOC_MSG_MAX_TAGS + 10; i++) {
    int len = snprintf(name, sizeof name, "limit-%zu", i);
    uint32_t id = 0;
    st = boc_msg_tag(name, (size_t)len, &id);
    if (st != BOC_OK)
      break;
    last = id;
    created++;
  }
  ck_assert_st(st, BOC_EFULL);
  ck_assert_uint_le(created, BOC_MSG_MAX_TAGS);
  if (forked)
    ck_assert_uint_eq(created, BOC_MSG_MAX_TAGS); /* a fresh process */
  /* Full: new names fail (id untouched), existing names still resolve. */
  uint32_t id = 777;
  ck_assert_st(boc_msg_tag("one more", 8, &id), BOC_EFULL);
  ck_assert_uint_eq(id, 777);
  ck_assert_uint_eq(TAG("first"), first);
  /* Every tag works, including the last one. */
  const char *nm = NULL;
  size_t len = 0;
  ck_assert_st(boc_msg_tag_name(last, &nm, &len), BOC_OK);
  ck_assert_st(send_u64(last, 9), BOC_OK);
  uint64_t v = 0;
  uint32_t from = 0;
  ck_assert_st(recv_u64(&last, 1, 0, &from, &v), BOC_OK);
  ck_assert_uint_eq(v, 9);
  ck_assert_uint_eq(from, last);
  tu_assert_clean();
}
END_TEST

/* ---- send and receive ------------------------------------------------------------------ */

START_TEST(test_msg_single_thread_fifo_and_pending) {
  uint32_t t = TAG("t");
  enum { N = 100 };
  for (uint64_t i = 0; i < N; i++) {
    ck_assert_st(send_u64(t, i), BOC_OK);
    size_t n = 0;
    ck_assert_st(boc_msg_pending(t, &n), BOC_OK);
    ck_assert_uint_eq(n, i + 1);
  }
  for (uint64_t i = 0; i < N; i++) {
    uint64_t v = 0;
    uint32_t from = 0;
    ck_assert_st(recv_u64(&t, 1, 0, &from, &v), BOC_OK);
    ck_assert_uint_eq(v, i);
    ck_assert_uint_eq(from, t);
    size_t n = 0;
    ck_assert_st(boc_msg_pending(t, &n), BOC_OK);
    ck_assert_uint_eq(n, N - 1 - i);
  }
  tu_assert_clean();
}
END_TEST

START_TEST(test_msg_receive_tag_out_may_be_null_and_blob_is_the_one_sent) {
  uint32_t t = TAG("t");
  boc_blob_t *b = blob_u64(5);
  ck_assert_ptr_nonnull(b);
  ck_assert_st(boc_msg_send(t, b), BOC_OK);
  boc_blob_t *got = NULL;
  ck_assert_st(boc_msg_receive(&t, 1, 0, NULL, &got), BOC_OK);
  ck_assert_ptr_eq(got, b); /* the same blob, not a copy */
  ck_assert_st(boc_blob_release(got), BOC_OK);
}
END_TEST

/* Several tags, some with messages: each tag stays FIFO, and the chosen
 * tag rotates so that no tag starves. */
START_TEST(test_msg_receive_several_tags_keeps_each_fifo_and_serves_all) {
  uint32_t tags[3] = {TAG("a"), TAG("b"), TAG("c")};
  enum { PER = 30 };
  for (uint64_t i = 0; i < PER; i++)
    for (int k = 0; k < 3; k++)
      ck_assert_st(send_u64(tags[k], ((uint64_t)k << 32) | i), BOC_OK);
  uint64_t next[3] = {0, 0, 0};
  int first_ten[3] = {0, 0, 0};
  for (int i = 0; i < 3 * PER; i++) {
    uint64_t v = 0;
    uint32_t from = 0;
    ck_assert_st(recv_u64(tags, 3, 0, &from, &v), BOC_OK);
    int k = (int)(v >> 32);
    ck_assert_int_lt(k, 3);
    ck_assert_uint_eq(from, tags[k]);
    ck_assert_uint_eq(v & 0xffffffffu, next[k]);
    next[k]++;
    if (i < 10)
      first_ten[k]++;
  }
  for (int k = 0; k < 3; k++)
    ck_assert_msg(first_ten[k] > 0, "tag %d starved in the first 10 receives", k);
  uint64_t v;
  ck_assert_st(recv_u64(tags, 3, 0, NULL, &v), BOC_ETIMEDOUT);
  tu_assert_clean();
}
END_TEST

START_TEST(test_msg_duplicate_tags_in_receive_are_allowed) {
  uint32_t a = TAG("a"), b = TAG("b");
  uint32_t tags[5] = {a, b, a, a, b};
  ck_assert_st(send_u64(b, 1), BOC_OK);
  uint64_t v = 0;
  uint32_t from = 0;
  ck_assert_st(recv_u64(tags, 5, BOC_SEC(5), &from, &v), BOC_OK);
  ck_assert_uint_eq(from, b);
  ck_assert_uint_eq(v, 1);
  /* Blocked on duplicates, woken once. */
  receiver_t r;
  receiver_start(&r, tags, 5, BOC_SEC(10));
  ck_assert_st(send_u64(a, 2), BOC_OK);
  receiver_join(&r);
  ck_assert_st(r.status, BOC_OK);
  ck_assert_uint_eq(r.value, 2);
  ck_assert_uint_eq(r.tag, a);
  tu_assert_clean();
}
END_TEST

/* The largest tag array: BOC_MSG_MAX_TAGS entries. */
START_TEST(test_msg_receive_on_max_tags_entries) {
  uint32_t a = TAG("a"), b = TAG("b");
  uint32_t *tags = malloc(BOC_MSG_MAX_TAGS * sizeof *tags);
  ck_assert_ptr_nonnull(tags);
  for (size_t i = 0; i < BOC_MSG_MAX_TAGS; i++)
    tags[i] = i % 2 ? a : b;
  uint64_t v = 0;
  ck_assert_st(recv_u64(tags, BOC_MSG_MAX_TAGS, 0, NULL, &v), BOC_ETIMEDOUT);
  ck_assert_st(recv_u64(tags, BOC_MSG_MAX_TAGS, BOC_MSEC(10), NULL, &v), BOC_ETIMEDOUT);
  ck_assert_st(send_u64(a, 3), BOC_OK);
  uint32_t from = 0;
  ck_assert_st(recv_u64(tags, BOC_MSG_MAX_TAGS, BOC_SEC(5), &from, &v), BOC_OK);
  ck_assert_uint_eq(v, 3);
  ck_assert_uint_eq(from, a);
  free(tags);
  tu_assert_clean();
}
END_TEST

/* ---- timeouts ---------------------------------------------------------------------------- */

START_TEST(test_msg_poll_returns_at_once) {
  uint32_t tags[2] = {TAG("a"), TAG("b")};
  boc_blob_t *const sentinel = (boc_blob_t *)(void *)fake_object;
  for (int i = 0; i < 100; i++) {
    boc_blob_t *b = sentinel;
    uint32_t from = 4242;
    uint64_t t0 = tu_now_ns();
    ck_assert_st(boc_msg_receive(tags, 2, 0, &from, &b), BOC_ETIMEDOUT);
    uint64_t dt = tu_now_ns() - t0;
    ck_assert_msg(dt < TU_MS(20) * 1000000ull, "a poll took %llu ns",
                  (unsigned long long)dt);
    ck_assert_ptr_eq(b, sentinel); /* untouched on error */
    ck_assert_uint_eq(from, 4242);
  }
}
END_TEST

START_TEST(test_msg_timeout_waits_at_least_the_timeout) {
  uint32_t tags[3] = {TAG("a"), TAG("b"), TAG("c")};
  const int64_t ms[3] = {1, 50, 120};
  for (int i = 0; i < 3; i++) {
    for (size_t n = 1; n <= 3; n += 2) {
      uint64_t v = 0;
      uint64_t t0 = tu_now_ns();
      ck_assert_st(recv_u64(tags, n, BOC_MSEC(ms[i]), NULL, &v), BOC_ETIMEDOUT);
      uint64_t dt = tu_now_ns() - t0;
      ck_assert_msg(dt >= (uint64_t)BOC_MSEC(ms[i]), "%lld ms timeout returned after %llu ns",
                    (long long)ms[i], (unsigned long long)dt);
      ck_assert_msg(dt < (uint64_t)BOC_MSEC(ms[i]) + TU_MS(250) * 1000000ull,
                    "%lld ms timeout returned after %llu ns", (long long)ms[i],
                    (unsigned long long)dt);
    }
  }
}
END_TEST

/* A message that arrives before the timeout ends the wait. */
START_TEST(test_msg_message_before_timeout_is_received) {
  uint32_t t = TAG("t");
  receiver_t r;
  receiver_start(&r, &t, 1, BOC_SEC(10));
  uint64_t t0 = tu_now_ns();
  ck_assert_st(send_u64(t, 77), BOC_OK);
  receiver_join(&r);
  ck_assert_st(r.status, BOC_OK);
  ck_assert_uint_eq(r.value, 77);
  ck_assert_uint_lt(r.returned_ns - t0, TU_MS(1000) * 1000000ull);
  tu_assert_clean();
}
END_TEST

/* A parked receiver sleeps: its thread uses (almost) no CPU time. */
START_TEST(test_msg_parked_receiver_uses_no_cpu) {
  uint32_t tags[2] = {TAG("a"), TAG("b")};
  struct timespec c0, c1;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
  uint64_t v;
  ck_assert_st(recv_u64(tags, 2, BOC_MSEC(300), NULL, &v), BOC_ETIMEDOUT);
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
  int64_t cpu_ns = (int64_t)(c1.tv_sec - c0.tv_sec) * 1000000000 + (c1.tv_nsec - c0.tv_nsec);
  ck_assert_msg(cpu_ns < (int64_t)TU_MS(15) * 1000000, "a 300 ms receive used %lld ns of CPU",
                (long long)cpu_ns);
}
END_TEST

/* ---- wake-ups ---------------------------------------------------------------------------- */

/* A receiver blocked on {a, b, c} wakes promptly for a message on any of
 * them, and gets that message. */
START_TEST(test_msg_blocked_receiver_wakes_for_any_of_its_tags) {
  TU_RNG(rng);
  uint32_t tags[3] = {TAG("a"), TAG("b"), TAG("c")};
  enum { ROUNDS = 21 };
  uint64_t lat[ROUNDS];
  for (int i = 0; i < ROUNDS; i++) {
    int k = i < 3 ? 2 - i : (int)tu_rng_below(&rng, 3); /* c, b, a first */
    receiver_t r;
    receiver_start(&r, tags, 3, BOC_SEC(10));
    ck_assert(!atomic_load(&r.done));
    uint64_t t0 = tu_now_ns();
    ck_assert_st(send_u64(tags[k], (uint64_t)i), BOC_OK);
    receiver_join(&r);
    ck_assert_st(r.status, BOC_OK);
    ck_assert_uint_eq(r.tag, tags[k]);
    ck_assert_uint_eq(r.value, (uint64_t)i);
    lat[i] = r.returned_ns - t0;
    ck_assert_msg(lat[i] < TU_MS(1000) * 1000000ull, "woke %llu ns after the send",
                  (unsigned long long)lat[i]);
  }
  qsort(lat, ROUNDS, sizeof lat[0], cmp_u64);
  fprintf(stderr, "# wake-up latency: median %llu ns, max %llu ns\n",
          (unsigned long long)lat[ROUNDS / 2], (unsigned long long)lat[ROUNDS - 1]);
  /* Microseconds normally; a generous bound for a loaded machine. */
  ck_assert_msg(lat[ROUNDS / 2] < TU_MS(10) * 1000000ull, "median wake-up latency %llu ns",
                (unsigned long long)lat[ROUNDS / 2]);
  tu_assert_clean();
}
END_TEST

/* Receivers with overlapping tag sets, all parked; one message on each
 * tag, in random order.  Any receiver may take any message of its tags,
 * so not every receiver need get one, but a message must never wait
 * while a receiver parked on its tag sleeps (a receiver woken for one tag
 * that takes another must pass the wake-up on). */
static int parked_with_message(receiver_t *r, int nr) {
  for (int i = 0; i < nr; i++) {
    if (atomic_load(&r[i].done))
      continue;
    for (size_t k = 0; k < r[i].n; k++) {
      size_t n = 0;
      if (boc_msg_pending(r[i].tags[k], &n) != BOC_OK || n > 0)
        return 1;
    }
  }
  return 0;
}

START_TEST(test_msg_overlapping_receivers_never_sleep_on_a_message) {
  TU_RNG(rng);
  uint32_t a = TAG("a"), b = TAG("b"), c = TAG("c");
  const uint32_t set_ab[2] = {a, b}, set_a[1] = {a}, set_bc[2] = {b, c};
  for (int round = 0; round < 40; round++) {
    receiver_t r[3];
    receiver_start(&r[0], set_ab, 2, BOC_SEC(10));
    receiver_start(&r[1], set_a, 1, BOC_SEC(10));
    receiver_start(&r[2], set_bc, 2, BOC_SEC(10));
    uint32_t order[3] = {a, b, c};
    for (int i = 2; i > 0; i--) {
      int j = (int)tu_rng_below(&rng, (uint32_t)i + 1);
      uint32_t x = order[i];
      order[i] = order[j];
      order[j] = x;
    }
    for (int i = 0; i < 3; i++)
      ck_assert_st(send_u64(order[i], (uint64_t)i), BOC_OK);
    int ok;
    TU_WAIT_UNTIL(ok, !parked_with_message(r, 3), 2000);
    ck_assert_msg(ok, "round %d: a message waits while a receiver of its tag sleeps", round);
    /* Release the receivers that got nothing (values >= 100). */
    uint64_t deadline = tu_now_ns() + TU_MS(10000) * 1000000ull;
    for (;;) {
      int waiting = 0;
      for (int i = 0; i < 3; i++)
        if (!atomic_load(&r[i].done)) {
          waiting = 1;
          ck_assert_st(send_u64(r[i].tags[0], 100 + (uint64_t)i), BOC_OK);
        }
      if (!waiting || tu_now_ns() > deadline)
        break;
      tu_sleep_ms(2);
    }
    unsigned seen = 0;
    for (int i = 0; i < 3; i++) {
      receiver_join(&r[i]);
      ck_assert_msg(r[i].status == BOC_OK, "round %d: receiver %d: %s", round, i,
                    boc_strerror(r[i].status));
      if (r[i].value < 3) {
        ck_assert(!(seen & (1u << r[i].value)));
        seen |= 1u << r[i].value;
      }
    }
    /* The originals not received are still queued. */
    uint32_t all[3] = {a, b, c};
    uint64_t v = 0;
    while (recv_u64(all, 3, 0, NULL, &v) == BOC_OK)
      if (v < 3) {
        ck_assert(!(seen & (1u << v)));
        seen |= 1u << v;
      }
    ck_assert_uint_eq(seen, 7);
  }
  tu_assert_clean();
}
END_TEST

/* k parked receivers on one tag, k messages: each gets exactly one. */
START_TEST(test_msg_parked_receivers_on_one_tag_each_get_one) {
  uint32_t t = TAG("t");
  enum { K = 6 };
  receiver_t r[K];
  for (int i = 0; i < K; i++)
    receiver_start(&r[i], &t, 1, BOC_SEC(10));
  for (int i = 0; i < K; i++)
    ck_assert_st(send_u64(t, (uint64_t)i), BOC_OK);
  uint64_t seen = 0;
  for (int i = 0; i < K; i++) {
    receiver_join(&r[i]);
    ck_assert_st(r[i].status, BOC_OK);
    ck_assert_uint_lt(r[i].value, K);
    ck_assert(!(seen & (1ull << r[i].value)));
    seen |= 1ull << r[i].value;
  }
  tu_assert_clean();
}
END_TEST

/* ---- drain and clear ------------------------------------------------------------------------ */

START_TEST(test_msg_drain_discards_and_releases) {
  tu_tracker_t tr;
  tu_tracker_init(&tr, 4);
  uint32_t a = TAG("a"), b = TAG("b"), c = TAG("c");
  for (size_t i = 0; i < 4; i++) {
    boc_cown_t *cown = tu_cown_tracked(&tr, i, 0);
    boc_blob_t *blob = NULL;
    ck_assert_st(boc_blob_create(NULL, 0, &cown, 1, 0, &blob), BOC_OK);
    ck_assert_st(boc_cown_release(cown), BOC_OK);
    ck_assert_st(boc_msg_send(i < 3 ? a : b, blob), BOC_OK);
  }
  ck_assert_st(send_u64(c, 1), BOC_OK);
  ck_assert_uint_eq(tu_tracker_total(&tr), 0);
  size_t dropped = 99;
  uint32_t ab[3] = {a, b, a};
  ck_assert_st(boc_msg_drain(ab, 3, &dropped), BOC_OK);
  ck_assert_uint_eq(dropped, 4);
  tu_tracker_assert_once(&tr, 4);
  size_t n = 9;
  ck_assert_st(boc_msg_pending(a, &n), BOC_OK);
  ck_assert_uint_eq(n, 0);
  ck_assert_st(boc_msg_pending(c, &n), BOC_OK);
  ck_assert_uint_eq(n, 1); /* other tags untouched */
  ck_assert_st(boc_msg_drain(ab, 2, NULL), BOC_OK);
  ck_assert_st(boc_msg_drain(NULL, 0, &dropped), BOC_OK);
  ck_assert_uint_eq(dropped, 0);
  tu_assert_clean();
  tu_tracker_destroy(&tr);
}
END_TEST

START_TEST(test_msg_drain_with_unknown_tag_discards_nothing) {
  uint32_t a = TAG("a");
  ck_assert_st(send_u64(a, 1), BOC_OK);
  uint32_t tags[2] = {a, 0};
  size_t dropped = 55;
  ck_assert_st(boc_msg_drain(tags, 2, &dropped), BOC_ENOENT);
  tags[1] = UINT32_MAX;
  ck_assert_st(boc_msg_drain(tags, 2, &dropped), BOC_ENOENT);
  ck_assert_uint_eq(dropped, 55);
  size_t n = 0;
  ck_assert_st(boc_msg_pending(a, &n), BOC_OK);
  ck_assert_uint_eq(n, 1);
  tu_assert_clean();
}
END_TEST

/* Draining a tag a receiver waits on leaves it waiting for the next
 * message. */
START_TEST(test_msg_drain_while_receiver_blocked_keeps_it_waiting) {
  uint32_t a = TAG("a"), b = TAG("b");
  receiver_t r;
  receiver_start(&r, &a, 1, BOC_SEC(10));
  for (uint64_t i = 0; i < 5; i++)
    ck_assert_st(send_u64(b, i), BOC_OK);
  uint32_t ab[2] = {a, b};
  size_t dropped = 0;
  ck_assert_st(boc_msg_drain(ab, 2, &dropped), BOC_OK);
  ck_assert_uint_eq(dropped, 5);
  tu_sleep_ms(30);
  ck_assert(!atomic_load(&r.done));
  ck_assert_st(send_u64(a, 42), BOC_OK);
  receiver_join(&r);
  ck_assert_st(r.status, BOC_OK);
  ck_assert_uint_eq(r.value, 42);
  tu_assert_clean();
}
END_TEST

START_TEST(test_msg_clear_discards_every_tag) {
  uint32_t tags[4] = {TAG("a"), TAG("b"), TAG("c"), TAG("d")};
  size_t want = 0;
  for (int k = 0; k < 4; k++)
    for (int i = 0; i <= k; i++, want++)
      ck_assert_st(send_u64(tags[k], (uint64_t)i), BOC_OK);
  receiver_t r;
  receiver_start(&r, &tags[0], 1, BOC_SEC(10)); /* takes the message on a */
  int ok;
  TU_WAIT_UNTIL(ok, atomic_load(&r.done), 10000);
  ck_assert(ok);
  receiver_join(&r);
  want--;
  size_t dropped = 0;
  ck_assert_st(boc_msg_clear(&dropped), BOC_OK);
  ck_assert_uint_eq(dropped, want);
  for (int k = 0; k < 4; k++) {
    size_t n = 9;
    ck_assert_st(boc_msg_pending(tags[k], &n), BOC_OK);
    ck_assert_uint_eq(n, 0);
  }
  ck_assert_st(boc_msg_clear(NULL), BOC_OK);
  ck_assert_st(boc_msg_clear(&dropped), BOC_OK);
  ck_assert_uint_eq(dropped, 0);
  /* Still usable afterwards. */
  ck_assert_st(send_u64(tags[3], 8), BOC_OK);
  uint64_t v = 0;
  ck_assert_st(recv_u64(&tags[3], 1, 0, NULL, &v), BOC_OK);
  ck_assert_uint_eq(v, 8);
  tu_assert_clean();
}
END_TEST

/* ---- cowns in queued blobs --------------------------------------------------------------------- */

START_TEST(test_msg_cowns_in_queued_blobs_stay_alive) {
  tu_tracker_t tr;
  tu_tracker_init(&tr, 2);
  uint32_t t = TAG("t");
  boc_cown_t *c0 = tu_cown_tracked(&tr, 0, 100);
  boc_cown_t *c1 = tu_cown_tracked(&tr, 1, 200);
  boc_cown_t *both[2] = {c0, c1};
  boc_blob_t *blob = NULL;
  ck_assert_st(boc_blob_create("m", 1, both, 2, 0, &blob), BOC_OK);
  ck_assert_st(boc_cown_release(c0), BOC_OK);
  ck_assert_st(boc_cown_release(c1), BOC_OK);
  ck_assert_st(boc_msg_send(t, blob), BOC_OK); /* our reference moved to the queue */
  ck_assert_uint_eq(tu_tracker_total(&tr), 0);
  boc_blob_t *got = NULL;
  ck_assert_st(boc_msg_receive(&t, 1, BOC_SEC(5), NULL, &got), BOC_OK);
  ck_assert_uint_eq(tu_tracker_total(&tr), 0);
  boc_cown_t *const *cowns = NULL;
  size_t count = 0;
  ck_assert_st(boc_blob_cowns(got, &cowns, &count), BOC_OK);
  ck_assert_uint_eq(count, 2);
  /* The cowns work: acquire one and read its payload. */
  ck_assert_st(boc_cown_acquire(cowns[1]), BOC_OK);
  void *p = NULL;
  ck_assert_st(boc_cown_get(cowns[1], &p), BOC_OK);
  ck_assert_int_eq(atomic_load(&((tu_tracked_t *)p)->value), 200);
  ck_assert_st(boc_cown_relinquish(cowns[1]), BOC_OK);
  ck_assert_st(boc_blob_release(got), BOC_OK);
  tu_tracker_assert_once(&tr, 2);
  tu_assert_clean();
  tu_tracker_destroy(&tr);
}
END_TEST

/* ---- limits ------------------------------------------------------------------------------------- */

START_TEST(test_msg_limits_default_and_round_trip) {
  boc_msg_limits_t lim = {0, 0};
  ck_assert_st(boc_msg_get_limits(&lim), BOC_OK);
  ck_assert_uint_eq(lim.max_pending_per_tag, (size_t)1 << 20);
  ck_assert_uint_eq(lim.max_pending_bytes, (size_t)1 << 30);
  boc_msg_limits_t set = {7, 12345};
  ck_assert_st(boc_msg_set_limits(&set), BOC_OK);
  ck_assert_st(boc_msg_get_limits(&lim), BOC_OK);
  ck_assert_uint_eq(lim.max_pending_per_tag, 7);
  ck_assert_uint_eq(lim.max_pending_bytes, 12345);
  boc_msg_limits_t huge = {SIZE_MAX, SIZE_MAX};
  ck_assert_st(boc_msg_set_limits(&huge), BOC_OK);
  ck_assert_st(boc_msg_get_limits(&lim), BOC_OK);
  ck_assert_uint_eq(lim.max_pending_per_tag, SIZE_MAX);
  ck_assert_uint_eq(lim.max_pending_bytes, SIZE_MAX);
}
END_TEST

START_TEST(test_msg_limits_bad_input_is_einval_and_changes_nothing) {
  boc_msg_limits_t set = {3, 1000};
  ck_assert_st(boc_msg_set_limits(&set), BOC_OK);
  ck_assert_st(boc_msg_get_limits(NULL), BOC_EINVAL);
  ck_assert_st(boc_msg_set_limits(NULL), BOC_EINVAL);
  boc_msg_limits_t zero_tag = {0, 1000}, zero_bytes = {3, 0}, zeros = {0, 0};
  ck_assert_st(boc_msg_set_limits(&zero_tag), BOC_EINVAL);
  ck_assert_st(boc_msg_set_limits(&zero_bytes), BOC_EINVAL);
  ck_assert_st(boc_msg_set_limits(&zeros), BOC_EINVAL);
  boc_msg_limits_t lim = {0, 0};
  ck_assert_st(boc_msg_get_limits(&lim), BOC_OK);
  ck_assert_uint_eq(lim.max_pending_per_tag, 3);
  ck_assert_uint_eq(lim.max_pending_bytes, 1000);
}
END_TEST

START_TEST(test_msg_per_tag_limit_is_efull_and_caller_keeps_blob) {
  uint32_t a = TAG("a"), b = TAG("b");
  boc_msg_limits_t set = {3, (size_t)1 << 30};
  ck_assert_st(boc_msg_set_limits(&set), BOC_OK);
  for (uint64_t i = 0; i < 3; i++)
    ck_assert_st(send_u64(a, i), BOC_OK);
  boc_blob_t *extra = blob_u64(3);
  ck_assert_ptr_nonnull(extra);
  ck_assert_st(boc_msg_send(a, extra), BOC_EFULL);
  ck_assert_st(boc_msg_send(a, extra), BOC_EFULL);
  /* The caller still owns it: it is intact and can be sent elsewhere. */
  ck_assert_uint_eq(blob_value(extra), 3);
  size_t n = 0;
  ck_assert_st(boc_msg_pending(a, &n), BOC_OK);
  ck_assert_uint_eq(n, 3);
  ck_assert_st(send_u64(b, 100), BOC_OK); /* the limit is per tag */
  uint64_t v = 0;
  ck_assert_st(recv_u64(&a, 1, 0, NULL, &v), BOC_OK);
  ck_assert_uint_eq(v, 0);
  ck_assert_st(boc_msg_send(a, extra), BOC_OK); /* room again */
  for (uint64_t i = 1; i <= 3; i++) {
    ck_assert_st(recv_u64(&a, 1, 0, NULL, &v), BOC_OK);
    ck_assert_uint_eq(v, i); /* nothing lost, order kept */
  }
  tu_assert_clean();
}
END_TEST

START_TEST(test_msg_byte_limit_is_efull_across_tags) {
  uint32_t a = TAG("a"), b = TAG("b");
  /* A uint64_t message costs 8 + BOC_MSG_OVERHEAD bytes. */
  const size_t cost = sizeof(uint64_t) + BOC_MSG_OVERHEAD;
  boc_msg_limits_t set = {1000, 3 * cost};
  ck_assert_st(boc_msg_set_limits(&set), BOC_OK);
  ck_assert_st(send_u64(a, 1), BOC_OK);
  ck_assert_st(send_u64(b, 2), BOC_OK);
  ck_assert_st(send_u64(a, 3), BOC_OK);
  ck_assert_st(send_u64(b, 4), BOC_EFULL); /* the budget is shared */
  /* An empty blob still costs BOC_MSG_OVERHEAD. */
  boc_blob_t *empty = NULL;
  ck_assert_st(boc_blob_create(NULL, 0, NULL, 0, 0, &empty), BOC_OK);
  ck_assert_st(boc_msg_send(b, empty), BOC_EFULL);
  uint64_t v = 0;
  ck_assert_st(recv_u64(&a, 1, 0, NULL, &v), BOC_OK);
  ck_assert_uint_eq(v, 1);
  ck_assert_st(boc_msg_send(b, empty), BOC_OK); /* 64 < 8 + 64 freed */
  ck_assert_st(send_u64(b, 5), BOC_EFULL);      /* 2 * 72 + 64 + 72 > 216 */
  /* Draining gives the budget back. */
  ck_assert_st(boc_msg_clear(NULL), BOC_OK);
  for (uint64_t i = 0; i < 3; i++)
    ck_assert_st(send_u64(b, i), BOC_OK);
  /* A single blob larger than the whole budget never fits. */
  boc_msg_limits_t small = {1000, 100};
  ck_assert_st(boc_msg_set_limits(&small), BOC_OK);
  ck_assert_st(boc_msg_clear(NULL), BOC_OK);
  char big[64] = {0};
  boc_blob_t *blob = NULL;
  ck_assert_st(boc_blob_create(big, sizeof big, NULL, 0, 0, &blob), BOC_OK);
  ck_assert_st(boc_msg_send(a, blob), BOC_EFULL);
  ck_assert_st(boc_blob_release(blob), BOC_OK);
  tu_assert_clean();
}
END_TEST

START_TEST(test_msg_lowering_limits_keeps_queued_messages) {
  uint32_t a = TAG("a");
  for (uint64_t i = 0; i < 5; i++)
    ck_assert_st(send_u64(a, i), BOC_OK);
  boc_msg_limits_t set = {2, (size_t)1 << 30};
  ck_assert_st(boc_msg_set_limits(&set), BOC_OK);
  size_t n = 0;
  ck_assert_st(boc_msg_pending(a, &n), BOC_OK);
  ck_assert_uint_eq(n, 5);
  ck_assert_st(send_u64(a, 9), BOC_EFULL);
  uint64_t v = 0;
  for (uint64_t i = 0; i < 3; i++) {
    ck_assert_st(recv_u64(&a, 1, 0, NULL, &v), BOC_OK);
    ck_assert_uint_eq(v, i);
  }
  ck_assert_st(send_u64(a, 9), BOC_EFULL); /* 2 queued, limit 2 */
  ck_assert_st(recv_u64(&a, 1, 0, NULL, &v), BOC_OK);
  ck_assert_st(send_u64(a, 9), BOC_OK);
  tu_assert_clean();
}
END_TEST

/* ---- concurrency ---------------------------------------------------------------------------------- */

enum { MAX_PRODUCERS = 4, MAX_TAGS_USED = 4 };

typedef struct producer {
  pthread_t th;
  int k;
  uint64_t seed;
  const uint32_t *tags;
  size_t ntags;
  size_t count;
  _Atomic(int) *go;
} producer_t;

/* Message value: producer in bits 48.., tag index in 40..47, per (producer,
 * tag) sequence number below. */
#define MSG(p, t, s) (((uint64_t)(p) << 48) | ((uint64_t)(t) << 40) | (uint64_t)(s))
#define MSG_P(v) ((unsigned)((v) >> 48))
#define MSG_T(v) ((unsigned)(((v) >> 40) & 0xff))
#define MSG_S(v) ((v) & 0xffffffffffull)

static void *producer_main(void *arg) {
  producer_t *p = arg;
  tu_rng_t rng;
  tu_rng_init(&rng, p->seed);
  uint64_t seq[MAX_TAGS_USED] = {0};
  while (!atomic_load(p->go))
    tu_sleep_us(10);
  for (size_t i = 0; i < p->count; i++) {
    unsigned t = p->ntags == 1 ? 0 : tu_rng_below(&rng, (uint32_t)p->ntags);
    int st = send_u64(p->tags[t], MSG(p->k, t, seq[t]));
    if (st != BOC_OK) {
      tu_fail_record(__FILE__, __LINE__, "send: %s", boc_strerror(st));
      return NULL;
    }
    seq[t]++;
  }
  return NULL;
}

static void producers_start(producer_t *p, int np, const uint32_t *tags, size_t ntags,
                            size_t count, _Atomic(int) *go, uint64_t seed) {
  for (int k = 0; k < np; k++) {
    p[k].k = k;
    p[k].seed = seed + (uint64_t)k;
    p[k].tags = tags;
    p[k].ntags = ntags;
    p[k].count = count;
    p[k].go = go;
    ck_assert_int_eq(pthread_create(&p[k].th, NULL, producer_main, &p[k]), 0);
  }
}

/* Several producers on one tag, one consumer: each producer's order is
 * kept, and every message arrives once. */
START_TEST(test_msg_fifo_per_producer_with_several_producers) {
  uint32_t t = TAG("t");
  size_t per = tu_scale(20000);
  _Atomic(int) go;
  atomic_init(&go, 0);
  producer_t p[MAX_PRODUCERS];
  producers_start(p, MAX_PRODUCERS, &t, 1, per, &go, tu_test_seed(__func__));
  atomic_store(&go, 1);
  uint64_t next[MAX_PRODUCERS] = {0};
  size_t got = 0;
  uint64_t deadline = tu_now_ns() + TU_MS(20000) * 1000000ull;
  while (got < per * MAX_PRODUCERS && tu_now_ns() < deadline) {
    uint64_t v = 0;
    int st = recv_u64(&t, 1, BOC_MSEC(100), NULL, &v);
    if (st == BOC_ETIMEDOUT)
      continue;
    ck_assert_st(st, BOC_OK);
    unsigned k = MSG_P(v);
    ck_assert_uint_lt(k, MAX_PRODUCERS);
    ck_assert_msg(MSG_S(v) == next[k], "producer %u: got %llu, expected %llu", k,
                  (unsigned long long)MSG_S(v), (unsigned long long)next[k]);
    next[k]++;
    got++;
  }
  for (int k = 0; k < MAX_PRODUCERS; k++)
    pthread_join(p[k].th, NULL);
  tu_assert_clean();
  ck_assert_uint_eq(got, per * MAX_PRODUCERS);
  uint64_t v;
  ck_assert_st(recv_u64(&t, 1, 0, NULL, &v), BOC_ETIMEDOUT);
}
END_TEST

/* Producers outrun slow consumers that take from random tag sets: nothing
 * is lost or duplicated, and each consumer sees each (producer, tag)
 * stream in order. */
typedef struct consumer {
  pthread_t th;
  uint64_t seed;
  const uint32_t *tags;
  size_t ntags;
  _Atomic(size_t) *remaining;
  uint64_t *log; /* values received */
  size_t len, cap;
  int bad_order;
} consumer_t;

static void *consumer_main(void *arg) {
  consumer_t *c = arg;
  tu_rng_t rng;
  tu_rng_init(&rng, c->seed);
  uint64_t last[MAX_PRODUCERS][MAX_TAGS_USED];
  memset(last, 0xff, sizeof last);
  uint64_t deadline = tu_now_ns() + TU_MS(20000) * 1000000ull;
  while (atomic_load(c->remaining) > 0 && tu_now_ns() < deadline) {
    /* a random non-empty subset of the tags */
    uint32_t set[MAX_TAGS_USED];
    size_t n = 0;
    unsigned mask = 1 + tu_rng_below(&rng, (1u << c->ntags) - 1);
    for (size_t i = 0; i < c->ntags; i++)
      if (mask & (1u << i))
        set[n++] = c->tags[i];
    uint64_t v = 0;
    uint32_t from = 0;
    int st = recv_u64(set, n, BOC_MSEC(20), &from, &v);
    if (st == BOC_ETIMEDOUT)
      continue;
    if (st != BOC_OK) {
      tu_fail_record(__FILE__, __LINE__, "receive: %s", boc_strerror(st));
      return NULL;
    }
    atomic_fetch_sub(c->remaining, 1);
    unsigned p = MSG_P(v), t = MSG_T(v);
    if (p >= MAX_PRODUCERS || t >= c->ntags || c->tags[t] != from) {
      tu_fail_record(__FILE__, __LINE__, "message %#llx from tag %u", (unsigned long long)v,
                     from);
      continue;
    }
    if (last[p][t] != UINT64_MAX && MSG_S(v) <= last[p][t])
      c->bad_order++;
    last[p][t] = MSG_S(v);
    if (c->len < c->cap)
      c->log[c->len++] = v;
    if (tu_rng_below(&rng, 64) == 0)
      tu_sleep_us(200); /* fall behind now and then */
  }
  return NULL;
}

START_TEST(test_msg_producers_outrunning_consumers_lose_nothing) {
  enum { NP = 3, NC = 3, NT = 4 };
  uint32_t tags[NT] = {TAG("a"), TAG("b"), TAG("c"), TAG("d")};
  size_t per = tu_scale(20000);
  size_t total = per * NP;
  _Atomic(size_t) remaining;
  atomic_init(&remaining, total);
  _Atomic(int) go;
  atomic_init(&go, 0);
  consumer_t c[NC];
  for (int i = 0; i < NC; i++) {
    memset(&c[i], 0, sizeof c[i]);
    c[i].seed = tu_test_seed(__func__) + 100 + (uint64_t)i;
    c[i].tags = tags;
    c[i].ntags = NT;
    c[i].remaining = &remaining;
    c[i].cap = total;
    c[i].log = malloc(total * sizeof(uint64_t));
    ck_assert_ptr_nonnull(c[i].log);
    ck_assert_int_eq(pthread_create(&c[i].th, NULL, consumer_main, &c[i]), 0);
  }
  producer_t p[NP];
  producers_start(p, NP, tags, NT, per, &go, tu_test_seed(__func__));
  atomic_store(&go, 1);
  for (int k = 0; k < NP; k++)
    pthread_join(p[k].th, NULL);
  for (int i = 0; i < NC; i++)
    pthread_join(c[i].th, NULL);
  tu_assert_clean();
  uint64_t *all = malloc(total * sizeof(uint64_t));
  ck_assert_ptr_nonnull(all);
  size_t n = 0;
  for (int i = 0; i < NC; i++) {
    ck_assert_int_eq(c[i].bad_order, 0);
    memcpy(all + n, c[i].log, c[i].len * sizeof(uint64_t));
    n += c[i].len;
    free(c[i].log);
  }
  ck_assert_uint_eq(n, total);
  qsort(all, n, sizeof all[0], cmp_u64);
  for (size_t i = 1; i < n; i++)
    ck_assert_msg(all[i] != all[i - 1], "message %#llx received twice",
                  (unsigned long long)all[i]);
  /* Exactly what was sent: per (producer, tag) the sequence 0..k-1. */
  size_t i = 0;
  while (i < n) {
    size_t j = i;
    while (j < n && (all[j] >> 40) == (all[i] >> 40))
      j++;
    for (size_t m = i; m < j; m++)
      ck_assert_uint_eq(MSG_S(all[m]), m - i);
    i = j;
  }
  free(all);
  for (int k = 0; k < NT; k++) {
    size_t left = 9;
    ck_assert_st(boc_msg_pending(tags[k], &left), BOC_OK);
    ck_assert_uint_eq(left, 0);
  }
}
END_TEST

/* ---- with the runtime ---------------------------------------------------------------------------- */

typedef struct send_arg {
  uint32_t tag;
  uint64_t value;
} send_arg_t;

static void send_body(boc_behavior_t *b, void *arg) {
  (void)b;
  send_arg_t *a = arg;
  TU_EXPECT_ST(send_u64(a->tag, a->value), BOC_OK);
}

/* Native behaviors send; the main thread receives.  Behaviors on one cown
 * run in order, so their messages arrive in that order. */
START_TEST(test_msg_behaviors_send_main_receives) {
  uint32_t ordered = TAG("ordered"), loose = TAG("loose");
  size_t n = tu_scale(2000);
  boc_cown_t *c = tu_cown();
  for (size_t i = 0; i < n; i++) {
    send_arg_t *a = malloc(sizeof *a);
    ck_assert_ptr_nonnull(a);
    a->tag = ordered;
    a->value = i;
    ck_assert_st(boc_when(&c, 1, send_body, a, free, NULL), BOC_OK);
    send_arg_t *l = malloc(sizeof *l);
    ck_assert_ptr_nonnull(l);
    l->tag = loose;
    l->value = i;
    ck_assert_st(boc_when(NULL, 0, send_body, l, free, NULL), BOC_OK);
  }
  uint32_t both[2] = {ordered, loose};
  uint64_t next = 0;
  unsigned char *seen = calloc(n, 1);
  ck_assert_ptr_nonnull(seen);
  for (size_t i = 0; i < 2 * n; i++) {
    uint64_t v = 0;
    uint32_t from = 0;
    ck_assert_st(recv_u64(both, 2, BOC_SEC(10 * TU_SLOW), &from, &v), BOC_OK);
    if (from == ordered) {
      ck_assert_uint_eq(v, next);
      next++;
    } else {
      ck_assert_uint_eq(from, loose);
      ck_assert_uint_lt(v, n);
      ck_assert_int_eq(seen[v]++, 0);
    }
  }
  ck_assert_uint_eq(next, n);
  free(seen);
  ck_assert_st(boc_runtime_quiesce(BOC_SEC(10 * TU_SLOW)), BOC_OK);
  ck_assert_st(boc_cown_release(c), BOC_OK);
  tu_assert_clean();
}
END_TEST

/* A behavior may block in receive while the main thread sends. */
typedef struct recv_arg {
  uint32_t tag;
  _Atomic(uint64_t) got;
  _Atomic(int) status;
} recv_arg_t;

static void recv_body(boc_behavior_t *b, void *arg) {
  (void)b;
  recv_arg_t *r = arg;
  uint64_t v = 0;
  int st = recv_u64(&r->tag, 1, BOC_SEC(10 * TU_SLOW), NULL, &v);
  atomic_store(&r->got, v);
  atomic_store(&r->status, st);
}

START_TEST(test_msg_behavior_receives_from_main) {
  recv_arg_t r;
  r.tag = TAG("t");
  atomic_init(&r.got, 0);
  atomic_init(&r.status, -1);
  ck_assert_st(boc_when(NULL, 0, recv_body, &r, NULL, NULL), BOC_OK);
  tu_sleep_ms(10);
  ck_assert_st(send_u64(r.tag, 31), BOC_OK);
  ck_assert_st(boc_runtime_quiesce(BOC_SEC(20 * TU_SLOW)), BOC_OK);
  ck_assert_st(atomic_load(&r.status), BOC_OK);
  ck_assert_uint_eq(atomic_load(&r.got), 31);
  tu_assert_clean();
}
END_TEST

/* Messages do not depend on the runtime: they survive start and stop. */
START_TEST(test_msg_queues_outlive_runtime_start_and_stop) {
  uint32_t t = TAG("t");
  ck_assert(!tu_running());
  ck_assert_st(send_u64(t, 1), BOC_OK);
  tu_start(1, 0);
  ck_assert_st(send_u64(t, 2), BOC_OK);
  uint64_t v = 0;
  ck_assert_st(recv_u64(&t, 1, 0, NULL, &v), BOC_OK);
  ck_assert_uint_eq(v, 1);
  send_arg_t *a = malloc(sizeof *a);
  ck_assert_ptr_nonnull(a);
  a->tag = t;
  a->value = 3;
  ck_assert_st(boc_when(NULL, 0, send_body, a, free, NULL), BOC_OK);
  tu_stop();
  size_t n = 0;
  ck_assert_st(boc_msg_pending(t, &n), BOC_OK);
  ck_assert_uint_eq(n, 2);
  ck_assert_st(recv_u64(&t, 1, 0, NULL, &v), BOC_OK);
  ck_assert_uint_eq(v, 2);
  ck_assert_st(recv_u64(&t, 1, 0, NULL, &v), BOC_OK);
  ck_assert_uint_eq(v, 3);
  tu_assert_clean();
}
END_TEST

/* ---- bad input --------------------------------------------------------------------------------------- */

START_TEST(test_msg_bad_input_is_einval_or_enoent) {
  uint32_t t = TAG("t");
  uint32_t id = 555;
  ck_assert_st(boc_msg_tag(NULL, 1, &id), BOC_EINVAL);
  ck_assert_st(boc_msg_tag("x", 1, NULL), BOC_EINVAL);
  ck_assert_uint_eq(id, 555);

  const char *name = (const char *)fake_object;
  size_t len = 555;
  ck_assert_st(boc_msg_tag_name(t, NULL, &len), BOC_EINVAL);
  ck_assert_st(boc_msg_tag_name(t, &name, NULL), BOC_EINVAL);
  const uint32_t unknown[] = {0, UINT32_MAX, BOC_MSG_MAX_TAGS + 1, 0x80000000u};
  for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
    uint32_t u = unknown[i];
    ck_assert_st(boc_msg_tag_name(u, &name, &len), BOC_ENOENT);
    boc_blob_t *b = blob_u64(1);
    ck_assert_st(boc_msg_send(u, b), BOC_ENOENT);
    ck_assert_st(boc_blob_release(b), BOC_OK); /* still ours */
    size_t n = 555;
    ck_assert_st(boc_msg_pending(u, &n), BOC_ENOENT);
    ck_assert_uint_eq(n, 555);
    uint32_t mixed[3] = {t, u, t};
    boc_blob_t *out = (boc_blob_t *)(void *)fake_object;
    ck_assert_st(boc_msg_receive(mixed, 3, 0, NULL, &out), BOC_ENOENT);
    ck_assert_st(boc_msg_receive(mixed, 3, BOC_SEC(10), NULL, &out), BOC_ENOENT);
    ck_assert_ptr_eq(out, (boc_blob_t *)(void *)fake_object);
    ck_assert_st(boc_msg_drain(mixed, 3, &n), BOC_ENOENT);
    ck_assert_uint_eq(n, 555);
  }
  ck_assert_ptr_eq(name, (const char *)fake_object);
  ck_assert_uint_eq(len, 555);

  ck_assert_st(boc_msg_send(t, NULL), BOC_EINVAL);

  boc_blob_t *out = (boc_blob_t *)(void *)fake_object;
  uint32_t from = 555;
  ck_assert_st(boc_msg_receive(NULL, 1, 0, &from, &out), BOC_EINVAL);
  ck_assert_st(boc_msg_receive(&t, 0, 0, &from, &out), BOC_EINVAL);
  ck_assert_st(boc_msg_receive(&t, (size_t)BOC_MSG_MAX_TAGS + 1, 0, &from, &out), BOC_EINVAL);
  ck_assert_st(boc_msg_receive(&t, SIZE_MAX, 0, &from, &out), BOC_EINVAL);
  ck_assert_st(boc_msg_receive(&t, 1, 0, &from, NULL), BOC_EINVAL);
  ck_assert_ptr_eq(out, (boc_blob_t *)(void *)fake_object);
  ck_assert_uint_eq(from, 555);

  size_t dropped = 555;
  ck_assert_st(boc_msg_drain(NULL, 1, &dropped), BOC_EINVAL);
  ck_assert_uint_eq(dropped, 555);
  ck_assert_st(boc_msg_pending(t, NULL), BOC_EINVAL);

  /* Nothing above queued anything. */
  size_t n = 9;
  ck_assert_st(boc_msg_pending(t, &n), BOC_OK);
  ck_assert_uint_eq(n, 0);
  tu_assert_clean();
}
END_TEST

/* ---- packed calls (for bindings) ------------------------------------------------ */

#define W(p) ((uint64_t)(uintptr_t)(p))

/* send_packed makes the blob (bytes, cowns, token) and queues it;
 * receive_packed returns the tag, the blob and its description, as
 * boc_blob_describe_packed() would. */
/* Empty the process-wide graveyard (earlier tests, CK_FORK=no). */
static void graveyard_empty(void) {
  uint64_t tok[64];
  size_t n;
  do
    ck_assert_st(boc_blob_graveyard_take(tok, 64, &n), BOC_OK);
  while (n > 0);
}

START_TEST(test_msg_packed_send_and_receive_round_trip) {
  graveyard_empty();
  uint32_t t = TAG("p"), other = TAG("q");
  boc_cown_t *c = tu_cown();
  uint64_t handles[2] = {W(c), W(c)};
  const char text[] = "hello";
  uint64_t w[5] = {t, 5, 2, W(handles), 99};
  ck_assert_st(boc_msg_send_packed(w, text), BOC_OK);
  size_t pending = 0;
  ck_assert_st(boc_msg_pending(t, &pending), BOC_OK);
  ck_assert_uint_eq(pending, 1);
  /* The queued blob keeps the cown: drop ours, it stays valid. */
  ck_assert_st(boc_cown_release(c), BOC_OK);

  uint32_t tags[2] = {other, t};
  uint64_t io[7] = {2, 0, W(tags), 0, 0, 0, 0};
  ck_assert_st(boc_msg_receive_packed(io), BOC_OK);
  ck_assert_uint_eq(io[0], t);
  boc_blob_t *b = (boc_blob_t *)(uintptr_t)io[1];
  uint64_t d[5];
  ck_assert_st(boc_blob_describe_packed(b, d), BOC_OK);
  for (int i = 0; i < 5; i++)
    ck_assert_uint_eq(io[2 + i], d[i]);
  ck_assert_uint_eq(io[3], 5);
  ck_assert_int_eq(memcmp((const void *)(uintptr_t)io[2], "hello", 5), 0);
  ck_assert_uint_eq(io[4], 2);
  ck_assert_uint_eq(io[6], 99);
  boc_cown_t *const *cowns = (boc_cown_t *const *)(uintptr_t)io[5];
  ck_assert_ptr_eq(cowns[0], c);
  ck_assert_ptr_eq(cowns[1], c);
  ck_assert_st(boc_blob_release(b), BOC_OK);

  /* Empty payload, no cowns. */
  uint64_t e[5] = {t, 0, 0, 0, 0};
  ck_assert_st(boc_msg_send_packed(e, NULL), BOC_OK);
  uint64_t io2[7] = {1, (uint64_t)BOC_SEC(5), W(&t), 0, 0, 0, 0};
  ck_assert_st(boc_msg_receive_packed(io2), BOC_OK);
  ck_assert_uint_eq(io2[3], 0);
  ck_assert_uint_eq(io2[4], 0);
  ck_assert_st(boc_blob_release((boc_blob_t *)(uintptr_t)io2[1]), BOC_OK);
  uint64_t blob_tokens[4];
  size_t n = 0;
  ck_assert_st(boc_blob_graveyard_take(blob_tokens, 4, &n), BOC_OK);
  ck_assert_uint_eq(n, 1);
  ck_assert_uint_eq(blob_tokens[0], 99);
}
END_TEST

/* Errors: nothing queued, no reference kept, io untouched. */
START_TEST(test_msg_packed_errors_change_nothing) {
  graveyard_empty();
  uint32_t t = TAG("e");
  ck_assert_st(boc_msg_send_packed(NULL, "x"), BOC_EINVAL);
  ck_assert_st(boc_msg_receive_packed(NULL), BOC_EINVAL);
  uint64_t bad_tag[5] = {0, 1, 0, 0, 0};
  ck_assert_st(boc_msg_send_packed(bad_tag, "x"), BOC_ENOENT);
  uint64_t wide_tag[5] = {((uint64_t)1 << 32) | t, 1, 0, 0, 0};
  ck_assert_st(boc_msg_send_packed(wide_tag, "x"), BOC_EINVAL);
  uint64_t no_data[5] = {t, 3, 0, 0, 0};
  ck_assert_st(boc_msg_send_packed(no_data, NULL), BOC_EINVAL);
  uint64_t no_cowns[5] = {t, 1, 2, 0, 0};
  ck_assert_st(boc_msg_send_packed(no_cowns, "x"), BOC_EINVAL);
  uint64_t bad_handle[1] = {W(fake_object)};
  uint64_t bad_cown[5] = {t, 1, 1, W(bad_handle), 5};
  ck_assert_st(boc_msg_send_packed(bad_cown, "x"), BOC_EINVAL);
  size_t pending = 9;
  ck_assert_st(boc_msg_pending(t, &pending), BOC_OK);
  ck_assert_uint_eq(pending, 0);

  /* A full queue: BOC_EFULL, the blob made for it is freed (token 5
   * reported), nothing queued. */
  boc_msg_limits_t lim = {1, (size_t)1 << 30};
  ck_assert_st(boc_msg_set_limits(&lim), BOC_OK);
  uint64_t ok[5] = {t, 1, 0, 0, 0};
  ck_assert_st(boc_msg_send_packed(ok, "a"), BOC_OK);
  uint64_t full[5] = {t, 1, 0, 0, 5};
  ck_assert_st(boc_msg_send_packed(full, "b"), BOC_EFULL);
  uint64_t tok[2];
  size_t n = 0;
  ck_assert_st(boc_blob_graveyard_take(tok, 2, &n), BOC_OK);
  ck_assert_uint_eq(n, 1);
  ck_assert_uint_eq(tok[0], 5);

  uint64_t io[7] = {0, 0, W(&t), 11, 12, 13, 14};
  ck_assert_st(boc_msg_receive_packed(io), BOC_EINVAL); /* no tags */
  io[0] = BOC_MSG_MAX_TAGS + 1;
  ck_assert_st(boc_msg_receive_packed(io), BOC_EINVAL);
  io[0] = 1;
  io[2] = 0;
  ck_assert_st(boc_msg_receive_packed(io), BOC_EINVAL); /* NULL tags */
  uint32_t unknown = 0;
  io[2] = W(&unknown);
  ck_assert_st(boc_msg_receive_packed(io), BOC_ENOENT);
  ck_assert_uint_eq(io[3], 11);
  /* Timed out: io unchanged. */
  uint32_t empty = TAG("empty");
  uint64_t io2[7] = {1, 0, W(&empty), 21, 22, 23, 24};
  ck_assert_st(boc_msg_receive_packed(io2), BOC_ETIMEDOUT);
  ck_assert_uint_eq(io2[0], 1);
  ck_assert_uint_eq(io2[1], 0);
  ck_assert_uint_eq(io2[2], W(&empty));
  ck_assert_uint_eq(io2[6], 24);
}
END_TEST

static Suite *msg_suite(void) {
  Suite *s = suite_create("msg");

  TCase *tc = tcase_create("tags");
  tcase_set_timeout(tc, TU_TIMEOUT(20));
  tcase_add_checked_fixture(tc, setup_stopped, teardown);
  tcase_add_test(tc, test_msg_tag_same_name_same_id);
  tcase_add_test(tc, test_msg_tag_nul_bytes_and_empty_name);
  tcase_add_test(tc, test_msg_tag_name_returns_stable_bytes);
  tcase_add_test(tc, test_msg_tag_too_long_is_einval);
  tcase_add_test(tc, test_msg_tag_concurrent_interning_agrees);
  suite_add_tcase(s, tc);

  tc = tcase_create("send_receive");
  tcase_set_timeout(tc, TU_TIMEOUT(20));
  tcase_add_checked_fixture(tc, setup_stopped, teardown);
  tcase_add_test(tc, test_msg_single_thread_fifo_and_pending);
  tcase_add_test(tc, test_msg_receive_tag_out_may_be_null_and_blob_is_the_one_sent);
  tcase_add_test(tc, test_msg_receive_several_tags_keeps_each_fifo_and_serves_all);
  tcase_add_test(tc, test_msg_duplicate_tags_in_receive_are_allowed);
  tcase_add_test(tc, test_msg_receive_on_max_tags_entries);
  tcase_add_test(tc, test_msg_cowns_in_queued_blobs_stay_alive);
  tcase_add_test(tc, test_msg_packed_send_and_receive_round_trip);
  tcase_add_test(tc, test_msg_packed_errors_change_nothing);
  suite_add_tcase(s, tc);

  tc = tcase_create("timeouts");
  tcase_set_timeout(tc, TU_TIMEOUT(20));
  tcase_add_checked_fixture(tc, setup_stopped, teardown);
  tcase_add_test(tc, test_msg_poll_returns_at_once);
  tcase_add_test(tc, test_msg_timeout_waits_at_least_the_timeout);
  tcase_add_test(tc, test_msg_message_before_timeout_is_received);
  tcase_add_test(tc, test_msg_parked_receiver_uses_no_cpu);
  suite_add_tcase(s, tc);

  tc = tcase_create("wakeups");
  tcase_set_timeout(tc, TU_TIMEOUT(30));
  tcase_add_checked_fixture(tc, setup_stopped, teardown);
  tcase_add_test(tc, test_msg_blocked_receiver_wakes_for_any_of_its_tags);
  tcase_add_test(tc, test_msg_overlapping_receivers_never_sleep_on_a_message);
  tcase_add_test(tc, test_msg_parked_receivers_on_one_tag_each_get_one);
  suite_add_tcase(s, tc);

  tc = tcase_create("drain");
  tcase_set_timeout(tc, TU_TIMEOUT(20));
  tcase_add_checked_fixture(tc, setup_stopped, teardown);
  tcase_add_test(tc, test_msg_drain_discards_and_releases);
  tcase_add_test(tc, test_msg_drain_with_unknown_tag_discards_nothing);
  tcase_add_test(tc, test_msg_drain_while_receiver_blocked_keeps_it_waiting);
  tcase_add_test(tc, test_msg_clear_discards_every_tag);
  suite_add_tcase(s, tc);

  tc = tcase_create("limits");
  tcase_set_timeout(tc, TU_TIMEOUT(20));
  tcase_add_checked_fixture(tc, setup_stopped, teardown);
  tcase_add_test(tc, test_msg_limits_default_and_round_trip);
  tcase_add_test(tc, test_msg_limits_bad_input_is_einval_and_changes_nothing);
  tcase_add_test(tc, test_msg_per_tag_limit_is_efull_and_caller_keeps_blob);
  tcase_add_test(tc, test_msg_byte_limit_is_efull_across_tags);
  tcase_add_test(tc, test_msg_lowering_limits_keeps_queued_messages);
  suite_add_tcase(s, tc);

  tc = tcase_create("concurrency");
  tcase_set_timeout(tc, TU_TIMEOUT(40));
  tcase_add_checked_fixture(tc, setup_stopped, teardown);
  tcase_add_test(tc, test_msg_fifo_per_producer_with_several_producers);
  tcase_add_test(tc, test_msg_producers_outrunning_consumers_lose_nothing);
  suite_add_tcase(s, tc);

  tc = tcase_create("runtime");
  tcase_set_timeout(tc, TU_TIMEOUT(30));
  tcase_add_checked_fixture(tc, setup_w2, teardown);
  tcase_add_test(tc, test_msg_behaviors_send_main_receives);
  tcase_add_test(tc, test_msg_behavior_receives_from_main);
  suite_add_tcase(s, tc);

  tc = tcase_create("runtime_lifecycle");
  tcase_set_timeout(tc, TU_TIMEOUT(30));
  tcase_add_checked_fixture(tc, setup_stopped, teardown);
  tcase_add_test(tc, test_msg_queues_outlive_runtime_start_and_stop);
  suite_add_tcase(s, tc);

  tc = tcase_create("errors");
  tcase_set_timeout(tc, TU_TIMEOUT(20));
  tcase_add_checked_fixture(tc, setup_stopped, teardown);
  tcase_add_test(tc, test_msg_bad_input_is_einval_or_enoent);
  suite_add_tcase(s, tc);

  /* Last: fills the process-wide tag registry. */
  tc = tcase_create("tag_limit");
  tcase_set_timeout(tc, TU_TIMEOUT(20));
  tcase_add_checked_fixture(tc, setup_stopped, teardown);
  tcase_add_test(tc, test_msg_tag_limit_is_efull);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  tu_init("check_msg");
  return tu_run(msg_suite());
}
