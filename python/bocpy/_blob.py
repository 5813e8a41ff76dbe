# Copyright (c) 2026 The libboc authors.
# SPDX-License-Identifier: MIT
"""Values as libboc blobs: pickled bytes plus the cowns embedded in them.

Messages and noticeboard entries carry blobs (DESIGN.md D5).  ``dumps``
pickles a value with a ``persistent_id`` hook that turns every ``Cown`` it
meets, at any depth and however it is reached (containers, ``__dict__``,
``__slots__``, custom ``__reduce__``, ``copyreg``), into an index into the
blob's list of embedded cowns; the blob holds a libboc reference to each.
``loads`` unpickles with ``persistent_load``.  A value without cowns is
first pickled by the plain C pickler (no Python call per object); a
``Cown`` refuses that pickler (``Cown.__reduce__``), which sends the value
down the ``persistent_id`` path.

In the threads backend a cown's value lives in its Python wrapper (the
``Cown`` object), so the wrappers must live as long as the blob: a cown
reachable only through a message or an entry keeps its value.  A blob with
cowns gets a token, and ``_pins[token]`` holds the wrappers.  When libboc
frees the blob it puts the token in its graveyard; ``sweep()`` takes the
tokens and drops the pins.  Every call that may free a blob sweeps after
it, so the wrappers live exactly as long as the blob.

A ``Matrix`` travels by reference, at any depth, with no data copied:
the blob pins the Matrix object itself under its token (next to the cown
wrappers), and its pickle holds ``_load_matrix(token, i)``, a plain global
call, so every unpickler (also the plain ``pickle.loads`` of ``receive``'s
fast path, and for blobs without cowns) returns that same object.  Why the
object and not a second wrapper over the same libboc buffer: the object
carries the matrix's ownership (``Matrix._o``, which cown it belongs to),
so a cown's matrix stays usable only by that cown's holder however it is
reached, and identity is preserved as it is for cowns.  The plain pickler
meets a Matrix through ``Matrix.__reduce_ex__``, which (only when called
from ``pack``) raises ``MatrixByReference``, a ``CownPickleError``: so a
value without cowns or matrices still takes the C pickler alone.  Outside
blobs, pickling a Matrix copies its data.

Blob handles are Python ints; the calls go through ``_ffi.nogil`` (they
never block, so they keep the GIL).
"""

import copyreg
import io
import itertools
import pickle
import threading
from array import array

from . import _ffi, _matrix
from ._ffi import lib, nogil
from ._matrix import Matrix

# token -> (tuple of the Cown wrappers, tuple of the Matrix objects) a live
# blob embeds.
_pins = {}
_tokens = itertools.count(1)
_GRAVE = 256
_PROTOCOL = pickle.HIGHEST_PROTOCOL

_tls = threading.local()


class CownPickleError(TypeError):
    """Raised by ``Cown.__reduce__``: a cown cannot be pickled by a plain
    pickler, only as a reference embedded in a blob."""


class MatrixByReference(CownPickleError):
    """Raised by ``Matrix.__reduce_ex__`` when the plain pickler of
    ``pack`` meets a Matrix: the value must take the path that carries
    matrices by reference.  Never seen outside this module."""


def _scratch():
    """The calling thread's word array for out-parameters: (view, address)."""
    try:
        return _tls.scratch
    except AttributeError:
        buf, view, addr = _ffi.words(8)
        _tls.keep = buf
        _tls.scratch = (view, addr)
        return _tls.scratch


def _cown_class():
    from .behaviors import Cown

    return Cown


_dispatch = copyreg.dispatch_table
# [len(copyreg.dispatch_table) when last checked, a cown class is in it];
# the table only grows in practice, so its length tells when to look again.
_copyreg_state = [-1, False]


def _cown_registered():
    """True when copyreg has a reducer for Cown or a subclass of it."""
    Cown = _cown_class()
    return any(isinstance(t, type) and issubclass(t, Cown) for t in list(_dispatch))


class _Pickler(pickle.Pickler):
    """Pickles a value; every Cown becomes a persistent reference, every
    Matrix a ``_load_matrix(token, i)`` call (see the module docstring)."""

    def __init__(self, file, cown_class, token):
        super().__init__(file, protocol=_PROTOCOL)
        self.cowns = []
        self._index = {}
        self._cown_class = cown_class
        self.matrices = []
        self._token = token

    def reducer_override(self, obj):
        """A Matrix (checked first: the sender must be allowed to use it)
        becomes a reference to the blob's pinned object; anything else is
        pickled as usual.  The pickler's memo makes a Matrix met twice one
        reference."""
        if type(obj) is Matrix:
            if obj._o is not None:
                _matrix._check(obj)
            self.matrices.append(obj)
            return (_load_matrix, (self._token, len(self.matrices) - 1))
        return NotImplemented

    def persistent_id(self, obj):
        if isinstance(obj, self._cown_class):
            key = id(obj)
            i = self._index.get(key)
            if i is None:
                i = self._index[key] = len(self.cowns)
                self.cowns.append(obj)
            return i
        return None


class _Unpickler(pickle.Unpickler):
    """Unpickles a value; persistent references become the blob's cowns."""

    def __init__(self, file, cowns):
        super().__init__(file)
        self._cowns = cowns

    def persistent_load(self, pid):
        try:
            return self._cowns[pid]
        except (IndexError, TypeError):
            raise pickle.UnpicklingError("bad cown reference %r in a blob" % (pid,)) from None


def pack(value):
    """Pickle ``value`` for a blob: (bytes, cown handles as an array of
    words or None, token).  With cowns or matrices, they are pinned under
    the token (the array is then never None, maybe empty); a caller that
    does not make the blob must ``unpin`` it."""
    # The plain pickler would use a copyreg reducer registered for a cown
    # class instead of Cown.__reduce__; then only the hook is safe.
    if len(_dispatch) != _copyreg_state[0]:
        _copyreg_state[:] = [len(_dispatch), _cown_registered()]
    if not _copyreg_state[1]:
        try:
            return pickle.dumps(value, _PROTOCOL), None, 0
        except CownPickleError:
            pass  # the value holds cowns or matrices
    buf = io.BytesIO()
    token = next(_tokens)
    pickler = _Pickler(buf, _cown_class(), token)
    pickler.dump(value)
    cowns = pickler.cowns
    # Pin first: once the blob exists, another thread may free it at once.
    _pins[token] = (tuple(cowns), tuple(pickler.matrices))
    return buf.getvalue(), array("Q", [c._h for c in cowns]), token


# Matrix.__reduce_ex__ recognises pack's frame by this code object.
_matrix._BLOB_PACK_CODE = pack.__code__


def unpin(token):
    """Undo ``pack``'s pin when no blob was made."""
    if token:
        _pins.pop(token, None)


def dumps(value):
    """Pickle ``value`` into a new blob; returns its handle (an int the
    caller owns one reference to).  Pickling errors propagate."""
    view, addr = _scratch()
    data, handles, token = pack(value)
    if handles is None:
        st = nogil.blob_create(data, len(data), None, 0, 0, addr)
    else:
        st = nogil.blob_create(data, len(data), handles.buffer_info()[0], len(handles),
                               token, addr)
    if st != _ffi.OK:
        unpin(token)
        _ffi.check(st, "blob")
    return view[0]


def loads(blob):
    """The value in ``blob`` (borrowed: the caller still owns it)."""
    view, addr = _scratch()
    _ffi.check(nogil.blob_describe(blob, addr), "blob")
    return unpack(view[0], view[1], view[2], view[3], view[4])


def unpack(data_addr, size, n, cowns_addr, token):
    """The value of a blob, from its description (boc_blob_describe_packed
    words)."""
    data = _ffi.string_at(data_addr, size)
    if n == 0:
        return pickle.loads(data)  # matrices need no persistent_load
    pinned = _pins.get(token)
    if pinned is not None:
        cowns = pinned[0]
    else:
        # A blob made outside this module (by C code): wrap its cowns.
        cowns = tuple(_wrap(h) for h in _ffi.words_at(cowns_addr, n))
    return _Unpickler(io.BytesIO(data), cowns).load()


def _load_matrix(token, i):
    """The i-th Matrix pinned by the live blob ``token`` (what a Matrix in
    a blob unpickles to: the object sent, not a copy)."""
    pinned = _pins.get(token)
    if pinned is None or not 0 <= i < len(pinned[1]):
        raise pickle.UnpicklingError("bad matrix reference (%r, %r) in a blob" % (token, i))
    return pinned[1][i]


def _wrap(h):
    """A new Cown wrapper (value None) holding its own reference to h."""
    from .behaviors import _new_result

    _ffi.check(lib.boc_cown_retain(_ffi.handle(h)), "cown")
    c = _new_result()  # an empty wrapper; the handle is set below
    c._h = h
    return c


def release(blob):
    """Drop the caller's reference to ``blob``, then sweep."""
    nogil.blob_release(blob)
    if _pins:
        sweep()


def sweep():
    """Drop the pins of every blob libboc has freed."""
    view, addr = _scratch()
    tokens = array("Q", bytes(8 * _GRAVE))
    while True:
        nogil.graveyard_take(tokens.buffer_info()[0], _GRAVE, addr)
        n = view[0]
        for i in range(n):
            _pins.pop(tokens[i], None)
        if n < _GRAVE:
            return
