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
import time

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
ENOENT = lib.BOC_ENOENT
EFULL = lib.BOC_EFULL
ECONFLICT = lib.BOC_ECONFLICT

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


# Longest single blocking wait in sliced().
SLICE_NS = 100_000_000


def sliced(call, timeout_ns):
    """Call a blocking libboc wait, ``call(slice_ns) -> status``, in slices
    of at most SLICE_NS until it returns something other than
    ETIMEDOUT or ``timeout_ns`` (negative: no limit) has passed, so that
    signals (Ctrl-C) reach Python code while the main thread waits."""
    if timeout_ns < 0:
        while True:
            st = call(SLICE_NS)
            if st != ETIMEDOUT:
                return st
    deadline = time.monotonic_ns() + timeout_ns
    while True:
        left = deadline - time.monotonic_ns()
        st = call(max(0, min(left, SLICE_NS)))
        if st != ETIMEDOUT or left <= SLICE_NS:
            return st


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


# The calls bound this way: name -> argument kinds.  "p" is a pointer or
# handle (an int address, bytes, or None), "z" a size_t, "u32"/"u64"/"i64"
# integers; "a" is the argument object of a word array from words_arg()
# (the two hottest calls: passed as it is, with no conversion call).  Each
# returns the libboc status.
_NOGIL_CALLS = {
    "when_pull_packed": ("boc_when_pull_packed", "a"),
    "pull_next_packed": ("boc_worker_pull_next_packed", "a"),
    "cown_release": ("boc_cown_release", "p"),
    "cown_acquire": ("boc_cown_acquire", "p"),
    "cown_relinquish": ("boc_cown_relinquish", "p"),
    "blob_create": ("boc_blob_create", "p z p z u64 p"),
    "blob_describe": ("boc_blob_describe_packed", "p p"),
    "blob_release": ("boc_blob_release", "p"),
    "graveyard_take": ("boc_blob_graveyard_take", "p z p"),
    "msg_send_packed": ("boc_msg_send_packed", "p p"),
    "msg_receive_packed": ("boc_msg_receive_packed", "p"),  # with timeout 0 only
    "nb_write": ("boc_nb_write", "p z p p"),
    "nb_read": ("boc_nb_read", "p z p p"),
    "nb_compare_and_set": ("boc_nb_compare_and_set", "p z u64 p p"),
    "nb_delete": ("boc_nb_delete", "p z"),
    "nb_version": ("boc_nb_version", "p"),
}


def _load_nogil():
    pydll = getattr(ctypes, "PyDLL", None)
    if pydll is None or sys.implementation.name == "pypy":
        return _nogil_cffi()
    dll = pydll(LIBRARY_PATH)
    kinds = {"p": ctypes.c_void_p, "z": ctypes.c_size_t, "u32": ctypes.c_uint32,
             "u64": ctypes.c_uint64, "i64": ctypes.c_int64}

    class NoGil:
        pass

    for attr, (name, sig) in _NOGIL_CALLS.items():
        fn = getattr(dll, name)
        if sig == "a":
            # A ctypes array object goes through as a pointer without the
            # from_param() call (and its type-code lookup) that argtypes
            # would make on every call.
            fn.argtypes = None
        else:
            fn.argtypes = [kinds[k] for k in sig.split()]
        fn.restype = ctypes.c_int
        setattr(NoGil, attr, fn)
    return NoGil


def _nogil_cffi():
    """The same calls through cffi, for interpreters without PyDLL.  The
    library functions are resolved now: cown_release runs in finalizers,
    which must not make cffi resolve an attribute lazily."""
    cast = ffi.cast
    from_buffer = ffi.from_buffer

    def wrap(fn, sig):
        if sig == "a":
            return staticmethod(fn)  # called with the cffi array itself
        params = ffi.typeof(fn).args
        ptr = [k == "p" for k in sig.split()]

        def call(*args):
            conv = []
            for is_ptr, t, a in zip(ptr, params, args):
                if is_ptr:
                    if a is None:
                        a = ffi.NULL
                    elif isinstance(a, int):
                        a = cast(t, a)
                    elif isinstance(a, (bytes, bytearray)):
                        a = cast(t, from_buffer(a))
                conv.append(a)
            return fn(*conv)

        return staticmethod(call)

    class NoGilCffi:
        _cffi = True

    for attr, (name, sig) in _NOGIL_CALLS.items():
        setattr(NoGilCffi, attr, wrap(getattr(lib, name), sig))
    return NoGilCffi


nogil = _load_nogil()
nogil_is_ctypes = not hasattr(nogil, "_cffi")


def words(n):
    """A word array for the packed calls: (keep-alive, memoryview of
    unsigned 64-bit words, address as int)."""
    buf = ffi.new("uint64_t[]", n)
    view = memoryview(ffi.buffer(buf)).cast("B").cast("Q")
    return buf, view, int(ffi.cast("uintptr_t", buf))


def words_arg(n):
    """A word array for the "a" calls of ``nogil``: (keep-alive, memoryview
    of unsigned 64-bit words, address as int, the object to pass)."""
    buf, view, addr = words(n)
    if nogil_is_ctypes:
        arg = (ctypes.c_uint64 * n).from_address(addr)
    else:
        arg = buf
    return buf, view, addr, arg


def handle(h):
    """A cown handle (int) as a cffi pointer, for the other calls."""
    return ffi.cast("boc_cown_t *", h)


def _string_at_cffi(addr, size):
    if size == 0:
        return b""
    return ffi.buffer(ffi.cast("char *", addr), size)[:]


#: string_at(addr, size): the size bytes at address addr, as bytes (ctypes'
#: is the faster one on CPython).
string_at = _string_at_cffi if sys.implementation.name == "pypy" else ctypes.string_at


def words_at(addr, n):
    """The n 64-bit words at address addr, as a list of ints."""
    p = ffi.cast("uint64_t *", addr)
    return [int(p[i]) for i in range(n)]


# ---------------------------------------------------------------------------
# Matrix calls: GIL kept for small work, released for big work
# ---------------------------------------------------------------------------
#
# bocpy._matrix makes one libboc call per operation.  Through cffi every
# call releases the GIL, so two threads doing many small Matrix operations
# hand the GIL to each other on every call, and two workers run slower
# than one.  On CPython each matrix function is therefore bound twice
# through ctypes: ``<name>_g`` (PyDLL: keeps the GIL, for O(1) calls and
# small kernels) and ``<name>_r`` (CDLL: releases it, for kernels big enough
# that another thread should run meanwhile); _matrix picks one by the work
# size (``_matrix.GIL_WORK``).
#
# Calling convention (the same on both back ends, so _matrix has one code
# path):
#   - a matrix handle is ``MatrixCalls.V`` (CPython: ctypes.c_void_p).  A
#     fresh ``V()`` is a NULL result slot; after a successful call that
#     filled it, it *is* the new matrix's handle (no copy);
#   - ``byref(x)`` passes the address of a V (result slot) or of a ``D``
#     (a double the call stores), read back with ``x.value``;
#   - by-value doubles of the hot calls are passed as ``D(x)``, NULL as None,
#     C ints as Python ints;
#   - arrays come from ``doubles(list)``, ``sizes(list)``, ``handles(list)``.
# The hot calls (binary, unary, reduce, matmul, clip, copy, transpose,
# vector, data, release) have no argtypes: ctypes passes ctypes objects and
# small ints as they are, where argtypes would cost a from_param() call per
# argument.  The others (with size_t arguments) have argtypes.
#
# PyPy has no PyDLL (and the JIT makes the convention's wrappers cheap):
# there, the same names are cffi calls behind small wrappers, and the _g and
# _r functions are the same (cffi releases the GIL; correctness first).

# name -> (libboc function, argument kinds or None for "no argtypes"):
# "h" handle (V or None), "o" pointer to a slot/double (byref) or None,
# "i" C int, "d" double, "z" size_t, "a" array or address.
_MATRIX_CALLS = {
    "create": ("boc_matrix_create", "z z a o"),
    "release": ("boc_matrix_release", "h"),
    "data": ("boc_matrix_data", "h o"),
    "shape": ("boc_matrix_shape", "h o o"),
    "copy": ("boc_matrix_copy", "h o"),
    "binary": ("boc_matrix_binary", "i h h d o"),
    "unary": ("boc_matrix_unary", "i h o"),
    "reduce": ("boc_matrix_reduce", "i h i o o"),
    "matmul": ("boc_matrix_matmul", "h h o"),
    "transpose": ("boc_matrix_transpose", "h o"),
    "clip": ("boc_matrix_clip", "h d d o"),
    "select": ("boc_matrix_select", "h a z i o"),
    "concat": ("boc_matrix_concat", "a z i o"),
    "allclose": ("boc_matrix_allclose", "h h d d i o"),
    "vector": ("boc_matrix_vector", "i h h i o o"),
    "random": ("boc_matrix_random", "i z z d d o"),
}

# Calls bound without argtypes on CPython (every argument is a ctypes
# object, None or a small int there).
_MATRIX_NO_ARGTYPES = frozenset(
    ("release", "data", "copy", "binary", "unary", "reduce", "matmul", "transpose",
     "clip", "vector"))


def _matrix_calls_ctypes():
    from array import array

    pydll = ctypes.PyDLL(LIBRARY_PATH)
    cdll = ctypes.CDLL(LIBRARY_PATH)
    V = ctypes.c_void_p
    kinds = {"h": V, "o": V, "a": V, "i": ctypes.c_int, "d": ctypes.c_double,
             "z": ctypes.c_size_t}
    byref = ctypes.byref
    size_t = ctypes.c_size_t
    double_ptr = ffi.typeof("double *")

    class MatrixCalls:
        gil_choice = True
        D = ctypes.c_double
        I = ctypes.c_int

        @staticmethod
        def doubles(values):
            """(keep-alive, argument) for a const double * of values."""
            a = array("d", values)
            return a, a.buffer_info()[0]

        @staticmethod
        def sizes(values):
            a = array("Q", values)  # 64-bit, as size_t here (checked below)
            return a, a.buffer_info()[0]

        @staticmethod
        def handles(hs):
            a = (V * len(hs))(*hs)
            return a, a

        @staticmethod
        def addr(h):
            """A handle's address, as int."""
            return h.value

        @staticmethod
        def data_ptr(h, _V=V, _data=pydll.boc_matrix_data):
            """A matrix's elements, as a cffi ``double *``."""
            p = _V()
            _data(h, byref(p))
            return ffi.cast(double_ptr, p.value)

        @staticmethod
        def shape(h, _shape=pydll.boc_matrix_shape):
            r, c = size_t(), size_t()
            _shape(h, byref(r), byref(c))
            return r.value, c.value

    assert ctypes.sizeof(size_t) == array("Q").itemsize
    MatrixCalls.V = V
    MatrixCalls.byref = staticmethod(byref)
    for attr, (name, sig) in _MATRIX_CALLS.items():
        for suffix, dll in (("_g", pydll), ("_r", cdll)):
            fn = dll[name]  # a new function object per call: own argtypes
            fn.restype = ctypes.c_int
            fn.argtypes = None if attr in _MATRIX_NO_ARGTYPES else \
                [kinds[k] for k in sig.split()]
            setattr(MatrixCalls, attr + suffix, fn)
    return MatrixCalls


def _matrix_calls_cffi():
    """The same convention over cffi (PyPy).  Functions are resolved now:
    release runs in finalizers."""
    NULL = ffi.NULL

    class V:
        """A boc_matrix_t * slot; also the handle of a matrix."""
        __slots__ = ("p",)

        def __init__(self):
            self.p = ffi.new("boc_matrix_t *[1]")

        @property
        def value(self):
            v = self.p[0]
            return int(ffi.cast("uintptr_t", v)) if v != NULL else None

    class D:
        """A double slot (a by-value argument, or an output)."""
        __slots__ = ("p",)

        def __init__(self, v=0.0):
            self.p = ffi.new("double[1]", [v])

        @property
        def value(self):
            return self.p[0]

    def wrap(fn, sig):
        ks = sig.split()

        def call(*args):
            conv = []
            for k, a in zip(ks, args):
                if a is None:
                    a = NULL
                elif k == "h":
                    a = a.p[0]
                elif k == "d" and type(a) is D:
                    a = a.p[0]
                conv.append(a)
            return fn(*conv)

        return staticmethod(call)

    class MatrixCalls:
        gil_choice = False

        @staticmethod
        def byref(x):
            return x.p

        @staticmethod
        def doubles(values):
            a = ffi.new("double[]", values)
            return a, a

        @staticmethod
        def sizes(values):
            a = ffi.new("size_t[]", list(values))
            return a, a

        @staticmethod
        def handles(hs):
            a = ffi.new("boc_matrix_t *[]", [h.p[0] for h in hs])
            return a, a

        @staticmethod
        def addr(h):
            return h.value

        @staticmethod
        def data_ptr(h, _data=lib.boc_matrix_data):
            p = ffi.new("double *[1]")
            _data(h.p[0], p)
            return p[0]

        @staticmethod
        def shape(h, _shape=lib.boc_matrix_shape):
            r = ffi.new("size_t[2]")
            _shape(h.p[0], r, r + 1)
            return int(r[0]), int(r[1])

    class I(D):
        """An int slot (an output)."""
        __slots__ = ()

        def __init__(self):
            self.p = ffi.new("int[1]")

    MatrixCalls.V = V
    MatrixCalls.D = D
    MatrixCalls.I = I
    for attr, (name, sig) in _MATRIX_CALLS.items():
        f = wrap(getattr(lib, name), sig)
        setattr(MatrixCalls, attr + "_g", f)
        setattr(MatrixCalls, attr + "_r", f)
    return MatrixCalls


#: The matrix calls (see above): ctypes on CPython, cffi elsewhere.
matrix_calls = _matrix_calls_ctypes() if nogil_is_ctypes else _matrix_calls_cffi()
