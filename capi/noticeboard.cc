/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

#include "boc/noticeboard.h"

#include <cstring>

#include "guard.h"
#include "msg/noticeboard.h"

using boc::capi::guarded;
namespace d = boc::detail;

namespace {

/* A key is len bytes at key (NULL only when len is 0), at most
 * BOC_NB_MAX_KEY_SIZE of them, none of them NUL. */
bool key_ok(const char *key, size_t len) {
  if (len == 0) return true;
  return key != nullptr && len <= BOC_NB_MAX_KEY_SIZE && std::memchr(key, 0, len) == nullptr;
}

inline d::Blob *to_blob(boc_blob_t *b) { return reinterpret_cast<d::Blob *>(b); }
inline boc_blob_t *to_handle(d::Blob *b) { return reinterpret_cast<boc_blob_t *>(b); }
/* boc_nb_snapshot_t is never defined: its handles are NbSnapshot objects. */
inline d::NbSnapshot *to_snap(boc_nb_snapshot_t *s) { return reinterpret_cast<d::NbSnapshot *>(s); }
inline const d::NbSnapshot *to_snap(const boc_nb_snapshot_t *s) {
  return reinterpret_cast<const d::NbSnapshot *>(s);
}

}  // namespace

extern "C" {

BOC_API int boc_nb_write(const char *key, size_t len, boc_blob_t *value, uint64_t *version) {
  if (!key_ok(key, len) || value == nullptr) return BOC_EINVAL;
  return guarded([&] { return d::nb_write(d::nb_key(key, len), to_blob(value), version); });
}

BOC_API int boc_nb_delete(const char *key, size_t len) {
  if (!key_ok(key, len)) return BOC_EINVAL;
  return guarded([&] { return d::nb_delete(d::nb_key(key, len)); });
}

BOC_API int boc_nb_read(const char *key, size_t len, boc_blob_t **value, uint64_t *version) {
  if (!key_ok(key, len) || value == nullptr) return BOC_EINVAL;
  return guarded([&] {
    d::Blob *b = nullptr;
    int st = d::nb_read(d::nb_key(key, len), &b, version);
    if (st == BOC_OK) *value = to_handle(b);
    return st;
  });
}

BOC_API int boc_nb_compare_and_set(const char *key, size_t len, uint64_t expected,
                                   boc_blob_t *value, uint64_t *version) {
  if (!key_ok(key, len)) return BOC_EINVAL;
  return guarded([&] {
    return d::nb_compare_and_set(d::nb_key(key, len), expected, to_blob(value), version);
  });
}

BOC_API int boc_nb_version(uint64_t *out) {
  if (out == nullptr) return BOC_EINVAL;
  return guarded([&] {
    *out = d::nb_version();
    return BOC_OK;
  });
}

BOC_API int boc_nb_sync(int64_t timeout_ns, uint64_t *version) {
  return guarded([&] { return d::nb_sync(timeout_ns, version); });
}

BOC_API int boc_nb_snapshot(boc_nb_snapshot_t **out) {
  if (out == nullptr) return BOC_EINVAL;
  return guarded([&] {
    *out = reinterpret_cast<boc_nb_snapshot_t *>(d::nb_snapshot());
    return BOC_OK;
  });
}

BOC_API int boc_nb_snapshot_version(const boc_nb_snapshot_t *snap, uint64_t *out) {
  if (snap == nullptr || out == nullptr) return BOC_EINVAL;
  return guarded([&] {
    *out = to_snap(snap)->version;
    return BOC_OK;
  });
}

BOC_API int boc_nb_snapshot_count(const boc_nb_snapshot_t *snap, size_t *out) {
  if (snap == nullptr || out == nullptr) return BOC_EINVAL;
  return guarded([&] {
    *out = to_snap(snap)->entries.size();
    return BOC_OK;
  });
}

BOC_API int boc_nb_snapshot_entry(const boc_nb_snapshot_t *snap, size_t index, const char **key,
                                  size_t *len, boc_blob_t **value, uint64_t *version) {
  if (snap == nullptr || key == nullptr || len == nullptr || value == nullptr ||
      index >= to_snap(snap)->entries.size())
    return BOC_EINVAL;
  return guarded([&] {
    const d::NbSnapEntry &e = to_snap(snap)->entries[index];
    *key = e.key.bytes;
    *len = e.key.len;
    *value = to_handle(e.blob);
    if (version != nullptr) *version = e.version;
    return BOC_OK;
  });
}

BOC_API int boc_nb_snapshot_release(boc_nb_snapshot_t *snap) {
  if (snap == nullptr) return BOC_OK;
  return guarded([&] {
    d::nb_snapshot_free(to_snap(snap));
    return BOC_OK;
  });
}

BOC_API int boc_nb_clear(void) {
  return guarded([&] {
    d::nb_clear();
    return BOC_OK;
  });
}

BOC_API int boc_nb_capacity(size_t *out) {
  if (out == nullptr) return BOC_EINVAL;
  return guarded([&] {
    *out = d::nb_capacity();
    return BOC_OK;
  });
}

BOC_API int boc_nb_set_capacity(size_t capacity) {
  if (capacity == 0 || capacity > BOC_NB_MAX_CAPACITY) return BOC_EINVAL;
  return guarded([&] { return d::nb_set_capacity(capacity); });
}

}  // extern "C"
