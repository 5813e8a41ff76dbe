/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

/*
 * boc/common.h - status codes, versions, timeouts and shared types.
 *
 * Every libboc function returns an int holding an enum boc_status value
 * (BOC_OK == 0, errors are positive) and passes results through
 * out-parameters.  Out-parameters are left untouched on error unless the
 * function says otherwise.  No libboc function lets a C++ exception escape.
 */
#ifndef BOC_COMMON_H
#define BOC_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* Attribute macros: the contract, written into the signature.         */
/* ------------------------------------------------------------------ */

#if defined(__GNUC__) || defined(__clang__)
#define BOC_API __attribute__((visibility("default")))
#define BOC_WARN_UNUSED __attribute__((warn_unused_result))
#else
#define BOC_API
#define BOC_WARN_UNUSED
#endif

/* ------------------------------------------------------------------ */
/* Status codes                                                        */
/* ------------------------------------------------------------------ */

/*
 * The values are part of the ABI: new codes are only ever appended.
 */
enum boc_status {
  BOC_OK = 0,          /* success */
  BOC_EINVAL = 1,      /* invalid argument: NULL, out of range, bad handle */
  BOC_ENOMEM = 2,      /* memory allocation failed; nothing was changed */
  BOC_ENOTRUNNING = 3, /* the runtime is not running (never started, or stopped) */
  BOC_ERUNNING = 4,    /* the runtime is already running */
  BOC_ESHUTDOWN = 5,   /* the runtime is shutting down: no new behaviors */
  BOC_ETIMEDOUT = 6,   /* the timeout expired before the condition held */
  BOC_EBUSY = 7,       /* the resource is in use (slot taken, cown held) */
  BOC_ENOTHELD = 8,    /* the caller does not hold this cown */
  BOC_ENOTATTACHED = 9, /* the calling thread is not attached to a worker slot */
  BOC_ESTOPPED = 10,   /* the runtime is stopping: detach this worker slot */
  BOC_EDEADLK = 11,    /* the call would deadlock from this calling context */
  BOC_ENOSLOT = 12,    /* no worker slot of the requested kind is available */
  BOC_EINTERNAL = 13,  /* internal error (a bug in libboc: please report it) */
  BOC_ENOENT = 14,     /* no such entry (a noticeboard key, a tag) */
  BOC_EFULL = 15,      /* a documented limit was reached; nothing was changed */
  BOC_ECONFLICT = 16   /* a compare-and-set found another version */
};

/* One past the largest status code this version of the library returns. */
#define BOC_STATUS_MAX 17

/*
 * boc_strerror - describe a status code.
 *
 * status: any int.  Returns a static, NUL-terminated English string; an
 * unknown code gives "unknown libboc status".  Never NULL.
 * Thread safety: safe from any thread.  Context: anywhere.  Since 0.1.0.
 */
BOC_API const char *boc_strerror(int status);

/* ------------------------------------------------------------------ */
/* Versions                                                            */
/* ------------------------------------------------------------------ */

/* The version of the headers this code was compiled against. */
#define BOC_VERSION_MAJOR 0
#define BOC_VERSION_MINOR 1
#define BOC_VERSION_PATCH 0
#define BOC_VERSION_STRING "0.1.0"

/*
 * The ABI version of these headers.  It changes whenever a change to a
 * public header is not backwards compatible; a program (or a binding
 * loaded with dlopen) compares it with boc_abi_version().
 */
#define BOC_ABI_VERSION 1

/*
 * boc_version - the version of the loaded library, "MAJOR.MINOR.PATCH".
 *
 * Returns a static string, never NULL.  Thread safety: any thread.
 * Context: anywhere.  Since 0.1.0.
 */
BOC_API const char *boc_version(void);

/*
 * boc_abi_version - the ABI version of the loaded library.
 *
 * Returns the library's BOC_ABI_VERSION.  A caller built against headers
 * with a different value must not use the library.  Thread safety: any
 * thread.  Context: anywhere.  Since 0.1.0.
 */
BOC_API int boc_abi_version(void);

/* ------------------------------------------------------------------ */
/* Shared types and constants                                          */
/* ------------------------------------------------------------------ */

/*
 * A free function for an opaque pointer handed to libboc (a cown payload or
 * a behavior argument).  libboc calls it exactly once per pointer, on the
 * thread that drops the last use, unless the pointer is taken back first.
 * A NULL free function means "nothing to free".
 */
typedef void (*boc_free_fn)(void *ptr);

/*
 * Timeouts are int64_t nanoseconds measured on a monotonic clock:
 * BOC_FOREVER (or any negative value) waits without limit, 0 polls once,
 * a positive value waits at most that long.
 */
#define BOC_FOREVER ((int64_t)-1)

/* Convenience conversions for timeouts. */
#define BOC_MSEC(ms) ((int64_t)(ms) * (int64_t)1000000)
#define BOC_SEC(s) ((int64_t)(s) * (int64_t)1000000000)

/* The largest number of worker slots a runtime can have. */
#define BOC_MAX_WORKERS 1024

#ifdef __cplusplus
}
#endif

#endif /* BOC_COMMON_H */
