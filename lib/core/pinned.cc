/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

#include "core/pinned.h"

#include "boc/common.h"
#include "pal/clock.h"

namespace boc::detail {

void PinnedQueue::open(uint64_t incarnation) {
  std::lock_guard<std::mutex> lock(mu_);
  /* The previous stop drained the queue. */
  since_ = 0;
  closed_ = false;
  inc_ = incarnation;
  owner_ = nullptr;
  executed_.store(0, std::memory_order_relaxed);
}

void PinnedQueue::close() {
  std::lock_guard<std::mutex> lock(mu_);
  closed_ = true;
}

bool PinnedQueue::push(Behavior *b) {
  std::lock_guard<std::mutex> lock(mu_);
  b->pin_next = nullptr;
  /* Count first, then link (see pinned.h). */
  bool edge = depth_.fetch_add(1, std::memory_order_seq_cst) == 0;
  if (edge) since_ = pal::now_ns();
  if (tail_ == nullptr) {
    head_ = b;
  } else {
    tail_->pin_next = b;
  }
  tail_ = b;
  return edge;
}

Behavior *PinnedQueue::unlink_front() {
  Behavior *b = head_;
  head_ = b->pin_next;
  if (head_ == nullptr) tail_ = nullptr;
  b->pin_next = nullptr;
  if (depth_.fetch_sub(1, std::memory_order_seq_cst) == 1) since_ = 0;
  return b;
}

Behavior *PinnedQueue::pop(uint64_t incarnation, bool take_pulled, bool *pulled_front) {
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_ || inc_ != incarnation || head_ == nullptr) return nullptr;
  if (head_->kind == Kind::Pulled && !take_pulled) {
    *pulled_front = true;
    return nullptr;
  }
  return unlink_front();
}

Behavior *PinnedQueue::drain_one() {
  std::lock_guard<std::mutex> lock(mu_);
  return head_ == nullptr ? nullptr : unlink_front();
}

int PinnedQueue::claim(const void *token, uint64_t *incarnation) {
  std::lock_guard<std::mutex> lock(mu_);
  if (owner_ == token) return BOC_EDEADLK;
  if (closed_) return BOC_ENOTRUNNING;
  if (owner_ != nullptr) return BOC_EBUSY;
  owner_ = token;
  *incarnation = inc_;
  return BOC_OK;
}

bool PinnedQueue::holds(const void *token, uint64_t incarnation) {
  std::lock_guard<std::mutex> lock(mu_);
  return owner_ == token && inc_ == incarnation;
}

void PinnedQueue::release(const void *token, uint64_t incarnation) {
  std::lock_guard<std::mutex> lock(mu_);
  if (owner_ == token && inc_ == incarnation) owner_ = nullptr;
}

void PinnedQueue::status(uint64_t *depth, int64_t *nonempty_ns, uint64_t *executed) {
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t now = pal::now_ns();
  *depth = depth_.load(std::memory_order_seq_cst);
  *nonempty_ns = (*depth > 0 && now > since_)
                     ? static_cast<int64_t>(now - since_)
                     : 0;
  *executed = executed_.load(std::memory_order_relaxed);
}

}  // namespace boc::detail
