/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

/* The C/C++ boundary: every exported function runs its body through
 * guarded(), so no C++ exception ever reaches a C caller. */
#ifndef BOC_CAPI_GUARD_H
#define BOC_CAPI_GUARD_H

#include <new>

#include "boc/common.h"
#include "core/behavior.h"
#include "core/cown.h"

namespace boc::capi {

template <class F>
int guarded(F &&body) noexcept {
  try {
    return body();
  } catch (const std::bad_alloc &) {
    return BOC_ENOMEM;
  } catch (...) {
    return BOC_EINTERNAL;
  }
}

inline detail::Cown *to_cown(boc_cown_t *c) { return reinterpret_cast<detail::Cown *>(c); }
inline const detail::Cown *to_cown(const boc_cown_t *c) {
  return reinterpret_cast<const detail::Cown *>(c);
}
inline boc_cown_t *to_handle(detail::Cown *c) { return reinterpret_cast<boc_cown_t *>(c); }
inline detail::Behavior *to_behavior(boc_behavior_t *b) {
  return reinterpret_cast<detail::Behavior *>(b);
}
inline boc_behavior_t *to_handle(detail::Behavior *b) {
  return reinterpret_cast<boc_behavior_t *>(b);
}

}  // namespace boc::capi

#endif
