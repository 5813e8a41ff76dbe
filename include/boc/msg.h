/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

/*
 * boc/msg.h - tagged message queues.
 *
 * Besides cowns, behaviors (and any other thread) communicate through
 * messages: a message is a blob (boc/blob.h) sent to a tag, and a receiver
 * takes messages from one tag or from several.  Each tag is a FIFO queue:
 * messages come out of a tag in the order their boc_msg_send() calls took
 * effect, so each sender's order is kept and senders interleave.
 *
 * Tags are byte strings, interned once into small integer ids with
 * boc_msg_tag(); the other calls take ids.  The queues are process-wide
 * and independent of the runtime: messages may be sent and received before
 * boc_runtime_start() and after boc_runtime_wait(), and stopping or
 * starting the runtime never discards them.
 *
 * Sending never blocks and never loses a message: when a limit would be
 * exceeded it fails with BOC_EFULL and the caller keeps the blob.  A
 * blocking receive spins briefly, then parks on a condition variable until
 * a message arrives on one of its tags (any of them wakes it), the timeout
 * expires; it uses no CPU while parked.
 *
 * Limits (all explicit):
 *   - at most BOC_MSG_MAX_TAGS distinct tags per process, each at most
 *     BOC_MSG_MAX_TAG_SIZE bytes;
 *   - pending messages per tag and pending bytes overall, see
 *     boc_msg_limits_t (defaults: 1048576 messages per tag, 1 GiB).
 *
 * Thread safety: every function may be called from any thread.
 */
#ifndef BOC_MSG_H
#define BOC_MSG_H

#include "boc/common.h"
#include "boc/blob.h"

#ifdef __cplusplus
extern "C" {
#endif

#define BOC_MSG_MAX_TAGS 4096
#define BOC_MSG_MAX_TAG_SIZE 1024

/*
 * The memory policy for queued messages.  A message counts its blob's
 * byte size plus BOC_MSG_OVERHEAD bytes towards max_pending_bytes.
 */
typedef struct boc_msg_limits {
  size_t max_pending_per_tag; /* messages queued on one tag; default 1 << 20 */
  size_t max_pending_bytes;   /* bytes queued on all tags; default 1 << 30 */
} boc_msg_limits_t;

#define BOC_MSG_OVERHEAD 64

/*
 * boc_msg_tag - intern a tag name and return its id.
 *
 * name: len bytes (any bytes, including none; NUL is allowed), copied.
 * The same name always gives the same id, for the life of the process;
 * 0 is never a tag id.
 * Errors: BOC_EINVAL (name NULL with len > 0, id NULL,
 *   len > BOC_MSG_MAX_TAG_SIZE), BOC_EFULL (BOC_MSG_MAX_TAGS distinct tags
 *   already exist), BOC_ENOMEM.
 * Since 0.1.0.
 */
BOC_API BOC_WARN_UNUSED int boc_msg_tag(const char *name, size_t len, uint32_t *id);

/*
 * boc_msg_tag_name - the name of an interned tag.
 *
 * name: receives a pointer to the bytes, valid for the life of the process.
 * Errors: BOC_EINVAL (name or len NULL), BOC_ENOENT (no such id).
 * Since 0.1.0.
 */
BOC_API int boc_msg_tag_name(uint32_t id, const char **name, size_t *len);

/*
 * boc_msg_send - append a blob to a tag's queue.
 *
 * blob: on success the queue takes over the caller's reference; on error
 *   the caller keeps it.  Never blocks.  Wakes a receiver parked on the tag.
 * Errors: BOC_EINVAL (blob NULL), BOC_ENOENT (no such tag id), BOC_EFULL
 *   (the tag's queue or the byte budget is full: see boc_msg_limits_t),
 *   BOC_ENOMEM.
 * Since 0.1.0.
 */
BOC_API BOC_WARN_UNUSED int boc_msg_send(uint32_t tag, boc_blob_t *blob);

/*
 * boc_msg_receive - take the oldest message of one of the given tags.
 *
 * tags: ntags ids (1 <= ntags <= BOC_MSG_MAX_TAGS; duplicates allowed).
 *   When several tags have messages, any of them may be chosen; each tag
 *   stays FIFO.
 * timeout_ns: BOC_FOREVER (or negative) waits without limit, 0 polls once,
 *   positive waits at most that long (monotonic clock).
 * tag_out: may be NULL; receives the id of the tag the message came from.
 * blob_out: receives the message's blob; the caller owns that reference.
 * Errors: BOC_EINVAL (tags NULL, ntags 0 or too large, blob_out NULL),
 *   BOC_ENOENT (an id that is not a tag), BOC_ETIMEDOUT (nothing arrived
 *   in time), BOC_ENOMEM (a wait on more than 32 tags could not allocate
 *   its bookkeeping).
 * Context: may block; do not call it with a timeout from a native behavior
 * that a sender waits for.  Since 0.1.0.
 */
BOC_API BOC_WARN_UNUSED int boc_msg_receive(const uint32_t *tags, size_t ntags,
                                            int64_t timeout_ns, uint32_t *tag_out,
                                            boc_blob_t **blob_out);

/*
 * boc_msg_drain - discard every message queued on the given tags.
 *
 * Receivers parked on those tags keep waiting for the next message.
 * dropped: may be NULL; receives how many messages were discarded.
 * Errors: BOC_EINVAL (tags NULL with ntags > 0), BOC_ENOENT (an id that is
 *   not a tag: nothing was discarded).
 * Since 0.1.0.
 */
BOC_API int boc_msg_drain(const uint32_t *tags, size_t ntags, size_t *dropped);

/*
 * boc_msg_clear - discard every queued message on every tag.
 *
 * dropped: may be NULL; receives how many messages were discarded.
 * Errors: none (always BOC_OK).  Since 0.1.0.
 */
BOC_API int boc_msg_clear(size_t *dropped);

/*
 * boc_msg_pending - how many messages are queued on a tag.
 *
 * Errors: BOC_EINVAL (count NULL), BOC_ENOENT (no such tag id).
 * Since 0.1.0.
 */
BOC_API int boc_msg_pending(uint32_t tag, size_t *count);

/*
 * Packed calls, for bindings that pay a conversion for every argument of a
 * foreign call (see boc_when_pull_packed() in boc/pull.h).  Pointers and
 * handles are stored in the words as uintptr_t values.
 */

/*
 * boc_msg_send_packed - make a blob and send it, in one call.
 *
 * data: the blob's bytes (may be NULL when the size is 0).
 * words[0]: the tag id; [1]: the size; [2]: the cown count n; [3]: the
 * address of n 64-bit words holding the cown handles; [4]: the token.
 * The same as boc_blob_create() followed by boc_msg_send(); on any error
 * nothing is queued and no reference is kept.
 * Errors: those of boc_blob_create() and boc_msg_send(); BOC_EINVAL for
 *   words NULL.  Since 0.1.0.
 */
BOC_API BOC_WARN_UNUSED int boc_msg_send_packed(const uint64_t *words, const void *data);

/*
 * boc_msg_receive_packed - boc_msg_receive() and boc_blob_describe_packed()
 * in one call.
 *
 * io[0] (in): the tag count n; io[1] (in): timeout_ns, as an int64_t;
 * io[2] (in): the address of n uint32_t tag ids.  On BOC_OK: io[0] = the
 * tag id the message came from, io[1] = the blob (the caller owns that
 * reference), io[2] .. io[6] = the blob's description, as the five words
 * of boc_blob_describe_packed().  On error io is unchanged.  So io must
 * have room for 7 words.
 * Errors: those of boc_msg_receive(); BOC_EINVAL for io NULL.
 * Since 0.1.0.
 */
BOC_API BOC_WARN_UNUSED int boc_msg_receive_packed(uint64_t *io);

/*
 * boc_msg_get_limits / boc_msg_set_limits - the memory policy.
 *
 * Setting a limit below what is queued now is allowed: nothing queued is
 * discarded, further sends fail until the queues shrink.
 * Errors: BOC_EINVAL (NULL, or a limit of 0).  Since 0.1.0.
 */
BOC_API int boc_msg_get_limits(boc_msg_limits_t *out);
BOC_API int boc_msg_set_limits(const boc_msg_limits_t *limits);

#ifdef __cplusplus
}
#endif

#endif /* BOC_MSG_H */
