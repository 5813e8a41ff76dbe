/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

/*
 * hello.c - the smallest libboc program.
 *
 * One cown holds a number.  One behavior runs with exclusive access to it,
 * adds one, and writes the answer into its result cown.  main() then waits
 * for the runtime to finish and reads the result.
 *
 *   $ ./hello
 *   hello from a behavior: 41 + 1 = 42
 */
#include <boc.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* Print the error and exit when a libboc call fails. */
static void check(int status, const char *what) {
  if (status != BOC_OK) {
    fprintf(stderr, "hello: %s: %s\n", what, boc_strerror(status));
    exit(1);
  }
}

/* The behavior's body.  It runs on a worker thread, holding every cown it
 * named (here: the number) and its own result cown. */
static void add_one(boc_behavior_t *b, void *arg) {
  (void)arg;
  boc_cown_t *number, *result;
  void *payload;

  check(boc_behavior_cown(b, 0, &number), "boc_behavior_cown");
  check(boc_cown_get(number, &payload), "boc_cown_get");
  long *n = payload;

  long *answer = malloc(sizeof *answer);
  if (answer == NULL) {
    fprintf(stderr, "hello: out of memory\n");
    exit(1);
  }
  *answer = *n + 1;

  /* The result cown was created empty by boc_when(); fill it.  It takes
   * ownership of `answer` and frees it with free() when it dies. */
  check(boc_behavior_result(b, &result), "boc_behavior_result");
  check(boc_cown_set(result, answer, free), "boc_cown_set");
  printf("hello from a behavior: %ld + 1 = %ld\n", *n, *answer);
}

int main(void) {
  boc_cown_t *number, *result;
  void *payload;

  /* Start the runtime with the default number of workers. */
  check(boc_runtime_start(NULL), "boc_runtime_start");

  /* A cown owns its payload: here a malloc'd long, freed with free(). */
  long *n = malloc(sizeof *n);
  if (n == NULL)
    return 1;
  *n = 41;
  check(boc_cown_create(n, free, &number), "boc_cown_create");

  /* Schedule the behavior.  It needs no argument (NULL, with no free
   * function); `result` receives a new cown the behavior will fill. */
  check(boc_when(&number, 1, add_one, NULL, NULL, &result), "boc_when");

  /* Wait until every behavior has run, then stop the workers. */
  check(boc_runtime_wait(BOC_FOREVER), "boc_runtime_wait");

  /* No behavior can hold the result cown any more: take it and read it. */
  check(boc_cown_acquire(result), "boc_cown_acquire");
  check(boc_cown_get(result, &payload), "boc_cown_get");
  long answer = *(long *)payload;
  check(boc_cown_relinquish(result), "boc_cown_relinquish");

  /* Drop our references; each payload is freed with its cown. */
  check(boc_cown_release(result), "boc_cown_release");
  check(boc_cown_release(number), "boc_cown_release");

  if (answer != 42) {
    fprintf(stderr, "hello: expected 42, got %ld\n", answer);
    return 1;
  }
  printf("main read the result cown: %ld\n", answer);
  return 0;
}
