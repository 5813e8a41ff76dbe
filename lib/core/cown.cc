/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

#include "core/cown.h"

#include <new>

#include "core/behavior.h"
#include "pal/pool.h"
#include "pal/spin.h"

namespace boc::detail {

namespace {

/* Ids start at 1; relaxed is enough for uniqueness and creation order per
 * thread. */
std::atomic<uint64_t> next_cown_id{1};

thread_local char tls_token_byte;

}  // namespace

Cown *cown_new(void *payload, boc_free_fn free_fn, bool pinned) {
  Cown *c = new (pal::pool_alloc(sizeof(Cown))) Cown;
  c->id = next_cown_id.fetch_add(1, std::memory_order_relaxed);
  c->payload = payload;
  c->free_fn = free_fn;
  c->pinned = pinned;
  return c;
}

void cown_release(Cown *c) {
  /* acq_rel: the release half orders our uses of the cown before the free;
   * the acquire half (on the last reference) sees everyone else's. */
  if (c->rc.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  void *payload = c->payload;
  boc_free_fn free_fn = c->free_fn;
  c->magic = COWN_DEAD;
  c->~Cown();
  pal::pool_free(c);
  if (free_fn != nullptr) free_fn(payload);
}

const void *thread_token() { return &tls_token_byte; }

bool cown_held_by_caller(const Cown *c) {
  const void *h = c->holder.load(std::memory_order_acquire);
  if (h == nullptr) return false;
  Behavior *cur = current_behavior();
  return (cur != nullptr && h == cur) || h == thread_token();
}

int cown_acquire_external(Cown *c) {
  if (c->last.load(std::memory_order_acquire) != nullptr) return BOC_EBUSY;
  Request *r = new Request;
  r->target = c;
  r->scheduled.store(true, std::memory_order_relaxed);
  Request *expected = nullptr;
  /* acq_rel: acquire pairs with the last releaser's CAS to nullptr, so the
   * payload it wrote is visible; release publishes `r` to successors. */
  if (!c->last.compare_exchange_strong(expected, r, std::memory_order_acq_rel,
                                       std::memory_order_relaxed)) {
    delete r;
    return BOC_EBUSY;
  }
  cown_retain(c);
  c->ext = r;
  c->holder.store(thread_token(), std::memory_order_release);
  return BOC_OK;
}

int cown_relinquish_external(Cown *c) {
  if (c->holder.load(std::memory_order_acquire) != thread_token() ||
      c->ext == nullptr)
    return BOC_ENOTHELD;
  Request *r = c->ext;
  c->ext = nullptr;
  c->holder.store(nullptr, std::memory_order_release);
  request_release(r);
  delete r;
  cown_release(c);
  return BOC_OK;
}

}  // namespace boc::detail
