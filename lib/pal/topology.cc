/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

#include "pal/topology.h"

#include <sched.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <utility>

namespace boc::pal {

namespace {

/* Read one integer from a sysfs file; false when absent or unreadable. */
bool read_int_file(const char *path, long *out) {
  FILE *f = std::fopen(path, "r");
  if (f == nullptr) return false;
  long v = 0;
  int n = std::fscanf(f, "%ld", &v);
  std::fclose(f);
  if (n != 1) return false;
  *out = v;
  return true;
}

}  // namespace

uint32_t physical_cores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) != 0) return 1;
  /* A core is identified by (package, core id).  SMT siblings share it, so
   * counting distinct pairs among the allowed CPUs ignores siblings and
   * honours the affinity mask at the same time. */
  std::set<std::pair<long, long>> cores;
  uint32_t logical = 0;
  for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
    if (!CPU_ISSET(cpu, &set)) continue;
    logical++;
    char path[128];
    long pkg = 0, core = 0;
    std::snprintf(path, sizeof(path),
                  "/sys/devices/system/cpu/cpu%d/topology/physical_package_id",
                  cpu);
    bool ok = read_int_file(path, &pkg);
    std::snprintf(path, sizeof(path),
                  "/sys/devices/system/cpu/cpu%d/topology/core_id", cpu);
    ok = ok && read_int_file(path, &core);
    if (!ok) {
      /* No topology information: count this CPU as its own core. */
      pkg = -1;
      core = cpu;
    }
    cores.insert({pkg, core});
  }
  uint32_t n = static_cast<uint32_t>(cores.size());
  if (n == 0) n = logical;
  return n == 0 ? 1 : n;
}

bool parse_worker_count(const char *text, uint32_t max, uint32_t *out) {
  if (text == nullptr) return false;
  while (std::isspace(static_cast<unsigned char>(*text))) text++;
  if (!std::isdigit(static_cast<unsigned char>(*text))) return false;
  errno = 0;
  char *end = nullptr;
  unsigned long long v = std::strtoull(text, &end, 10);
  if (errno != 0) return false;
  while (std::isspace(static_cast<unsigned char>(*end))) end++;
  if (*end != '\0') return false;
  if (v < 1 || v > max) return false;
  *out = static_cast<uint32_t>(v);
  return true;
}

}  // namespace boc::pal
