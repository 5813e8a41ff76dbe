/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

/*
 * Tagged message queues (see include/boc/msg.h): the process-wide tag
 * registry, one FIFO of blobs per tag, and blocking receive on any set of
 * tags.
 *
 * Registry.  Tags are interned into dense ids 1..BOC_MSG_MAX_TAGS (0 is
 * never a tag, so a zeroed id is always BOC_ENOENT).  A tag is never
 * removed: `by_id[id]` and the open-addressing name table are filled once
 * per tag under the registry mutex, with release stores, and read without
 * a lock (acquire loads).  A reader that misses a tag being interned
 * concurrently takes the mutex and probes again.
 *
 * Queues.  Each tag has a mutex, a deque of blobs and an intrusive list of
 * parked receivers (one Link per receiver and per tag it waits on).  The
 * number of pending messages is mirrored in an atomic for lock-free
 * peeking (boc_msg_pending, the receive spin); the byte budget is one
 * global atomic, reserved by CAS before a message is queued.
 *
 * Wake-up protocol (no lost wake-ups, no thundering herd):
 *   - A receiver registers its Link on a tag and checks the queue under
 *     the same tag mutex, and a sender pushes and looks at the list under
 *     it too, so one of them always sees the other.
 *   - Each receiver has a Waiter: a `signaled` flag, a mutex and a
 *     condition variable.  A send signals the first registered waiter of
 *     its tag that is not signaled yet (one message, one wake-up).
 *   - A woken receiver clears `signaled` before it rescans its tags, so a
 *     message pushed after it looked at a tag signals it again.
 *   - A signaled receiver may take a message from another of its tags, or
 *     lose the message to a receiver that did not park.  So whenever a
 *     receiver unregisters from a tag that still has messages, it passes
 *     the signal on to the next unsignaled waiter there ("baton").
 *   - Lock order: tag mutex, then a waiter's mutex.  A sender notifies
 *     while it still holds the tag mutex: the receiver has to take that
 *     mutex to unlink before its (stack) Waiter can go away.
 */
#ifndef BOC_MSG_QUEUE_H
#define BOC_MSG_QUEUE_H

#include <cstddef>
#include <cstdint>

#include "msg/blob.h"

namespace boc::detail {

/* The id of the tag named by len bytes at name, interning it if new.
 * BOC_OK, BOC_EFULL (too many tags).  Throws std::bad_alloc (then nothing
 * was interned).  Arguments are checked by the caller. */
int msg_tag(const char *name, size_t len, uint32_t *id);

/* The name of tag id: BOC_OK or BOC_ENOENT.  The bytes live forever. */
int msg_tag_name(uint32_t id, const char **name, size_t *len);

/* Queue b (the caller's reference moves to the queue on BOC_OK).
 * BOC_OK, BOC_ENOENT, BOC_EFULL.  Throws std::bad_alloc (the caller keeps
 * b and nothing was queued). */
int msg_send(uint32_t tag, Blob *b);

/* Take the oldest message of one of tags[0..n) (1 <= n, checked by the
 * caller), waiting as boc_msg_receive() documents.  BOC_OK, BOC_ENOENT,
 * BOC_ETIMEDOUT.  *tag_out (if not null) and *out written on BOC_OK only.
 * Throws std::bad_alloc before it waits (then nothing was taken). */
int msg_receive(const uint32_t *tags, size_t n, int64_t timeout_ns, uint32_t *tag_out,
                Blob **out);

/* Discard the messages of tags[0..n): BOC_OK or BOC_ENOENT (then nothing
 * was discarded).  *dropped receives the count on BOC_OK. */
int msg_drain(const uint32_t *tags, size_t n, size_t *dropped);

/* Discard every queued message; returns how many. */
size_t msg_clear();

/* Messages queued on tag: BOC_OK or BOC_ENOENT. */
int msg_pending(uint32_t tag, size_t *count);

/* The limits (see boc_msg_limits_t); values are checked by the caller. */
void msg_get_limits(size_t *per_tag, size_t *bytes);
void msg_set_limits(size_t per_tag, size_t bytes);

}  // namespace boc::detail

#endif
