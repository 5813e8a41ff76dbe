# Copyright (c) 2026 The libboc authors.
# SPDX-License-Identifier: MIT
"""``Matrix``: bocpy's dense 2-D matrix of doubles, on libboc's matrices.

A Matrix holds a libboc matrix handle (``boc_matrix_t *``, one reference)
plus its shape as Python ints and a cffi ``double *`` view of the elements
(boc_matrix_data), so element access costs no C call.  Every computation
is one libboc call; this module only checks arguments and maps errors to
the exceptions bocpy 0.9.0 raises (docs: the bocpy Matrix reference).

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

_VALUES_MSG = "Values must be either a number or a list/tuple of MxN numbers"
_LIST_MSG = "Expected a list/tuple of numbers"
_KEY_DIM_MSG = "Index must be one dimension (row) or two dimensions (row, column)"
_KEY_TYPE_MSG = "Key must be a long or a slice"
_MISMATCH_MSG = "Dimension mismatch between operands"
_NOT_OWNED_MSG = "The current interpreter does not own this matrix"
_TWO_COWNS_MSG = ("this Matrix already belongs to another cown (it is that cown's value); "
                  "put a copy (m.copy()) in the new cown, or take it out of the other "
                  "cown first")

# Bound now: finalizers must not make cffi resolve attributes lazily.
_create = lib.boc_matrix_create
_release = lib.boc_matrix_release
_data = lib.boc_matrix_data
_shape = lib.boc_matrix_shape
_binary = lib.boc_matrix_binary
_unary = lib.boc_matrix_unary
_reduce = lib.boc_matrix_reduce
_matmul_c = lib.boc_matrix_matmul
_NULL = ffi.NULL


def _out():
    return ffi.new("boc_matrix_t **")


def _wrap(h, rows=-1, columns=0, _new=object.__new__):
    """A new Matrix around the handle h (its reference moves to it).

    Callers that know the result's shape pass it, which saves a C call and
    a cffi allocation (about a third of the Python cost of a small
    operation); otherwise it is read from libboc."""
    m = _new(Matrix)
    m._h = h
    m._o = None
    if rows < 0:
        m._sync()
    else:
        m._r = rows
        m._c = columns
        p = ffi.new("double **")
        _data(h, p)
        m._p = p[0]
    return m


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
    out = _out()
    _ffi.check(_create(rows, columns, _NULL, out), "Matrix")
    m = _wrap(out[0])
    if n:
        if sys.byteorder == "little":
            ffi.memmove(m._p, data, 8 * n)
        else:  # pragma: no cover - no big-endian machine here
            from array import array

            a = array("d", bytes(data))
            a.byteswap()
            ffi.memmove(m._p, a.tobytes(), 8 * n)
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
    out = _out()
    buf = ffi.new("double[]", vals) if vals else _NULL
    _ffi.check(_create(rows, columns, buf, out), "Matrix")
    return _wrap(out[0])


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
            buf = _NULL
        elif isinstance(values, (int, float)):
            buf = _NULL
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
            buf = ffi.new("double[]", values)
        out = _out()
        _ffi.check(_create(rows, columns, buf, out), "Matrix")
        if fill is not None:
            _ffi.check(_binary(_SET, out[0], _NULL, fill, out), "Matrix")
        self._h = out[0]
        self._sync()
        if old is not None:
            _release(old)
        else:
            self._o = None

    def _sync(self):
        r = ffi.new("size_t[2]")
        _shape(self._h, r, r + 1)
        self._r, self._c = int(r[0]), int(r[1])
        p = ffi.new("double **")
        _data(self._h, p)
        self._p = p[0]

    def __del__(self, _release=_release):
        h = getattr(self, "_h", None)
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
        data = ffi.buffer(self._p, 8 * n)[:] if n else b""
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
        out = _out()
        _ffi.check(lib.boc_matrix_random(dist, r, c, p0, p1, out), "Matrix")
        m = _wrap(out[0])
        return m._p[0] if size is None else m

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
        arr = ffi.new("boc_matrix_t *[]", [p._h for p in parts])
        out = _out()
        _ffi.check(lib.boc_matrix_concat(arr, len(parts), ax, out), "concat")
        return _wrap(out[0])

    @classmethod
    def allclose(cls, lhs, rhs, /, rtol=1e-05, atol=1e-08, equal_nan=False):
        for i, m in ((1, lhs), (2, rhs)):
            if not isinstance(m, Matrix):
                raise TypeError("argument %d must be bocpy._math.Matrix, not %s"
                                % (i, type(m).__name__))
            if m._o is _UNINIT:
                _UNINIT()
        # No ownership check (bocpy's exception): allclose reads anyway.
        res = ffi.new("int *")
        _ffi.check(lib.boc_matrix_allclose(lhs._h, rhs._h, float(rtol), float(atol),
                                           1 if equal_nan else 0, res), "allclose")
        return bool(res[0])

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
        return self._p[i]

    def _flat_set(self, i, v):
        if self._o is not None:
            _check(self)
        if i >= self._r * self._c:
            raise IndexError("matrix has fewer than %d elements" % (i + 1))
        if isinstance(v, (str, bytes, complex)) or v is None:
            raise TypeError("must be real number, not %s" % type(v).__name__)
        self._p[i] = float(v)

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
            return self._p[rs[0] * self._c + cs[0]]
        m = self
        if len(rs) != self._r or rs.step != 1:
            m = m._select(rs, _AXIS0)
        if len(cs) != self._c or cs.step != 1:
            m = m._select(cs, _AXIS1)
        return m.copy() if m is self else m

    def _select(self, idx, axis):
        arr = ffi.new("size_t[]", list(idx))
        out = _out()
        _ffi.check(lib.boc_matrix_select(self._h, arr, len(idx), axis, out), "select")
        return _wrap(out[0])

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
                _ffi.check(_binary(_SET, self._h, _NULL, v, ffi.new("boc_matrix_t **", self._h)))
            elif rs.step == 1 and nc == c:  # whole rows: one contiguous block
                out = _out()
                _ffi.check(_create(nr, c, _NULL, out), "Matrix")
                block = _wrap(out[0])
                _ffi.check(_binary(_SET, block._h, _NULL, v,
                                   ffi.new("boc_matrix_t **", block._h)))
                ffi.memmove(self._p + rs.start * c, block._p, nr * c * 8)
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
            sp = ffi.new("double[]", vals) if vals else _NULL
        else:
            if full:  # one C call: SET copies or broadcasts src over self
                if src._p == self._p:
                    return  # m[:] = m
                _ffi.check(_binary(_SET, self._h, src._h, 0.0,
                                   ffi.new("boc_matrix_t **", self._h)))
                return
            if src._p == self._p:
                src = src.copy()  # a snapshot: the source overlaps the target
            sp = src._p
        if mode == "row":
            self._fill_rows(rs, cs, sp)
        elif mode == "col":
            # broadcast the column to an nr x nc block in C, then copy it in
            col = src if src is not None else _from_list(nr, 1, vals)
            out = _out()
            _ffi.check(_create(nr, nc, _NULL, out), "Matrix")
            block = _wrap(out[0])
            _ffi.check(_binary(_SET, block._h, col._h, 0.0,
                               ffi.new("boc_matrix_t **", block._h)))
            self._fill_rows(rs, cs, block._p, nc)
        else:
            self._fill_rows(rs, cs, sp, nc)

    def _fill_rows(self, rs, cs, sp, stride=0):
        """Write the nc doubles at sp (+ stride per selected row) into the
        selected columns of every selected row."""
        p, c, nc = self._p, self._c, len(cs)
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
        out = _out()
        _ffi.check(lib.boc_matrix_copy(self._h, out), "copy")
        return _wrap(out[0])

    # --------------------------------------------------------------- formatting

    def __repr__(self):
        if self._o is not None and not _usable(self):
            return "Matrix(<not acquired>)"
        vals = ffi.unpack(self._p, self._r * self._c)
        return "Matrix(%d, %d, [%s])" % (self._r, self._c, ", ".join(map(_fmt, vals)))

    def __str__(self):
        if self._o is not None and not _usable(self):
            return "<not acquired>"
        r, c = self._r, self._c
        if r == 0:
            return "[]"
        s = list(map(_fmt, ffi.unpack(self._p, r * c)))
        w = max(map(len, s)) if s else 0
        lines = ["[" + " ".join(x.rjust(w) for x in s[i * c:(i + 1) * c]) + "]"
                 for i in range(r)]
        return "[" + "\n ".join(lines) + "]"

    # --------------------------------------------------------------- arithmetic

    def _binop(self, op, other, reflected=False, inplace=False):
        if self._o is not None:
            _check(self)
        if _is_number(other):
            a, b = (_NULL, self._h) if reflected else (self._h, _NULL)
            out = ffi.new("boc_matrix_t **", self._h if inplace else _NULL)
            st = _binary(op, a, b, float(other), out)
            if st:
                _ffi.check(st)
            return self if inplace else _wrap(out[0], self._r, self._c)
        o = _as_matrix(other)
        lhs, rhs = (o, self) if reflected else (self, o)
        shape = _bcast_shape(lhs.shape, rhs.shape)
        if shape is None:
            raise NotImplementedError(_MISMATCH_MSG)
        inplace = inplace and shape == self.shape
        out = ffi.new("boc_matrix_t **", self._h if inplace else _NULL)
        st = _binary(op, lhs._h, rhs._h, 0.0, out)
        if st:
            _ffi.check(st)
        return self if inplace else _wrap(out[0], shape[0], shape[1])

    def __add__(self, o):
        return self._binop(_OP["add"], o)

    def __radd__(self, o):
        return self._binop(_OP["add"], o, True)

    def __iadd__(self, o):
        return self._binop(_OP["add"], o, False, True)

    def __sub__(self, o):
        return self._binop(_OP["sub"], o)

    def __rsub__(self, o):
        return self._binop(_OP["sub"], o, True)

    def __isub__(self, o):
        return self._binop(_OP["sub"], o, False, True)

    def __mul__(self, o):
        return self._binop(_OP["mul"], o)

    def __rmul__(self, o):
        return self._binop(_OP["mul"], o, True)

    def __imul__(self, o):
        return self._binop(_OP["mul"], o, False, True)

    def __truediv__(self, o):
        return self._binop(_OP["div"], o)

    def __rtruediv__(self, o):
        return self._binop(_OP["div"], o, True)

    def __itruediv__(self, o):
        return self._binop(_OP["div"], o, False, True)

    def _matmul(self, lhs, rhs):
        if lhs._c != rhs._r:
            raise NotImplementedError("%dx%d @ %dx%d  %d != %d"
                                      % (lhs._r, lhs._c, rhs._r, rhs._c, lhs._c, rhs._r))
        out = ffi.new("boc_matrix_t **")
        st = _matmul_c(lhs._h, rhs._h, out)
        if st:
            _ffi.check(st, "matmul")
        return _wrap(out[0], lhs._r, rhs._c)

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

    def __neg__(self):
        return self.negate()

    def __abs__(self):
        return self.abs()

    # ------------------------------------------------------------------- unary

    def _unary(self, op, in_place):
        if self._o is not None:
            _check(self)
        out = ffi.new("boc_matrix_t **", self._h if in_place else _NULL)
        st = _unary(op, self._h, out)
        if st:
            _ffi.check(st)
        return self if in_place else _wrap(out[0], self._r, self._c)

    def ceil(self, /, in_place=False):
        return self._unary(lib.BOC_MATRIX_UN_CEIL, in_place)

    def floor(self, /, in_place=False):
        return self._unary(lib.BOC_MATRIX_UN_FLOOR, in_place)

    def round(self, /, in_place=False):
        return self._unary(lib.BOC_MATRIX_UN_ROUND, in_place)

    def negate(self, /, in_place=False):
        return self._unary(lib.BOC_MATRIX_UN_NEG, in_place)

    def abs(self, /, in_place=False):
        return self._unary(lib.BOC_MATRIX_UN_ABS, in_place)

    def transpose(self, /, in_place=False):
        if self._o is not None:
            _check(self)
        out = ffi.new("boc_matrix_t **", self._h if in_place else _NULL)
        _ffi.check(lib.boc_matrix_transpose(self._h, out), "transpose")
        if in_place:
            self._sync()
            return self
        return _wrap(out[0])

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
        out = _out()
        _ffi.check(lib.boc_matrix_clip(self._h, lo, hi, out), "clip")
        return _wrap(out[0])

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

    def _reduce(self, op, axis):
        if self._o is not None:
            _check(self)
        ax = _axis(axis)
        if (op == lib.BOC_MATRIX_RED_MIN or op == lib.BOC_MATRIX_RED_MAX) and \
                (self._c == 0 if ax == _AXIS1 else self._r == 0 if ax == _AXIS0
                 else self._r * self._c == 0) and (self._r * self._c == 0):
            raise ValueError("zero-size matrix to reduction operation %s which has no identity"
                             % ("min" if op == lib.BOC_MATRIX_RED_MIN else "max"))
        if ax == _AXIS_NONE:
            v = ffi.new("double *")
            _ffi.check(_reduce(op, self._h, ax, v, _NULL))
            return v[0]
        out = _out()
        _ffi.check(_reduce(op, self._h, ax, _NULL, out))
        return _wrap(out[0], 1, self._c) if ax == _AXIS0 else _wrap(out[0], self._r, 1)

    def sum(self, /, axis=None):
        return self._reduce(lib.BOC_MATRIX_RED_SUM, axis)

    def mean(self, /, axis=None):
        return self._reduce(lib.BOC_MATRIX_RED_MEAN, axis)

    def min(self, /, axis=None):
        return self._reduce(lib.BOC_MATRIX_RED_MIN, axis)

    def max(self, /, axis=None):
        return self._reduce(lib.BOC_MATRIX_RED_MAX, axis)

    def magnitude(self, /, axis=None):
        return self._reduce(lib.BOC_MATRIX_RED_MAGNITUDE, axis)

    def magnitude_squared(self, /, axis=None):
        return self._reduce(lib.BOC_MATRIX_RED_MAGNITUDE_SQUARED, axis)

    # ---------------------------------------------------------------- vectors

    def _vector(self, op, other, axis, in_place, msg):
        if self._o is not None:
            _check(self)
        ax = _axis(axis)
        b = _NULL if other is None else other._h
        v = ffi.new("double *")
        out = ffi.new("boc_matrix_t **", self._h if in_place else _NULL)
        st = lib.boc_matrix_vector(op, self._h, b, ax, v, out)
        if st == _ffi.EINVAL:
            raise NotImplementedError(msg)
        _ffi.check(st)
        if in_place:
            return self
        if out[0] == _NULL:
            return v[0]
        return _wrap(out[0])

    def _operand(self, other):
        if _is_number(other):
            raise TypeError(_LIST_MSG)
        return _as_matrix(other)

    def vecdot(self, other, /, axis=None):
        if self._o is not None:
            _check(self)
        o = self._operand(other)
        return self._vector(lib.BOC_MATRIX_VEC_DOT, o, axis, False,
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
        return self._vector(lib.BOC_MATRIX_VEC_CROSS, o, axis, False, msg)

    def normalize(self, axis=None, in_place=False):
        return self._vector(lib.BOC_MATRIX_VEC_NORMALIZE, None, axis, in_place,
                            "normalize: invalid axis")

    def perpendicular(self, axis=None, in_place=False):
        return self._vector(lib.BOC_MATRIX_VEC_PERPENDICULAR, None, axis, in_place,
                            "perpendicular requires a 2D vector or Nx2 or 2xN matrix")

    def angle(self, axis=None):
        return self._vector(lib.BOC_MATRIX_VEC_ANGLE, None, axis, False,
                            "angle requires a 2D vector or Nx2 or 2xN matrix")


# Matrix.__new__ takes anything (Matrix.__new__(Matrix) must work), which
# would make inspect.signature(Matrix) report (*args, **kwargs): show
# __init__'s signature instead.  (behaviors imports inspect anyway.)
Matrix.__new__.__signature__ = _inspect.signature(Matrix.__init__)
