/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

#include "msg/blob.h"

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <vector>

namespace boc::detail {

namespace {

/* Tokens of dead blobs, oldest first, until a binding takes them.  A blob
 * dies rarely compared with everything else a binding does, so one mutex
 * is enough. */
struct Graveyard {
  std::mutex mu;
  std::vector<uint64_t> tokens;
  size_t head = 0; /* tokens[head..] are not taken yet */
};

Graveyard &graveyard() {
  static Graveyard *g = new Graveyard; /* never destroyed: blobs may die at exit */
  return *g;
}

/* Never throws: it runs after the blob has been freed, so an exception
 * here would report a failure for a release that happened (and, inside a
 * drain, would skip releasing the other blobs). */
void bury(uint64_t token) noexcept {
  try {
    Graveyard &g = graveyard(); /* the first call allocates */
    std::lock_guard<std::mutex> lock(g.mu);
    g.tokens.push_back(token);
  } catch (...) {
    /* Out of memory while growing the graveyard: the token is lost and
     * the binding keeps its state for this blob (a leak, never a crash). */
  }
}

}  // namespace

Blob *blob_new(const void *data, size_t size, Cown *const *cowns, size_t ncowns,
               uint64_t token) {
  /* One allocation: header, cown pointers, bytes (at least one, so the
   * data pointer is never NULL). */
  size_t bytes = sizeof(Blob) + ncowns * sizeof(Cown *) + (size == 0 ? 1 : size);
  void *mem = std::malloc(bytes);
  if (mem == nullptr) throw std::bad_alloc();
  Blob *b = new (mem) Blob;
  b->rc.store(1, std::memory_order_relaxed);
  b->token = token;
  b->size = size;
  b->ncowns = ncowns;
  b->cowns = reinterpret_cast<Cown **>(reinterpret_cast<unsigned char *>(mem) + sizeof(Blob));
  b->data = reinterpret_cast<unsigned char *>(b->cowns + ncowns);
  if (size > 0)
    std::memcpy(b->data, data, size);
  else
    b->data[0] = 0;
  for (size_t i = 0; i < ncowns; i++) {
    cown_retain(cowns[i]);
    b->cowns[i] = cowns[i];
  }
  return b;
}

void blob_release(Blob *b) {
  /* acq_rel: the last release must see every use of the blob by others. */
  if (b->rc.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  for (size_t i = 0; i < b->ncowns; i++) cown_release(b->cowns[i]);
  uint64_t token = b->token;
  b->~Blob();
  std::free(b);
  if (token != 0) bury(token);
}

size_t graveyard_take(uint64_t *out, size_t cap) {
  Graveyard &g = graveyard();
  std::lock_guard<std::mutex> lock(g.mu);
  size_t avail = g.tokens.size() - g.head;
  size_t n = avail < cap ? avail : cap;
  if (n > 0) std::memcpy(out, g.tokens.data() + g.head, n * sizeof(uint64_t));
  g.head += n;
  if (g.head == g.tokens.size()) {
    g.tokens.clear();
    g.head = 0;
  } else if (g.head > 4096 && g.head * 2 > g.tokens.size()) {
    g.tokens.erase(g.tokens.begin(), g.tokens.begin() + static_cast<std::ptrdiff_t>(g.head));
    g.head = 0;
  }
  return n;
}

}  // namespace boc::detail
