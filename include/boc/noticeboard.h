/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

/*
 * boc/noticeboard.h - the noticeboard: a process-wide map from short keys
 * to blobs that behaviors read and write without cowns.
 *
 * Every change is applied at once, under the board's lock, by the thread
 * that makes it: when boc_nb_write() returns, every later read or snapshot
 * (on any thread) sees the write.  There is no ordering between writers
 * beyond that; the noticeboard is not a substitute for cowns.
 *
 * Versions.  The board has a version that increases on every change.
 * Each change gives the entry it touches a new version, taken from the
 * same counter, so entry versions are unique and never 0; an absent key
 * has version 0.  boc_nb_compare_and_set() replaces an entry only if its
 * version is still the one the caller read: a binding runs a
 * read-modify-write function itself and retries on BOC_ECONFLICT.
 *
 * Keys are byte strings of at most BOC_NB_MAX_KEY_SIZE bytes without a
 * NUL byte (the empty key is allowed).  Values are blobs (boc/blob.h):
 * an entry holds one reference to its blob, and so keeps the blob's
 * embedded cowns alive, until it is overwritten or deleted.
 *
 * Capacity.  At most boc_nb_capacity() keys (default
 * BOC_NB_DEFAULT_CAPACITY); writing a new key to a full board fails with
 * BOC_EFULL and changes nothing.  Overwriting and deleting always work.
 *
 * The board is independent of the runtime: it may be used before
 * boc_runtime_start() and after boc_runtime_wait(); boc_nb_clear() empties
 * it.  Thread safety: every function may be called from any thread.
 */
#ifndef BOC_NOTICEBOARD_H
#define BOC_NOTICEBOARD_H

#include "boc/common.h"
#include "boc/blob.h"

#ifdef __cplusplus
extern "C" {
#endif

#define BOC_NB_MAX_KEY_SIZE 63
#define BOC_NB_DEFAULT_CAPACITY 1024
#define BOC_NB_MAX_CAPACITY 1048576

/* A stable copy of the whole board (see boc_nb_snapshot()). */
typedef struct boc_nb_snapshot boc_nb_snapshot_t;

/*
 * boc_nb_write - set a key to a blob (insert or overwrite).
 *
 * key: len bytes, copied.  value: borrowed; the entry takes a reference.
 * version: may be NULL; receives the entry's new version.
 * The old blob, if any, is released after the board's lock is dropped.
 * Errors: BOC_EINVAL (bad key, value NULL), BOC_EFULL (a new key on a full
 *   board), BOC_ENOMEM.
 * Since 0.1.0.
 */
BOC_API BOC_WARN_UNUSED int boc_nb_write(const char *key, size_t len, boc_blob_t *value,
                                         uint64_t *version);

/*
 * boc_nb_delete - remove a key.
 *
 * Errors: BOC_EINVAL (bad key), BOC_ENOENT (no such key; nothing changed).
 * Since 0.1.0.
 */
BOC_API int boc_nb_delete(const char *key, size_t len);

/*
 * boc_nb_read - the current blob of a key.
 *
 * value: receives the blob with a new reference (+1) for the caller.
 * version: may be NULL; receives the entry's version.
 * Errors: BOC_EINVAL (bad key, value NULL), BOC_ENOENT (no such key).
 * Since 0.1.0.
 */
BOC_API BOC_WARN_UNUSED int boc_nb_read(const char *key, size_t len, boc_blob_t **value,
                                        uint64_t *version);

/*
 * boc_nb_compare_and_set - replace or delete an entry if it has not
 * changed.
 *
 * expected: the entry's version as the caller read it (0: the key must be
 *   absent).
 * value: the new blob (borrowed; the entry takes a reference), or NULL to
 *   delete the entry.
 * version: may be NULL.  On success it receives the entry's new version
 *   (0 after a delete); on BOC_ECONFLICT, the entry's current version.
 * Errors: BOC_EINVAL (bad key), BOC_ECONFLICT (the entry's version is not
 *   expected; nothing changed), BOC_EFULL (a new key on a full board),
 *   BOC_ENOMEM.
 * Since 0.1.0.
 */
BOC_API BOC_WARN_UNUSED int boc_nb_compare_and_set(const char *key, size_t len,
                                                   uint64_t expected, boc_blob_t *value,
                                                   uint64_t *version);

/*
 * boc_nb_version - the board's version (one atomic load).
 *
 * It changes whenever any entry changes: a cached snapshot with the same
 * version is still current.
 * Errors: BOC_EINVAL (out NULL).  Since 0.1.0.
 */
BOC_API int boc_nb_version(uint64_t *out);

/*
 * boc_nb_sync - a barrier: wait until every change that had begun on any
 * thread before this call has completed.
 *
 * Changes are applied by their callers under the board's lock, so this
 * waits at most for the writers inside the lock now.
 * version: may be NULL; receives the board's version afterwards, so a
 *   snapshot with at least this version contains all those changes.
 * Errors: BOC_ETIMEDOUT (a writer kept the lock past timeout_ns).
 * Since 0.1.0.
 */
BOC_API int boc_nb_sync(int64_t timeout_ns, uint64_t *version);

/*
 * boc_nb_snapshot - a stable copy of the whole board.
 *
 * The snapshot holds a reference to each blob and never changes, whatever
 * happens to the board afterwards.  Release it with
 * boc_nb_snapshot_release().
 * Errors: BOC_EINVAL (out NULL), BOC_ENOMEM.  Since 0.1.0.
 */
BOC_API BOC_WARN_UNUSED int boc_nb_snapshot(boc_nb_snapshot_t **out);

/*
 * boc_nb_snapshot_version / boc_nb_snapshot_count - the board's version
 * when the snapshot was taken, and its number of entries.
 *
 * Errors: BOC_EINVAL (NULL).  Since 0.1.0.
 */
BOC_API int boc_nb_snapshot_version(const boc_nb_snapshot_t *snap, uint64_t *out);
BOC_API int boc_nb_snapshot_count(const boc_nb_snapshot_t *snap, size_t *out);

/*
 * boc_nb_snapshot_entry - entry number index of a snapshot (in no
 * particular order).
 *
 * key, len: receive the key's bytes (not NUL-terminated), valid while the
 *   snapshot lives.
 * value: receives the blob, borrowed from the snapshot.
 * version: may be NULL; receives the entry's version.
 * Errors: BOC_EINVAL (NULL arguments, index out of range).  Since 0.1.0.
 */
BOC_API int boc_nb_snapshot_entry(const boc_nb_snapshot_t *snap, size_t index,
                                  const char **key, size_t *len, boc_blob_t **value,
                                  uint64_t *version);

/*
 * boc_nb_snapshot_release - free a snapshot and its blob references.
 *
 * NULL is allowed and does nothing.  Errors: none.  Since 0.1.0.
 */
BOC_API int boc_nb_snapshot_release(boc_nb_snapshot_t *snap);

/*
 * boc_nb_clear - remove every entry.
 *
 * Errors: none (always BOC_OK).  Since 0.1.0.
 */
BOC_API int boc_nb_clear(void);

/*
 * boc_nb_capacity / boc_nb_set_capacity - the most keys the board holds.
 *
 * Errors: BOC_EINVAL (out NULL; capacity 0 or above BOC_NB_MAX_CAPACITY),
 *   BOC_EBUSY (capacity below the number of keys now on the board).
 * Since 0.1.0.
 */
BOC_API int boc_nb_capacity(size_t *out);
BOC_API int boc_nb_set_capacity(size_t capacity);

#ifdef __cplusplus
}
#endif

#endif /* BOC_NOTICEBOARD_H */
