/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

/*
 * A small-object pool for the per-behavior allocations (behaviors, result
 * cowns), so the scheduling path does not go through malloc and free.
 *
 * Each thread owns a pool with one free list per size class.  A block
 * remembers its owner.  Freeing on the owner thread pushes on the local
 * list; freeing on another thread (the usual case: the scheduling thread
 * allocates, a worker frees) pushes on the owner's lock-free "remote"
 * stack for that class.  The owner takes the whole remote stack in one
 * exchange when its local list runs dry, so pushes and the take cannot
 * suffer ABA.
 *
 * Lifetime: a pool counts the blocks it has carved from malloc
 * (`outstanding`).  When its thread exits the pool is abandoned: cached
 * blocks go back to malloc and the pool is deleted when the last
 * outstanding block comes home.  A remote free that races with the
 * abandonment re-checks the flag after pushing and drains the stack
 * itself, so no block is stranded.
 *
 * Blocks larger than the largest class come straight from malloc.
 */
#ifndef BOC_PAL_POOL_H
#define BOC_PAL_POOL_H

#include <cstddef>

namespace boc::pal {

/* Allocate size bytes, 16-byte aligned.  Throws std::bad_alloc. */
void *pool_alloc(size_t size);

/* Free a block from pool_alloc (any thread).  nullptr is ignored. */
void pool_free(void *ptr) noexcept;

}  // namespace boc::pal

#endif
