/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

/*
 * boc/blob.h - blobs: immutable, reference-counted byte strings that carry
 * cowns.
 *
 * A blob is the value of a message (boc/msg.h) and of a noticeboard entry
 * (boc/noticeboard.h).  It holds a copy of some bytes (a serialised value:
 * libboc never looks inside) and a list of the cowns embedded in that
 * value.  The blob holds one reference to each embedded cown for as long
 * as it lives, so a cown reachable only through a message or an entry
 * stays alive exactly as long as that message or entry.
 *
 * A blob also carries a token, an opaque 64-bit value chosen by its
 * creator.  When a blob with a non-zero token dies, the token is appended
 * to the graveyard, from which boc_blob_graveyard_take() returns it.  A
 * language binding uses this to learn when to drop state it keeps for the
 * blob (its wrappers of the embedded cowns, say) without libboc ever
 * calling into the binding.  Token 0 means "not reported".
 *
 * Blobs are immutable after creation and may be shared between threads
 * freely; the reference count is atomic.
 */
#ifndef BOC_BLOB_H
#define BOC_BLOB_H

#include "boc/common.h"
#include "boc/cown.h"

#ifdef __cplusplus
extern "C" {
#endif

/* An opaque blob handle. */
typedef struct boc_blob boc_blob_t;

/* The largest blob, in bytes, and the most cowns one blob may embed. */
#define BOC_BLOB_MAX_SIZE ((size_t)1 << 31)
#define BOC_BLOB_MAX_COWNS 65536

/*
 * boc_blob_create - make a blob from bytes and embedded cowns.
 *
 * data: size bytes, copied (may be NULL when size is 0).
 * cowns: count cown handles, borrowed; the blob takes one reference to
 *   each (duplicates take one each).  May be NULL when count is 0.
 * token: reported through the graveyard when the blob dies; 0 for none.
 * out: receives the blob with one reference (+1).
 * Errors: BOC_EINVAL (out NULL, data NULL with size > 0, cowns NULL with
 *   count > 0, a handle that is not a live cown, size > BOC_BLOB_MAX_SIZE,
 *   count > BOC_BLOB_MAX_COWNS), BOC_ENOMEM.  On error no reference is
 *   taken.
 * Thread safety: any thread.  Context: anywhere; the runtime need not be
 * running.  Since 0.1.0.
 */
BOC_API BOC_WARN_UNUSED int boc_blob_create(const void *data, size_t size,
                                            boc_cown_t *const *cowns, size_t count,
                                            uint64_t token, boc_blob_t **out);

/*
 * boc_blob_data - the blob's bytes.
 *
 * data: receives a pointer to the bytes, valid while the caller holds a
 *   reference to the blob (never NULL, even for size 0).
 * size: receives the byte count.
 * Errors: BOC_EINVAL (blob, data or size NULL).
 * Thread safety: any thread.  Context: anywhere.  Since 0.1.0.
 */
BOC_API int boc_blob_data(const boc_blob_t *blob, const void **data, size_t *size);

/*
 * boc_blob_cowns - the cowns embedded in the blob, in creation order.
 *
 * cowns: receives a borrowed array, valid while the caller holds a
 *   reference to the blob (may be NULL when the count is 0).  Retain an
 *   entry with boc_cown_retain() to keep it beyond the blob.
 * count: receives the number of entries.
 * Errors: BOC_EINVAL (blob, cowns or count NULL).
 * Thread safety: any thread.  Context: anywhere.  Since 0.1.0.
 */
BOC_API int boc_blob_cowns(const boc_blob_t *blob, boc_cown_t *const **cowns,
                           size_t *count);

/*
 * boc_blob_token - the token given to boc_blob_create().
 *
 * Errors: BOC_EINVAL (blob or out NULL).
 * Thread safety: any thread.  Context: anywhere.  Since 0.1.0.
 */
BOC_API int boc_blob_token(const boc_blob_t *blob, uint64_t *out);

/*
 * boc_blob_describe_packed - everything about a blob in one call, for
 * bindings (see boc_when_pull_packed() in boc/pull.h).
 *
 * words: 5 words; receives, as uintptr_t or counts: [0] the data pointer,
 *   [1] the size, [2] the cown count, [3] the cown array (as
 *   boc_blob_cowns()), [4] the token.  Pointers are valid while the caller
 *   holds a reference to the blob.
 * Errors: BOC_EINVAL (blob or words NULL).
 * Thread safety: any thread.  Context: anywhere.  Since 0.1.0.
 */
BOC_API int boc_blob_describe_packed(const boc_blob_t *blob, uint64_t *words);

/*
 * boc_blob_retain - add a reference.
 *
 * Errors: BOC_EINVAL (NULL).  Thread safety: any thread.  Since 0.1.0.
 */
BOC_API int boc_blob_retain(boc_blob_t *blob);

/*
 * boc_blob_release - drop a reference.
 *
 * When it was the last one the blob dies: it releases its embedded cowns,
 * frees its bytes, and appends its token (if not 0) to the graveyard.
 * Errors: BOC_EINVAL (NULL).  Thread safety: any thread.  Since 0.1.0.
 */
BOC_API int boc_blob_release(boc_blob_t *blob);

/*
 * boc_blob_graveyard_take - take tokens of dead blobs.
 *
 * Moves up to capacity tokens, oldest first, from the graveyard into
 * tokens, and stores how many it moved in *count.  The graveyard is
 * process-wide and unbounded (one word per dead blob with a token until
 * taken).
 * Errors: BOC_EINVAL (tokens NULL with capacity > 0, count NULL),
 *   BOC_ENOMEM (the graveyard itself could not be set up).
 * Thread safety: any thread; each token is returned exactly once.
 * Context: anywhere.  Since 0.1.0.
 */
BOC_API int boc_blob_graveyard_take(uint64_t *tokens, size_t capacity, size_t *count);

#ifdef __cplusplus
}
#endif

#endif /* BOC_BLOB_H */
