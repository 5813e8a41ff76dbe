/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

/*
 * stress_msg - tagged message queues under load.
 *
 * Producer threads and native behaviors send to random tags while receiver
 * threads take from random sets of tags (duplicates included) with random
 * timeouts, so receivers spin, park and are woken all the time.  The
 * limits are kept small so that senders regularly meet BOC_EFULL; they
 * then back off and send the same message again (nothing is dropped).
 * Some messages carry a cown whose payload counts its frees.
 *
 * A stream is one producer's messages to one tag; each message carries its
 * stream and its sequence number there.  Behavior producers keep order by
 * running on one cown each.
 *
 * Invariants: every message sent is received exactly once; each receiver
 * sees every stream in order; every cown carried by a message is freed
 * exactly once, after its message is received; the queues end empty and
 * the byte budget is whole again; no unexpected status.
 */

#include "stress.h"

#include <pthread.h>

enum {
  NTAGS = 8,
  NTHREAD_PRODUCERS = 3,
  NBEHAVIOR_PRODUCERS = 2,
  NPRODUCERS = NTHREAD_PRODUCERS + NBEHAVIOR_PRODUCERS,
  NRECEIVERS = 3,
  NSTREAMS = NPRODUCERS * NTAGS,
  STREAM_CAP = 1 << 22, /* messages per stream at most */
  MAX_IN_FLIGHT = 2000,
  PER_TAG_LIMIT = 2048,
  BYTE_LIMIT = 1 << 20,
};

#define MSG(p, t, s) (((uint64_t)(p) << 48) | ((uint64_t)(t) << 40) | (uint64_t)(s))
#define MSG_P(v) ((unsigned)((v) >> 48))
#define MSG_T(v) ((unsigned)(((v) >> 40) & 0xff))
#define MSG_S(v) ((v) & 0xffffffffffull)

static uint32_t tags[NTAGS];
static _Atomic(uint64_t) *received[NSTREAMS]; /* per stream: one bit per seq received */
static uint64_t sent[NSTREAMS];               /* written by the stream's producer only */
static _Atomic(uint64_t) total_sent, total_received, efull, out_of_order, dup_or_unknown,
    cowns_made, cowns_freed, parked_waits;
static _Atomic(int) producers_done;

/* Message bodies: the value, then padding up to 200 bytes. */
typedef struct body {
  uint64_t value;
  unsigned char pad[192];
} body_t;

static void counted_free(void *p) {
  atomic_fetch_add(&cowns_freed, 1);
  free(p);
}

/* Build a message; 1 in 16 carries a cown (the blob holds the only
 * reference). */
static boc_blob_t *make_msg(st_rng_t *r, uint64_t value) {
  body_t body;
  memset(&body, (int)(value & 0xff), sizeof body);
  body.value = value;
  size_t size = sizeof body.value + st_below(r, sizeof body.pad + 1);
  boc_cown_t *c = NULL;
  if (st_below(r, 16) == 0) {
    uint64_t *payload = malloc(sizeof *payload);
    *payload = value;
    ST_EXPECT_ST(boc_cown_create(payload, counted_free, &c), BOC_OK);
    atomic_fetch_add(&cowns_made, 1);
  }
  boc_blob_t *b = NULL;
  ST_EXPECT_ST(boc_blob_create(&body, size, c ? &c : NULL, c ? 1 : 0, 0, &b), BOC_OK);
  if (c != NULL)
    ST_EXPECT_ST(boc_cown_release(c), BOC_OK);
  return b;
}

/* Send, backing off while the queues are full: never drops a message. */
static void send_msg(st_rng_t *r, uint32_t tag, uint64_t value) {
  boc_blob_t *b = make_msg(r, value);
  if (b == NULL)
    return;
  for (;;) {
    int st = boc_msg_send(tag, b);
    if (st == BOC_OK)
      break;
    if (st != BOC_EFULL) {
      ST_EXPECT_ST(st, BOC_OK);
      ST_EXPECT_ST(boc_blob_release(b), BOC_OK);
      return;
    }
    atomic_fetch_add(&efull, 1);
    st_sleep_us(50 + st_below(r, 200));
  }
  atomic_fetch_add(&total_sent, 1);
}

/* Pick a tag whose stream for producer p still has room; -1 if none. */
static int pick_tag(st_rng_t *r, unsigned p) {
  unsigned t0 = st_below(r, NTAGS);
  for (unsigned i = 0; i < NTAGS; i++) {
    unsigned t = (t0 + i) % NTAGS;
    if (sent[p * NTAGS + t] < STREAM_CAP)
      return (int)t;
  }
  return -1;
}

/* ---- thread producers ------------------------------------------------------------ */

typedef struct producer {
  pthread_t th;
  unsigned p;
  uint64_t seed;
  uint64_t end_ns;
} producer_t;

static void *producer_main(void *arg) {
  producer_t *pr = arg;
  st_rng_t r;
  st_rng_init(&r, pr->seed);
  /* Interning races with the other threads: the ids must agree. */
  for (int t = NTAGS - 1; t >= 0; t--) {
    char name[32];
    int len = snprintf(name, sizeof name, "stress-tag-%d", t);
    uint32_t id = 0;
    ST_EXPECT_ST(boc_msg_tag(name, (size_t)len, &id), BOC_OK);
    ST_EXPECT(id == tags[t]);
  }
  while (st_now_ns() < pr->end_ns) {
    int t = pick_tag(&r, pr->p);
    if (t < 0)
      break;
    uint64_t *s = &sent[pr->p * NTAGS + (unsigned)t];
    send_msg(&r, tags[t], MSG(pr->p, t, *s));
    (*s)++;
    if (st_below(&r, 128) == 0)
      st_sleep_us(st_below(&r, 2000)); /* bursts and pauses: receivers park */
  }
  return NULL;
}

/* ---- behavior producers -------------------------------------------------------------- */

typedef struct bjob {
  uint32_t tag;
  uint64_t value;
  uint64_t seed;
} bjob_t;

static void bjob_body(boc_behavior_t *b, void *arg) {
  (void)b;
  bjob_t *j = arg;
  st_rng_t r;
  st_rng_init(&r, j->seed);
  send_msg(&r, j->tag, j->value);
}

/* ---- receivers --------------------------------------------------------------------------- */

typedef struct receiver {
  pthread_t th;
  uint64_t seed;
  uint64_t got;
} receiver_t;

static void *receiver_main(void *arg) {
  receiver_t *rc = arg;
  st_rng_t r;
  st_rng_init(&r, rc->seed);
  uint64_t last[NSTREAMS];
  for (int i = 0; i < NSTREAMS; i++)
    last[i] = UINT64_MAX;
  for (;;) {
    if (atomic_load(&producers_done) &&
        atomic_load(&total_received) == atomic_load(&total_sent))
      break;
    uint32_t set[NTAGS + 2];
    size_t n = 1 + st_below(&r, NTAGS + 2);
    for (size_t i = 0; i < n; i++)
      set[i] = tags[st_below(&r, NTAGS)];
    static const int64_t timeouts[] = {0, BOC_MSEC(1), BOC_MSEC(5), BOC_MSEC(20)};
    int64_t timeout = timeouts[st_below(&r, 4)];
    uint32_t from = 0;
    boc_blob_t *b = NULL;
    int st = boc_msg_receive(set, n, timeout, &from, &b);
    if (st == BOC_ETIMEDOUT) {
      if (timeout > 0)
        atomic_fetch_add(&parked_waits, 1);
      continue;
    }
    if (st != BOC_OK) {
      ST_EXPECT_ST(st, BOC_OK);
      continue;
    }
    const void *data = NULL;
    size_t size = 0;
    ST_EXPECT_ST(boc_blob_data(b, &data, &size), BOC_OK);
    uint64_t v = UINT64_MAX;
    if (size >= sizeof v)
      memcpy(&v, data, sizeof v);
    unsigned p = MSG_P(v), t = MSG_T(v);
    uint64_t s = MSG_S(v);
    int in_set = 0;
    for (size_t i = 0; i < n; i++)
      in_set |= set[i] == from;
    if (p >= NPRODUCERS || t >= NTAGS || s >= STREAM_CAP || tags[t] != from || !in_set) {
      atomic_fetch_add(&dup_or_unknown, 1);
    } else {
      unsigned stream = p * NTAGS + t;
      uint64_t bit = 1ull << (s % 64);
      if (atomic_fetch_or(&received[stream][s / 64], bit) & bit)
        atomic_fetch_add(&dup_or_unknown, 1);
      if (last[stream] != UINT64_MAX && s <= last[stream])
        atomic_fetch_add(&out_of_order, 1);
      last[stream] = s;
    }
    /* Releasing the blob frees its cown (if any): the message was the only
     * holder. */
    ST_EXPECT_ST(boc_blob_release(b), BOC_OK);
    atomic_fetch_add(&total_received, 1);
    rc->got++;
    if (st_below(&r, 512) == 0)
      st_sleep_us(st_below(&r, 2000)); /* fall behind now and then */
  }
  return NULL;
}

int main(int argc, char **argv) {
  st_opts_t o = st_parse(argc, argv);
  st_rng_t rng;
  st_rng_init(&rng, o.seed);
  printf("1..6\n");
  for (int i = 0; i < NSTREAMS; i++) {
    received[i] = calloc(STREAM_CAP / 64, sizeof *received[i]);
    if (received[i] == NULL)
      return 99;
  }
  for (int t = 0; t < NTAGS; t++) {
    char name[32];
    int len = snprintf(name, sizeof name, "stress-tag-%d", t);
    if (boc_msg_tag(name, (size_t)len, &tags[t]) != BOC_OK)
      return 99;
  }
  boc_msg_limits_t lim = {PER_TAG_LIMIT, BYTE_LIMIT};
  if (boc_msg_set_limits(&lim) != BOC_OK)
    return 99;

  /* Messages before the runtime starts are kept. */
  send_msg(&rng, tags[0], MSG(0, 0, sent[0]));
  sent[0]++;

  boc_runtime_config_t cfg;
  boc_runtime_config_init(&cfg);
  cfg.workers = 2;
  if (boc_runtime_start(&cfg) != BOC_OK)
    return 99;

  uint64_t end = st_now_ns() + (uint64_t)(o.seconds * 1e9);
  receiver_t rc[NRECEIVERS];
  for (int i = 0; i < NRECEIVERS; i++) {
    rc[i].seed = st_rng_next(&rng);
    rc[i].got = 0;
    pthread_create(&rc[i].th, NULL, receiver_main, &rc[i]);
  }
  producer_t pr[NTHREAD_PRODUCERS];
  for (unsigned k = 0; k < NTHREAD_PRODUCERS; k++) {
    pr[k].p = k;
    pr[k].seed = st_rng_next(&rng);
    pr[k].end_ns = end;
    pthread_create(&pr[k].th, NULL, producer_main, &pr[k]);
  }

  /* Behavior producers: the main thread schedules their sends, each on its
   * own cown so that they run (and send) in scheduling order. */
  boc_cown_t *order[NBEHAVIOR_PRODUCERS];
  for (int k = 0; k < NBEHAVIOR_PRODUCERS; k++)
    if (boc_cown_create(NULL, NULL, &order[k]) != BOC_OK)
      return 99;
  uint64_t scheduled = 0;
  while (st_now_ns() < end) {
    uint64_t f = 0;
    boc_runtime_in_flight(&f);
    if (f > MAX_IN_FLIGHT) {
      st_sleep_us(100);
      continue;
    }
    unsigned k = st_below(&rng, NBEHAVIOR_PRODUCERS);
    unsigned p = NTHREAD_PRODUCERS + k;
    int t = pick_tag(&rng, p);
    if (t < 0)
      break;
    bjob_t *j = malloc(sizeof *j);
    j->tag = tags[t];
    j->value = MSG(p, t, sent[p * NTAGS + (unsigned)t]);
    j->seed = st_rng_next(&rng);
    int st = boc_when(&order[k], 1, bjob_body, j, free, NULL);
    ST_EXPECT_ST(st, BOC_OK);
    if (st == BOC_OK) {
      sent[p * NTAGS + (unsigned)t]++;
      scheduled++;
    }
  }
  for (unsigned k = 0; k < NTHREAD_PRODUCERS; k++)
    pthread_join(pr[k].th, NULL);
  ST_EXPECT_ST(boc_runtime_wait(BOC_SEC(120)), BOC_OK);
  atomic_store(&producers_done, 1);

  /* Receivers finish once everything sent has been received. */
  uint64_t deadline = st_now_ns() + 120ull * 1000000000ull;
  while (atomic_load(&total_received) < atomic_load(&total_sent) && st_now_ns() < deadline)
    st_sleep_us(1000);
  int drained = atomic_load(&total_received) == atomic_load(&total_sent);
  if (!drained) {
    /* Let the receivers leave, then account for what is still queued. */
    size_t left = 0;
    ST_EXPECT_ST(boc_msg_clear(&left), BOC_OK);
    fprintf(stderr, "# %zu messages still queued after 120 s\n", left);
    atomic_fetch_add(&total_received, left);
  }
  for (int i = 0; i < NRECEIVERS; i++)
    pthread_join(rc[i].th, NULL);
  for (int k = 0; k < NBEHAVIOR_PRODUCERS; k++)
    ST_EXPECT_ST(boc_cown_release(order[k]), BOC_OK);

  /* Exactly once: each stream's 0..sent-1 received once, nothing beyond. */
  uint64_t wrong = 0, sum = 0;
  for (int i = 0; i < NSTREAMS; i++) {
    sum += sent[i];
    for (uint64_t w = 0; w < STREAM_CAP / 64; w++) {
      uint64_t lo = w * 64, want;
      if (sent[i] >= lo + 64)
        want = UINT64_MAX;
      else if (sent[i] <= lo)
        want = 0;
      else
        want = (1ull << (sent[i] - lo)) - 1;
      wrong += (uint64_t)__builtin_popcountll(atomic_load(&received[i][w]) ^ want);
    }
  }
  size_t pending_total = 0;
  for (int t = 0; t < NTAGS; t++) {
    size_t n = 0;
    ST_EXPECT_ST(boc_msg_pending(tags[t], &n), BOC_OK);
    pending_total += n;
  }
  /* The byte budget is whole again: one message of exactly the budget fits. */
  boc_blob_t *big = NULL;
  void *bytes = calloc(1, BYTE_LIMIT);
  ST_EXPECT_ST(boc_blob_create(bytes, BYTE_LIMIT - BOC_MSG_OVERHEAD, NULL, 0, 0, &big),
               BOC_OK);
  free(bytes);
  int budget_whole = boc_msg_send(tags[0], big) == BOC_OK;
  if (!budget_whole)
    ST_EXPECT_ST(boc_blob_release(big), BOC_OK);
  else
    ST_EXPECT_ST(boc_msg_clear(NULL), BOC_OK);

  printf("# %" PRIu64 " messages (%" PRIu64 " from behaviors), %" PRIu64
         " BOC_EFULL back-offs, %" PRIu64 " timed-out waits, %" PRIu64 " cowns carried\n",
         sum, scheduled, atomic_load(&efull), atomic_load(&parked_waits),
         atomic_load(&cowns_made));
  for (int i = 0; i < NRECEIVERS; i++)
    printf("# receiver %d: %" PRIu64 " messages\n", i, rc[i].got);
  st_ok(drained && wrong == 0 && atomic_load(&dup_or_unknown) == 0 &&
            sum == atomic_load(&total_sent),
        "every message received exactly once (%" PRIu64 " sent, %" PRIu64
        " received, %" PRIu64 " wrong counts, %" PRIu64 " duplicates or unknown)",
        atomic_load(&total_sent), atomic_load(&total_received), wrong,
        atomic_load(&dup_or_unknown));
  st_ok(atomic_load(&out_of_order) == 0, "each receiver saw every stream in order (%" PRIu64
        " violations)", atomic_load(&out_of_order));
  st_ok(atomic_load(&cowns_freed) == atomic_load(&cowns_made),
        "every carried cown freed once (%" PRIu64 " of %" PRIu64 ")",
        atomic_load(&cowns_freed), atomic_load(&cowns_made));
  st_ok(pending_total == 0, "queues end empty (%zu left)", pending_total);
  st_ok(budget_whole, "the byte budget is whole again");
  st_ok(atomic_load(&st_failures) == 0, "no unexpected status (%" PRIu64 ")",
        atomic_load(&st_failures));
  for (int i = 0; i < NSTREAMS; i++)
    free((void *)received[i]);
  return st_exit_status();
}
