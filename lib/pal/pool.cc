/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

#include "pal/pool.h"

#include <pthread.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <new>

namespace boc::pal {

namespace {

constexpr size_t GRANULE = 64;
constexpr size_t NCLASSES = 8; /* 64 .. 512 bytes of payload */
constexpr size_t LOCAL_LIMIT = 4096; /* cached blocks per class */

struct Pool;

/* The header in front of every block; the payload follows (16-aligned). */
struct alignas(16) Header {
  Pool *owner;      /* nullptr: a large block straight from malloc */
  uint32_t cls;
  uint32_t pad;
};

/* While a block is free its payload holds the link. */
struct FreeBlock {
  FreeBlock *next;
};

inline FreeBlock *as_free(Header *h) { return reinterpret_cast<FreeBlock *>(h + 1); }
inline Header *header_of(FreeBlock *f) { return reinterpret_cast<Header *>(f) - 1; }

struct Pool {
  FreeBlock *local[NCLASSES] = {};
  size_t local_count[NCLASSES] = {};
  std::atomic<FreeBlock *> remote[NCLASSES];
  std::atomic<int64_t> outstanding{0};
  std::atomic<bool> abandoned{false};

  Pool() {
    for (auto &r : remote) r.store(nullptr, std::memory_order_relaxed);
  }
};

void release_to_malloc(Pool *p, FreeBlock *f);

/* Return a chain of free blocks to malloc. */
void release_chain(Pool *p, FreeBlock *f) {
  while (f != nullptr) {
    FreeBlock *next = f->next;
    release_to_malloc(p, f);
    f = next;
  }
}

void release_to_malloc(Pool *p, FreeBlock *f) {
  std::free(header_of(f));
  /* acq_rel: the last decrement must see every other thread's use of the
   * pool before deleting it. */
  if (p->outstanding.fetch_sub(1, std::memory_order_acq_rel) == 1 &&
      p->abandoned.load(std::memory_order_seq_cst))
    delete p;
}

/* Abandon a pool whose thread has exited (a pthread key destructor, so
 * it receives the pool as its argument and touches no thread-local
 * storage of the dying thread: glibc may free that from another thread,
 * and TSan cannot see the synchronisation). */
void abandon_pool(void *arg) {
  Pool *p = static_cast<Pool *>(arg);
  /* Hold one count so the pool cannot be deleted while we drain it. */
  p->outstanding.fetch_add(1, std::memory_order_relaxed);
  p->abandoned.store(true, std::memory_order_seq_cst);
  for (size_t c = 0; c < NCLASSES; c++) {
    release_chain(p, p->local[c]);
    p->local[c] = nullptr;
    release_chain(p, p->remote[c].exchange(nullptr, std::memory_order_acquire));
  }
  if (p->outstanding.fetch_sub(1, std::memory_order_acq_rel) == 1) delete p;
}

pthread_key_t pool_key;
pthread_once_t pool_key_once = PTHREAD_ONCE_INIT;

void make_pool_key() {
  if (pthread_key_create(&pool_key, abandon_pool) != 0) std::abort();
}

/* The calling thread's pool (a plain pointer: no destructor runs on it;
 * the key above abandons the pool when the thread exits).  The main
 * thread's pool is never abandoned: it lives until the process ends. */
thread_local Pool *tls_pool = nullptr;

Pool *my_pool() {
  Pool *p = tls_pool;
  if (p == nullptr) {
    p = new Pool;
    pthread_once(&pool_key_once, make_pool_key);
    if (pthread_setspecific(pool_key, p) != 0) {
      delete p;
      throw std::bad_alloc();
    }
    tls_pool = p;
  }
  return p;
}

}  // namespace

void *pool_alloc(size_t size) {
  size_t cls = size == 0 ? 0 : (size - 1) / GRANULE;
  if (cls >= NCLASSES) {
    auto *h = static_cast<Header *>(std::malloc(sizeof(Header) + size));
    if (h == nullptr) throw std::bad_alloc();
    h->owner = nullptr;
    h->cls = 0;
    return h + 1;
  }
  Pool *p = my_pool();
  FreeBlock *f = p->local[cls];
  if (f == nullptr) {
    /* acquire: pairs with the release CAS of remote frees. */
    f = p->remote[cls].exchange(nullptr, std::memory_order_acquire);
    p->local_count[cls] = 0; /* unknown length: count afresh */
  }
  if (f != nullptr) {
    p->local[cls] = f->next;
    if (p->local_count[cls] > 0) p->local_count[cls]--;
    return f;
  }
  auto *h = static_cast<Header *>(std::malloc(sizeof(Header) + (cls + 1) * GRANULE));
  if (h == nullptr) throw std::bad_alloc();
  h->owner = p;
  h->cls = static_cast<uint32_t>(cls);
  p->outstanding.fetch_add(1, std::memory_order_relaxed);
  return h + 1;
}

void pool_free(void *ptr) noexcept {
  if (ptr == nullptr) return;
  Header *h = static_cast<Header *>(ptr) - 1;
  Pool *owner = h->owner;
  if (owner == nullptr) {
    std::free(h);
    return;
  }
  FreeBlock *f = as_free(h);
  size_t cls = h->cls;
  if (owner == tls_pool) {
    if (owner->local_count[cls] >= LOCAL_LIMIT) {
      release_to_malloc(owner, f);
      return;
    }
    f->next = owner->local[cls];
    owner->local[cls] = f;
    owner->local_count[cls]++;
    return;
  }
  /* Remote free.  Our block keeps the owner alive until it is released,
   * but once pushed someone else may release it; so take a guard count
   * first and drop it last. */
  owner->outstanding.fetch_add(1, std::memory_order_relaxed);
  /* Treiber push; the owner takes the whole stack at once (no ABA). */
  std::atomic<FreeBlock *> &stack = owner->remote[cls];
  FreeBlock *head = stack.load(std::memory_order_relaxed);
  do {
    f->next = head;
  } while (!stack.compare_exchange_weak(head, f, std::memory_order_seq_cst,
                                        std::memory_order_relaxed));
  /* The owner may have exited meanwhile: drain for it (seq_cst pairs with
   * the store of `abandoned` before the owner's own drain). */
  if (owner->abandoned.load(std::memory_order_seq_cst))
    release_chain(owner, stack.exchange(nullptr, std::memory_order_acquire));
  if (owner->outstanding.fetch_sub(1, std::memory_order_acq_rel) == 1 &&
      owner->abandoned.load(std::memory_order_seq_cst))
    delete owner;
}

}  // namespace boc::pal
