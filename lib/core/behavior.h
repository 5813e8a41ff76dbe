/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

/*
 * Behaviors and two-phase locking.
 *
 * A behavior is one allocation: the Behavior header (whose first member is
 * the scheduler's queue Node, so a Node* is a Behavior*), then the cowns
 * array as given by the user (duplicates kept, for the accessors), then the
 * Requests, one per distinct cown, sorted by cown id (the result cown, when
 * there is one, is among them).
 *
 * count = number of requests + 1.  Each request decrements it once when it
 * reaches the head of its cown's queue; the extra 1 is a hold dropped at
 * the end of scheduling, so count cannot reach 0 while phase 1 is still
 * linking.  The thread whose decrement reaches 0 dispatches the behavior.
 */
#ifndef BOC_CORE_BEHAVIOR_H
#define BOC_CORE_BEHAVIOR_H

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "boc/behavior.h"
#include "core/cown.h"
#include "sched/mpmcq.h"

namespace boc::detail {

enum class Kind : uint8_t { Native = 0, Pulled = 1 };

struct Behavior {
  Node node; /* must stay first: the scheduler casts Node* to Behavior* */
  std::atomic<int64_t> count{0};
  uint64_t id = 0;
  Kind kind = Kind::Native;
  /* Some cown is pinned: when ready, the behavior goes to the pinned
   * queue (runtime_dispatch), never to a worker slot.  Set once in
   * behavior_new. */
  bool pinned = false;
  /* Link in the pinned queue (guarded by its mutex). */
  Behavior *pin_next = nullptr;
  boc_behavior_fn fn = nullptr;
  void *arg = nullptr;
  boc_free_fn arg_free = nullptr;
  Cown *result = nullptr;
  size_t ncowns = 0;
  Cown **cowns = nullptr;
  size_t nreq = 0;
  Request *reqs = nullptr;
};

static_assert(offsetof(Behavior, node) == 0, "Node must be first");

/* Build a behavior (all allocation happens here, so scheduling cannot fail
 * half-way).  Retains every distinct cown; creates the result cown when
 * want_result.  Throws std::bad_alloc (nothing retained then). */
Behavior *behavior_new(Cown *const *cowns, size_t n, Kind kind,
                       boc_behavior_fn fn, void *arg, boc_free_fn arg_free,
                       bool want_result);

/* Two-phase locking: link into every cown's queue in id order, then
 * dispatch if every cown was idle.  Cannot fail. */
void behavior_schedule(Behavior *b);

/* Decrement the count; the caller whose decrement reaches 0 dispatches. */
void behavior_resolve_one(Behavior *b);

/* Mark the calling thread as running b and set b as holder of its cowns. */
void behavior_begin(Behavior *b);

/* Clear the running marks (inverse of behavior_begin). */
void behavior_end(Behavior *b);

/* Hand every cown to its successor, free the argument, drop the cown
 * references, free b, and decrement the terminator. */
void behavior_finish(Behavior *b);

/* Drop a behavior that will never run (forced shutdown): mark its result
 * cown BOC_COWN_DROPPED, then behavior_finish. */
void behavior_drop(Behavior *b);

/* Free a behavior that was never scheduled (no terminator change). */
void behavior_discard(Behavior *b);

/* The behavior running on this thread, or nullptr. */
Behavior *current_behavior();

/* Release one request: hand the cown to the next behavior, or mark it idle. */
void request_release(Request *r);

}  // namespace boc::detail

#endif
