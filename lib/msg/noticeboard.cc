/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

#include "msg/noticeboard.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <string_view>
#include <thread>
#include <unordered_map>

#include "pal/clock.h"
#include "pal/spin.h"

namespace boc::detail {

namespace {

struct KeyHash {
  size_t operator()(const NbKey &k) const noexcept {
    return std::hash<std::string_view>{}(std::string_view(k.bytes, k.len));
  }
};

struct KeyEq {
  bool operator()(const NbKey &a, const NbKey &b) const noexcept {
    return a.len == b.len && std::memcmp(a.bytes, b.bytes, a.len) == 0;
  }
};

/* An entry owns one reference to its blob.  blob is never null. */
struct Entry {
  Blob *blob;
  uint64_t version;
};

using Map = std::unordered_map<NbKey, Entry, KeyHash, KeyEq>;

struct Board {
  std::mutex mu;
  Map map;                                   /* guarded by mu */
  size_t capacity = BOC_NB_DEFAULT_CAPACITY; /* guarded by mu; >= map.size() */
  /* The last version handed out (0: none yet).  Written only under mu, so
   * writers never race on it; the release store pairs with the acquire
   * load in nb_version(), which runs without the lock. */
  std::atomic<uint64_t> version{0};

  /* Under mu: the version for the change being made. */
  uint64_t advance() {
    uint64_t v = version.load(std::memory_order_relaxed) + 1;
    version.store(v, std::memory_order_release);
    return v;
  }
};

Board &board() {
  static Board *b = new Board; /* never destroyed: entries may die at exit */
  return *b;
}

/*
 * Under mu: set key (found at it, or absent when it is map.end()) to
 * value.  The entry takes a reference to value; the blob it held before
 * is returned in *dropped for the caller to release after unlocking.
 * Throws std::bad_alloc only before anything has changed.
 */
int put_locked(Board &b, Map::iterator it, const NbKey &key, Blob *value, uint64_t *v,
               Blob **dropped) {
  if (it == b.map.end()) {
    if (b.map.size() >= b.capacity) return BOC_EFULL;
    it = b.map.emplace(key, Entry{value, 0}).first;
  } else {
    *dropped = it->second.blob;
  }
  blob_retain(value);
  *v = b.advance();
  it->second = Entry{value, *v};
  return BOC_OK;
}

/* Under mu: remove the entry at it; its blob goes to *dropped. */
void erase_locked(Board &b, Map::iterator it, Blob **dropped) {
  *dropped = it->second.blob;
  b.map.erase(it);
  b.advance();
}

}  // namespace

NbKey nb_key(const char *key, size_t len) {
  NbKey k;
  k.len = static_cast<uint8_t>(len);
  if (len > 0) std::memcpy(k.bytes, key, len);
  return k;
}

int nb_write(const NbKey &key, Blob *value, uint64_t *version) {
  Board &b = board();
  Blob *dropped = nullptr;
  uint64_t v = 0;
  int st;
  {
    std::lock_guard<std::mutex> lock(b.mu);
    st = put_locked(b, b.map.find(key), key, value, &v, &dropped);
  }
  if (dropped != nullptr) blob_release(dropped);
  if (st == BOC_OK && version != nullptr) *version = v;
  return st;
}

int nb_delete(const NbKey &key) {
  Board &b = board();
  Blob *dropped = nullptr;
  {
    std::lock_guard<std::mutex> lock(b.mu);
    auto it = b.map.find(key);
    if (it == b.map.end()) return BOC_ENOENT;
    erase_locked(b, it, &dropped);
  }
  blob_release(dropped);
  return BOC_OK;
}

int nb_read(const NbKey &key, Blob **value, uint64_t *version) {
  Board &b = board();
  Entry e;
  {
    std::lock_guard<std::mutex> lock(b.mu);
    auto it = b.map.find(key);
    if (it == b.map.end()) return BOC_ENOENT;
    e = it->second;
    blob_retain(e.blob); /* the caller's reference, taken while the entry's keeps it alive */
  }
  *value = e.blob;
  if (version != nullptr) *version = e.version;
  return BOC_OK;
}

int nb_compare_and_set(const NbKey &key, uint64_t expected, Blob *value, uint64_t *version) {
  Board &b = board();
  Blob *dropped = nullptr;
  uint64_t v = 0;
  int st = BOC_OK;
  {
    std::lock_guard<std::mutex> lock(b.mu);
    auto it = b.map.find(key);
    uint64_t current = it == b.map.end() ? 0 : it->second.version;
    if (current != expected) {
      st = BOC_ECONFLICT;
      v = current; /* reported to the caller, as documented */
    } else if (value != nullptr) {
      st = put_locked(b, it, key, value, &v, &dropped);
    } else if (it != b.map.end()) {
      erase_locked(b, it, &dropped); /* v stays 0: the key is absent now */
    }
    /* else: deleting a key that is absent, as expected: nothing changes. */
  }
  if (dropped != nullptr) blob_release(dropped);
  if ((st == BOC_OK || st == BOC_ECONFLICT) && version != nullptr) *version = v;
  return st;
}

uint64_t nb_version() {
  /* acquire: pairs with the release store in Board::advance(). */
  return board().version.load(std::memory_order_acquire);
}

int nb_sync(int64_t timeout_ns, uint64_t *version) {
  Board &b = board();
  pal::Deadline deadline = pal::Deadline::after(timeout_ns);
  std::unique_lock<std::mutex> lock(b.mu, std::defer_lock);
  if (deadline.forever) {
    lock.lock();
  } else {
    /* A timed try-lock loop rather than a timed mutex (whose clock-based
     * waits sanitizers do not all model): every holder does a hash-table
     * update, a lookup or a snapshot copy, so the lock is free again almost
     * at once.  Spin a little, then sleep in growing steps, never past the
     * deadline. */
    pal::SpinWait spin;
    int spins = 0;
    auto nap = std::chrono::microseconds(20);
    while (!lock.try_lock()) {
      if (deadline.passed()) return BOC_ETIMEDOUT;
      if (spins < 100) {
        spin.once();
        spins++;
        continue;
      }
      auto left = deadline.when - pal::Clock::now();
      std::this_thread::sleep_for(std::min<pal::Clock::duration>(nap, left));
      nap = std::min(nap * 2, std::chrono::microseconds(1000));
    }
  }
  /* Every change that held the lock before us has completed, and the
   * version (written under the lock) includes them all. */
  uint64_t v = b.version.load(std::memory_order_relaxed);
  lock.unlock();
  if (version != nullptr) *version = v;
  return BOC_OK;
}

NbSnapshot *nb_snapshot() {
  Board &b = board();
  auto snap = std::make_unique<NbSnapshot>();
  std::lock_guard<std::mutex> lock(b.mu);
  /* The only allocation, made before any reference is taken: if it throws,
   * there is nothing to undo. */
  snap->entries.reserve(b.map.size());
  snap->version = b.version.load(std::memory_order_relaxed); /* mu orders it */
  for (const auto &kv : b.map) {
    blob_retain(kv.second.blob);
    snap->entries.push_back(NbSnapEntry{kv.first, kv.second.blob, kv.second.version});
  }
  return snap.release();
}

void nb_snapshot_free(NbSnapshot *snap) {
  for (const NbSnapEntry &e : snap->entries) blob_release(e.blob);
  delete snap;
}

void nb_clear() {
  Board &b = board();
  Map old; /* takes the entries; destroyed after the lock is dropped */
  {
    std::lock_guard<std::mutex> lock(b.mu);
    if (b.map.empty()) return; /* nothing changes, not even the version */
    old.swap(b.map);
    b.advance();
  }
  for (const auto &kv : old) blob_release(kv.second.blob);
}

size_t nb_capacity() {
  Board &b = board();
  std::lock_guard<std::mutex> lock(b.mu);
  return b.capacity;
}

int nb_set_capacity(size_t capacity) {
  Board &b = board();
  std::lock_guard<std::mutex> lock(b.mu);
  if (capacity < b.map.size()) return BOC_EBUSY;
  b.capacity = capacity;
  return BOC_OK;
}

}  // namespace boc::detail
