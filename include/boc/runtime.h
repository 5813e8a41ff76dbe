/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

/*
 * boc/runtime.h - starting, quiescing and stopping the runtime; worker
 * counts; scheduler statistics.
 *
 * There is one runtime per process.  It owns N worker slots.  A slot is
 * either native (libboc starts a thread for it, which runs native
 * behaviors) or a pull slot (a foreign thread attaches to it and pulls
 * behaviors, see boc/pull.h).  Each slot has its own queue; idle workers
 * steal from the others and then park, so an idle runtime uses no CPU.
 *
 * Lifecycle:
 *
 *   boc_runtime_start() --> running --boc_runtime_wait()------> stopped
 *                             |  ^     (quiesce, then stop)       |
 *                             |  |                                |
 *                             |  +--boc_runtime_quiesce()         |
 *                             +----boc_runtime_shutdown()-------->+
 *                                  (stop now, drop queued work)   |
 *   (restart) <-----------------------------------------------------+
 *
 * The lifecycle functions (start, quiesce, wait, shutdown) must not be
 * called from inside a behavior or from a thread attached to a worker slot:
 * they return BOC_EDEADLK there.  They may be called from any other thread
 * and are serialised against each other.
 */
#ifndef BOC_RUNTIME_H
#define BOC_RUNTIME_H

#include "boc/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Runtime configuration.  Initialise with boc_runtime_config_init(). */
typedef struct boc_runtime_config {
  /* Number of worker slots; 0 means boc_default_worker_count(). */
  uint32_t workers;
  /* How many of the slots are pull slots (the last pull_slots ones);
   * the rest get native threads.  0 (the default) means all native;
   * equal to the slot count means all pull. */
  uint32_t pull_slots;
  /* Reserved for future use; must be zero. */
  uint32_t reserved[6];
} boc_runtime_config_t;

/*
 * boc_runtime_config_init - fill a configuration with the defaults.
 *
 * Errors: BOC_EINVAL (cfg NULL).  Thread safety: any thread.  Since 0.1.0.
 */
BOC_API int boc_runtime_config_init(boc_runtime_config_t *cfg);

/*
 * boc_runtime_start - start the runtime.
 *
 * cfg: borrowed, may be NULL (all defaults).  The slot count is
 *   cfg->workers if non-zero, else the BOC_WORKERS environment variable if
 *   set, else the number of physical cores available to the process.
 * Errors: BOC_EINVAL (pull_slots > slot count, workers > BOC_MAX_WORKERS,
 *   reserved fields non-zero, BOC_WORKERS set but not an integer in
 *   1..BOC_MAX_WORKERS), BOC_ERUNNING (already running), BOC_ENOMEM,
 *   BOC_EINTERNAL (a worker thread could not be created; nothing is left
 *   running), BOC_EDEADLK (called from a behavior or an attached thread).
 * Thread safety: any thread; serialised with the other lifecycle calls.
 * Since 0.1.0.
 */
BOC_API BOC_WARN_UNUSED int boc_runtime_start(const boc_runtime_config_t *cfg);

/*
 * boc_runtime_quiesce - wait until no behavior is in flight.
 *
 * A behavior is in flight from a successful boc_when() until it has run and
 * released its cowns (or been dropped).  The runtime stays up; other
 * threads may keep scheduling, so this is not a barrier against new work.
 * timeout_ns: see BOC_FOREVER in boc/common.h.
 * Errors: BOC_ENOTRUNNING, BOC_ETIMEDOUT, BOC_EDEADLK.
 * Thread safety: any thread outside behaviors and attached threads.
 * Since 0.1.0.
 */
BOC_API int boc_runtime_quiesce(int64_t timeout_ns);

/*
 * boc_runtime_wait - quiesce, then stop the workers.
 *
 * The runtime closes (boc_when() returns BOC_ESHUTDOWN) only at a moment
 * when no behavior is in flight, so a running behavior can always schedule
 * its follow-ups and they run before the stop.  On BOC_OK the runtime is
 * stopped: boc_when() returns BOC_ENOTRUNNING, and
 * boc_runtime_start() may start it again.  On BOC_ETIMEDOUT nothing was
 * stopped and the runtime keeps running (call again, or call
 * boc_runtime_shutdown()).  Threads attached to pull slots are told to stop
 * (their next boc_worker_pull() returns BOC_ESTOPPED); this call waits until
 * each has returned from libboc, but not for them to detach.
 * Errors: BOC_ENOTRUNNING, BOC_ETIMEDOUT, BOC_EDEADLK.
 * Thread safety: any thread outside behaviors and attached threads.
 * Since 0.1.0.
 */
BOC_API int boc_runtime_wait(int64_t timeout_ns);

/*
 * boc_runtime_shutdown - stop the runtime now.
 *
 * New behaviors are refused at once (BOC_ESHUTDOWN).  Behaviors already
 * running finish; behaviors still queued or waiting for cowns are dropped:
 * their argument's free function runs, their result cown gets the
 * BOC_COWN_DROPPED flag, and their cowns are handed on.  Nothing is leaked.
 * Returns when every worker has stopped and every behavior is accounted
 * for; a body that never returns makes it wait forever.
 * Errors: BOC_ENOTRUNNING, BOC_EDEADLK.
 * Thread safety: any thread outside behaviors and attached threads.
 * Since 0.1.0.
 */
BOC_API int boc_runtime_shutdown(void);

/*
 * boc_runtime_worker_count - the running runtime's slot count.
 *
 * Errors: BOC_EINVAL (out NULL), BOC_ENOTRUNNING.  Since 0.1.0.
 */
BOC_API int boc_runtime_worker_count(uint32_t *out);

/*
 * boc_runtime_in_flight - how many behaviors are in flight right now.
 *
 * The value may be stale by the time it is read.  Returns 0 when the
 * runtime is not running.  Errors: BOC_EINVAL (out NULL).  Since 0.1.0.
 */
BOC_API int boc_runtime_in_flight(uint64_t *out);

/*
 * boc_default_worker_count - the slot count boc_runtime_start() would use.
 *
 * BOC_WORKERS from the environment when set, otherwise the number of
 * physical cores in the process's CPU affinity mask (SMT siblings count
 * once), at least 1.
 * Errors: BOC_EINVAL (out NULL, or BOC_WORKERS is set but invalid).
 * Thread safety: any thread.  Since 0.1.0.
 */
BOC_API int boc_default_worker_count(uint32_t *out);

/* Per-worker scheduler counters.  All are best-effort snapshots. */
typedef struct boc_worker_stats {
  uint64_t worker_index;          /* slot number, 0-based */
  uint64_t pushed_local;          /* pushed on its own queue by this worker */
  uint64_t dispatched_to_pending; /* put in this worker's run-next slot */
  uint64_t pushed_remote;         /* pushed on this worker's queue by a
                                     thread that is not a worker */
  uint64_t popped_local;          /* taken from its own queue/run-next slot */
  uint64_t popped_via_steal;      /* taken from another worker's queue */
  uint64_t enqueue_cas_retries;   /* always 0: enqueue is wait-free */
  uint64_t dequeue_cas_retries;   /* dequeues that lost a race and retried */
  uint64_t batch_resets;          /* run-next chains cut short for fairness */
  uint64_t steal_attempts;        /* attempts to steal from a victim */
  uint64_t steal_failures;        /* attempts that found nothing */
  uint64_t parked;                /* times the worker went to sleep */
  uint64_t last_steal_attempt_ns; /* monotonic ns of last attempt, 0 = never */
  uint64_t fairness_arm_fires;    /* times fairness made it steal first */
} boc_worker_stats_t;

/*
 * boc_runtime_stats - copy the per-worker counters.
 *
 * out: array of capacity entries (may be NULL when capacity is 0).
 * count: receives the number of workers; min(count, capacity) entries are
 *   written.  While running these are live counters; once stopped, they are
 *   the final counters of the last run (until the next start); before any
 *   start, count is 0.
 * Errors: BOC_EINVAL (count NULL, or out NULL with capacity > 0).
 * Thread safety: any thread.  Since 0.1.0.
 */
BOC_API int boc_runtime_stats(boc_worker_stats_t *out, size_t capacity,
                              size_t *count);

#ifdef __cplusplus
}
#endif

#endif /* BOC_RUNTIME_H */
