/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

/*
 * The noticeboard (see include/boc/noticeboard.h): one process-wide map
 * from short keys to blobs, with versions.
 *
 * Locking.  One std::mutex guards the map, the capacity and every entry;
 * every call except nb_version() takes it.  A reader-writer lock would not
 * pay here: each critical section is short (a hash lookup and a reference
 * count, or for a snapshot a copy of at most `capacity` small entries),
 * a reader would still write the rwlock's shared reader count, and glibc's
 * default rwlock prefers readers, so threads re-taking snapshots in a loop
 * could starve writers.  No user code ever runs under the lock: a blob
 * released by a change may hold the last reference to cowns whose payload
 * free functions run arbitrary code (which may call back into the board),
 * so changes collect the blobs they drop and release them after unlocking.
 *
 * Versions.  `version` is a counter that only changes under the exclusive
 * lock: each change takes the next value and stamps it on the entry it
 * touches, so entry versions are unique, increasing, and never 0 (0 means
 * "absent").  A delete advances the board's version too; the removed entry
 * has no version any more.  A call that changes nothing (a failed
 * compare-and-set, a delete of a missing key, clearing an empty board)
 * leaves the version alone.  The counter is atomic only so that
 * nb_version() is one load without the lock.
 *
 * Sync.  Changes are made by their callers under the lock, so "every
 * change that had begun has completed" is "no writer is inside the lock
 * now": nb_sync() takes the lock once (bounded by a deadline) and reads
 * the version while holding it.
 *
 * Lifetime.  The state is created on first use and never destroyed, since
 * entries may still be released by other threads or at-exit code after
 * static destructors have run.
 */
#ifndef BOC_MSG_NOTICEBOARD_H
#define BOC_MSG_NOTICEBOARD_H

#include <cstddef>
#include <cstdint>
#include <vector>

#include "boc/noticeboard.h"
#include "msg/blob.h"

namespace boc::detail {

constexpr size_t NB_MAX_KEY = BOC_NB_MAX_KEY_SIZE;

/* A key stored inline: no allocation to build, copy or look one up. */
struct NbKey {
  uint8_t len = 0;
  char bytes[NB_MAX_KEY] = {};
};

/* Build a key from len <= NB_MAX_KEY bytes (checked by the caller). */
NbKey nb_key(const char *key, size_t len);

/* One entry of a snapshot: the key's bytes, its blob (one reference held
 * by the snapshot) and its version. */
struct NbSnapEntry {
  NbKey key;
  Blob *blob;
  uint64_t version;
};

/* A snapshot never changes after nb_snapshot() returns it.  It is the
 * object behind the public boc_nb_snapshot_t. */
struct NbSnapshot {
  uint64_t version = 0;
  std::vector<NbSnapEntry> entries;
};

/*
 * The operations.  Keys are validated by the caller.  Each returns a
 * boc_status and writes its outputs only on success (nb_compare_and_set
 * also on BOC_ECONFLICT, as documented); each may throw std::bad_alloc,
 * and then nothing has changed.
 */
int nb_write(const NbKey &key, Blob *value, uint64_t *version);
int nb_delete(const NbKey &key);
int nb_read(const NbKey &key, Blob **value, uint64_t *version);
/* value nullptr deletes. */
int nb_compare_and_set(const NbKey &key, uint64_t expected, Blob *value, uint64_t *version);
uint64_t nb_version();
int nb_sync(int64_t timeout_ns, uint64_t *version);
NbSnapshot *nb_snapshot();
void nb_snapshot_free(NbSnapshot *snap);
void nb_clear();
size_t nb_capacity();
/* 1 <= capacity <= BOC_NB_MAX_CAPACITY (checked by the caller). */
int nb_set_capacity(size_t capacity);

}  // namespace boc::detail

#endif
