/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

/*
 * boc/pull.h - the pull API: foreign threads driving worker slots.
 *
 * A thread that libboc did not start (a language binding's worker thread,
 * for example) attaches to one of the runtime's pull slots and then loops:
 *
 *   boc_worker_attach(-1, &slot);
 *   for (;;) {
 *     boc_behavior_t *b;
 *     int st = boc_worker_pull(BOC_MSEC(100), &b);
 *     if (st == BOC_ETIMEDOUT) continue;
 *     if (st != BOC_OK) break;            // BOC_ESTOPPED: runtime stopping
 *     run_it(b);                          // accessors of boc/behavior.h
 *     boc_behavior_complete(b);
 *   }
 *   boc_worker_detach();
 *
 * A pull slot has its own queue and takes part in work stealing.  Native
 * behaviors that reach a pull slot are run inside boc_worker_pull() on the
 * calling thread; only pulled behaviors (boc_when_pull()) are returned.
 * A pulled behavior holds its cowns until boc_behavior_complete().
 *
 * Each attached thread has exactly one slot, and each slot at most one
 * thread.  Pull slots only make progress while a thread is attached.
 */
#ifndef BOC_PULL_H
#define BOC_PULL_H

#include "boc/common.h"
#include "boc/behavior.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Pass as slot to boc_worker_attach() to take any free pull slot. */
#define BOC_ANY_SLOT (-1)

/*
 * boc_worker_attach - attach the calling thread to a pull slot.
 *
 * slot: a pull slot's index, or BOC_ANY_SLOT.
 * slot_out: may be NULL; receives the slot's index.
 * Errors: BOC_ENOTRUNNING, BOC_ESHUTDOWN, BOC_EINVAL (slot out of range or
 *   not a pull slot), BOC_EBUSY (the slot has a thread, or this thread is
 *   already attached), BOC_ENOSLOT (BOC_ANY_SLOT and none is free),
 *   BOC_EDEADLK (called from inside a behavior).
 * Thread safety: any thread that is not a native worker.  Since 0.1.0.
 */
BOC_API BOC_WARN_UNUSED int boc_worker_attach(int slot, uint32_t *slot_out);

/*
 * boc_worker_detach - detach the calling thread from its slot.
 *
 * The slot can then be attached again.  Detaching after the runtime has
 * stopped is allowed and succeeds.
 * Errors: BOC_ENOTATTACHED, BOC_EBUSY (a pulled behavior has not been
 *   completed yet).
 * Thread safety: the attached thread.  Since 0.1.0.
 */
BOC_API int boc_worker_detach(void);

/*
 * boc_worker_pull - get the next pulled behavior for this thread's slot.
 *
 * Runs any native behaviors it meets first, then returns a pulled one.
 * Blocks (parked, no CPU) for at most timeout_ns when nothing is ready.
 * out: receives the behavior (valid until boc_behavior_complete()); the
 *   calling thread is then running it, so the accessors of boc/behavior.h
 *   and the cown payload functions work on its cowns.
 * Errors: BOC_EINVAL (out NULL), BOC_ENOTATTACHED, BOC_ETIMEDOUT,
 *   BOC_ESTOPPED (the runtime is stopping or stopped: detach),
 *   BOC_EBUSY (the previous pulled behavior has not been completed).
 * Thread safety: the attached thread.  Since 0.1.0.
 */
BOC_API BOC_WARN_UNUSED int boc_worker_pull(int64_t timeout_ns,
                                            boc_behavior_t **out);

/*
 * boc_behavior_complete - finish a pulled behavior.
 *
 * Releases its cowns (the next behaviors on them may run), calls its
 * argument's free function and invalidates the handle.
 * Errors: BOC_EINVAL (NULL, or not the behavior this thread pulled).
 * Thread safety: the thread that pulled it.  Since 0.1.0.
 */
BOC_API int boc_behavior_complete(boc_behavior_t *behavior);

/*
 * boc_worker_pull_next - complete one pulled behavior and pull the next.
 *
 * The same as boc_behavior_complete(done) (when done is not NULL) followed
 * by boc_worker_pull(timeout_ns, out), in one call: a binding that pays for
 * every foreign call (and, in Python, for every release of the GIL) halves
 * its calls per behavior.  arg_out, when not NULL, receives the new
 * behavior's argument (as boc_behavior_arg()).
 * Errors: those of boc_behavior_complete() (then nothing was pulled and
 *   done is still running) and of boc_worker_pull() (then done has been
 *   completed).
 * Thread safety: the attached thread.  Since 0.1.0.
 */
BOC_API BOC_WARN_UNUSED int boc_worker_pull_next(boc_behavior_t *done,
                                                 int64_t timeout_ns,
                                                 boc_behavior_t **out,
                                                 void **arg_out);

/*
 * Packed calls, for language bindings.
 *
 * A binding such as Python's ctypes pays a conversion for every argument of
 * a foreign call, which costs more than the call itself.  These two take
 * one array of 64-bit words instead and do the same as their unpacked
 * twins.  Handles and arguments are stored as (uintptr_t) casts.
 */

/*
 * boc_when_pull_packed - boc_when_pull() with its arguments in one array.
 *
 * words[0]: n, the cown count; words[1]: the behavior's argument (no free
 * function: arg_free is NULL); words[2] .. words[n + 1]: the cown handles.
 * On success words[n + 2] receives the result cown (a new reference, as
 * boc_when_pull()'s result).  So words must have room for n + 3 words.
 * Errors: as boc_when_pull(); BOC_EINVAL also for words NULL or n too
 *   large.  On error words[n + 2] is not written.
 * Thread safety: any thread.  Since 0.1.0.
 */
BOC_API BOC_WARN_UNUSED int boc_when_pull_packed(uint64_t *words);

/*
 * boc_worker_pull_next_packed - boc_worker_pull_next() with its arguments
 * in one array.
 *
 * io[0] (in): the pulled behavior to complete first, or 0 for none;
 * io[1] (in): timeout_ns, as an int64_t;
 * io[2] (in): a cown handle whose reference the caller gives up, or 0 for
 *   none: released (as boc_cown_release()) after the completion, before
 *   pulling, and io[2] set to 0.  (A binding's wrapper of a result cown
 *   that dies with the behavior's record saves a call this way.)
 * On BOC_OK io[0] receives the new behavior and io[1] its argument.  On an
 * error io[0] is 0 when the behavior it named has been completed (or there
 * was none), and unchanged when it is still running (the completion
 * failed); io[1] is unchanged; io[2] is 0 when the reference was released,
 * and unchanged when it was not (the completion failed, or io[2] is not a
 * cown handle: then nothing at all is done).
 * Errors: those of boc_worker_pull_next(); BOC_EINVAL for io NULL, or
 *   io[2] neither 0 nor a cown handle.
 * Thread safety: the attached thread.  Since 0.1.0.
 */
BOC_API BOC_WARN_UNUSED int boc_worker_pull_next_packed(uint64_t *io);

#ifdef __cplusplus
}
#endif

#endif /* BOC_PULL_H */
