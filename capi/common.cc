/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

#include "boc/common.h"

extern "C" {

BOC_API const char *boc_strerror(int status) {
  switch (status) {
    case BOC_OK: return "success";
    case BOC_EINVAL: return "invalid argument";
    case BOC_ENOMEM: return "out of memory";
    case BOC_ENOTRUNNING: return "the runtime is not running";
    case BOC_ERUNNING: return "the runtime is already running";
    case BOC_ESHUTDOWN: return "the runtime is shutting down";
    case BOC_ETIMEDOUT: return "timed out";
    case BOC_EBUSY: return "resource busy";
    case BOC_ENOTHELD: return "the caller does not hold this cown";
    case BOC_ENOTATTACHED: return "the calling thread is not attached to a worker slot";
    case BOC_ESTOPPED: return "the runtime is stopping: detach the worker slot";
    case BOC_EDEADLK: return "the call would deadlock from this context";
    case BOC_ENOSLOT: return "no suitable worker slot is available";
    case BOC_EINTERNAL: return "internal error in libboc";
    case BOC_ENOENT: return "no such entry";
    case BOC_EFULL: return "a limit was reached";
    case BOC_ECONFLICT: return "the entry changed (version conflict)";
    default: return "unknown libboc status";
  }
}

BOC_API const char *boc_version(void) { return BOC_VERSION_STRING; }

BOC_API int boc_abi_version(void) { return BOC_ABI_VERSION; }

}  // extern "C"
