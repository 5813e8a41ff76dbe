/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

/* Blobs: immutable, reference-counted bytes plus embedded cown references
 * (see include/boc/blob.h), and the graveyard of dead blobs' tokens. */
#ifndef BOC_MSG_BLOB_H
#define BOC_MSG_BLOB_H

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "core/cown.h"

namespace boc::detail {

struct Blob {
  std::atomic<uint64_t> rc;
  uint64_t token;
  size_t size;
  size_t ncowns;
  Cown **cowns;        /* ncowns entries, in the same allocation */
  unsigned char *data; /* size bytes (at least one byte allocated) */
};

/* A new blob with rc 1 holding one reference to each cown (which must be
 * live).  Throws std::bad_alloc; then nothing was retained. */
Blob *blob_new(const void *data, size_t size, Cown *const *cowns, size_t ncowns,
               uint64_t token);

inline void blob_retain(Blob *b) { b->rc.fetch_add(1, std::memory_order_relaxed); }

/* Drop a reference.  At zero: release the cowns, free the memory, and
 * append the token (if any) to the graveyard. */
void blob_release(Blob *b);

/* Move up to cap tokens from the graveyard into out; returns how many. */
size_t graveyard_take(uint64_t *out, size_t cap);

}  // namespace boc::detail

#endif
