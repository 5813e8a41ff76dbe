/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

/* What the machine offers: physical cores in the affinity mask. */
#ifndef BOC_PAL_TOPOLOGY_H
#define BOC_PAL_TOPOLOGY_H

#include <cstdint>

namespace boc::pal {

/* Number of physical cores the process may run on: CPUs in the affinity
 * mask, with SMT siblings counted once.  At least 1. */
uint32_t physical_cores();

/* Parse a worker count from text (the BOC_WORKERS variable): a decimal
 * integer in 1..max with optional surrounding spaces.  Returns false when
 * the text is not such a number. */
bool parse_worker_count(const char *text, uint32_t max, uint32_t *out);

}  // namespace boc::pal

#endif
