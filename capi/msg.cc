/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

#include "boc/msg.h"

#include <vector>

#include "guard.h"
#include "msg/blob.h"
#include "msg/queue.h"

using boc::capi::guarded;
namespace d = boc::detail;

namespace {

inline d::Blob *to_blob(boc_blob_t *b) { return reinterpret_cast<d::Blob *>(b); }
inline boc_blob_t *to_handle(d::Blob *b) { return reinterpret_cast<boc_blob_t *>(b); }

}  // namespace

extern "C" {

BOC_API int boc_msg_tag(const char *name, size_t len, uint32_t *id) {
  if (id == nullptr || (name == nullptr && len > 0) || len > BOC_MSG_MAX_TAG_SIZE)
    return BOC_EINVAL;
  return guarded([&] { return d::msg_tag(name, len, id); });
}

BOC_API int boc_msg_tag_name(uint32_t id, const char **name, size_t *len) {
  if (name == nullptr || len == nullptr) return BOC_EINVAL;
  return guarded([&] { return d::msg_tag_name(id, name, len); });
}

BOC_API int boc_msg_send(uint32_t tag, boc_blob_t *blob) {
  if (blob == nullptr) return BOC_EINVAL;
  return guarded([&] { return d::msg_send(tag, to_blob(blob)); });
}

BOC_API int boc_msg_receive(const uint32_t *tags, size_t ntags, int64_t timeout_ns,
                            uint32_t *tag_out, boc_blob_t **blob_out) {
  if (tags == nullptr || ntags == 0 || ntags > BOC_MSG_MAX_TAGS || blob_out == nullptr)
    return BOC_EINVAL;
  return guarded([&] {
    d::Blob *b = nullptr;
    int st = d::msg_receive(tags, ntags, timeout_ns, tag_out, &b);
    if (st == BOC_OK) *blob_out = to_handle(b);
    return st;
  });
}

BOC_API int boc_msg_drain(const uint32_t *tags, size_t ntags, size_t *dropped) {
  if (tags == nullptr && ntags > 0) return BOC_EINVAL;
  return guarded([&] {
    size_t n = 0;
    int st = d::msg_drain(tags, ntags, &n);
    if (st == BOC_OK && dropped != nullptr) *dropped = n;
    return st;
  });
}

BOC_API int boc_msg_clear(size_t *dropped) {
  return guarded([&] {
    size_t n = d::msg_clear();
    if (dropped != nullptr) *dropped = n;
    return BOC_OK;
  });
}

BOC_API int boc_msg_pending(uint32_t tag, size_t *count) {
  if (count == nullptr) return BOC_EINVAL;
  return guarded([&] { return d::msg_pending(tag, count); });
}

BOC_API int boc_msg_send_packed(const uint64_t *words, const void *data) {
  if (words == nullptr) return BOC_EINVAL;
  const uint32_t tag = static_cast<uint32_t>(words[0]);
  const uint64_t size = words[1], count = words[2];
  const uint64_t *handles = reinterpret_cast<const uint64_t *>(static_cast<uintptr_t>(words[3]));
  if (static_cast<uint64_t>(tag) != words[0] || (data == nullptr && size > 0) ||
      (handles == nullptr && count > 0) || size > BOC_BLOB_MAX_SIZE ||
      count > BOC_BLOB_MAX_COWNS)
    return BOC_EINVAL;
  return guarded([&]() -> int {
    std::vector<d::Cown *> unpacked;
    d::Cown *const *cowns = nullptr;
    if constexpr (sizeof(d::Cown *) == sizeof(uint64_t)) {
      cowns = reinterpret_cast<d::Cown *const *>(handles);
    } else {
      unpacked.resize(static_cast<size_t>(count));
      for (size_t i = 0; i < count; i++)
        unpacked[i] = reinterpret_cast<d::Cown *>(static_cast<uintptr_t>(handles[i]));
      cowns = unpacked.data();
    }
    for (size_t i = 0; i < count; i++)
      if (!d::cown_valid(cowns[i])) return BOC_EINVAL;
    d::Blob *b = d::blob_new(data, static_cast<size_t>(size), cowns,
                             static_cast<size_t>(count), words[4]);
    int st = d::msg_send(tag, b);
    if (st != BOC_OK) d::blob_release(b);
    return st;
  });
}

BOC_API int boc_msg_receive_packed(uint64_t *io) {
  if (io == nullptr || io[0] == 0 || io[0] > BOC_MSG_MAX_TAGS || io[2] == 0) return BOC_EINVAL;
  const uint32_t *tags = reinterpret_cast<const uint32_t *>(static_cast<uintptr_t>(io[2]));
  return guarded([&]() -> int {
    d::Blob *b = nullptr;
    uint32_t tag = 0;
    int st = d::msg_receive(tags, static_cast<size_t>(io[0]), static_cast<int64_t>(io[1]),
                            &tag, &b);
    if (st != BOC_OK) return st;
    io[0] = tag;
    io[1] = reinterpret_cast<uintptr_t>(b);
    io[2] = reinterpret_cast<uintptr_t>(b->data);
    io[3] = b->size;
    io[4] = b->ncowns;
    io[5] = b->ncowns > 0 ? reinterpret_cast<uintptr_t>(b->cowns) : 0;
    io[6] = b->token;
    return BOC_OK;
  });
}

BOC_API int boc_msg_get_limits(boc_msg_limits_t *out) {
  if (out == nullptr) return BOC_EINVAL;
  return guarded([&] {
    d::msg_get_limits(&out->max_pending_per_tag, &out->max_pending_bytes);
    return BOC_OK;
  });
}

BOC_API int boc_msg_set_limits(const boc_msg_limits_t *limits) {
  if (limits == nullptr || limits->max_pending_per_tag == 0 || limits->max_pending_bytes == 0)
    return BOC_EINVAL;
  return guarded([&] {
    d::msg_set_limits(limits->max_pending_per_tag, limits->max_pending_bytes);
    return BOC_OK;
  });
}

}  // extern "C"
