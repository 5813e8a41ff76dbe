/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

#include "boc/pull.h"

#include "guard.h"
#include "core/runtime.h"

using boc::capi::guarded;
using boc::capi::to_behavior;
using boc::capi::to_handle;
namespace d = boc::detail;

extern "C" {

BOC_API int boc_worker_attach(int slot, uint32_t *slot_out) {
  return guarded([&] { return d::runtime_attach(slot, slot_out); });
}

BOC_API int boc_worker_detach(void) {
  return guarded([&] { return d::runtime_detach(); });
}

BOC_API int boc_worker_pull(int64_t timeout_ns, boc_behavior_t **out) {
  if (out == nullptr) return BOC_EINVAL;
  return guarded([&] {
    d::Behavior *b = nullptr;
    int st = d::runtime_pull(timeout_ns, &b);
    if (st == BOC_OK) *out = to_handle(b);
    return st;
  });
}

BOC_API int boc_worker_pull_next(boc_behavior_t *done, int64_t timeout_ns,
                                 boc_behavior_t **out, void **arg_out) {
  if (out == nullptr) return BOC_EINVAL;
  return guarded([&] {
    if (done != nullptr) {
      int st = d::runtime_complete(to_behavior(done));
      if (st != BOC_OK) return st;
    }
    d::Behavior *b = nullptr;
    int st = d::runtime_pull(timeout_ns, &b);
    if (st == BOC_OK) {
      *out = to_handle(b);
      if (arg_out != nullptr) *arg_out = b->arg;
    }
    return st;
  });
}

BOC_API int boc_behavior_complete(boc_behavior_t *behavior) {
  return guarded([&] { return d::runtime_complete(to_behavior(behavior)); });
}

BOC_API int boc_worker_pull_next_packed(uint64_t *io) {
  if (io == nullptr) return BOC_EINVAL;
  d::Cown *drop = reinterpret_cast<d::Cown *>(static_cast<uintptr_t>(io[2]));
  if (drop != nullptr && !d::cown_valid(drop)) return BOC_EINVAL;
  return guarded([&] {
    d::Behavior *done = to_behavior(reinterpret_cast<boc_behavior_t *>(
        static_cast<uintptr_t>(io[0])));
    if (done != nullptr) {
      int st = d::runtime_complete(done);
      if (st != BOC_OK) return st;
      io[0] = 0;
    }
    if (drop != nullptr) {
      d::cown_release(drop);
      io[2] = 0;
    }
    d::Behavior *b = nullptr;
    int st = d::runtime_pull(static_cast<int64_t>(io[1]), &b);
    if (st == BOC_OK) {
      io[0] = reinterpret_cast<uintptr_t>(to_handle(b));
      io[1] = reinterpret_cast<uintptr_t>(b->arg);
    }
    return st;
  });
}

}  // extern "C"
