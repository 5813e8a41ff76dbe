/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

/*
 * dining_philosophers.c - Dijkstra's dining philosophers, the BoC way.
 *
 * N philosophers sit at a round table with one fork between each pair of
 * neighbours.  To eat, a philosopher needs both forks.  With locks, taking
 * one fork and then the other can deadlock; with behaviors it cannot: a
 * meal is a behavior over the two fork cowns, and libboc takes both (in
 * cown-id order, all or nothing) before the meal starts.
 *
 * Each meal schedules the philosopher's next meal until the philosopher has
 * eaten --meals times.  At the end every fork must have been used exactly
 * twice per meal of each of its two neighbours.
 *
 * Usage: dining_philosophers [--philosophers N] [--meals N] [--workers N]
 */
#include <boc.h>

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The payload of a fork cown. */
struct fork {
  uint64_t uses;
};

/*
 * A philosopher.  Only the philosopher's own meals touch it, and they run
 * one after another (each meal schedules the next), so it needs no cown of
 * its own: it travels as the meal behavior's argument.
 */
struct philosopher {
  unsigned index;
  uint64_t eaten;      /* meals eaten so far */
  uint64_t hunger;     /* meals wanted in total */
  boc_cown_t *left;    /* borrowed from main's fork array */
  boc_cown_t *right;
};

static void check(int status, const char *what) {
  if (status != BOC_OK) {
    fprintf(stderr, "dining_philosophers: %s: %s\n", what,
            boc_strerror(status));
    exit(2);
  }
}

static void eat(boc_behavior_t *b, void *arg);

/* Schedule one meal: a behavior over the philosopher's two forks.  The
 * philosopher record is passed without a free function: main owns it. */
static void schedule_meal(struct philosopher *p) {
  boc_cown_t *forks[2] = {p->left, p->right};
  check(boc_when(forks, 2, eat, p, NULL, NULL), "boc_when");
}

/* A meal.  It runs holding both forks. */
static void eat(boc_behavior_t *b, void *arg) {
  struct philosopher *p = arg;
  for (size_t i = 0; i < 2; i++) {
    boc_cown_t *cown;
    void *payload;
    check(boc_behavior_cown(b, i, &cown), "boc_behavior_cown");
    check(boc_cown_get(cown, &payload), "boc_cown_get");
    ((struct fork *)payload)->uses++;
  }
  p->eaten++;
  /* Still hungry: ask for the forks again.  Scheduling from inside a
   * behavior is allowed; the next meal queues behind the neighbours' meals
   * that were scheduled before it. */
  if (p->eaten < p->hunger)
    schedule_meal(p);
}

static uint64_t parse_count(const char *option, const char *text) {
  char *end;
  if (text == NULL || *text == '\0' || *text == '-') {
    fprintf(stderr, "dining_philosophers: %s needs a number\n", option);
    exit(2);
  }
  unsigned long long v = strtoull(text, &end, 10);
  if (*end != '\0') {
    fprintf(stderr, "dining_philosophers: %s: not a number: %s\n", option,
            text);
    exit(2);
  }
  return (uint64_t)v;
}

int main(int argc, char **argv) {
  uint64_t n = 5, meals = 1000, workers = 0;

  for (int i = 1; i < argc; i++) {
    const char *value = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(argv[i], "--philosophers") == 0)
      n = parse_count(argv[i], value), i++;
    else if (strcmp(argv[i], "--meals") == 0)
      meals = parse_count(argv[i], value), i++;
    else if (strcmp(argv[i], "--workers") == 0)
      workers = parse_count(argv[i], value), i++;
    else {
      fprintf(stderr,
              "usage: dining_philosophers [--philosophers N (>= 2)] "
              "[--meals N] [--workers N]\n");
      return strcmp(argv[i], "--help") == 0 ? 0 : 2;
    }
  }
  if (n < 2 || workers > BOC_MAX_WORKERS) {
    fprintf(stderr, "dining_philosophers: need at least 2 philosophers\n");
    return 2;
  }

  boc_runtime_config_t cfg;
  check(boc_runtime_config_init(&cfg), "boc_runtime_config_init");
  cfg.workers = (uint32_t)workers;
  check(boc_runtime_start(&cfg), "boc_runtime_start");
  uint32_t worker_count;
  check(boc_runtime_worker_count(&worker_count), "boc_runtime_worker_count");

  /* Lay the table: n forks and n philosophers; philosopher i uses forks i
   * and i+1 (mod n). */
  boc_cown_t **forks = calloc(n, sizeof *forks);
  struct philosopher *phils = calloc(n, sizeof *phils);
  if (forks == NULL || phils == NULL)
    return 2;
  for (uint64_t i = 0; i < n; i++) {
    struct fork *f = calloc(1, sizeof *f);
    if (f == NULL)
      return 2;
    check(boc_cown_create(f, free, &forks[i]), "boc_cown_create");
  }
  for (uint64_t i = 0; i < n; i++) {
    phils[i].index = (unsigned)i;
    phils[i].hunger = meals;
    phils[i].left = forks[i];
    phils[i].right = forks[(i + 1) % n];
  }

  /* Everyone sits down and asks for a first meal: the even seats first,
   * then the odd ones.  Behaviors that share a cown run in the order they
   * were scheduled, so asking in seat order 0, 1, 2, ... would make every
   * philosopher wait for the left neighbour's meal (one long chain, and the
   * later meals keep that order).  Even-then-odd lets half the table eat
   * at once.  Either order is correct; this one is also parallel. */
  for (uint64_t parity = 0; parity < 2 && meals > 0; parity++)
    for (uint64_t i = parity; i < n; i += 2)
      schedule_meal(&phils[i]);

  /* Wait for the last meal, and stop the workers. */
  check(boc_runtime_wait(BOC_FOREVER), "boc_runtime_wait");

  int ok = 1;
  uint64_t total = 0;
  for (uint64_t i = 0; i < n; i++) {
    if (n <= 10)
      printf("philosopher %" PRIu64 " ate %" PRIu64 " meals\n", i,
             phils[i].eaten);
    total += phils[i].eaten;
    ok &= phils[i].eaten == meals;
  }
  for (uint64_t i = 0; i < n; i++) {
    void *payload;
    check(boc_cown_acquire(forks[i]), "boc_cown_acquire");
    check(boc_cown_get(forks[i], &payload), "boc_cown_get");
    uint64_t uses = ((struct fork *)payload)->uses;
    check(boc_cown_relinquish(forks[i]), "boc_cown_relinquish");
    check(boc_cown_release(forks[i]), "boc_cown_release");
    if (uses != 2 * meals) {
      fprintf(stderr, "fork %" PRIu64 " used %" PRIu64 " times, expected %" PRIu64
              "\n", i, uses, 2 * meals);
      ok = 0;
    }
  }
  printf("%" PRIu64 " philosophers ate %" PRIu64 " meals in total on %" PRIu32
         " workers: %s\n",
         n, total, worker_count, ok ? "everyone ate" : "WRONG COUNT");
  free(forks);
  free(phils);
  return ok ? 0 : 1;
}
