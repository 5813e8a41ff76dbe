/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

/*
 * bank.c - a bank simulation, and the libboc quick-start demo.
 *
 * Every account is a cown: an object that only one behavior at a time may
 * touch.  A transfer is a behavior over two accounts.  libboc runs it once it
 * holds both, so a transfer never sees a half-finished transfer, two
 * transfers that share no account run in parallel, and there is no lock in
 * this file and no way to deadlock.
 *
 * The program:
 *   1. starts the runtime;
 *   2. opens the accounts, each with the same starting balance;
 *   3. schedules random transfers (a seeded generator picks the two accounts
 *      and the amount, so a run can be replayed with --seed);
 *   4. waits until every transfer has run (quiesce) and times it;
 *   5. stops the runtime, reads every account back and checks that the total
 *      is what it was at the start: money was moved, never made or lost.
 *
 * Because one thread schedules every transfer, and behaviors that share an
 * account run in the order they were scheduled, the outcome is the same as
 * running the transfers one by one in that order: a given seed gives the
 * same final balances (and the same count of refused transfers) whatever
 * the number of workers.  Only the time changes.
 *
 * Usage: bank [--accounts N] [--transfers N] [--workers N] [--seed S]
 * It exits with status 1 if the total is not conserved.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */

#include <boc.h>

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ------------------------------------------------------------------ */
/* The data: accounts and transfers                                    */
/* ------------------------------------------------------------------ */

#define INITIAL_BALANCE 1000 /* every account opens with this much */
#define MAX_AMOUNT 100       /* a transfer moves 1..MAX_AMOUNT */

/* The payload of an account cown.  Only the behavior holding the cown reads
 * or writes it, so it needs no lock and no atomics. */
struct account {
  int64_t balance;
  uint64_t sent;    /* transfers that left this account */
  uint64_t refused; /* transfers refused for lack of funds */
};

/* The argument of one transfer behavior.  boc_when() takes ownership of it
 * and calls its free function (here free()) once the behavior has run. */
struct transfer {
  int64_t amount;
};

/* Print the error and exit when a libboc call fails. */
static void check(int status, const char *what) {
  if (status != BOC_OK) {
    fprintf(stderr, "bank: %s: %s\n", what, boc_strerror(status));
    exit(2);
  }
}

/* The payload of the index-th cown of the running behavior. */
static struct account *account_of(boc_behavior_t *b, size_t index) {
  boc_cown_t *cown;
  void *payload;
  check(boc_behavior_cown(b, index, &cown), "boc_behavior_cown");
  check(boc_cown_get(cown, &payload), "boc_cown_get");
  return payload;
}

/*
 * The transfer behavior.  It was scheduled over {from, to}, in that order,
 * and runs holding both: nothing else can see or change either balance
 * until it returns.
 */
static void transfer(boc_behavior_t *b, void *arg) {
  const struct transfer *t = arg;
  struct account *from = account_of(b, 0);
  struct account *to = account_of(b, 1);

  if (from->balance < t->amount) {
    from->refused++; /* no overdrafts */
    return;
  }
  from->balance -= t->amount;
  to->balance += t->amount;
  from->sent++;
}

/* ------------------------------------------------------------------ */
/* Helpers: a seeded random generator, a clock, option parsing          */
/* ------------------------------------------------------------------ */

/* splitmix64: small, fast, and the same sequence on every platform. */
static uint64_t next_random(uint64_t *state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15u);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
  return z ^ (z >> 31);
}

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(FILE *to) {
  fprintf(to,
          "usage: bank [--accounts N] [--transfers N] [--workers N] "
          "[--seed S]\n"
          "  --accounts N   number of accounts (default 1000, at least 2)\n"
          "  --transfers N  number of random transfers (default 2000000)\n"
          "  --workers N    worker threads (default: one per physical core,\n"
          "                 or the BOC_WORKERS environment variable)\n"
          "  --seed S       random seed (default 42)\n");
}

/* Parse an unsigned integer option value, or exit with a message. */
static uint64_t parse_count(const char *option, const char *text) {
  char *end;
  unsigned long long v;
  if (text == NULL) {
    fprintf(stderr, "bank: %s needs a value\n", option);
    exit(2);
  }
  v = strtoull(text, &end, 10);
  if (*text == '\0' || *end != '\0' || text[0] == '-') {
    fprintf(stderr, "bank: %s: not a number: %s\n", option, text);
    exit(2);
  }
  return (uint64_t)v;
}

/* ------------------------------------------------------------------ */
/* main                                                                */
/* ------------------------------------------------------------------ */

int main(int argc, char **argv) {
  uint64_t n_accounts = 1000;
  uint64_t n_transfers = 2000000;
  uint64_t n_workers = 0; /* 0: let libboc choose */
  uint64_t seed = 42;

  for (int i = 1; i < argc; i++) {
    const char *value = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(argv[i], "--accounts") == 0) {
      n_accounts = parse_count(argv[i], value), i++;
    } else if (strcmp(argv[i], "--transfers") == 0) {
      n_transfers = parse_count(argv[i], value), i++;
    } else if (strcmp(argv[i], "--workers") == 0) {
      n_workers = parse_count(argv[i], value), i++;
    } else if (strcmp(argv[i], "--seed") == 0) {
      seed = parse_count(argv[i], value), i++;
    } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      usage(stdout);
      return 0;
    } else {
      fprintf(stderr, "bank: unknown option: %s\n", argv[i]);
      usage(stderr);
      return 2;
    }
  }
  if (n_accounts < 2 || n_workers > BOC_MAX_WORKERS) {
    usage(stderr);
    return 2;
  }

  /* 1. Start the runtime. */
  boc_runtime_config_t cfg;
  check(boc_runtime_config_init(&cfg), "boc_runtime_config_init");
  cfg.workers = (uint32_t)n_workers;
  check(boc_runtime_start(&cfg), "boc_runtime_start");
  uint32_t workers;
  check(boc_runtime_worker_count(&workers), "boc_runtime_worker_count");

  /* 2. Open the accounts.  Each cown owns its malloc'd payload and frees it
   * with free() when the last reference to the cown is released. */
  boc_cown_t **accounts = calloc(n_accounts, sizeof *accounts);
  if (accounts == NULL) {
    fprintf(stderr, "bank: out of memory\n");
    return 2;
  }
  for (uint64_t i = 0; i < n_accounts; i++) {
    struct account *a = calloc(1, sizeof *a);
    if (a == NULL) {
      fprintf(stderr, "bank: out of memory\n");
      return 2;
    }
    a->balance = INITIAL_BALANCE;
    check(boc_cown_create(a, free, &accounts[i]), "boc_cown_create");
  }
  const int64_t initial_total = (int64_t)n_accounts * INITIAL_BALANCE;

  /* 3. Schedule the transfers.  boc_when() returns at once; the behavior
   * runs later on a worker, as soon as it holds both accounts. */
  uint64_t rng = seed;
  double start = now_seconds();
  for (uint64_t i = 0; i < n_transfers; i++) {
    uint64_t from = next_random(&rng) % n_accounts;
    uint64_t to = next_random(&rng) % (n_accounts - 1);
    if (to >= from)
      to++; /* pick a different account */

    struct transfer *t = malloc(sizeof *t);
    if (t == NULL) {
      fprintf(stderr, "bank: out of memory\n");
      return 2;
    }
    t->amount = (int64_t)(next_random(&rng) % MAX_AMOUNT) + 1;

    boc_cown_t *pair[2] = {accounts[from], accounts[to]};
    check(boc_when(pair, 2, transfer, t, free, NULL), "boc_when");
  }

  /* 4. Wait until no behavior is in flight: every transfer has run. */
  check(boc_runtime_quiesce(BOC_FOREVER), "boc_runtime_quiesce");
  double elapsed = now_seconds() - start;

  /* 5. Stop the workers, then read every account back.  With the runtime
   * stopped no behavior holds a cown, so main can acquire each one. */
  check(boc_runtime_wait(BOC_FOREVER), "boc_runtime_wait");

  int64_t final_total = 0;
  uint64_t sent = 0, refused = 0;
  for (uint64_t i = 0; i < n_accounts; i++) {
    void *payload;
    check(boc_cown_acquire(accounts[i]), "boc_cown_acquire");
    check(boc_cown_get(accounts[i], &payload), "boc_cown_get");
    const struct account *a = payload;
    final_total += a->balance;
    sent += a->sent;
    refused += a->refused;
    check(boc_cown_relinquish(accounts[i]), "boc_cown_relinquish");
    check(boc_cown_release(accounts[i]), "boc_cown_release");
  }
  free(accounts);

  int conserved = final_total == initial_total;
  int all_ran = sent + refused == n_transfers;

  printf("libboc %s bank demo\n", boc_version());
  printf("  accounts:      %" PRIu64 "\n", n_accounts);
  printf("  transfers:     %" PRIu64 " (%" PRIu64 " done, %" PRIu64
         " refused for lack of funds)\n",
         n_transfers, sent, refused);
  printf("  workers:       %" PRIu32 "\n", workers);
  printf("  seed:          %" PRIu64 "\n", seed);
  printf("  initial total: %" PRId64 "\n", initial_total);
  printf("  final total:   %" PRId64 " (%s)\n", final_total,
         conserved ? "conserved" : "NOT CONSERVED");
  printf("  time:          %.3f s\n", elapsed);
  printf("  throughput:    %.0f transfers/s\n",
         elapsed > 0 ? (double)n_transfers / elapsed : 0.0);

  if (!all_ran) {
    fprintf(stderr, "bank: %" PRIu64 " transfers ran, expected %" PRIu64 "\n",
            sent + refused, n_transfers);
    return 1;
  }
  if (!conserved) {
    fprintf(stderr, "bank: the total was not conserved (seed %" PRIu64 ")\n",
            seed);
    return 1;
  }
  return 0;
}
