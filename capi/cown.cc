/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

#include "boc/cown.h"
#include "boc/pump.h"

#include "guard.h"
#include "core/runtime.h"

using boc::capi::guarded;
using boc::capi::to_cown;
using boc::capi::to_handle;
namespace d = boc::detail;

extern "C" {

BOC_API int boc_cown_create(void *payload, boc_free_fn free_fn, boc_cown_t **out) {
  if (out == nullptr) return BOC_EINVAL;
  return guarded([&] {
    *out = to_handle(d::cown_new(payload, free_fn));
    return BOC_OK;
  });
}

BOC_API int boc_cown_retain(boc_cown_t *cown) {
  d::Cown *c = to_cown(cown);
  if (!d::cown_valid(c)) return BOC_EINVAL;
  d::cown_retain(c);
  return BOC_OK;
}

BOC_API int boc_cown_release(boc_cown_t *cown) {
  d::Cown *c = to_cown(cown);
  if (!d::cown_valid(c)) return BOC_EINVAL;
  d::cown_release(c);
  return BOC_OK;
}

BOC_API int boc_cown_id(const boc_cown_t *cown, uint64_t *out) {
  const d::Cown *c = to_cown(cown);
  if (!d::cown_valid(c) || out == nullptr) return BOC_EINVAL;
  *out = c->id;
  return BOC_OK;
}

BOC_API int boc_cown_get(boc_cown_t *cown, void **out) {
  d::Cown *c = to_cown(cown);
  if (!d::cown_valid(c) || out == nullptr) return BOC_EINVAL;
  if (!d::cown_held_by_caller(c)) return BOC_ENOTHELD;
  *out = c->payload;
  return BOC_OK;
}

BOC_API int boc_cown_set(boc_cown_t *cown, void *payload, boc_free_fn free_fn) {
  d::Cown *c = to_cown(cown);
  if (!d::cown_valid(c)) return BOC_EINVAL;
  if (!d::cown_held_by_caller(c)) return BOC_ENOTHELD;
  void *old = c->payload;
  boc_free_fn old_free = c->free_fn;
  c->payload = payload;
  c->free_fn = free_fn;
  /* Setting the same pointer again only changes its free function. */
  if (old_free != nullptr && old != payload) old_free(old);
  return BOC_OK;
}

BOC_API int boc_cown_flags(boc_cown_t *cown, uint32_t *out) {
  d::Cown *c = to_cown(cown);
  if (!d::cown_valid(c) || out == nullptr) return BOC_EINVAL;
  if (!d::cown_held_by_caller(c)) return BOC_ENOTHELD;
  *out = c->flags | (c->pinned ? uint32_t(BOC_COWN_PINNED) : 0u);
  return BOC_OK;
}

BOC_API int boc_cown_set_flags(boc_cown_t *cown, uint32_t flags) {
  d::Cown *c = to_cown(cown);
  if (!d::cown_valid(c)) return BOC_EINVAL;
  if ((flags & ~uint32_t(BOC_COWN_EXCEPTION | BOC_COWN_DROPPED | BOC_COWN_PINNED)) != 0)
    return BOC_EINVAL;
  if (!d::cown_held_by_caller(c)) return BOC_ENOTHELD;
  /* BOC_COWN_PINNED is not stored in `flags`: it is read from the cown's
   * creation-time state, so passing it (or not) changes nothing. */
  c->flags = flags & ~uint32_t(BOC_COWN_PINNED);
  return BOC_OK;
}

BOC_API int boc_cown_acquire(boc_cown_t *cown) {
  d::Cown *c = to_cown(cown);
  if (!d::cown_valid(c)) return BOC_EINVAL;
  return guarded([&] { return d::cown_acquire_external(c); });
}

BOC_API int boc_cown_relinquish(boc_cown_t *cown) {
  d::Cown *c = to_cown(cown);
  if (!d::cown_valid(c)) return BOC_EINVAL;
  return guarded([&] { return d::runtime_relinquish(c); });
}

}  // extern "C"
