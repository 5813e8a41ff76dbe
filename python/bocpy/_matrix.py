# Copyright (c) 2026 The libboc authors.
# SPDX-License-Identifier: MIT
"""``Matrix``: bocpy's dense 2-D matrix of doubles, on libboc's matrices.

A Matrix holds a libboc matrix handle (``_h``: one reference, in the
handle type of ``_ffi.matrix_calls``, a ctypes ``c_void_p`` on CPython)
plus its shape as Python ints and, once elements are read or written, a
cffi ``double *`` view of them (``_p``, from boc_matrix_data on first use:
most intermediate results are never indexed), so element access costs no
C call.  Every computation is one libboc call; this module only checks
arguments and maps errors to the exceptions bocpy 0.9.0 raises (docs: the
bocpy Matrix reference).

The GIL: a call whose work is below ``GIL_WORK`` (about 15 us of kernel
time) keeps the GIL (the ``_g`` functions, ctypes.PyDLL); a bigger one
releases it (``_r``, ctypes.CDLL), so that big kernels in two threads run
in parallel while small operations do not hand the GIL to another thread
and back on every call.  Work is counted in element-sized units: result
elements for element-wise operations and reductions, weighted for the
slower kernels (``_W_*``), multiply-adds / 4 for matmul.

Ownership (bocpy's section 15, for one interpreter with threads): a Matrix
that is the top-level value of a cown may be used only by a thread holding
that cown.  ``_o`` is None for a free matrix (the common case: every
accessor pays one attribute load and compare), else a weak reference to
the cown whose value the matrix was made (``_adopt``, called by ``Cown``);
``_usable``/``_check`` are the slow path.  A matrix stops belonging to its
cown when the cown's value is replaced or the cown dies; that is noticed
lazily, so the ``Cown.value`` setter stays cheap.  See docs/python.md.

Pickling copies the data (``__reduce_ex__``), except inside the blobs of
messages and noticeboard entries, which carry the Matrix by reference
(``bocpy._blob``).
"""

import inspect as _inspect
import operator
import pickle as _pickle
import sys
from weakref import ref as _weakref

from . import _ffi
from ._ffi import ffi, lib

_AXIS0 = lib.BOC_MATRIX_AXIS0
_AXIS1 = lib.BOC_MATRIX_AXIS1
_AXIS_NONE = lib.BOC_MATRIX_AXIS_NONE

_OP = {
    "add": lib.BOC_MATRIX_OP_ADD,
    "sub": lib.BOC_MATRIX_OP_SUB,
    "mul": lib.BOC_MATRIX_OP_MUL,
    "div": lib.BOC_MATRIX_OP_DIV,
}
_SET = lib.BOC_MATRIX_OP_SET
_ADD, _SUB, _MUL, _DIV = _OP["add"], _OP["sub"], _OP["mul"], _OP["div"]
_UN_NEG = lib.BOC_MATRIX_UN_NEG
_UN_ABS = lib.BOC_MATRIX_UN_ABS
_UN_CEIL = lib.BOC_MATRIX_UN_CEIL
_UN_FLOOR = lib.BOC_MATRIX_UN_FLOOR
_UN_ROUND = lib.BOC_MATRIX_UN_ROUND
_RED_SUM = lib.BOC_MATRIX_RED_SUM
_RED_MEAN = lib.BOC_MATRIX_RED_MEAN
_RED_MIN = lib.BOC_MATRIX_RED_MIN
_RED_MAX = lib.BOC_MATRIX_RED_MAX
_RED_MAGNITUDE = lib.BOC_MATRIX_RED_MAGNITUDE
_RED_MAGNITUDE_SQUARED = lib.BOC_MATRIX_RED_MAGNITUDE_SQUARED
_VEC_DOT = lib.BOC_MATRIX_VEC_DOT
_VEC_CROSS = lib.BOC_MATRIX_VEC_CROSS
_VEC_NORMALIZE = lib.BOC_MATRIX_VEC_NORMALIZE
_VEC_PERPENDICULAR = lib.BOC_MATRIX_VEC_PERPENDICULAR
_VEC_ANGLE = lib.BOC_MATRIX_VEC_ANGLE

_VALUES_MSG = "Values must be either a number or a list/tuple of MxN numbers"
_LIST_MSG = "Expected a list/tuple of numbers"
_KEY_DIM_MSG = "Index must be one dimension (row) or two dimensions (row, column)"
_KEY_TYPE_MSG = "Key must be a long or a slice"
_MISMATCH_MSG = "Dimension mismatch between operands"
_NOT_OWNED_MSG = "The current interpreter does not own this matrix"
_TWO_COWNS_MSG = ("this Matrix already belongs to another cown (it is that cown's value); "
                  "put a copy (m.copy()) in the new cown, or take it out of the other "
                  "cown first")

_mx = _ffi.matrix_calls
_V = _mx.V            # a result slot, then the new matrix's handle
_D = _mx.D            # a double, by value or as an output
_byref = _mx.byref
_shape_of = _mx.shape
_data_of = _mx.data_ptr

#: Work (in element-sized units, see the module docstring) from which a
#: call releases the GIL.  Measured on x86-64: element-wise kernels and
#: reductions take 0.15-0.3 ns per element, so 2**16 elements is ~10-20 us
#: of kernel.  Below that, releasing the GIL costs more than it gives: with
#: another thread waiting, each release is a futex wake and often a hand-off
#: and back (context switches, and the other thread's Python work in
#: between), which made two boids workers slower than one.
GIL_WORK = 1 << 16
_W_TRANSPOSE = 8     # ~1.5 ns per element (strided)
_W_GATHER = 4        # select, concat: copies by rows or columns
_W_VECTOR = 16       # normalize/cross/vecdot/perpendicular: ~4 ns per element on narrow rows
_W_ANGLE = 64        # atan2: ~20 ns per element
_W_RANDOM = 16

# Bound now (finalizers must not resolve attributes lazily).  _g keeps the
# GIL, _r releases it.
_create = _mx.create_g
_release = _mx.release_g
_copy_g, _copy_r = _mx.copy_g, _mx.copy_r
_binary_g, _binary_r = _mx.binary_g, _mx.binary_r
_unary_g, _unary_r = _mx.unary_g, _mx.unary_r
_reduce_g, _reduce_r = _mx.reduce_g, _mx.reduce_r
_matmul_g, _matmul_r = _mx.matmul_g, _mx.matmul_r
_transpose_g, _transpose_r = _mx.transpose_g, _mx.transpose_r
_clip_g, _clip_r = _mx.clip_g, _mx.clip_r
_select_g, _select_r = _mx.select_g, _mx.select_r
_concat_g, _concat_r = _mx.concat_g, _mx.concat_r
_vector_g, _vector_r = _mx.vector_g, _mx.vector_r
_random_g, _random_r = _mx.random_g, _mx.random_r
_allclose_g, _allclose_r = _mx.allclose_g, _mx.allclose_r
_D0 = _D(0.0)                # the unused scalar of a matrix-matrix binary call
_SIZE_MAX = 2 ** 64 - 1


def _wrap(h, rows=-1, columns=0, _new=object.__new__):
    """A new Matrix around the handle h (its reference moves to it).

    Callers that know the result's shape pass it, which saves a C call;
    otherwise it is read from libboc.  The element pointer is read on
    first use (``_data``)."""
    m = _new(Matrix)
    m._h = h
    m._o = None
    m._p = None
    if rows < 0:
        m._r, m._c = _shape_of(h)
    else:
        m._r = rows
        m._c = columns
    return m


def _set(h, b, scalar, n):
    """Fill (b None: with the D scalar) or broadcast-assign b over the n
    elements of the matrix h, in place; the status."""
    return (_binary_g if n < GIL_WORK else _binary_r)(_SET, h, b, scalar, _byref(h))


def _new_matrix(rows, columns, values=None):
    """A new rows x columns Matrix of zeros, or of the doubles values."""
    if rows > _SIZE_MAX or columns > _SIZE_MAX:
        # ctypes would truncate a size_t silently (cffi raised this)
        raise OverflowError("int too big to convert")
    o = _V()
    if values:
        keep, arg = _mx.doubles(values)
    else:
        arg = None
    _ffi.check(_create(rows, columns, arg, _byref(o)), "Matrix")
    return _wrap(o, rows, columns)


# ------------------------------------------------------------------ ownership


def _UNINIT():
    """``_o`` of a Matrix made by ``Matrix.__new__`` whose ``__init__`` has
    not run: every check calls it, so every use raises AttributeError."""
    raise AttributeError("Matrix object is not initialised (__init__ was not called)")


def _usable(m):
    """Whether the calling thread may use m, whose ``_o`` is not None.

    m belongs to the cown ``m._o()`` while it is that cown's value; then
    only a thread that may access the cown's value may use it: its holder
    (a behavior naming the cown, or a thread that acquired it; for a
    PinnedCown, the main thread) or, while no runtime is running (before
    the first ``@when``/``start()`` and after ``wait()``), any thread, as
    for the value itself.  When the cown is gone or holds another value, m
    is free again: ``_o`` is cleared, so later checks are cheap.
    """
    wr = m._o
    c = wr()
    if c is not None:
        if c._may_access():
            return True
        if c._value is m:
            return False
    if m._o is wr:  # not if another thread has just given m to a cown
        m._o = None
    return True


def _check(m):
    """Raise RuntimeError unless the calling thread may use m (slow path of
    the ownership check: call it only when ``m._o`` is not None)."""
    if not _usable(m):
        raise RuntimeError(_NOT_OWNED_MSG)


def _adopt(cown, m):
    """Make the Matrix m belong to ``cown`` (called by ``Cown(m)`` and
    ``cown.value = m`` before the value is stored).

    Raises RuntimeError, changing nothing, when m is still the value of
    another live cown (bocpy 0.9.0 raised TypeError there and could crash
    later).  Giving a cown the matrix it already holds is a no-op.
    """
    wr = m._o
    if wr is not None:
        old = wr()
        if old is cown:
            return
        if old is not None and old._value is m:
            raise RuntimeError(_TWO_COWNS_MSG)
    m._o = _weakref(cown)


def _unpickle(rows, columns, data):
    """Rebuild a pickled Matrix: rows x columns little-endian IEEE doubles
    in ``data`` (bytes-like), row-major.  The inverse of ``__reduce_ex__``."""
    rows = operator.index(rows)
    columns = operator.index(columns)
    n = rows * columns
    if rows < 0 or columns < 0 or len(data) != 8 * n:
        raise _pickle.UnpicklingError("bad pickled Matrix: %dx%d with %d bytes"
                                      % (rows, columns, len(data)))
    m = _new_matrix(rows, columns)
    if n:
        if sys.byteorder == "little":
            ffi.memmove(m._data(), data, 8 * n)
        else:  # pragma: no cover - no big-endian machine here
            from array import array

            a = array("d", bytes(data))
            a.byteswap()
            ffi.memmove(m._data(), a.tobytes(), 8 * n)
    return m


# Set by bocpy._blob at import: the code object of its pack(), whose fast
# path must see a Matrix refuse the plain pickler (see __reduce_ex__).
_BLOB_PACK_CODE = None
_PICKLE_GLOBALS = vars(_pickle)


def _is_number(v):
    """bocpy's "a number": int/float fast, else anything float() takes
    that is not a str/bytes (PyNumber_Check)."""
    if isinstance(v, (int, float)):
        return True
    if isinstance(v, (str, bytes, bytearray, complex, Matrix)):
        return False
    t = type(v)
    if not (hasattr(t, "__float__") or hasattr(t, "__index__")):
        return False
    try:
        float(v)
    except (TypeError, ValueError):
        return False
    return True


def _floats(items, msg):
    """The items of an iterable as floats (numbers only), else TypeError(msg)."""
    if isinstance(items, (str, bytes, bytearray)):
        raise TypeError(msg)
    try:
        seq = list(items)
    except TypeError:
        raise TypeError(msg) from None
    out = []
    for v in seq:
        if not _is_number(v):
            raise TypeError(msg)
        out.append(float(v))
    return out


def _from_list(rows, columns, vals):
    return _new_matrix(rows, columns, vals)


def _as_matrix(v, msg=_LIST_MSG, column=False):
    """A Matrix operand: a Matrix itself, or an iterable of numbers as a
    1xN row (Nx1 when column)."""
    if isinstance(v, Matrix):
        if v._o is not None:
            _check(v)
        return v
    vals = _floats(v, msg)
    return _from_list(len(vals), 1, vals) if column else _from_list(1, len(vals), vals)


def _axis(axis):
    """Decode the shared axis argument to a libboc axis."""
    if axis is None:
        return _AXIS_NONE
    if isinstance(axis, bool):
        raise TypeError("axis must be an int or None, not bool")
    if not isinstance(axis, int):
        raise TypeError("axis must be an int or None")
    if not -(2 ** 63) <= axis < 2 ** 63:
        raise OverflowError("Python int too large to convert to C long")
    if not -(2 ** 31) <= axis < 2 ** 31:
        raise OverflowError("axis %d out of int range" % axis)
    if axis in (0, -2):
        return _AXIS0
    if axis in (1, -1):
        return _AXIS1
    raise NotImplementedError("axis must be -2, -1, 0, or 1")


def _pos_axis(axis):
    """select/concat's positional C-int axis: 0 rows, else columns."""
    axis = operator.index(axis)
    if axis < 0:
        axis += 2
    if axis >= 2:
        raise KeyError("Invalid axis (must be 0 or 1)")
    return _AXIS0 if axis == 0 else _AXIS1


def _bcast_shape(a, b):
    """The result shape of a (op) b under bocpy's rules, else None."""
    (ar, ac), (br, bc) = a, b
    if a == b:
        return a
    if ar != br:
        if ac == bc and (ar == 1 or br == 1):
            return b if ar == 1 else a
        return None
    if ac == 1 or bc == 1:
        return b if ac == 1 else a
    return None


def _index(k, n):
    """Selected indices along an axis of length n for an int or slice key."""
    if isinstance(k, slice):
        r = range(*k.indices(n))
        if not r:
            raise IndexError
        return r
    if isinstance(k, (str, bytes, float, list, tuple)) or k is None or k is Ellipsis:
        raise TypeError(_KEY_TYPE_MSG)
    try:
        i = operator.index(k)
    except TypeError:
        raise TypeError(_KEY_TYPE_MSG) from None
    if i < 0:
        i += n
    if not 0 <= i < n:
        raise IndexError
    return range(i, i + 1)


def _cross_kind(r, c, ax):
    """How cross reads a self of shape r x c with the decoded axis ax
    (bocpy 0.9.0's table), or None when the shape or axis is rejected."""
    rows = ax != _AXIS0   # None or 1: vectors are the rows
    cols = ax != _AXIS1   # None or 0: vectors are the columns
    if (r, c) == (3, 2):
        return "Nx2 batch"
    if (r, c) == (2, 3):
        return "2xN batch"
    if r == 1 and c in (2, 3) and rows:
        return "%dD vector" % c
    if c == 1 and r in (2, 3) and cols:
        return "%dD vector" % r
    if r == c and r in (2, 3):
        return ("Nx%d batch" if ax != _AXIS0 else "%dxN batch") % r
    if c in (2, 3) and r >= 4 and rows:
        return "Nx%d batch" % c
    if r in (2, 3) and c >= 4 and cols:
        return "%dxN batch" % r
    return None


def _fmt(v):
    return "%g" % v


def _named(f, name):
    f.__name__ = name
    f.__qualname__ = "Matrix." + name
    return f


# The arithmetic methods are made by these factories, one function per
# operator with the operation as a closure constant: a method call less per
# operation than a shared _binop(op, ...) (the Python cost of a small
# operation is a few such calls).  _wrap is inlined for the same reason.

def _binop(op, reflected, inplace, name, _new=object.__new__):
    """The method ``self (op) other`` (``other (op) self`` when reflected;
    in place when inplace and the result has self's shape)."""

    def method(self, other):
        if self._o is not None:
            _check(self)
        r, c = self._r, self._c
        t = type(other)
        if t is float or t is int or _is_number(other):
            x = _D(other if t is float else float(other))
            f = _binary_g if r * c < GIL_WORK else _binary_r
            if inplace:
                h = self._h
                st = f(op, h, None, x, _byref(h))
                if st:
                    _ffi.check(st)
                return self
            o = _V()
            if reflected:
                st = f(op, None, self._h, x, _byref(o))
            else:
                st = f(op, self._h, None, x, _byref(o))
            if st:
                _ffi.check(st)
            m = _new(Matrix)
            m._h = o
            m._o = m._p = None
            m._r = r
            m._c = c
            return m
        if t is Matrix:
            if other._o is not None:
                _check(other)
        else:
            other = _as_matrix(other)
        orr, oc = other._r, other._c
        if orr == r and oc == c:
            sr, sc = r, c
        else:
            shape = _bcast_shape((orr, oc), (r, c)) if reflected else \
                _bcast_shape((r, c), (orr, oc))
            if shape is None:
                raise NotImplementedError(_MISMATCH_MSG)
            sr, sc = shape
        f = _binary_g if sr * sc < GIL_WORK else _binary_r
        if inplace and sr == r and sc == c:
            h = self._h
            st = f(op, other._h, h, _D0, _byref(h)) if reflected else \
                f(op, h, other._h, _D0, _byref(h))
            if st:
                _ffi.check(st)
            return self
        o = _V()
        st = f(op, other._h, self._h, _D0, _byref(o)) if reflected else \
            f(op, self._h, other._h, _D0, _byref(o))
        if st:
            _ffi.check(st)
        return _wrap(o, sr, sc)

    return _named(method, name)


def _unary_method(op, name, _new=object.__new__):
    """The element-wise method ``name(in_place=False)``."""

    def method(self, /, in_place=False):
        if self._o is not None:
            _check(self)
        r, c = self._r, self._c
        f = _unary_g if r * c < GIL_WORK else _unary_r
        if in_place:
            h = self._h
            st = f(op, h, _byref(h))
            if st:
                _ffi.check(st)
            return self
        o = _V()
        st = f(op, self._h, _byref(o))
        if st:
            _ffi.check(st)
        m = _new(Matrix)
        m._h = o
        m._o = m._p = None
        m._r = r
        m._c = c
        return m

    return _named(method, name)


def _reduce_method(op, name):
    """The reduction method ``name(axis=None)``."""
    minmax = op == _RED_MIN or op == _RED_MAX

    def method(self, /, axis=None):
        if self._o is not None:
            _check(self)
        ax = _AXIS_NONE if axis is None else _axis(axis)
        r, c = self._r, self._c
        if minmax and (c == 0 if ax == _AXIS1 else r == 0 if ax == _AXIS0
                       else r * c == 0) and (r * c == 0):
            raise ValueError("zero-size matrix to reduction operation %s which has no identity"
                             % ("min" if op == _RED_MIN else "max"))
        f = _reduce_g if r * c < GIL_WORK else _reduce_r
        if ax == _AXIS_NONE:
            v = _D()
            st = f(op, self._h, ax, _byref(v), None)
            if st:
                _ffi.check(st)
            return v.value
        o = _V()
        st = f(op, self._h, ax, None, _byref(o))
        if st:
            _ffi.check(st)
        return _wrap(o, 1, c) if ax == _AXIS0 else _wrap(o, r, 1)

    return _named(method, name)


class Matrix:
    """A dense 2-D matrix of double-precision floats."""

    # _o: None, a weak reference to the cown owning this matrix (_adopt),
    # or _UNINIT before __init__.  There is deliberately no __getattr__: it
    # would make every attribute load of the class take the slow path.
    __slots__ = ("_h", "_p", "_r", "_c", "_o")

    def __init_subclass__(cls, **kwargs):
        raise TypeError("type 'bocpy._math.Matrix' is not an acceptable base type")

    def __new__(cls, *args, **kwargs):
        """An uninitialised Matrix (``__init__`` gives it its buffer)."""
        self = object.__new__(cls)
        self._o = _UNINIT
        return self

    def __init__(self, rows, columns, values=None):
        o = self._o
        if o is _UNINIT:
            old = None
        else:
            old = self._h
            if o is not None:
                _check(self)  # re-initialising a cown's matrix: its holder only
        rows = operator.index(rows)
        columns = operator.index(columns)
        if rows <= 0 or columns <= 0:
            raise AssertionError("Rows and columns must both be > 0")
        n = rows * columns
        fill = None
        if values is None:
            pass
        elif isinstance(values, (int, float)):
            fill = float(values)  # one C call fills it, below
        else:
            if isinstance(values, (str, bytes, bytearray, dict, set, frozenset, Matrix)) \
                    or not hasattr(type(values), "__getitem__") \
                    or not hasattr(type(values), "__len__"):
                raise TypeError(_VALUES_MSG)
            if len(values) != n:
                raise TypeError(_VALUES_MSG)
            if not isinstance(values, (list, tuple)):
                values = list(values)
            # Numbers only (int and float, subclasses included), checked per
            # distinct type; then cffi converts every item in C.
            for t in set(map(type, values)):
                if not issubclass(t, (int, float)):
                    raise TypeError(_VALUES_MSG)
        m = _new_matrix(rows, columns, None if fill is not None else values)
        if fill is not None:
            o = m._h
            _ffi.check((_binary_g if n < GIL_WORK else _binary_r)(
                _SET, o, None, _D(fill), _byref(o)), "Matrix")
        # m's handle moves to self (m gives it up: no release in its __del__)
        self._h = m._h
        m._h = None
        self._p = None
        self._r = rows
        self._c = columns
        if old is not None:
            _release(old)
        else:
            self._o = None

    def _data(self):
        """The elements, as a cffi ``double *`` (read once, then kept: the
        data pointer of a matrix never changes)."""
        p = self._p
        if p is None:
            p = self._p = _data_of(self._h)
        return p

    def __del__(self, _release=_release):
        try:
            h = self._h
        except AttributeError:
            return  # never initialised
        if h is not None:
            self._h = None
            _release(h)

    def __reduce_ex__(self, protocol):
        """Pickle support: the shape and a copy of the data (bytes).

        Called by the plain pickler inside ``bocpy._blob.pack`` (a message
        or noticeboard value), it refuses instead, so that pack pickles the
        value again with the hook that carries matrices by reference.  That
        caller is recognised by its frame, so the fast path of pack pays
        nothing for values without matrices.
        """
        f = sys._getframe(1)
        while f is not None and f.f_globals is _PICKLE_GLOBALS:
            f = f.f_back  # the pure-Python pickler (PyPy)
        if f is not None and f.f_code is _BLOB_PACK_CODE:
            from ._blob import MatrixByReference

            raise MatrixByReference("a Matrix in a blob travels by reference")
        return self.__reduce__()

    def __reduce__(self):
        """(``_unpickle``, (rows, columns, little-endian data bytes))."""
        if self._o is not None:
            _check(self)
        n = self._r * self._c
        data = ffi.buffer(self._data(), 8 * n)[:] if n else b""
        if sys.byteorder != "little":  # pragma: no cover - no big-endian machine here
            from array import array

            a = array("d", data)
            a.byteswap()
            data = a.tobytes()
        return (_unpickle, (self._r, self._c, data))

    def __copy__(self):
        """copy.copy(m): a new Matrix with a copy of the data (as m.copy())."""
        return self.copy()

    def __deepcopy__(self, memo):
        """copy.deepcopy(m): a new Matrix with a copy of the data."""
        return self.copy()

    # ---------------------------------------------------------------- factories

    @classmethod
    def _size(cls, size):
        if not isinstance(size, tuple):
            raise TypeError("size must be a tuple of 2 ints")
        if len(size) != 2:
            raise TypeError("function takes exactly 2 arguments (%d given)" % len(size))
        r, c = operator.index(size[0]), operator.index(size[1])
        if r < 1 or c < 1:
            raise AssertionError("rows and columns must both be >= 1")
        return r, c

    @classmethod
    def zeros(cls, size, /):
        r, c = cls._size(size)
        return Matrix(r, c)

    @classmethod
    def ones(cls, size, /):
        r, c = cls._size(size)
        return Matrix(r, c, 1.0)

    @classmethod
    def _random(cls, dist, p0, p1, size):
        p0, p1 = float(p0), float(p1)
        r, c = (1, 1) if size is None else cls._size(size)
        if r > _SIZE_MAX or c > _SIZE_MAX:
            raise OverflowError("int too big to convert")
        o = _V()
        _ffi.check((_random_g if r * c * _W_RANDOM < GIL_WORK else _random_r)(
            dist, r, c, p0, p1, _byref(o)), "Matrix")
        m = _wrap(o, r, c)
        return m._data()[0] if size is None else m

    @classmethod
    def normal(cls, mean=0.0, stddev=1.0, size=None):
        return cls._random(lib.BOC_MATRIX_NORMAL, mean, stddev, size)

    @classmethod
    def uniform(cls, minval=0.0, maxval=1.0, size=None):
        return cls._random(lib.BOC_MATRIX_UNIFORM, minval, maxval, size)

    @classmethod
    def vector(cls, values, as_column=False, /):
        if isinstance(as_column, str) or not isinstance(as_column, int):
            raise TypeError("as_column must be an int")
        if not 0 <= as_column <= 255:
            raise OverflowError("as_column out of range")
        return _as_matrix(values, _LIST_MSG, bool(as_column)).copy() \
            if isinstance(values, Matrix) else _as_matrix(values, _LIST_MSG, bool(as_column))

    @classmethod
    def concat(cls, values, axis=0, /):
        ax = _pos_axis(axis)
        parts = []
        for v in values:
            if isinstance(v, Matrix):
                if v._o is not None:
                    _check(v)
                parts.append(v)
            elif _is_number(v):
                raise TypeError("object must be a Matrix, List, or Tuple")
            else:
                parts.append(_as_matrix(v, _LIST_MSG, ax == _AXIS1))
        if not parts:
            return None
        if ax == _AXIS0:
            if any(p._c != parts[0]._c or p._c == 0 for p in parts):
                raise AssertionError("all sub-matrices must have the same number of columns")
        elif any(p._r != parts[0]._r or p._r == 0 for p in parts):
            raise AssertionError("all sub-matrices must have the same number of rows")
        keep, arr = _mx.handles([p._h for p in parts])
        n = 0
        for p in parts:
            n += p._r * p._c
        o = _V()
        _ffi.check((_concat_g if n * _W_GATHER < GIL_WORK else _concat_r)(
            arr, len(parts), ax, _byref(o)), "concat")
        return _wrap(o)

    @classmethod
    def allclose(cls, lhs, rhs, /, rtol=1e-05, atol=1e-08, equal_nan=False):
        for i, m in ((1, lhs), (2, rhs)):
            if not isinstance(m, Matrix):
                raise TypeError("argument %d must be bocpy._math.Matrix, not %s"
                                % (i, type(m).__name__))
            if m._o is _UNINIT:
                _UNINIT()
        # No ownership check (bocpy's exception): allclose reads anyway.
        res = _mx.I()
        n = lhs._r * lhs._c
        _ffi.check((_allclose_g if 2 * n < GIL_WORK else _allclose_r)(
            lhs._h, rhs._h, float(rtol), float(atol), 1 if equal_nan else 0, _byref(res)),
            "allclose")
        return bool(res.value)

    # --------------------------------------------------------------- properties

    @property
    def rows(self):
        if self._o is not None:
            _check(self)
        return self._r

    @property
    def columns(self):
        if self._o is not None:
            _check(self)
        return self._c

    @property
    def size(self):
        if self._o is not None:
            _check(self)
        return self._r * self._c

    @property
    def shape(self):
        try:
            return (self._r, self._c)
        except AttributeError:
            _UNINIT()

    @property
    def acquired(self):
        """True when the calling thread may use this matrix: it is free, or
        it is a cown's value and this thread holds that cown."""
        return self._o is None or _usable(self)

    @property
    def T(self):
        return self.transpose()

    @property
    def length(self):
        return self.magnitude()

    def _flat_get(self, i):
        if self._o is not None:
            _check(self)
        if i >= self._r * self._c:
            raise IndexError("matrix has fewer than %d elements" % (i + 1))
        return (self._p or self._data())[i]

    def _flat_set(self, i, v):
        if self._o is not None:
            _check(self)
        if i >= self._r * self._c:
            raise IndexError("matrix has fewer than %d elements" % (i + 1))
        if isinstance(v, (str, bytes, complex)) or v is None:
            raise TypeError("must be real number, not %s" % type(v).__name__)
        (self._p or self._data())[i] = float(v)

    def _flat_del(self):
        if self._o is not None:
            _check(self)
        raise AttributeError("cannot delete matrix element attribute")

    x = property(lambda s: s._flat_get(0), lambda s, v: s._flat_set(0, v),
                 lambda s: s._flat_del())
    y = property(lambda s: s._flat_get(1), lambda s, v: s._flat_set(1, v),
                 lambda s: s._flat_del())
    z = property(lambda s: s._flat_get(2), lambda s, v: s._flat_set(2, v),
                 lambda s: s._flat_del())
    w = property(lambda s: s._flat_get(3), lambda s, v: s._flat_set(3, v),
                 lambda s: s._flat_del())

    # -------------------------------------------------------- sequence protocol

    def __len__(self):
        if self._o is not None:
            _check(self)
        return self._r

    def __iter__(self):
        # Not a generator function: the check runs at iter(), not at the
        # first next().  Each row is read (and checked) when it is reached.
        if self._o is not None:
            _check(self)
        return (self[i] for i in range(self._r))

    def __reversed__(self):
        if self._o is not None:
            _check(self)
        return (self[i] for i in range(self._r - 1, -1, -1))

    def __contains__(self, x):
        if self._o is not None:
            _check(self)
        for item in self:
            if item is x or item == x:
                return True
        return False

    def _key(self, key):
        if isinstance(key, tuple):
            if len(key) != 2:
                raise KeyError(_KEY_DIM_MSG)
            return _index(key[0], self._r), _index(key[1], self._c)
        return _index(key, self._r), range(self._c)

    def __getitem__(self, key):
        if self._o is not None:
            _check(self)
        rs, cs = self._key(key)
        if len(rs) == 1 and len(cs) == 1:
            return (self._p or self._data())[rs[0] * self._c + cs[0]]
        m = self
        if len(rs) != self._r or rs.step != 1:
            m = m._select(rs, _AXIS0)
        if len(cs) != self._c or cs.step != 1:
            m = m._select(cs, _AXIS1)
        return m.copy() if m is self else m

    def _select(self, idx, axis):
        count = len(idx)
        keep, arr = _mx.sizes(idx)
        o = _V()
        if axis == _AXIS0:
            r, c = count, self._c
        else:
            r, c = self._r, count
        _ffi.check((_select_g if r * c * _W_GATHER < GIL_WORK else _select_r)(
            self._h, arr, count, axis, _byref(o)), "select")
        return _wrap(o, r, c)

    def __setitem__(self, key, value):
        if self._o is not None:
            _check(self)
        rs, cs = self._key(key)
        c = self._c
        nr, nc = len(rs), len(cs)
        full = nr == self._r and nc == c and rs.step == 1 and cs.step == 1
        if isinstance(value, (int, float)):
            v = float(value)
            if full:
                h = self._h
                _ffi.check(_set(h, None, _D(v), nr * nc))
            elif rs.step == 1 and nc == c:  # whole rows: one contiguous block
                block = _new_matrix(nr, c)
                _ffi.check(_set(block._h, None, _D(v), nr * c))
                ffi.memmove(self._data() + rs.start * c, block._data(), nr * c * 8)
            else:
                self._fill_rows(rs, cs, ffi.new("double[]", [v] * nc))
            return
        if isinstance(value, Matrix):
            if value._o is not None:
                _check(value)
            sr, sc = value._r, value._c
            src = value
        else:
            vals = _floats(value, "Invalid value")
            sr, sc = 1, len(vals)
            src = None
        if nr > 1 and sr == 1:
            if sc != nc:
                raise ValueError("cannot assign a 1x%d row to %d columns" % (sc, nc))
            mode = "row"
        elif nc > 1 and sc == 1:
            if sr != nr:
                raise ValueError("cannot assign a %dx1 column to %d rows" % (sr, nr))
            mode = "col"
        else:
            if (sr, sc) != (nr, nc):
                raise ValueError("cannot assign a %dx%d matrix to a %dx%d selection"
                                 % (sr, sc, nr, nc))
            mode = "block"
        if src is None:
            sp = ffi.new("double[]", vals) if vals else ffi.NULL
        else:
            if full:  # one C call: SET copies or broadcasts src over self
                if src._data() == self._data():
                    return  # m[:] = m
                _ffi.check(_set(self._h, src._h, _D0, nr * nc))
                return
            if src._data() == self._data():
                src = src.copy()  # a snapshot: the source overlaps the target
            sp = src._data()
        if mode == "row":
            self._fill_rows(rs, cs, sp)
        elif mode == "col":
            # broadcast the column to an nr x nc block in C, then copy it in
            col = src if src is not None else _from_list(nr, 1, vals)
            block = _new_matrix(nr, nc)
            _ffi.check(_set(block._h, col._h, _D0, nr * nc))
            self._fill_rows(rs, cs, block._data(), nc)
        else:
            self._fill_rows(rs, cs, sp, nc)

    def _fill_rows(self, rs, cs, sp, stride=0):
        """Write the nc doubles at sp (+ stride per selected row) into the
        selected columns of every selected row."""
        p, c, nc = self._data(), self._c, len(cs)
        if cs.step == 1:
            n = nc * 8
            j0 = cs.start
            if stride and rs.step == 1 and nc == c:
                ffi.memmove(p + rs.start * c, sp, n * len(rs))
                return
            for k, i in enumerate(rs):
                ffi.memmove(p + i * c + j0, sp + k * stride, n)
            return
        for k, i in enumerate(rs):
            base = i * c
            off = k * stride
            for b, j in enumerate(cs):
                p[base + j] = sp[off + b]

    def __delitem__(self, key):
        if self._o is not None:
            _check(self)
        raise TypeError("'bocpy._math.Matrix' object doesn't support item deletion")

    def copy(self):
        if self._o is not None:
            _check(self)
        r, c = self._r, self._c
        o = _V()
        st = (_copy_g if r * c < GIL_WORK else _copy_r)(self._h, _byref(o))
        if st:
            _ffi.check(st, "copy")
        return _wrap(o, r, c)

    # --------------------------------------------------------------- formatting

    def __repr__(self):
        if self._o is not None and not _usable(self):
            return "Matrix(<not acquired>)"
        vals = ffi.unpack(self._data(), self._r * self._c)
        return "Matrix(%d, %d, [%s])" % (self._r, self._c, ", ".join(map(_fmt, vals)))

    def __str__(self):
        if self._o is not None and not _usable(self):
            return "<not acquired>"
        r, c = self._r, self._c
        if r == 0:
            return "[]"
        s = list(map(_fmt, ffi.unpack(self._data(), r * c)))
        w = max(map(len, s)) if s else 0
        lines = ["[" + " ".join(x.rjust(w) for x in s[i * c:(i + 1) * c]) + "]"
                 for i in range(r)]
        return "[" + "\n ".join(lines) + "]"

    # --------------------------------------------------------------- arithmetic

    __add__ = _binop(_ADD, False, False, "__add__")
    __radd__ = _binop(_ADD, True, False, "__radd__")
    __iadd__ = _binop(_ADD, False, True, "__iadd__")
    __sub__ = _binop(_SUB, False, False, "__sub__")
    __rsub__ = _binop(_SUB, True, False, "__rsub__")
    __isub__ = _binop(_SUB, False, True, "__isub__")
    __mul__ = _binop(_MUL, False, False, "__mul__")
    __rmul__ = _binop(_MUL, True, False, "__rmul__")
    __imul__ = _binop(_MUL, False, True, "__imul__")
    __truediv__ = _binop(_DIV, False, False, "__truediv__")
    __rtruediv__ = _binop(_DIV, True, False, "__rtruediv__")
    __itruediv__ = _binop(_DIV, False, True, "__itruediv__")

    def _matmul(self, lhs, rhs):
        r, k, c = lhs._r, lhs._c, rhs._c
        if k != rhs._r:
            raise NotImplementedError("%dx%d @ %dx%d  %d != %d"
                                      % (r, k, rhs._r, c, k, rhs._r))
        o = _V()
        st = (_matmul_g if (r * k * c) >> 2 < GIL_WORK else _matmul_r)(
            lhs._h, rhs._h, _byref(o))
        if st:
            _ffi.check(st, "matmul")
        return _wrap(o, r, c)

    def __matmul__(self, o):
        if self._o is not None:
            _check(self)
        if type(o) is Matrix:  # the common case (no subclasses exist)
            if o._o is not None:
                _check(o)
            return self._matmul(self, o)
        if _is_number(o):
            raise TypeError(_LIST_MSG)
        return self._matmul(self, _as_matrix(o))

    def __rmatmul__(self, o):
        if self._o is not None:
            _check(self)
        if _is_number(o):
            raise TypeError(_LIST_MSG)
        return self._matmul(_as_matrix(o), self)

    __neg__ = _unary_method(_UN_NEG, "__neg__")
    __abs__ = _unary_method(_UN_ABS, "__abs__")

    # ------------------------------------------------------------------- unary

    ceil = _unary_method(_UN_CEIL, "ceil")
    floor = _unary_method(_UN_FLOOR, "floor")
    round = _unary_method(_UN_ROUND, "round")
    negate = _unary_method(_UN_NEG, "negate")
    abs = _unary_method(_UN_ABS, "abs")

    def transpose(self, /, in_place=False):
        if self._o is not None:
            _check(self)
        r, c = self._r, self._c
        f = _transpose_g if r * c * _W_TRANSPOSE < GIL_WORK else _transpose_r
        if in_place:
            h = self._h
            _ffi.check(f(h, _byref(h)), "transpose")
            self._r, self._c = c, r  # the data pointer stays
            return self
        o = _V()
        _ffi.check(f(self._h, _byref(o)), "transpose")
        return _wrap(o, c, r)

    def clip(self, *args):
        if self._o is not None:
            _check(self)
        if not 1 <= len(args) <= 2:
            raise TypeError("clip expected 1 or 2 arguments, got %d" % len(args))
        for a in args:
            if not _is_number(a):
                raise TypeError("Expected a number")
        lo, hi = (0.0, float(args[0])) if len(args) == 1 else map(float, args)
        if hi < lo:
            raise AssertionError("maxval < minval")
        r, c = self._r, self._c
        o = _V()
        _ffi.check((_clip_g if r * c < GIL_WORK else _clip_r)(
            self._h, _D(lo), _D(hi), _byref(o)), "clip")
        return _wrap(o, r, c)

    def select(self, indices, axis=0, /):
        if self._o is not None:
            _check(self)
        ax = _pos_axis(axis)
        if not isinstance(indices, (list, tuple, range)):
            raise TypeError("Indices must be specified as a list or a tuple of ints")
        if not indices:
            return None
        n = self._r if ax == _AXIS0 else self._c
        idx = []
        for i in indices:
            if isinstance(i, bool) or not isinstance(i, int):
                raise TypeError("an integer is required")
            if i < 0:
                raise OverflowError("can't convert negative value to size_t")
            if i >= n:
                raise IndexError("select index %d out of range for %d %s"
                                 % (i, n, "rows" if ax == _AXIS0 else "columns"))
            idx.append(i)
        return self._select(idx, ax)

    # -------------------------------------------------------------- aggregates

    sum = _reduce_method(_RED_SUM, "sum")
    mean = _reduce_method(_RED_MEAN, "mean")
    min = _reduce_method(_RED_MIN, "min")
    max = _reduce_method(_RED_MAX, "max")
    magnitude = _reduce_method(_RED_MAGNITUDE, "magnitude")
    magnitude_squared = _reduce_method(_RED_MAGNITUDE_SQUARED, "magnitude_squared")

    # ---------------------------------------------------------------- vectors

    def _vector(self, op, other, axis, in_place, msg):
        if self._o is not None:
            _check(self)
        ax = _AXIS_NONE if axis is None else _axis(axis)
        r, c = self._r, self._c
        n = r * c
        if other is None:
            b = None
        else:
            b = other._h
            n = max(n, other._r * other._c)  # either side may be broadcast
        v = _D()
        f = _vector_g if n * (_W_ANGLE if op == _VEC_ANGLE else _W_VECTOR) < GIL_WORK \
            else _vector_r
        if in_place:
            h = self._h
            st = f(op, h, b, ax, _byref(v), _byref(h))
        else:
            o = _V()
            st = f(op, self._h, b, ax, _byref(v), _byref(o))
        if st:
            if st == _ffi.EINVAL:
                raise NotImplementedError(msg)
            _ffi.check(st)
        if in_place:
            return self
        if o.value is None:
            return v.value
        if op == _VEC_NORMALIZE or op == _VEC_PERPENDICULAR:
            return _wrap(o, r, c)  # a's shape
        return _wrap(o)

    def _operand(self, other):
        if _is_number(other):
            raise TypeError(_LIST_MSG)
        return _as_matrix(other)

    def vecdot(self, other, /, axis=None):
        if self._o is not None:
            _check(self)
        o = self._operand(other)
        return self._vector(_VEC_DOT, o, axis, False,
                            "vecdot: lhs %dx%d incompatible with rhs %dx%d"
                            % (self._r, self._c, o._r, o._c))

    def cross(self, other, /, axis=None):
        if self._o is not None:
            _check(self)
        ax = _axis(axis)
        o = self._operand(other)
        kind = _cross_kind(self._r, self._c, ax)
        if kind is None:
            msg = "cross requires a 2D or 3D vector or Nx2 or 2xN or Nx3 or 3xN matrix"
        else:
            msg = "cross: %s lhs %dx%d incompatible with rhs %dx%d" % (
                kind, self._r, self._c, o._r, o._c)
        return self._vector(_VEC_CROSS, o, axis, False, msg)

    def normalize(self, axis=None, in_place=False):
        return self._vector(_VEC_NORMALIZE, None, axis, in_place,
                            "normalize: invalid axis")

    def perpendicular(self, axis=None, in_place=False):
        return self._vector(_VEC_PERPENDICULAR, None, axis, in_place,
                            "perpendicular requires a 2D vector or Nx2 or 2xN matrix")

    def angle(self, axis=None):
        return self._vector(_VEC_ANGLE, None, axis, False,
                            "angle requires a 2D vector or Nx2 or 2xN matrix")


# Matrix.__new__ takes anything (Matrix.__new__(Matrix) must work), which
# would make inspect.signature(Matrix) report (*args, **kwargs): show
# __init__'s signature instead.  (behaviors imports inspect anyway.)
Matrix.__new__.__signature__ = _inspect.signature(Matrix.__init__)
