/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

/*
 * boc/behavior.h - behaviors: work that runs once it holds all its cowns.
 *
 * boc_when() schedules a native behavior: a C function and its argument.
 * It runs exactly once, on a worker, after every earlier behavior on any of
 * its cowns (earlier = scheduled before it, on the same thread or in any
 * order the program established) has run, and it holds all its cowns
 * exclusively while it runs.  Two-phase locking over per-cown queues in
 * cown-id order makes this deadlock-free.
 *
 * boc_when_pull() schedules a pulled behavior: libboc does the locking, but
 * the body is run by a foreign thread that pulls it (see boc/pull.h).
 *
 * The argument's free function is called exactly once on every path:
 * after the body returns, when scheduling fails, and when the behavior is
 * dropped by a forced shutdown.  (For a pulled behavior, after
 * boc_behavior_complete().)
 *
 * Thread safety: every function here may be called from any thread.
 * The accessors (boc_behavior_cown and friends) succeed only for the
 * behavior running on the calling thread.
 */
#ifndef BOC_BEHAVIOR_H
#define BOC_BEHAVIOR_H

#include "boc/common.h"
#include "boc/cown.h"

#ifdef __cplusplus
extern "C" {
#endif

/* An opaque behavior handle, valid only while the behavior runs. */
typedef struct boc_behavior boc_behavior_t;

/*
 * The body of a native behavior.  behavior is the running behavior (use it
 * with the accessors below); arg is the argument given to boc_when().
 * The body must not free arg: libboc calls its free function afterwards.
 */
typedef void (*boc_behavior_fn)(boc_behavior_t *behavior, void *arg);

/*
 * boc_when - schedule a native behavior over a set of cowns.
 *
 * cowns: array of count borrowed cowns (the behavior retains each one until
 *   it has run).  The same cown may appear several times; it is locked once
 *   and the behavior runs once.  count may be 0 (cowns may then be NULL):
 *   the behavior runs as soon as a worker is free.
 * fn: the body; required.
 * arg: consumed.  arg_free(arg) is called exactly once: after fn returns,
 *   or when the behavior is dropped at a forced shutdown, or before this
 *   function returns an error.  arg_free may be NULL.
 * result: if not NULL, receives a new cown (+1, payload NULL) that the
 *   behavior holds while it runs, so the body can fill it, and that later
 *   behaviors can name to wait for this one (a future).  Set only on
 *   success.
 * Errors: BOC_EINVAL (fn NULL, cowns NULL with count > 0, a NULL or invalid
 *   cown in the array, count > BOC_WHEN_MAX_COWNS), BOC_ENOMEM,
 *   BOC_ENOTRUNNING (no runtime, or it has been shut down),
 *   BOC_ESHUTDOWN (the runtime is shutting down).
 * Thread safety: any thread, including from inside a running behavior.
 * Ordering: behaviors scheduled by one thread on a shared cown run in the
 *   order they were scheduled.  Since 0.1.0.
 */
BOC_API BOC_WARN_UNUSED int boc_when(boc_cown_t *const *cowns, size_t count,
                                     boc_behavior_fn fn, void *arg,
                                     boc_free_fn arg_free,
                                     boc_cown_t **result);

/*
 * boc_when_pull - schedule a pulled behavior over a set of cowns.
 *
 * As boc_when(), but there is no native body: once the behavior holds its
 * cowns it is handed to a thread attached to a pull slot, which receives it
 * from boc_worker_pull(), runs it, and calls boc_behavior_complete().
 * arg is for that thread (boc_behavior_arg()); arg_free(arg) is called once,
 * after completion or when the behavior is dropped.
 * A pulled behavior over a pinned cown (boc/pump.h) is taken from the
 * pinned queue with boc_pump_next_packed() instead, and never goes to a
 * pull slot.
 * Errors: as boc_when(), plus BOC_ENOSLOT (the runtime has no pull slots
 *   and no cown is pinned).
 * Thread safety: any thread.  Since 0.1.0.
 */
BOC_API BOC_WARN_UNUSED int boc_when_pull(boc_cown_t *const *cowns,
                                          size_t count, void *arg,
                                          boc_free_fn arg_free,
                                          boc_cown_t **result);

/* The largest number of cowns (duplicates included) one behavior may name. */
#define BOC_WHEN_MAX_COWNS 65536

/*
 * boc_behavior_current - the behavior running on the calling thread.
 *
 * out: receives the running behavior (borrowed), or NULL when the calling
 *   thread is not running one; both are BOC_OK.
 * Errors: BOC_EINVAL (out NULL).  Since 0.1.0.
 */
BOC_API int boc_behavior_current(boc_behavior_t **out);

/*
 * boc_behavior_cown_count - how many cowns the behavior was given.
 *
 * Counts the array passed to boc_when(), duplicates included.
 * Errors: BOC_EINVAL (NULL, or not the behavior running on this thread).
 * Since 0.1.0.
 */
BOC_API int boc_behavior_cown_count(boc_behavior_t *behavior, size_t *out);

/*
 * boc_behavior_cown - the index-th cown given to boc_when().
 *
 * out: receives the cown, borrowed for the duration of the behavior.
 * Errors: BOC_EINVAL (NULL, index out of range, or not the behavior running
 *   on this thread).  Since 0.1.0.
 */
BOC_API int boc_behavior_cown(boc_behavior_t *behavior, size_t index,
                              boc_cown_t **out);

/*
 * boc_behavior_result - the behavior's result cown.
 *
 * out: receives the result cown (borrowed), or NULL when the behavior was
 *   scheduled without one (still BOC_OK).
 * Errors: BOC_EINVAL (NULL, or not the behavior running on this thread).
 * Since 0.1.0.
 */
BOC_API int boc_behavior_result(boc_behavior_t *behavior, boc_cown_t **out);

/*
 * boc_behavior_arg - the argument given to boc_when()/boc_when_pull().
 *
 * out: receives arg, borrowed: libboc still frees it after the behavior.
 * Errors: BOC_EINVAL (NULL, or not the behavior running on this thread).
 * Since 0.1.0.
 */
BOC_API int boc_behavior_arg(boc_behavior_t *behavior, void **out);

/*
 * boc_behavior_id - the behavior's 64-bit id (unique in the process,
 * increasing in scheduling order).
 *
 * Errors: BOC_EINVAL (NULL, or not the behavior running on this thread).
 * Since 0.1.0.
 */
BOC_API int boc_behavior_id(boc_behavior_t *behavior, uint64_t *out);

#ifdef __cplusplus
}
#endif

#endif /* BOC_BEHAVIOR_H */
