/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

#include "boc/runtime.h"

#include "guard.h"
#include "core/runtime.h"

using boc::capi::guarded;
namespace d = boc::detail;

extern "C" {

BOC_API int boc_runtime_config_init(boc_runtime_config_t *cfg) {
  if (cfg == nullptr) return BOC_EINVAL;
  *cfg = boc_runtime_config_t{};
  return BOC_OK;
}

BOC_API int boc_runtime_start(const boc_runtime_config_t *cfg) {
  return guarded([&] { return d::runtime_start(cfg); });
}

BOC_API int boc_runtime_quiesce(int64_t timeout_ns) {
  return guarded([&] { return d::runtime_quiesce(timeout_ns); });
}

BOC_API int boc_runtime_wait(int64_t timeout_ns) {
  return guarded([&] { return d::runtime_wait(timeout_ns); });
}

BOC_API int boc_runtime_shutdown(void) {
  return guarded([&] { return d::runtime_shutdown(); });
}

BOC_API int boc_runtime_worker_count(uint32_t *out) {
  if (out == nullptr) return BOC_EINVAL;
  return guarded([&] { return d::runtime_worker_count(out); });
}

BOC_API int boc_runtime_in_flight(uint64_t *out) {
  if (out == nullptr) return BOC_EINVAL;
  *out = d::runtime_in_flight();
  return BOC_OK;
}

BOC_API int boc_default_worker_count(uint32_t *out) {
  if (out == nullptr) return BOC_EINVAL;
  return guarded([&] { return d::runtime_default_worker_count(out); });
}

BOC_API int boc_runtime_stats(boc_worker_stats_t *out, size_t capacity, size_t *count) {
  if (count == nullptr || (out == nullptr && capacity > 0)) return BOC_EINVAL;
  return guarded([&] { return d::runtime_stats(out, capacity, count); });
}

}  // extern "C"
