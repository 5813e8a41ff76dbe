/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

#include "boc/behavior.h"
#include "boc/pull.h"

#include <vector>

#include "guard.h"
#include "core/runtime.h"

using boc::capi::guarded;
using boc::capi::to_behavior;
using boc::capi::to_cown;
using boc::capi::to_handle;
namespace d = boc::detail;

namespace {

int when_common(boc_cown_t *const *cowns, size_t count, d::Kind kind,
                boc_behavior_fn fn, void *arg, boc_free_fn arg_free,
                boc_cown_t **result) {
  int st = BOC_OK;
  if ((kind == d::Kind::Native && fn == nullptr) ||
      (cowns == nullptr && count > 0) || count > BOC_WHEN_MAX_COWNS) {
    st = BOC_EINVAL;
  } else {
    for (size_t i = 0; i < count; i++) {
      if (!d::cown_valid(to_cown(cowns[i]))) {
        st = BOC_EINVAL;
        break;
      }
    }
  }
  if (st == BOC_OK) {
    d::Cown *res = nullptr;
    st = guarded([&] {
      return d::runtime_when(reinterpret_cast<d::Cown *const *>(cowns), count, kind, fn,
                             arg, arg_free, result != nullptr ? &res : nullptr);
    });
    if (st == BOC_OK) {
      if (result != nullptr) *result = to_handle(res);
      return BOC_OK;
    }
  }
  /* Every error path still frees the argument, exactly once. */
  if (arg_free != nullptr) arg_free(arg);
  return st;
}

/* The accessors only work for the behavior running on this thread. */
d::Behavior *running(boc_behavior_t *behavior) {
  d::Behavior *b = to_behavior(behavior);
  return (b != nullptr && b == d::current_behavior()) ? b : nullptr;
}

}  // namespace

extern "C" {

BOC_API int boc_when(boc_cown_t *const *cowns, size_t count, boc_behavior_fn fn,
                     void *arg, boc_free_fn arg_free, boc_cown_t **result) {
  return when_common(cowns, count, d::Kind::Native, fn, arg, arg_free, result);
}

BOC_API int boc_when_pull(boc_cown_t *const *cowns, size_t count, void *arg,
                          boc_free_fn arg_free, boc_cown_t **result) {
  return when_common(cowns, count, d::Kind::Pulled, nullptr, arg, arg_free, result);
}

BOC_API int boc_when_pull_packed(uint64_t *words) {
  if (words == nullptr || words[0] > BOC_WHEN_MAX_COWNS) return BOC_EINVAL;
  const size_t n = static_cast<size_t>(words[0]);
  void *arg = reinterpret_cast<void *>(static_cast<uintptr_t>(words[1]));
  boc_cown_t *result = nullptr;
  int st;
  if constexpr (sizeof(boc_cown_t *) == sizeof(uint64_t)) {
    st = when_common(reinterpret_cast<boc_cown_t *const *>(words + 2), n,
                     d::Kind::Pulled, nullptr, arg, nullptr, &result);
  } else {
    /* Narrower pointers: unpack the handles first. */
    std::vector<boc_cown_t *> cowns;
    st = guarded([&] {
      cowns.resize(n);
      return BOC_OK;
    });
    if (st != BOC_OK) return st;
    for (size_t i = 0; i < n; i++) {
      cowns[i] = reinterpret_cast<boc_cown_t *>(static_cast<uintptr_t>(words[2 + i]));
    }
    st = when_common(cowns.data(), n, d::Kind::Pulled, nullptr, arg, nullptr, &result);
  }
  if (st == BOC_OK) words[n + 2] = reinterpret_cast<uintptr_t>(result);
  return st;
}

BOC_API int boc_behavior_current(boc_behavior_t **out) {
  if (out == nullptr) return BOC_EINVAL;
  *out = to_handle(d::current_behavior());
  return BOC_OK;
}

BOC_API int boc_behavior_cown_count(boc_behavior_t *behavior, size_t *out) {
  d::Behavior *b = running(behavior);
  if (b == nullptr || out == nullptr) return BOC_EINVAL;
  *out = b->ncowns;
  return BOC_OK;
}

BOC_API int boc_behavior_cown(boc_behavior_t *behavior, size_t index, boc_cown_t **out) {
  d::Behavior *b = running(behavior);
  if (b == nullptr || out == nullptr || index >= b->ncowns) return BOC_EINVAL;
  *out = to_handle(b->cowns[index]);
  return BOC_OK;
}

BOC_API int boc_behavior_result(boc_behavior_t *behavior, boc_cown_t **out) {
  d::Behavior *b = running(behavior);
  if (b == nullptr || out == nullptr) return BOC_EINVAL;
  *out = to_handle(b->result);
  return BOC_OK;
}

BOC_API int boc_behavior_arg(boc_behavior_t *behavior, void **out) {
  d::Behavior *b = running(behavior);
  if (b == nullptr || out == nullptr) return BOC_EINVAL;
  *out = b->arg;
  return BOC_OK;
}

BOC_API int boc_behavior_id(boc_behavior_t *behavior, uint64_t *out) {
  d::Behavior *b = running(behavior);
  if (b == nullptr || out == nullptr) return BOC_EINVAL;
  *out = b->id;
  return BOC_OK;
}

}  // extern "C"
