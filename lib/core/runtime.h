/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

/*
 * The process-wide runtime: lifecycle, worker threads, the pull API and
 * the entry points the C API calls.  Functions return boc_status codes and
 * may throw std::bad_alloc; the C shim turns exceptions into statuses.
 *
 * Lifetime rule for the scheduler object: it is only used by (a) native
 * worker threads, joined before it is freed, (b) pull-API calls, which
 * run inside an ApiGuard that shutdown waits out, and (c) dispatches,
 * which always happen while the terminator counts a behavior that cannot
 * finish before the dispatch returns.  Shutdown frees it only when the
 * terminator count is 0 and no guard is held.
 */
#ifndef BOC_CORE_RUNTIME_H
#define BOC_CORE_RUNTIME_H

#include <cstddef>
#include <cstdint>

#include "boc/pump.h"
#include "boc/runtime.h"
#include "core/behavior.h"

namespace boc::detail {

/* Called by the core when a behavior becomes ready / has finished. */
void runtime_dispatch(Behavior *b);
void runtime_behavior_done();

int runtime_start(const boc_runtime_config_t *cfg);
int runtime_quiesce(int64_t timeout_ns);
int runtime_wait(int64_t timeout_ns);
int runtime_shutdown();
int runtime_worker_count(uint32_t *out);
uint64_t runtime_in_flight();
int runtime_default_worker_count(uint32_t *out);
int runtime_stats(boc_worker_stats_t *out, size_t capacity, size_t *count);

/* Schedule a behavior (cowns already validated). */
int runtime_when(Cown *const *cowns, size_t n, Kind kind, boc_behavior_fn fn,
                 void *arg, boc_free_fn arg_free, Cown **result);

/* External holds need the terminator so dispatch stays safe. */
int runtime_relinquish(Cown *c);

int runtime_attach(int slot, uint32_t *slot_out);
int runtime_detach();
int runtime_pull(int64_t timeout_ns, Behavior **out);
int runtime_complete(Behavior *b);

/* Pinned cowns and the pump (boc/pump.h). */
int runtime_pump(int64_t budget_ns, uint64_t max_behaviors, boc_pump_result_t *out);
int runtime_pump_begin();
int runtime_pump_end();
int runtime_pump_next(uint64_t *io);
int runtime_pump_status(boc_pump_status_t *out);
int runtime_await(int64_t timeout_ns, uint32_t *why);

}  // namespace boc::detail

#endif
