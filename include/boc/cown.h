/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

/*
 * boc/cown.h - cowns: concurrently owned objects.
 *
 * A cown wraps an opaque payload pointer and the payload's free function.
 * The payload may be read or replaced only by its current holder: the
 * behavior that is running with the cown in its request set, or the thread
 * that acquired the idle cown with boc_cown_acquire().  Everyone else gets
 * BOC_ENOTHELD.
 *
 * Cowns are reference counted.  boc_cown_create() returns a reference; each
 * boc_cown_retain() adds one, each boc_cown_release() drops one, and the
 * payload's free function runs when the last reference goes.  A behavior
 * keeps its own reference on every cown it names until it has run.
 *
 * Every cown has a 64-bit id, unique in the process and increasing in
 * creation order.  Two-phase locking takes a behavior's cowns in id order,
 * so runs are repeatable.
 *
 * Thread safety, per operation:
 *
 *   function                 | any thread | needs to hold the cown
 *   -------------------------+------------+-----------------------
 *   boc_cown_create          | yes        | -
 *   boc_cown_retain/release  | yes        | no
 *   boc_cown_id              | yes        | no
 *   boc_cown_get/set         | yes        | yes
 *   boc_cown_flags/set_flags | yes        | yes
 *   boc_cown_acquire         | yes        | no (it takes the hold)
 *   boc_cown_relinquish      | yes        | yes
 */
#ifndef BOC_COWN_H
#define BOC_COWN_H

#include "boc/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* An opaque cown handle. */
typedef struct boc_cown boc_cown_t;

/* Flag bits stored on a cown (see boc_cown_flags()). */
enum boc_cown_flag {
  /* The payload describes an error raised by the behavior that filled it.
   * Set and cleared by users (for example, by language bindings). */
  BOC_COWN_EXCEPTION = 1u << 0,
  /* Set by the runtime on a behavior's result cown when the behavior was
   * dropped at a forced shutdown and never ran. */
  BOC_COWN_DROPPED = 1u << 1
};

/*
 * boc_cown_create - create a cown holding a payload.
 *
 * payload: consumed (may be NULL).  On success the cown owns it and calls
 *   free_fn(payload) when the cown dies or the payload is replaced.  On
 *   error the caller keeps ownership; free_fn is not called.
 * free_fn: may be NULL (nothing to free).
 * out: receives the new cown with one reference (+1).
 * Errors: BOC_EINVAL (out is NULL), BOC_ENOMEM.
 * Thread safety: any thread.  Context: anywhere; the runtime need not be
 * running.  Since 0.1.0.
 */
BOC_API BOC_WARN_UNUSED int boc_cown_create(void *payload, boc_free_fn free_fn,
                                            boc_cown_t **out);

/*
 * boc_cown_retain - add a reference to a cown.
 *
 * cown: borrowed.  Errors: BOC_EINVAL (NULL or not a live cown).
 * Thread safety: any thread.  Context: anywhere.  Since 0.1.0.
 */
BOC_API int boc_cown_retain(boc_cown_t *cown);

/*
 * boc_cown_release - drop a reference to a cown.
 *
 * cown: one reference is consumed.  When it was the last, the payload's
 *   free function runs on the calling thread and the handle becomes invalid.
 * Errors: BOC_EINVAL (NULL or not a live cown).
 * Thread safety: any thread.  Context: anywhere.  Since 0.1.0.
 */
BOC_API int boc_cown_release(boc_cown_t *cown);

/*
 * boc_cown_id - the cown's 64-bit id.
 *
 * cown: borrowed.  out: receives the id (ids start at 1 and increase).
 * Errors: BOC_EINVAL.  Thread safety: any thread.  Context: anywhere.
 * Since 0.1.0.
 */
BOC_API int boc_cown_id(const boc_cown_t *cown, uint64_t *out);

/*
 * boc_cown_get - read the payload pointer.
 *
 * cown: borrowed.  out: receives the payload, borrowed from the cown; it
 *   stays valid until the holder replaces it or gives the cown up.
 * Errors: BOC_EINVAL, BOC_ENOTHELD (the caller is not the cown's holder).
 * Thread safety: any thread; only the holder succeeds.
 * Context: inside a behavior that names the cown, or while holding it
 * through boc_cown_acquire().  Since 0.1.0.
 */
BOC_API int boc_cown_get(boc_cown_t *cown, void **out);

/*
 * boc_cown_set - replace the payload.
 *
 * cown: borrowed.  payload/free_fn: consumed on success, as for
 *   boc_cown_create(); on error the caller keeps them.  The previous
 *   payload's free function runs on the calling thread before this returns,
 *   unless payload is the pointer the cown already holds (then only the
 *   free function is replaced).
 * Errors: BOC_EINVAL, BOC_ENOTHELD.
 * Thread safety and context: as boc_cown_get().  Since 0.1.0.
 */
BOC_API int boc_cown_set(boc_cown_t *cown, void *payload, boc_free_fn free_fn);

/*
 * boc_cown_flags - read the cown's flag bits (enum boc_cown_flag, and
 * BOC_COWN_PINNED of boc/pump.h for a pinned cown).
 *
 * Errors: BOC_EINVAL, BOC_ENOTHELD.  Context: as boc_cown_get().
 * Since 0.1.0.
 */
BOC_API int boc_cown_flags(boc_cown_t *cown, uint32_t *out);

/*
 * boc_cown_set_flags - replace the cown's flag bits.
 *
 * flags: a combination of enum boc_cown_flag values and BOC_COWN_PINNED
 *   (boc/pump.h); other bits give BOC_EINVAL.  BOC_COWN_PINNED is fixed
 *   when the cown is created and this call silently keeps it: the bit in
 *   flags is ignored, so it neither pins an ordinary cown nor unpins a
 *   pinned one, and a read-modify-write of boc_cown_flags() works on
 *   either kind.
 * Errors: BOC_EINVAL, BOC_ENOTHELD.  Context: as boc_cown_get().
 * Since 0.1.0.
 */
BOC_API int boc_cown_set_flags(boc_cown_t *cown, uint32_t flags);

/*
 * boc_cown_acquire - take an idle cown for the calling thread.
 *
 * Succeeds only when no behavior holds or waits for the cown.  While the
 * thread holds it, behaviors that name the cown queue behind the hold, in
 * scheduling order, and run once boc_cown_relinquish() gives it back.
 * Never blocks.
 *
 * cown: borrowed; the hold keeps its own reference until relinquished.
 * Errors: BOC_EINVAL, BOC_EBUSY (a behavior holds or waits for the cown,
 *   or a thread already holds it), BOC_ENOMEM.
 * Thread safety: any thread.  Context: anywhere outside a behavior that
 * names the cown (there it is BOC_EBUSY).  Since 0.1.0.
 */
BOC_API BOC_WARN_UNUSED int boc_cown_acquire(boc_cown_t *cown);

/*
 * boc_cown_relinquish - give back a cown taken with boc_cown_acquire().
 *
 * The next queued behavior, if any, becomes able to run.
 * Errors: BOC_EINVAL, BOC_ENOTHELD (the calling thread did not acquire it).
 * Thread safety: any thread; only the acquiring thread succeeds.
 * Since 0.1.0.
 */
BOC_API int boc_cown_relinquish(boc_cown_t *cown);

#ifdef __cplusplus
}
#endif

#endif /* BOC_COWN_H */
