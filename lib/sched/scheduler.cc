/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

#include "sched/scheduler.h"

#include "pal/spin.h"

namespace boc::detail {

namespace {

thread_local Slot *tls_slot = nullptr;
thread_local uint64_t tls_slot_incarnation = 0;
thread_local uint32_t tls_rr_native = 0;
thread_local uint32_t tls_rr_pull = 0;

/* Single-writer counter bump: no locked instruction on the hot path. */
inline void bump(std::atomic<uint64_t> &c) {
  c.store(c.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

inline Behavior *as_behavior(Node *n) { return reinterpret_cast<Behavior *>(n); }

/* Idle spinning before parking: SPIN_ROUNDS scans of the queues with a
 * short pause in between (a few microseconds in all). */
constexpr int SPIN_ROUNDS = 64;

}  // namespace

Slot *current_slot(const Scheduler &s) {
  return tls_slot_incarnation == s.incarnation() ? tls_slot : nullptr;
}

void set_current_slot(Slot *slot, uint64_t incarnation) {
  tls_slot = slot;
  tls_slot_incarnation = slot == nullptr ? 0 : incarnation;
}

Scheduler::Scheduler(uint32_t slots, uint32_t pull_slots, uint64_t incarnation)
    : n_(slots), n_pull_(pull_slots), incarnation_(incarnation),
      slots_(new Slot[slots]) {
  for (uint32_t i = 0; i < n_; i++) {
    slots_[i].index = i;
    slots_[i].pull = i >= first_pull();
    slots_[i].batch = BATCH;
    slots_[i].steal_cursor = (i + 1) % n_;
  }
}

Scheduler::~Scheduler() = default;

Slot *Scheduler::choose_target(Kind kind) {
  if (kind == Kind::Pulled) return &slots_[first_pull() + (tls_rr_pull++ % n_pull_)];
  uint32_t natives = first_pull();
  if (natives > 0) return &slots_[tls_rr_native++ % natives];
  return &slots_[tls_rr_native++ % n_];
}

void Scheduler::dispatch(Behavior *b) {
  Slot *self = current_slot(*this);
  if (self != nullptr && !self->pull && b->kind == Kind::Native) {
    /* Producer-local arm: newest runs next on this worker. */
    if (self->pending != nullptr) {
      self->queue.enqueue(&self->pending->node);
      bump(self->stats.pushed_local);
      self->pending = b;
      wake_for(*self); /* someone idle may steal the displaced item */
    } else {
      bump(self->stats.dispatched_to_pending);
      self->pending = b;
    }
    return;
  }
  if (self != nullptr && self->pull && !stopping() &&
      (b->kind == Kind::Pulled || first_pull() == 0)) {
    /* Keep it local, FIFO.  Native behaviors stay on a pull slot only when
     * there are no native slots: native slots never steal from pull slots,
     * so a native behavior left here would be stranded if this thread
     * stopped pulling. */
    self->queue.enqueue(&b->node);
    bump(self->stats.pushed_local);
    wake_for(*self);
    return;
  }
  Slot *target = choose_target(b->kind);
  target->queue.enqueue(&b->node);
  target->stats.pushed_remote.fetch_add(1, std::memory_order_relaxed);
  wake_for(*target);
}

void Scheduler::wake_for(Slot &target) {
  /* Dekker with park(): our enqueue (a seq_cst exchange on the queue's
   * back) comes before these seq_cst flag loads; the parker's seq_cst flag
   * stores come before its seq_cst scan of the queues.  In the single
   * total order of seq_cst operations one side sees the other, so either
   * the parker finds the work or we find the parker. */
  if (target.parked.load(std::memory_order_seq_cst)) {
    unpark(target);
    return;
  }
  if (parked_count_.load(std::memory_order_seq_cst) == 0) return;
  for (uint32_t k = 1; k < n_; k++) {
    Slot &s = slots_[(target.index + k) % n_];
    if (may_steal(s, target) && s.parked.load(std::memory_order_seq_cst)) {
      unpark(s);
      return;
    }
  }
}

void Scheduler::unpark(Slot &s) {
  {
    std::lock_guard<std::mutex> lock(s.mu);
    s.wake = true;
  }
  s.cv.notify_one();
}

Behavior *Scheduler::pop_own(Slot &s) {
  for (int tries = 0; tries < 16 && s.queue.maybe_nonempty(); tries++) {
    Node *n = s.queue.dequeue();
    if (n != nullptr) return as_behavior(n);
    bump(s.stats.dequeue_cas_retries);
    pal::cpu_relax();
  }
  return nullptr;
}

Behavior *Scheduler::steal_from(Slot &s, Slot &v) {
  bump(s.stats.steal_attempts);
  s.stats.last_steal_attempt_ns.store(pal::now_ns(), std::memory_order_relaxed);
  Node *n = v.queue.maybe_nonempty() ? v.queue.dequeue() : nullptr;
  if (n == nullptr) {
    bump(s.stats.steal_failures);
    return nullptr;
  }
  bump(s.stats.popped_via_steal);
  return as_behavior(n);
}

Behavior *Scheduler::try_steal(Slot &s) {
  if (n_ < 2) return nullptr;
  /* One attempt, on the next eligible victim after the cursor. */
  for (uint32_t k = 0; k < n_; k++) {
    Slot &v = slots_[s.steal_cursor];
    s.steal_cursor = (s.steal_cursor + 1) % n_;
    if (&v != &s && may_steal(s, v)) return steal_from(s, v);
  }
  return nullptr;
}

Behavior *Scheduler::steal_round(Slot &s) {
  if (n_ < 2) return nullptr;
  /* Every eligible victim that looks non-empty, once. */
  for (uint32_t k = 0; k < n_; k++) {
    Slot &v = slots_[(s.index + 1 + k) % n_];
    if (&v == &s || !may_steal(s, v) || !v.queue.maybe_nonempty()) continue;
    if (Behavior *b = steal_from(s, v)) return b;
  }
  return nullptr;
}

bool Scheduler::work_visible(const Slot &s) const {
  if (s.queue.maybe_nonempty()) return true;
  for (uint32_t i = 0; i < n_; i++) {
    const Slot &v = slots_[i];
    if (&v != &s && may_steal(s, v) && v.queue.maybe_nonempty()) return true;
  }
  return false;
}

Behavior *Scheduler::next(Slot &s, const pal::Deadline &deadline) {
  for (;;) {
    if (stopping()) {
      flush_pending(s);
      return nullptr;
    }
    if (s.pending != nullptr) {
      if (s.batch > 0) {
        Behavior *b = s.pending;
        s.pending = nullptr;
        s.batch--;
        bump(s.stats.popped_local);
        return b;
      }
      /* The run-next chain used its batch: send it to the back. */
      s.queue.enqueue(&s.pending->node);
      s.pending = nullptr;
      s.batch = BATCH;
      bump(s.stats.pushed_local);
      bump(s.stats.batch_resets);
    }
    if (++s.since_fairness >= FAIRNESS_PERIOD) {
      s.since_fairness = 0;
      if (s.queue.maybe_nonempty()) {
        Behavior *b = try_steal(s);
        if (b != nullptr) {
          bump(s.stats.fairness_arm_fires);
          return b;
        }
      }
    }
    if (Behavior *b = pop_own(s)) {
      s.batch = BATCH;
      bump(s.stats.popped_local);
      return b;
    }
    if (Behavior *b = steal_round(s)) return b;
    /* A poll (or an expired deadline) returns now, without spinning. */
    if (deadline.passed()) return nullptr;

    bool seen = false;
    for (int i = 0; i < SPIN_ROUNDS && !seen; i++) {
      for (int k = 0; k < 16; k++) pal::cpu_relax();
      seen = work_visible(s) || stopping();
    }
    if (seen) continue;
    if (deadline.passed()) return nullptr;
    park(s, deadline);
    if (deadline.passed() && !work_visible(s)) return nullptr;
  }
}

void Scheduler::park(Slot &s, const pal::Deadline &deadline) {
  s.parked.store(true, std::memory_order_seq_cst);
  parked_count_.fetch_add(1, std::memory_order_seq_cst);
  if (!work_visible(s) && !stopping()) {
    bump(s.stats.parked);
    std::unique_lock<std::mutex> lock(s.mu);
    while (!s.wake && !stopping()) {
      if (deadline.forever) {
        s.cv.wait(lock);
      } else if (s.cv.wait_until(lock, deadline.when) == std::cv_status::timeout) {
        break;
      }
    }
    s.wake = false;
  }
  parked_count_.fetch_sub(1, std::memory_order_seq_cst);
  s.parked.store(false, std::memory_order_seq_cst);
}

void Scheduler::request_stop() {
  stopping_.store(true, std::memory_order_seq_cst);
  for (uint32_t i = 0; i < n_; i++) unpark(slots_[i]);
}

void Scheduler::flush_pending(Slot &s) {
  if (s.pending != nullptr) {
    s.queue.enqueue(&s.pending->node);
    s.pending = nullptr;
  }
}

Behavior *Scheduler::drain_one() {
  for (uint32_t i = 0; i < n_; i++) {
    Slot &s = slots_[i];
    pal::SpinWait spin;
    while (s.queue.maybe_nonempty()) {
      if (Node *n = s.queue.dequeue()) return as_behavior(n);
      spin.once();
    }
  }
  return nullptr;
}

void Scheduler::stats(boc_worker_stats_t *out) const {
  for (uint32_t i = 0; i < n_; i++) {
    const SlotStats &st = slots_[i].stats;
    boc_worker_stats_t &o = out[i];
    auto rd = [](const std::atomic<uint64_t> &a) { return a.load(std::memory_order_relaxed); };
    o.worker_index = i;
    o.pushed_local = rd(st.pushed_local);
    o.dispatched_to_pending = rd(st.dispatched_to_pending);
    o.pushed_remote = rd(st.pushed_remote);
    o.popped_local = rd(st.popped_local);
    o.popped_via_steal = rd(st.popped_via_steal);
    o.enqueue_cas_retries = 0;
    o.dequeue_cas_retries = rd(st.dequeue_cas_retries);
    o.batch_resets = rd(st.batch_resets);
    o.steal_attempts = rd(st.steal_attempts);
    o.steal_failures = rd(st.steal_failures);
    o.parked = rd(st.parked);
    o.last_steal_attempt_ns = rd(st.last_steal_attempt_ns);
    o.fairness_arm_fires = rd(st.fairness_arm_fires);
  }
}

}  // namespace boc::detail
