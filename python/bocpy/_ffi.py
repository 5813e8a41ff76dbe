# Copyright (c) 2026 The libboc authors.
# SPDX-License-Identifier: MIT
"""Loading libboc through cffi (ABI mode) and mapping its status codes.

The library is looked for, in order:

1. the exact path in the environment variable ``BOCPY_LIBBOC`` (when it
   is set, nothing else is tried);
2. the build tree, when this package is imported from the source tree
   (``<top>/.libs`` and ``<top>/build/.libs``);
3. ``libboc.so.0`` through the dynamic linker's normal search.

When none loads, one ``ImportError`` lists every attempt and its error.
After loading, the library's ABI version must equal the one the cdef was
generated from.
"""

import ctypes
import os
import sys

import cffi

from ._cdef import CDEF

ffi = cffi.FFI()
ffi.cdef(CDEF)

#: The ABI version this package's cdef describes.
ABI_VERSION = 1

_SONAME = "libboc.so.0"


def _source_top():
    """The top of the source tree when running from it, else None."""
    top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    if os.path.exists(os.path.join(top, "configure.ac")) and os.path.isdir(
        os.path.join(top, "include", "boc")
    ):
        return top
    return None


def _candidates():
    env = os.environ.get("BOCPY_LIBBOC")
    if env:
        # An explicit path is authoritative: never fall back silently to
        # another copy of the library.
        yield "BOCPY_LIBBOC", env
        return
    top = _source_top()
    if top is not None:
        for sub in (".libs", os.path.join("build", ".libs")):
            path = os.path.join(top, sub, _SONAME)
            yield "build tree", path
    yield "system search", _SONAME


def _load():
    attempts = []
    for origin, path in _candidates():
        if origin == "build tree" and not os.path.exists(path):
            attempts.append("%s: %s (no such file)" % (origin, path))
            continue
        try:
            lib = ffi.dlopen(path)
        except OSError as exc:
            attempts.append("%s: %s (%s)" % (origin, path, exc))
            continue
        abi = lib.boc_abi_version()
        if abi != ABI_VERSION:
            raise ImportError(
                "bocpy: %s (%s) has ABI version %d, this package needs %d"
                % (path, origin, abi, ABI_VERSION)
            )
        return lib, path
    raise ImportError(
        "bocpy: could not load libboc; tried:\n  " + "\n  ".join(attempts)
        + "\nInstall libboc (libboc0), or set BOCPY_LIBBOC to the library's path."
    )


lib, LIBRARY_PATH = _load()

# Status codes, as Python ints.
OK = lib.BOC_OK
EINVAL = lib.BOC_EINVAL
ENOMEM = lib.BOC_ENOMEM
ENOTRUNNING = lib.BOC_ENOTRUNNING
ERUNNING = lib.BOC_ERUNNING
ESHUTDOWN = lib.BOC_ESHUTDOWN
ETIMEDOUT = lib.BOC_ETIMEDOUT
EBUSY = lib.BOC_EBUSY
ENOTHELD = lib.BOC_ENOTHELD
ENOTATTACHED = lib.BOC_ENOTATTACHED
ESTOPPED = lib.BOC_ESTOPPED
EDEADLK = lib.BOC_EDEADLK
ENOSLOT = lib.BOC_ENOSLOT
EINTERNAL = lib.BOC_EINTERNAL

FOREVER = -1

# One table from status codes to Python exceptions (checked after calls).
_EXCEPTIONS = {
    EINVAL: ValueError,
    ENOMEM: MemoryError,
    ETIMEDOUT: TimeoutError,
}


def strerror(status):
    """The library's description of a status code, as str."""
    return ffi.string(lib.boc_strerror(status)).decode("utf-8", "replace")


def check(status, what=""):
    """Raise the exception for a non-zero libboc status."""
    if status == OK:
        return
    exc = _EXCEPTIONS.get(status, RuntimeError)
    msg = strerror(status)
    raise exc("%s: %s" % (what, msg) if what else msg)


def timeout_ns(timeout):
    """Convert a timeout in seconds (None = forever) to libboc nanoseconds.

    NaN raises ValueError; values above 1e9 s (or +inf) mean forever;
    negative values mean "do not wait".
    """
    if timeout is None:
        return FOREVER
    t = float(timeout)
    if t != t:
        raise ValueError("timeout must not be NaN")
    if t > 1e9:
        return FOREVER
    if t <= 0:
        return 0
    return int(t * 1e9)


# ---------------------------------------------------------------------------
# Hot-path calls that keep the GIL
# ---------------------------------------------------------------------------
#
# Every cffi call releases the GIL and takes it back.  On a GIL build, with
# a worker thread waiting for the GIL, that hands it over and back on every
# call, which costs far more than the call.  The calls below never block,
# so they are bound a second time through ctypes.PyDLL, which keeps the GIL.
# Cown handles travel as Python ints (uintptr_t), and the packed calls take
# one word array, because ctypes charges a conversion for each argument.
# PyPy has no PyDLL (and no such handover cost): the same functions go
# through cffi there.


def _load_nogil():
    pydll = getattr(ctypes, "PyDLL", None)
    if pydll is None or sys.implementation.name == "pypy":
        return _nogil_cffi()
    dll = pydll(LIBRARY_PATH)
    vp, i = ctypes.c_void_p, ctypes.c_int

    def bind(name, nargs):
        fn = getattr(dll, name)
        fn.argtypes = [vp] * nargs
        fn.restype = i
        return fn

    class NoGil:
        when_pull_packed = bind("boc_when_pull_packed", 1)
        pull_next_packed = bind("boc_worker_pull_next_packed", 1)
        cown_release = bind("boc_cown_release", 1)
        cown_acquire = bind("boc_cown_acquire", 1)
        cown_relinquish = bind("boc_cown_relinquish", 1)

    return NoGil


def _nogil_cffi():
    """The same calls through cffi, for interpreters without PyDLL.  The
    library functions are resolved now: cown_release runs in finalizers,
    which must not make cffi resolve an attribute lazily."""
    cast = ffi.cast
    words_t = ffi.typeof("uint64_t *")
    cown_t = ffi.typeof("boc_cown_t *")

    def words_call(fn):
        return lambda addr: fn(cast(words_t, addr))

    def cown_call(fn):
        return lambda h: fn(cast(cown_t, h))

    class NoGilCffi:
        when_pull_packed = staticmethod(words_call(lib.boc_when_pull_packed))
        pull_next_packed = staticmethod(words_call(lib.boc_worker_pull_next_packed))
        cown_release = staticmethod(cown_call(lib.boc_cown_release))
        cown_acquire = staticmethod(cown_call(lib.boc_cown_acquire))
        cown_relinquish = staticmethod(cown_call(lib.boc_cown_relinquish))

    return NoGilCffi


nogil = _load_nogil()


def words(n):
    """A word array for the packed calls: (keep-alive, memoryview of
    unsigned 64-bit words, address as int)."""
    buf = ffi.new("uint64_t[]", n)
    view = memoryview(ffi.buffer(buf)).cast("B").cast("Q")
    return buf, view, int(ffi.cast("uintptr_t", buf))


def handle(h):
    """A cown handle (int) as a cffi pointer, for the other calls."""
    return ffi.cast("boc_cown_t *", h)
