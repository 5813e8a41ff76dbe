/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

#include "boc/pump.h"

#include "guard.h"
#include "core/runtime.h"

using boc::capi::guarded;
using boc::capi::to_handle;
namespace d = boc::detail;

extern "C" {

BOC_API int boc_cown_create_pinned(void *payload, boc_free_fn free_fn, boc_cown_t **out) {
  if (out == nullptr) return BOC_EINVAL;
  return guarded([&] {
    *out = to_handle(d::cown_new(payload, free_fn, true));
    return BOC_OK;
  });
}

BOC_API int boc_pump(int64_t budget_ns, uint64_t max_behaviors, boc_pump_result_t *result) {
  return guarded([&] { return d::runtime_pump(budget_ns, max_behaviors, result); });
}

BOC_API int boc_pump_begin(void) {
  return guarded([&] { return d::runtime_pump_begin(); });
}

BOC_API int boc_pump_end(void) {
  return guarded([&] { return d::runtime_pump_end(); });
}

BOC_API int boc_pump_next_packed(uint64_t *io) {
  if (io == nullptr) return BOC_EINVAL;
  return guarded([&] { return d::runtime_pump_next(io); });
}

BOC_API int boc_pump_status(boc_pump_status_t *out) {
  if (out == nullptr) return BOC_EINVAL;
  return guarded([&] { return d::runtime_pump_status(out); });
}

BOC_API int boc_runtime_await(int64_t timeout_ns, uint32_t *why) {
  return guarded([&] { return d::runtime_await(timeout_ns, why); });
}

}  // extern "C"
