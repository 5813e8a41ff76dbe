/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

#include "core/runtime.h"

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

#include "boc/pull.h"
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

void run_native(Behavior *b) {
  behavior_begin(b);
  try {
    b->fn(reinterpret_cast<boc_behavior_t *>(b), b->arg);
  } catch (...) {
    std::fputs("libboc: a behavior body let a C++ exception escape; ignored\n", stderr);
  }
  behavior_end(b);
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
  Scheduler *s = r.sched.load(std::memory_order_acquire);
  s->request_stop();
  for (std::thread &t : r.threads) t.join();
  r.threads.clear();
  /* Everything still queued is dropped; dropping hands cowns on, which can
   * make more behaviors ready (they are queued and dropped next round).
   * Behaviors still running (pulled ones in particular) finish normally. */
  for (;;) {
    while (Behavior *b = s->drain_one()) behavior_drop(b);
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
  /* Non-null by the lifetime rule in runtime.h: a behavior is counted. */
  rt().sched.load(std::memory_order_acquire)->dispatch(b);
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
  if (kind == Kind::Pulled && s->pull_slots() == 0) {
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
  if (b == nullptr || b != tls_pulled) return BOC_EINVAL;
  ApiGuard guard;
  behavior_end(b);
  tls_pulled = nullptr;
  behavior_finish(b);
  return BOC_OK;
}

}  // namespace boc::detail
