/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

/*
 * boc/pump.h - pinned cowns and the pump.
 *
 * Some values must never leave one thread: GUI widgets, GPU contexts, open
 * handles.  A pinned cown (boc_cown_create_pinned()) belongs to the *pump
 * thread*: any behavior whose cowns include a pinned cown runs there.
 * Once such a behavior holds all its cowns it is not given to a worker but
 * appended to the pinned queue, a single-consumer FIFO that the pump
 * thread drains with boc_pump() (native behaviors) or with
 * boc_pump_begin() / boc_pump_next_packed() / boc_pump_end() (a binding
 * that also takes pulled behaviors, scheduled with boc_when_pull(), off
 * the same queue).  Behaviors without pinned cowns never go there, and
 * pinned ones never go to a worker or pull slot (so boc_when_pull() over a
 * pinned cown works in a runtime without pull slots).
 *
 * One thread pumps at a time: while one holds the pump (between
 * boc_pump_begin() and boc_pump_end(), or inside boc_pump()), others get
 * BOC_EBUSY.  Pumping never blocks: it returns when the queue is empty.
 * It is not reentrant: a behavior running on the pump cannot pump.
 *
 * Nothing runs pinned behaviors by itself: a program that schedules them
 * must pump, typically from its event loop, or from a wait loop built on
 * boc_runtime_await(), which sleeps until the runtime is quiescent or
 * pinned work is queued.  boc_runtime_quiesce() and boc_runtime_wait()
 * count queued pinned behaviors as in flight (they wait for them); a
 * forced boc_runtime_shutdown() drops them (their result cowns get
 * BOC_COWN_DROPPED).
 *
 * The starvation figure boc_pump_status() reports is how long the queue
 * has been non-empty without interruption, not how long since the last
 * pump, so a program whose pinned queue is always drained promptly never
 * looks starved, however rarely it pumps.
 */
#ifndef BOC_PUMP_H
#define BOC_PUMP_H

#include "boc/common.h"
#include "boc/cown.h"
#include "boc/behavior.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The cown flag that marks a pinned cown (read with boc_cown_flags(); it
 * cannot be set or cleared with boc_cown_set_flags()). */
#define BOC_COWN_PINNED (1u << 2)

/*
 * boc_cown_create_pinned - create a pinned cown holding a payload.
 *
 * As boc_cown_create(); the cown is pinned for life.  Its payload is
 * accessed like any cown's, by its holder: a behavior running on the pump
 * thread, or a thread that acquired it with boc_cown_acquire().
 * Errors: as boc_cown_create().
 * Thread safety: any thread.  Context: anywhere; the runtime need not be
 * running.  Since 0.1.0.
 */
BOC_API BOC_WARN_UNUSED int boc_cown_create_pinned(void *payload, boc_free_fn free_fn,
                                                   boc_cown_t **out);

/* What boc_pump() did. */
typedef struct boc_pump_result {
  uint64_t executed;      /* behaviors run by this call */
  int deadline_reached;   /* 1 if it stopped because budget_ns passed */
  int pulled_waiting;     /* 1 if it stopped at a pulled behavior (left
                             queued for boc_pump_next_packed()) */
} boc_pump_result_t;

/*
 * boc_pump - run queued pinned native behaviors on the calling thread.
 *
 * Runs behaviors from the front of the pinned queue until the queue is
 * empty, max_behaviors have run (0: no limit), budget_ns has passed
 * (checked after each behavior, so at least one runs when one is queued;
 * negative: no limit), or the front behavior is a pulled one.  Never
 * blocks.  result: may be NULL.
 * Errors: BOC_ENOTRUNNING, BOC_EBUSY (another thread holds the pump),
 *   BOC_EDEADLK (called from inside a behavior, or by a thread that holds
 *   the pump with boc_pump_begin()).
 * Thread safety: any thread that is not running a behavior.  Since 0.1.0.
 */
BOC_API int boc_pump(int64_t budget_ns, uint64_t max_behaviors, boc_pump_result_t *result);

/*
 * boc_pump_begin / boc_pump_end - hold and give back the pump.
 *
 * While a thread holds the pump it may call boc_pump_next_packed(); no
 * other thread may pump.  boc_pump_end() fails with BOC_EBUSY while a
 * behavior taken with boc_pump_next_packed() has not been completed.
 * Errors (begin): BOC_ENOTRUNNING, BOC_EBUSY (another thread holds it, or
 *   this one already does), BOC_EDEADLK (inside a behavior).
 * Errors (end): BOC_EINVAL (the calling thread does not hold the pump),
 *   BOC_EBUSY.
 * Since 0.1.0.
 */
BOC_API BOC_WARN_UNUSED int boc_pump_begin(void);
BOC_API int boc_pump_end(void);

/*
 * boc_pump_next_packed - complete one pinned pulled behavior and take the
 * next, in one call (for bindings; see boc_when_pull_packed()).
 *
 * io[0] (in): the pinned pulled behavior this thread took last, to
 * complete first (as boc_behavior_complete() does), or 0.  Then native
 * behaviors at the front of the queue are run on the calling thread until
 * a pulled one is at the front, which is taken: on BOC_OK io[0] = the
 * behavior (the calling thread is running it: the accessors of
 * boc/behavior.h and the cown payload functions work on its cowns),
 * io[1] = its argument, io[2] = how many native behaviors ran.  When the
 * queue runs empty: BOC_ETIMEDOUT, io[0] = 0, io[2] = how many native
 * behaviors ran.  io[0] is 0 after any call that completed the behavior
 * it named.  On BOC_EINVAL and BOC_EDEADLK io is not changed.
 * boc_behavior_complete() also completes the behavior taken (a binding's
 * clean-up path may use it); it must then not be named in io[0] again.
 * Errors: BOC_EINVAL (io NULL, or io[0] is not the behavior this thread
 *   took last and has not completed - in particular io[0] == 0 while one
 *   is outstanding: nothing is done), BOC_EDEADLK (the calling thread does
 *   not hold the pump, or it is running a native behavior: the pump is
 *   not reentrant), BOC_ETIMEDOUT (queue empty, or the runtime is
 *   stopping: queued pinned behaviors are then dropped, not taken).
 * Thread safety: the thread holding the pump.  Since 0.1.0.
 */
BOC_API BOC_WARN_UNUSED int boc_pump_next_packed(uint64_t *io);

/* The pinned queue's state (boc_pump_status()). */
typedef struct boc_pump_status {
  uint64_t depth;          /* pinned behaviors queued now */
  int64_t nonempty_ns;     /* how long the queue has been non-empty without
                              a break (0 when it is empty) */
  uint64_t executed;       /* pinned behaviors run since the runtime started */
} boc_pump_status_t;

/*
 * boc_pump_status - read the pinned queue's depth and starvation time.
 *
 * Errors: BOC_EINVAL (out NULL).  With no runtime running, every field is
 * 0.  Thread safety: any thread.  Since 0.1.0.
 */
BOC_API int boc_pump_status(boc_pump_status_t *out);

/* Why boc_runtime_await() returned (bits of *why). */
#define BOC_AWAIT_QUIESCENT 1u /* nothing is in flight */
#define BOC_AWAIT_PINNED 2u    /* pinned behaviors are queued */

/*
 * boc_runtime_await - sleep until the runtime is quiescent or pinned work
 * is queued.
 *
 * Returns BOC_OK with *why (may be NULL) holding the BOC_AWAIT_* bits that
 * are true, at once if one already is; BOC_ETIMEDOUT after timeout_ns
 * (BOC_FOREVER: no limit) otherwise.  Sleeps on the terminator's
 * condition variable, woken by the last completion and by every enqueue
 * on an empty pinned queue: no polling.
 * Errors: BOC_ENOTRUNNING, BOC_ETIMEDOUT, BOC_EDEADLK (inside a behavior).
 * Thread safety: any thread not running a behavior.  Since 0.1.0.
 */
BOC_API int boc_runtime_await(int64_t timeout_ns, uint32_t *why);

#ifdef __cplusplus
}
#endif

#endif /* BOC_PUMP_H */
