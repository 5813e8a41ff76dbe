/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

#include "core/behavior.h"

#include <algorithm>
#include <cstdlib>
#include <new>

#include "core/runtime.h"
#include "pal/pool.h"
#include "pal/spin.h"

namespace boc::detail {

namespace {

std::atomic<uint64_t> next_behavior_id{1};

thread_local Behavior *tls_current = nullptr;

size_t align_up(size_t n, size_t a) { return (n + a - 1) / a * a; }

}  // namespace

Behavior *current_behavior() { return tls_current; }

Behavior *behavior_new(Cown *const *cowns, size_t n, Kind kind,
                       boc_behavior_fn fn, void *arg, boc_free_fn arg_free,
                       bool want_result) {
  /* Distinct cowns, sorted by id.  n is small in practice; sort a copy. */
  Cown *stack_buf[16];
  Cown **sorted = stack_buf;
  size_t total = n + (want_result ? 1 : 0);
  if (total > 16) sorted = static_cast<Cown **>(std::malloc(total * sizeof(Cown *)));
  if (sorted == nullptr) throw std::bad_alloc();
  for (size_t i = 0; i < n; i++) sorted[i] = cowns[i];
  Cown *result = nullptr;
  if (want_result) {
    try {
      result = cown_new(nullptr, nullptr);
    } catch (...) {
      if (sorted != stack_buf) std::free(sorted);
      throw;
    }
    sorted[n] = result;
  }
  std::sort(sorted, sorted + total, [](Cown *a, Cown *b) { return a->id < b->id; });
  size_t nreq = static_cast<size_t>(std::unique(sorted, sorted + total) - sorted);

  size_t off_cowns = align_up(sizeof(Behavior), alignof(Cown *));
  size_t off_reqs = align_up(off_cowns + n * sizeof(Cown *), alignof(Request));
  size_t size = off_reqs + nreq * sizeof(Request);
  void *mem = nullptr;
  try {
    mem = pal::pool_alloc(size);
  } catch (...) {
    if (result != nullptr) cown_release(result);
    if (sorted != stack_buf) std::free(sorted);
    throw;
  }
  auto *b = new (mem) Behavior;
  char *base = static_cast<char *>(mem);
  b->id = next_behavior_id.fetch_add(1, std::memory_order_relaxed);
  b->kind = kind;
  for (size_t i = 0; i < n; i++) b->pinned = b->pinned || cowns[i]->pinned;
  b->fn = fn;
  b->arg = arg;
  b->arg_free = arg_free;
  b->result = result; /* the request on it holds the creation reference */
  b->ncowns = n;
  b->cowns = reinterpret_cast<Cown **>(base + off_cowns);
  for (size_t i = 0; i < n; i++) b->cowns[i] = cowns[i];
  b->nreq = nreq;
  b->reqs = reinterpret_cast<Request *>(base + off_reqs);
  for (size_t i = 0; i < nreq; i++) {
    Request *r = new (&b->reqs[i]) Request;
    r->target = sorted[i];
    if (sorted[i] != result) cown_retain(sorted[i]);
  }
  b->count.store(static_cast<int64_t>(nreq) + 1, std::memory_order_relaxed);
  if (sorted != stack_buf) std::free(sorted);
  return b;
}

void behavior_schedule(Behavior *b) {
  /* Phase 1: link in ascending id order. */
  for (size_t i = 0; i < b->nreq; i++) {
    Request *r = &b->reqs[i];
    /* acq_rel: acquire sees the predecessor request's initialisation (and,
     * when it was idle, the last releaser's payload writes); release
     * publishes our request to the next behavior that exchanges. */
    Request *prev = r->target->last.exchange(r, std::memory_order_acq_rel);
    if (prev == nullptr) {
      /* Idle cown: we are at the head.  Cannot reach 0: the hold. */
      b->count.fetch_sub(1, std::memory_order_acq_rel);
      continue;
    }
    /* Wait until the predecessor has linked all its (higher-id) cowns
     * before we publish ourselves behind it.  Its owner cannot release the
     * request before we publish `next` (release spins for it), so `prev`
     * stays valid until the store below; after that we never touch it. */
    pal::SpinWait spin;
    while (!prev->scheduled.load(std::memory_order_acquire)) spin.once();
    prev->next.store(b, std::memory_order_release);
  }
  /* Phase 2: let successors link behind us. */
  for (size_t i = 0; i < b->nreq; i++)
    b->reqs[i].scheduled.store(true, std::memory_order_release);
  /* Drop the hold. */
  behavior_resolve_one(b);
}

void behavior_resolve_one(Behavior *b) {
  /* acq_rel: each decrement publishes the releaser's writes to the cown
   * payloads; the final decrement acquires all of them before running. */
  if (b->count.fetch_sub(1, std::memory_order_acq_rel) == 1) runtime_dispatch(b);
}

void behavior_begin(Behavior *b) {
  tls_current = b;
  for (size_t i = 0; i < b->nreq; i++)
    b->reqs[i].target->holder.store(b, std::memory_order_release);
}

void behavior_end(Behavior *b) {
  for (size_t i = 0; i < b->nreq; i++)
    b->reqs[i].target->holder.store(nullptr, std::memory_order_release);
  if (tls_current == b) tls_current = nullptr;
}

void request_release(Request *r) {
  Behavior *next = r->next.load(std::memory_order_acquire);
  if (next == nullptr) {
    Request *expected = r;
    /* acq_rel: release publishes our payload writes to the next acquirer
     * of the idle cown. */
    if (r->target->last.compare_exchange_strong(expected, nullptr,
                                                std::memory_order_acq_rel,
                                                std::memory_order_acquire))
      return;
    /* A successor has swapped `last` but not yet written `next`; it only
     * waits for `scheduled`, which is set, so this is short. */
    pal::SpinWait spin;
    while ((next = r->next.load(std::memory_order_acquire)) == nullptr) spin.once();
  }
  behavior_resolve_one(next);
}

void behavior_discard(Behavior *b) {
  for (size_t i = 0; i < b->nreq; i++) cown_release(b->reqs[i].target);
  b->~Behavior();
  pal::pool_free(b);
}

void behavior_finish(Behavior *b) {
  for (size_t i = 0; i < b->nreq; i++) request_release(&b->reqs[i]);
  void *arg = b->arg;
  boc_free_fn arg_free = b->arg_free;
  behavior_discard(b);
  if (arg_free != nullptr) arg_free(arg);
  runtime_behavior_done();
}

void behavior_drop(Behavior *b) {
  if (b->result != nullptr) b->result->flags |= BOC_COWN_DROPPED;
  behavior_finish(b);
}

}  // namespace boc::detail
