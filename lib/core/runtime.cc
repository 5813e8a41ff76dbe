/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

#include "core/runtime.h"

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

#include "boc/pull.h"
#include "core/pinned.h"
#include "core/terminator.h"
#include "pal/spin.h"
#include "pal/topology.h"
#include "sched/scheduler.h"

namespace boc::detail {

namespace {

enum State : int { STOPPED = 0, RUNNING = 1, STOPPING = 2 };

struct Runtime {
  std::mutex lifecycle; /* serialises start/wait/shutdown */
  std::atomic<int> state{STOPPED};
  std::atomic<Scheduler *> sched{nullptr};
  std::atomic<uint64_t> live_incarnation{0}; /* 0 while stopped */
  uint64_t incarnation = 0;                  /* guarded by lifecycle */
  std::vector<std::thread> threads;          /* guarded by lifecycle */
  Terminator term;
  /* Ready pinned behaviors, waiting for the pump (core/pinned.h). */
  PinnedQueue pinned;
  /* Pull-API calls in progress; shutdown waits for 0 before freeing. */
  std::atomic<int64_t> api_active{0};
  std::mutex stats_mu;
  std::vector<boc_worker_stats_t> last_stats; /* guarded by stats_mu */
};

/* Never destroyed: worker threads of a runtime the program forgot to stop
 * may still run during static destruction at exit. */
Runtime &rt() {
  static Runtime *r = new Runtime;
  return *r;
}

struct Attachment {
  bool attached = false;
  uint64_t incarnation = 0;
  uint32_t slot = 0;
};

thread_local bool tls_native_worker = false;
thread_local Attachment tls_attach;
thread_local Behavior *tls_pulled = nullptr;
/* The pump: the incarnation this thread claimed it in with
 * boc_pump_begin() (0: it did not), and the pinned pulled behavior it
 * took with boc_pump_next_packed() and has not completed. */
thread_local uint64_t tls_pump_inc = 0;
thread_local Behavior *tls_pump_pulled = nullptr;

class ApiGuard {
 public:
  ApiGuard() { rt().api_active.fetch_add(1, std::memory_order_seq_cst); }
  ~ApiGuard() { rt().api_active.fetch_sub(1, std::memory_order_seq_cst); }
  ApiGuard(const ApiGuard &) = delete;
  ApiGuard &operator=(const ApiGuard &) = delete;
};

bool attached_now() {
  return tls_attach.attached &&
         tls_attach.incarnation == rt().live_incarnation.load(std::memory_order_acquire);
}

/* Lifecycle calls from here would wait for the caller itself. */
bool restricted_context() {
  return current_behavior() != nullptr || tls_native_worker || attached_now();
}

/* Run a native behavior's body on the calling thread and finish it.  A
 * pinned one (run by the pump) is counted as executed before it is
 * finished, so whoever sees the terminator reach zero also sees it. */
void run_native(Behavior *b) {
  behavior_begin(b);
  try {
    b->fn(reinterpret_cast<boc_behavior_t *>(b), b->arg);
  } catch (...) {
    std::fputs("libboc: a behavior body let a C++ exception escape; ignored\n", stderr);
  }
  behavior_end(b);
  if (b->pinned) rt().pinned.count_executed();
  behavior_finish(b);
}

void worker_main(Scheduler *s, uint32_t index) {
  tls_native_worker = true;
  Slot &slot = s->slot(index);
  set_current_slot(&slot, s->incarnation());
  const pal::Deadline forever;
  while (Behavior *b = s->next(slot, forever)) run_native(b);
  set_current_slot(nullptr, 0);
  tls_native_worker = false;
}

/* Stop the running runtime: refuse new work, stop the workers, drop what
 * is still queued, wait until every behavior is accounted for.  Called
 * with the lifecycle lock held and state == RUNNING. */
void stop_locked(Runtime &r) {
  r.state.store(STOPPING, std::memory_order_seq_cst);
  r.term.close();
  r.pinned.close(); /* the pump takes nothing more: queued ones are dropped */
  Scheduler *s = r.sched.load(std::memory_order_acquire);
  s->request_stop();
  for (std::thread &t : r.threads) t.join();
  r.threads.clear();
  /* Everything still queued, on the slots or in the pinned queue, is
   * dropped; dropping hands cowns on, which can make more behaviors ready
   * on either side (they are queued and dropped next round, until a round
   * finds nothing).  Behaviors still running (pulled ones, pinned ones on
   * the pump) finish normally; a pinned behavior they make ready is
   * dropped by a later round. */
  for (;;) {
    bool dropped = true;
    while (dropped) {
      dropped = false;
      while (Behavior *b = s->drain_one()) {
        behavior_drop(b);
        dropped = true;
      }
      while (Behavior *b = r.pinned.drain_one()) {
        behavior_drop(b);
        dropped = true;
      }
    }
    if (r.term.wait_zero(pal::Deadline::after(1000000))) break;
  }
  {
    std::lock_guard<std::mutex> lock(r.stats_mu);
    r.last_stats.assign(s->size(), boc_worker_stats_t{});
    s->stats(r.last_stats.data());
  }
  r.live_incarnation.store(0, std::memory_order_seq_cst);
  r.sched.store(nullptr, std::memory_order_seq_cst);
  r.state.store(STOPPED, std::memory_order_seq_cst);
  pal::SpinWait spin;
  while (r.api_active.load(std::memory_order_seq_cst) != 0) spin.once();
  delete s;
}

int state_error(int st) { return st == STOPPED ? BOC_ENOTRUNNING : BOC_ESHUTDOWN; }

}  // namespace

void runtime_dispatch(Behavior *b) {
  Runtime &r = rt();
  if (b->pinned) {
    /* Never to a worker slot (pulled ones never to a pull slot either):
     * to the pump.  The depth increment (seq_cst, in push) comes before
     * the read of the waiter count in wake_waiters(): Dekker with
     * boc_runtime_await, which counts itself a waiter before it reads the
     * depth under the terminator's mutex, so it either sees the behavior
     * or is woken. */
    if (r.pinned.push(b)) r.term.wake_waiters();
    return;
  }
  /* Non-null by the lifetime rule in runtime.h: a behavior is counted. */
  r.sched.load(std::memory_order_acquire)->dispatch(b);
}

void runtime_behavior_done() { rt().term.dec(); }

int runtime_default_worker_count(uint32_t *out) {
  const char *env = std::getenv("BOC_WORKERS");
  if (env != nullptr) {
    uint32_t n = 0;
    if (!pal::parse_worker_count(env, BOC_MAX_WORKERS, &n)) return BOC_EINVAL;
    *out = n;
    return BOC_OK;
  }
  uint32_t n = pal::physical_cores();
  if (n > BOC_MAX_WORKERS) n = BOC_MAX_WORKERS;
  *out = n;
  return BOC_OK;
}

int runtime_start(const boc_runtime_config_t *cfg) {
  if (restricted_context()) return BOC_EDEADLK;
  boc_runtime_config_t c{};
  if (cfg != nullptr) c = *cfg;
  for (uint32_t v : c.reserved)
    if (v != 0) return BOC_EINVAL;
  if (c.workers > BOC_MAX_WORKERS) return BOC_EINVAL;
  Runtime &r = rt();
  std::lock_guard<std::mutex> lock(r.lifecycle);
  if (r.state.load() != STOPPED) return BOC_ERUNNING;
  uint32_t n = c.workers;
  if (n == 0) {
    int st = runtime_default_worker_count(&n);
    if (st != BOC_OK) return st;
  }
  if (c.pull_slots > n) return BOC_EINVAL;
  uint64_t inc = r.incarnation + 1;
  auto *s = new Scheduler(n, c.pull_slots, inc);
  r.incarnation = inc;
  r.sched.store(s, std::memory_order_seq_cst);
  r.live_incarnation.store(inc, std::memory_order_seq_cst);
  r.pinned.open(inc);
  r.state.store(RUNNING, std::memory_order_seq_cst);
  r.term.open();
  try {
    r.threads.reserve(s->first_pull());
    for (uint32_t i = 0; i < s->first_pull(); i++) r.threads.emplace_back(worker_main, s, i);
  } catch (...) {
    /* Could not start every thread: undo completely. */
    stop_locked(r);
    return BOC_EINTERNAL;
  }
  return BOC_OK;
}

int runtime_quiesce(int64_t timeout_ns) {
  if (restricted_context()) return BOC_EDEADLK;
  Runtime &r = rt();
  if (r.state.load() != RUNNING) return BOC_ENOTRUNNING;
  return r.term.wait_zero(pal::Deadline::after(timeout_ns)) ? BOC_OK : BOC_ETIMEDOUT;
}

int runtime_wait(int64_t timeout_ns) {
  if (restricted_context()) return BOC_EDEADLK;
  Runtime &r = rt();
  if (r.state.load() != RUNNING) return BOC_ENOTRUNNING;
  pal::Deadline d = pal::Deadline::after(timeout_ns);
  for (;;) {
    /* Quiesce without the lock, so another thread may still shut down. */
    if (!r.term.wait_zero(d)) return BOC_ETIMEDOUT;
    std::lock_guard<std::mutex> lock(r.lifecycle);
    if (r.state.load() != RUNNING) return BOC_OK; /* stopped by someone else */
    /* Close only if still idle: work admitted since the quiescence (by
     * another thread) keeps running, and whatever it schedules is admitted
     * too; we then wait again. */
    if (r.term.close_if_idle()) {
      stop_locked(r);
      return BOC_OK;
    }
  }
}

int runtime_shutdown() {
  if (restricted_context()) return BOC_EDEADLK;
  Runtime &r = rt();
  std::lock_guard<std::mutex> lock(r.lifecycle);
  if (r.state.load() != RUNNING) return BOC_ENOTRUNNING;
  stop_locked(r);
  return BOC_OK;
}

int runtime_worker_count(uint32_t *out) {
  ApiGuard guard;
  Scheduler *s = rt().sched.load(std::memory_order_seq_cst);
  if (s == nullptr || rt().state.load() != RUNNING) return BOC_ENOTRUNNING;
  *out = s->size();
  return BOC_OK;
}

uint64_t runtime_in_flight() {
  if (rt().state.load() == STOPPED) return 0;
  int64_t n = rt().term.count();
  return n < 0 ? 0 : static_cast<uint64_t>(n);
}

int runtime_stats(boc_worker_stats_t *out, size_t capacity, size_t *count) {
  Runtime &r = rt();
  ApiGuard guard;
  Scheduler *s = r.sched.load(std::memory_order_seq_cst);
  if (s != nullptr) {
    std::vector<boc_worker_stats_t> tmp(s->size());
    s->stats(tmp.data());
    *count = tmp.size();
    for (size_t i = 0; i < tmp.size() && i < capacity; i++) out[i] = tmp[i];
    return BOC_OK;
  }
  std::lock_guard<std::mutex> lock(r.stats_mu);
  *count = r.last_stats.size();
  for (size_t i = 0; i < r.last_stats.size() && i < capacity; i++) out[i] = r.last_stats[i];
  return BOC_OK;
}

int runtime_when(Cown *const *cowns, size_t n, Kind kind, boc_behavior_fn fn,
                 void *arg, boc_free_fn arg_free, Cown **result) {
  Runtime &r = rt();
  int st = r.state.load(std::memory_order_acquire);
  if (st != RUNNING) return state_error(st);
  /* Count the behavior, plus a hold for this scheduling call: the behavior
   * may run and finish before behavior_schedule() returns, and the hold
   * keeps the scheduler alive until we are out of it. */
  if (!r.term.inc(2)) return state_error(r.state.load());
  Scheduler *s = r.sched.load(std::memory_order_acquire);
  /* A pinned pulled behavior goes to the pump, never to a pull slot. */
  bool pinned = false;
  for (size_t i = 0; i < n && !pinned; i++) pinned = cowns[i]->pinned;
  if (kind == Kind::Pulled && !pinned && s->pull_slots() == 0) {
    r.term.dec();
    r.term.dec();
    return BOC_ENOSLOT;
  }
  Behavior *b = nullptr;
  try {
    b = behavior_new(cowns, n, kind, fn, arg, arg_free, result != nullptr);
  } catch (...) {
    r.term.dec();
    r.term.dec();
    throw;
  }
  if (result != nullptr) {
    cown_retain(b->result);
    *result = b->result;
  }
  behavior_schedule(b);
  r.term.dec();
  return BOC_OK;
}

int runtime_relinquish(Cown *c) {
  /* Handing the cown on may dispatch a successor: hold the terminator so
   * the scheduler outlives the dispatch (see runtime.h). */
  Runtime &r = rt();
  r.term.hold();
  int st = cown_relinquish_external(c);
  r.term.dec();
  return st;
}

int runtime_attach(int slot, uint32_t *slot_out) {
  if (current_behavior() != nullptr || tls_native_worker) return BOC_EDEADLK;
  Runtime &r = rt();
  ApiGuard guard;
  int st = r.state.load(std::memory_order_seq_cst);
  if (st != RUNNING) return state_error(st);
  Scheduler *s = r.sched.load(std::memory_order_seq_cst);
  if (s == nullptr) return BOC_ENOTRUNNING;
  if (tls_attach.attached && tls_attach.incarnation == s->incarnation()) return BOC_EBUSY;
  uint32_t chosen = 0;
  if (slot == BOC_ANY_SLOT) {
    bool found = false;
    for (uint32_t i = s->first_pull(); i < s->size() && !found; i++) {
      bool expected = false;
      if (s->slot(i).attached.compare_exchange_strong(expected, true)) {
        chosen = i;
        found = true;
      }
    }
    if (!found) return BOC_ENOSLOT;
  } else {
    if (slot < 0 || static_cast<uint32_t>(slot) >= s->size()) return BOC_EINVAL;
    Slot &sl = s->slot(static_cast<uint32_t>(slot));
    if (!sl.pull) return BOC_EINVAL;
    bool expected = false;
    if (!sl.attached.compare_exchange_strong(expected, true)) return BOC_EBUSY;
    chosen = static_cast<uint32_t>(slot);
  }
  tls_attach.attached = true;
  tls_attach.incarnation = s->incarnation();
  tls_attach.slot = chosen;
  set_current_slot(&s->slot(chosen), s->incarnation());
  if (slot_out != nullptr) *slot_out = chosen;
  return BOC_OK;
}

int runtime_detach() {
  if (!tls_attach.attached) return BOC_ENOTATTACHED;
  if (tls_pulled != nullptr) return BOC_EBUSY;
  Runtime &r = rt();
  ApiGuard guard;
  Scheduler *s = r.sched.load(std::memory_order_seq_cst);
  if (s != nullptr && s->incarnation() == tls_attach.incarnation)
    s->slot(tls_attach.slot).attached.store(false, std::memory_order_seq_cst);
  tls_attach = Attachment{};
  set_current_slot(nullptr, 0);
  return BOC_OK;
}

int runtime_pull(int64_t timeout_ns, Behavior **out) {
  if (!tls_attach.attached) return BOC_ENOTATTACHED;
  if (tls_pulled != nullptr) return BOC_EBUSY;
  Runtime &r = rt();
  ApiGuard guard;
  Scheduler *s = r.sched.load(std::memory_order_seq_cst);
  if (s == nullptr || s->incarnation() != tls_attach.incarnation) return BOC_ESTOPPED;
  Slot &slot = s->slot(tls_attach.slot);
  pal::Deadline d = pal::Deadline::after(timeout_ns);
  for (;;) {
    Behavior *b = s->next(slot, d);
    if (b == nullptr) return s->stopping() ? BOC_ESTOPPED : BOC_ETIMEDOUT;
    if (b->kind == Kind::Native) {
      run_native(b);
      if (d.passed()) return BOC_ETIMEDOUT;
      continue;
    }
    behavior_begin(b);
    tls_pulled = b;
    *out = b;
    return BOC_OK;
  }
}

int runtime_complete(Behavior *b) {
  if (b == nullptr) return BOC_EINVAL;
  if (b == tls_pump_pulled) {
    /* A pinned pulled behavior taken with boc_pump_next_packed(). */
    behavior_end(b);
    tls_pump_pulled = nullptr;
    behavior_finish(b);
    return BOC_OK;
  }
  if (b != tls_pulled) return BOC_EINVAL;
  ApiGuard guard;
  behavior_end(b);
  tls_pulled = nullptr;
  behavior_finish(b);
  return BOC_OK;
}

/* ---- the pump ---------------------------------------------------------- */

/*
 * The pump needs no ApiGuard: it touches only the Runtime (never freed)
 * and its pinned queue, and every behavior it runs is counted by the
 * terminator until behavior_finish() returns, which keeps the scheduler
 * alive for the dispatches that finishing makes (see runtime.h).
 */

int runtime_pump(int64_t budget_ns, uint64_t max_behaviors, boc_pump_result_t *out) {
  /* Inside a behavior (a pinned body on this very pump included) or while
   * holding the pump with boc_pump_begin(): not reentrant. */
  if (current_behavior() != nullptr) return BOC_EDEADLK;
  Runtime &r = rt();
  uint64_t inc = 0;
  int st = r.pinned.claim(thread_token(), &inc);
  if (st != BOC_OK) return st;
  const pal::Deadline deadline = pal::Deadline::after(budget_ns);
  boc_pump_result_t res{};
  for (;;) {
    if (max_behaviors != 0 && res.executed >= max_behaviors) break;
    bool pulled_front = false;
    Behavior *b = r.pinned.pop(inc, false, &pulled_front);
    if (b == nullptr) {
      res.pulled_waiting = pulled_front ? 1 : 0;
      break;
    }
    run_native(b);
    res.executed++;
    if (deadline.passed()) {
      res.deadline_reached = 1;
      break;
    }
  }
  r.pinned.release(thread_token(), inc);
  if (out != nullptr) *out = res;
  return BOC_OK;
}

int runtime_pump_begin() {
  if (current_behavior() != nullptr) return BOC_EDEADLK;
  uint64_t inc = 0;
  int st = rt().pinned.claim(thread_token(), &inc);
  if (st == BOC_EDEADLK) return BOC_EBUSY; /* this thread already holds it */
  if (st != BOC_OK) return st;
  tls_pump_inc = inc;
  return BOC_OK;
}

int runtime_pump_end() {
  if (tls_pump_inc == 0) return BOC_EINVAL;
  if (tls_pump_pulled != nullptr) return BOC_EBUSY;
  /* A no-op when a restart has already forgotten the claim. */
  rt().pinned.release(thread_token(), tls_pump_inc);
  tls_pump_inc = 0;
  return BOC_OK;
}

int runtime_pump_next(uint64_t *io) {
  Runtime &r = rt();
  if (tls_pump_inc == 0 || !r.pinned.holds(thread_token(), tls_pump_inc))
    return BOC_EDEADLK;
  /* From a native pinned body run by this pump: not reentrant. */
  Behavior *cur = current_behavior();
  if (cur != nullptr && cur != tls_pump_pulled) return BOC_EDEADLK;
  Behavior *done = reinterpret_cast<Behavior *>(static_cast<uintptr_t>(io[0]));
  /* io[0] must name the outstanding behavior (0 only when there is none:
   * this thread cannot run two at once). */
  if (done != tls_pump_pulled) return BOC_EINVAL;
  if (done != nullptr) {
    behavior_end(done);
    tls_pump_pulled = nullptr;
    behavior_finish(done);
    io[0] = 0;
  }
  uint64_t ran = 0;
  for (;;) {
    bool pulled_front = false;
    Behavior *b = r.pinned.pop(tls_pump_inc, true, &pulled_front);
    if (b == nullptr) {
      io[0] = 0;
      io[2] = ran;
      return BOC_ETIMEDOUT;
    }
    if (b->kind == Kind::Native) {
      run_native(b);
      ran++;
      continue;
    }
    behavior_begin(b);
    tls_pump_pulled = b;
    r.pinned.count_executed();
    io[0] = reinterpret_cast<uintptr_t>(b);
    io[1] = reinterpret_cast<uintptr_t>(b->arg);
    io[2] = ran;
    return BOC_OK;
  }
}

int runtime_pump_status(boc_pump_status_t *out) {
  Runtime &r = rt();
  boc_pump_status_t st{};
  if (r.state.load(std::memory_order_seq_cst) != STOPPED)
    r.pinned.status(&st.depth, &st.nonempty_ns, &st.executed);
  *out = st;
  return BOC_OK;
}

int runtime_await(int64_t timeout_ns, uint32_t *why) {
  if (current_behavior() != nullptr) return BOC_EDEADLK;
  Runtime &r = rt();
  if (r.state.load(std::memory_order_seq_cst) != RUNNING) return BOC_ENOTRUNNING;
  uint32_t bits = 0;
  /* Both conditions are read under the terminator's mutex, which the last
   * completion (Terminator::dec) and the 0 -> 1 enqueue on the pinned
   * queue (runtime_dispatch) take before they notify. */
  bool ok = r.term.wait_for(pal::Deadline::after(timeout_ns), [&] {
    bits = 0;
    if (r.term.count() == 0) bits |= BOC_AWAIT_QUIESCENT;
    if (r.pinned.depth() > 0) bits |= BOC_AWAIT_PINNED;
    return bits != 0;
  });
  if (!ok) return BOC_ETIMEDOUT;
  if (why != nullptr) *why = bits;
  return BOC_OK;
}

}  // namespace boc::detail
