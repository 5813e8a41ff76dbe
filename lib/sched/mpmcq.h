/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

/*
 * An intrusive multi-producer multi-consumer FIFO of Nodes, after the
 * queue of the Verona runtime.
 *
 * Representation: `front_` points at the first node; `back_` holds the
 * address of the link field that the next enqueue must fill (the last
 * node's `next`, or `&front_` itself when the queue is empty).
 *
 * Enqueue is wait-free: one exchange on `back_` reserves the position, one
 * store publishes the node into the reserved link.  Between the two, the
 * queue is "half-linked": consumers cannot see past the reserved link yet.
 *
 * Dequeue uses `front_` as a consumer lock: exchanging it with nullptr
 * gives the caller exclusive right to pop, and other consumers see an
 * empty queue meanwhile.  A dequeue may therefore fail spuriously (another
 * consumer holds the lock, or a producer is half-way); callers that must
 * not miss work check `maybe_nonempty()` and retry.
 *
 * No ABA is possible: only the lock holder removes nodes, and a node that
 * is the last one cannot be removed while a producer has reserved its link
 * (the CAS on `back_` fails), so producers never write into freed nodes.
 */
#ifndef BOC_SCHED_MPMCQ_H
#define BOC_SCHED_MPMCQ_H

#include <atomic>

namespace boc::detail {

struct Node {
  std::atomic<Node *> next{nullptr};
};

class MPMCQueue {
 public:
  MPMCQueue() = default;
  MPMCQueue(const MPMCQueue &) = delete;
  MPMCQueue &operator=(const MPMCQueue &) = delete;

  void enqueue(Node *n) {
    n->next.store(nullptr, std::memory_order_relaxed);
    /* seq_cst (acq_rel would do for the queue itself): acquire pairs with
     * the previous producer's exchange so we may write into its node's
     * link; release publishes our clear above; seq_cst makes this the
     * "store" of the scheduler's park/wake Dekker protocol. */
    std::atomic<Node *> *prev = back_.exchange(&n->next, std::memory_order_seq_cst);
    /* release: pairs with the consumer's acquire load of the link, making
     * the node's contents visible to whoever dequeues it. */
    prev->store(n, std::memory_order_release);
  }

  /* Pop the first node, or nullptr (possibly spuriously, see above). */
  Node *dequeue() {
    /* acquire: pairs with the release store that published the node. */
    Node *first = front_.exchange(nullptr, std::memory_order_acquire);
    if (first == nullptr) return nullptr;
    Node *second = first->next.load(std::memory_order_acquire);
    if (second != nullptr) {
      /* release: hands the lock (and `second`) to the next consumer. */
      front_.store(second, std::memory_order_release);
      return first;
    }
    /* `first` looks like the last node: try to swing `back_` to empty. */
    std::atomic<Node *> *expected = &first->next;
    if (back_.compare_exchange_strong(expected, &front_, std::memory_order_acq_rel,
                                      std::memory_order_acquire)) {
      /* Queue now empty; front_ is already nullptr, which is the empty state. */
      return first;
    }
    /* A producer reserved first->next but has not filled it: give up. */
    front_.store(first, std::memory_order_release);
    return nullptr;
  }

  /* True when the queue may hold a node (exact when quiescent).  seq_cst so
   * that it takes part in the park/unpark Dekker protocol of the scheduler. */
  bool maybe_nonempty() const {
    return back_.load(std::memory_order_seq_cst) !=
           static_cast<const void *>(&front_);
  }

 private:
  alignas(64) std::atomic<Node *> front_{nullptr};
  alignas(64) std::atomic<std::atomic<Node *> *> back_{&front_};
};

}  // namespace boc::detail

#endif
