/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

#include "boc/blob.h"

#include "guard.h"
#include "msg/blob.h"

using boc::capi::guarded;
using boc::capi::to_cown;
namespace d = boc::detail;

namespace {

inline d::Blob *to_blob(boc_blob_t *b) { return reinterpret_cast<d::Blob *>(b); }
inline const d::Blob *to_blob(const boc_blob_t *b) {
  return reinterpret_cast<const d::Blob *>(b);
}

}  // namespace

extern "C" {

BOC_API int boc_blob_create(const void *data, size_t size, boc_cown_t *const *cowns,
                            size_t count, uint64_t token, boc_blob_t **out) {
  if (out == nullptr || (data == nullptr && size > 0) || (cowns == nullptr && count > 0) ||
      size > BOC_BLOB_MAX_SIZE || count > BOC_BLOB_MAX_COWNS)
    return BOC_EINVAL;
  for (size_t i = 0; i < count; i++) {
    if (!d::cown_valid(to_cown(cowns[i]))) return BOC_EINVAL;
  }
  return guarded([&] {
    d::Blob *b = d::blob_new(data, size, reinterpret_cast<d::Cown *const *>(cowns), count,
                             token);
    *out = reinterpret_cast<boc_blob_t *>(b);
    return BOC_OK;
  });
}

BOC_API int boc_blob_data(const boc_blob_t *blob, const void **data, size_t *size) {
  if (blob == nullptr || data == nullptr || size == nullptr) return BOC_EINVAL;
  const d::Blob *b = to_blob(blob);
  *data = b->data;
  *size = b->size;
  return BOC_OK;
}

BOC_API int boc_blob_cowns(const boc_blob_t *blob, boc_cown_t *const **cowns,
                           size_t *count) {
  if (blob == nullptr || cowns == nullptr || count == nullptr) return BOC_EINVAL;
  const d::Blob *b = to_blob(blob);
  *cowns = b->ncowns > 0 ? reinterpret_cast<boc_cown_t *const *>(b->cowns) : nullptr;
  *count = b->ncowns;
  return BOC_OK;
}

BOC_API int boc_blob_token(const boc_blob_t *blob, uint64_t *out) {
  if (blob == nullptr || out == nullptr) return BOC_EINVAL;
  *out = to_blob(blob)->token;
  return BOC_OK;
}

BOC_API int boc_blob_describe_packed(const boc_blob_t *blob, uint64_t *words) {
  if (blob == nullptr || words == nullptr) return BOC_EINVAL;
  const d::Blob *b = to_blob(blob);
  words[0] = reinterpret_cast<uintptr_t>(b->data);
  words[1] = b->size;
  words[2] = b->ncowns;
  words[3] = b->ncowns > 0 ? reinterpret_cast<uintptr_t>(b->cowns) : 0;
  words[4] = b->token;
  return BOC_OK;
}

BOC_API int boc_blob_retain(boc_blob_t *blob) {
  if (blob == nullptr) return BOC_EINVAL;
  d::blob_retain(to_blob(blob));
  return BOC_OK;
}

BOC_API int boc_blob_release(boc_blob_t *blob) {
  if (blob == nullptr) return BOC_EINVAL;
  return guarded([&] {
    d::blob_release(to_blob(blob));
    return BOC_OK;
  });
}

BOC_API int boc_blob_graveyard_take(uint64_t *tokens, size_t capacity, size_t *count) {
  if (count == nullptr || (tokens == nullptr && capacity > 0)) return BOC_EINVAL;
  return guarded([&] {
    *count = d::graveyard_take(tokens, capacity);
    return BOC_OK;
  });
}

}  // extern "C"
