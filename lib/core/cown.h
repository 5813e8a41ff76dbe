/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

/*
 * Cowns and the per-cown MCS request queue.
 *
 * Each cown carries `last`, the tail of an MCS-style queue of Requests.
 * A behavior that wants the cown appends its Request (exchange on `last`);
 * it owns the cown once every request ahead of it has been released.
 * `last == nullptr` means the cown is idle.
 *
 * Holder: while a behavior runs, every cown it names has `holder` set to
 * that behavior; while a thread holds an idle cown via boc_cown_acquire,
 * `holder` is that thread's token.  Payload access checks it.  The
 * hand-off through the request queue (release store of the successor's
 * count decrement, acquire in the successor) orders payload accesses of
 * consecutive holders, so the payload itself needs no atomics.
 */
#ifndef BOC_CORE_COWN_H
#define BOC_CORE_COWN_H

#include <atomic>
#include <cstdint>

#include "boc/common.h"

namespace boc::detail {

struct Behavior;

struct Request {
  struct Cown *target = nullptr;
  /* The behavior queued right behind this request on `target`, written
   * once by that behavior after it has seen `scheduled` (Verona order),
   * read by the owner of this request when it releases. */
  std::atomic<Behavior *> next{nullptr};
  /* Set when the owning behavior has linked all its requests (end of
   * phase 1).  A successor must not publish itself in `next` before this,
   * which keeps the wait-for graph ordered by cown id (deadlock freedom). */
  std::atomic<bool> scheduled{false};
};

constexpr uint64_t COWN_MAGIC = 0x6e776f632d636f62ULL; /* "boc-cown" */
constexpr uint64_t COWN_DEAD = 0x646165642d636f62ULL;

struct Cown {
  uint64_t magic = COWN_MAGIC;
  uint64_t id = 0;
  std::atomic<int64_t> rc{1};
  std::atomic<Request *> last{nullptr};
  std::atomic<const void *> holder{nullptr};
  void *payload = nullptr;
  boc_free_fn free_fn = nullptr;
  /* User and runtime flags (BOC_COWN_EXCEPTION, BOC_COWN_DROPPED); only
   * the holder touches them. */
  uint32_t flags = 0;
  /* BOC_COWN_PINNED: set at creation, never changed, so any thread that
   * has a reference may read it (behavior_new does, to route behaviors
   * to the pinned queue). */
  bool pinned = false;
  /* The request standing for an external hold (boc_cown_acquire). */
  Request *ext = nullptr;
};

/* Create a cown with rc 1 (pinned for life when `pinned`).  Throws
 * std::bad_alloc. */
Cown *cown_new(void *payload, boc_free_fn free_fn, bool pinned = false);

inline bool cown_valid(const Cown *c) {
  return c != nullptr && c->magic == COWN_MAGIC;
}

inline void cown_retain(Cown *c) {
  /* relaxed: taking a new reference from an existing one needs no order. */
  c->rc.fetch_add(1, std::memory_order_relaxed);
}

/* Drop a reference; frees payload and cown at zero. */
void cown_release(Cown *c);

/* The token of the calling thread as a holder (for external holds). */
const void *thread_token();

/* Is the calling context (running behavior or thread) the holder? */
bool cown_held_by_caller(const Cown *c);

/* External hold: take an idle cown / give it back. */
int cown_acquire_external(Cown *c);
int cown_relinquish_external(Cown *c);

}  // namespace boc::detail

#endif
