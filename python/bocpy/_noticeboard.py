# Copyright (c) 2026 The libboc authors.
# SPDX-License-Identifier: MIT
"""The noticeboard: a process-wide map from short keys to values that
behaviors read and write without cowns (libboc's boc/noticeboard.h).

Differences from bocpy 0.9.0, where it had a writer thread that applied
changes later:

* A change is applied by the call that makes it: when ``notice_write``
  returns, every snapshot taken afterwards (on any thread) has it.
* ``notice_update`` runs ``fn`` in the calling thread, as a
  compare-and-set loop on the entry's version: under contention ``fn`` may
  run more than once, and exactly one result is stored per call.  If
  ``fn`` raises, the value is unchanged and a WARNING is logged on the
  ``behaviors`` logger, as in bocpy; ``fn`` need not be picklable.
* Writing a new key to a full board raises ``RuntimeError`` at the call
  (bocpy dropped it and logged a warning on its writer thread).
* ``notice_sync()`` ends the calling behavior's snapshot: the next read
  takes a fresh one, with every change completed before the sync
  (the caller's own included).

Reads see a stable snapshot per behavior: the first ``noticeboard()`` or
``notice_read()`` in a behavior takes it (reusing the thread's previous
one when the board has not changed since) and later reads in the same
behavior return the same mapping, whatever other behaviors write
meanwhile.  Outside behaviors every read returns the current state.
"""

import logging
import math
import types

from . import _blob, _ffi
from . import behaviors as _b  # partly initialised here: used at call time
from ._ffi import ffi, lib, nogil

logger = logging.getLogger("behaviors")


class _RemovedType:
    """The type of ``REMOVED``: a singleton, preserved by pickling."""

    __slots__ = ()
    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = object.__new__(cls)
        return cls._instance

    def __repr__(self):
        return "REMOVED"

    def __reduce__(self):
        return "REMOVED"


#: Return it from a ``notice_update`` function to delete the entry.
REMOVED = _RemovedType()

_MAX_KEY = lib.BOC_NB_MAX_KEY_SIZE

# thread ident -> (behavior serial, board version, mappingproxy)
_cache = {}


def _key(key):
    """Validate a key as bocpy does; returns its UTF-8 bytes."""
    if not isinstance(key, str):
        raise TypeError("noticeboard key must be a str")
    if "\0" in key:
        raise ValueError("noticeboard key must not contain NUL characters")
    raw = key.encode("utf-8")
    if len(raw) > _MAX_KEY:
        raise ValueError("noticeboard key too long (max %d UTF-8 bytes)" % _MAX_KEY)
    return raw


def _require_runtime(what):
    if _b._RUNTIME is None and not _b._in_worker():
        raise RuntimeError(
            "cannot %s the noticeboard before the runtime is started" % what
        )


def _full():
    return RuntimeError("Noticeboard is full (max %d)" % capacity())


def _put(raw, value, expected=None):
    """Store ``value`` under ``raw``: unconditionally (expected None) or
    as a compare-and-set.  Returns the libboc status."""
    blob = _blob.dumps(value)
    try:
        if expected is None:
            return nogil.nb_write(raw, len(raw), blob, None)
        return nogil.nb_compare_and_set(raw, len(raw), expected, blob, None)
    finally:
        _blob.release(blob)  # the entry holds its own reference


def notice_write(key, value):
    """Set ``key`` to ``value`` (last write wins).

    The value is pickled here; cowns inside it stay alive as long as the
    entry.  Raises RuntimeError when the board is full and ``key`` is new,
    and before the runtime is started (outside behaviors).
    """
    raw = _key(key)
    _require_runtime("write to")
    st = _put(raw, value)
    if st == _ffi.EFULL:
        raise _full()
    _ffi.check(st, "notice_write")


def notice_update(key, fn, default=None):
    """Atomically replace ``key``'s value ``v`` by ``fn(v)``.

    ``fn`` gets ``default`` when the key is absent; returning ``REMOVED``
    deletes the entry.  ``fn`` runs in the calling thread and may run more
    than once when other threads change the entry meanwhile; it should be
    quick and free of side effects.  If it raises, the entry is unchanged
    and a WARNING is logged.
    """
    raw = _key(key)
    if not callable(fn):
        raise TypeError("notice_update fn must be callable")
    _require_runtime("update")
    view, addr = _blob._scratch()
    while True:
        st = nogil.nb_read(raw, len(raw), addr, addr + 8)
        if st == _ffi.ENOENT:
            current, version = default, 0
        else:
            _ffi.check(st, "notice_update")
            blob, version = view[0], view[1]
            try:
                current = _blob.loads(blob)
            finally:
                _blob.release(blob)
        try:
            new = fn(current)
        except Exception as exc:  # noqa: BLE001 - logged, as bocpy does
            logger.warning("noticeboard_update(%r) failed: %r", key, exc)
            return
        if new is REMOVED:
            if version == 0:
                return
            st = nogil.nb_compare_and_set(raw, len(raw), version, None, None)
            if _blob._pins:
                _blob.sweep()
        else:
            st = _put(raw, new, version)
        if st == _ffi.ECONFLICT:
            continue
        if st == _ffi.EFULL:
            raise _full()
        _ffi.check(st, "notice_update")
        return


def notice_delete(key):
    """Remove ``key``; a missing key is not an error."""
    raw = _key(key)
    _require_runtime("delete from")
    st = nogil.nb_delete(raw, len(raw))
    if st != _ffi.ENOENT:
        _ffi.check(st, "notice_delete")
    if _blob._pins:
        _blob.sweep()


def _snapshot():
    """The board now, as (version, dict)."""
    snap_p = ffi.new("boc_nb_snapshot_t **")
    _ffi.check(lib.boc_nb_snapshot(snap_p), "noticeboard")
    snap = snap_p[0]
    try:
        out = ffi.new("uint64_t *")
        lib.boc_nb_snapshot_version(snap, out)
        version = int(out[0])
        count = ffi.new("size_t *")
        lib.boc_nb_snapshot_count(snap, count)
        key_p = ffi.new("const char **")
        len_p = ffi.new("size_t *")
        blob_p = ffi.new("boc_blob_t **")
        board = {}
        for i in range(int(count[0])):
            _ffi.check(lib.boc_nb_snapshot_entry(snap, i, key_p, len_p, blob_p, ffi.NULL),
                       "noticeboard")
            key = ffi.unpack(key_p[0], len_p[0]).decode("utf-8")
            board[key] = _blob.loads(int(ffi.cast("uintptr_t", blob_p[0])))
    finally:
        lib.boc_nb_snapshot_release(snap)
        if _blob._pins:
            _blob.sweep()
    return version, board


def _board_version():
    view, addr = _blob._scratch()
    nogil.nb_version(addr)
    return view[0]


def noticeboard():
    """A read-only mapping of the whole board: the calling behavior's
    stable snapshot (see the module documentation)."""
    me = _b._get_ident()
    serial = _b._running.get(me)
    cached = _cache.get(me)
    if cached is not None and serial is not None and cached[0] == serial:
        return cached[2]
    version = _board_version()
    if cached is not None and cached[1] == version:
        proxy = cached[2]
    else:
        version, board = _snapshot()
        proxy = types.MappingProxyType(board)
    _cache[me] = (serial, version, proxy)
    return proxy


def notice_read(key, default=None):
    """``noticeboard().get(key, default)``, after validating ``key``."""
    # Short str keys cannot be too long (4 UTF-8 bytes per character at
    # most), and a behavior's second read finds its snapshot at once: the
    # common case skips the general checks.
    if type(key) is not str or len(key) > _MAX_KEY // 4 or "\0" in key:
        _key(key)
    me = _b._get_ident()
    cached = _cache.get(me)
    if cached is not None and cached[0] is not None and cached[0] == _b._running.get(me):
        return cached[2].get(key, default)
    return noticeboard().get(key, default)


def notice_sync(timeout=30.0):
    """Wait until every noticeboard change begun before the call has been
    applied, then end the calling behavior's snapshot (its next read sees
    them, its own writes included).  ``timeout`` in seconds (None: no
    limit); raises TimeoutError when it expires."""
    if timeout is not None:
        t = float(timeout)
        if math.isnan(t):
            raise ValueError("timeout must not be NaN")
    if _b._RUNTIME is None and not _b._in_worker():
        raise RuntimeError("cannot notice_sync before the runtime is started")
    ns = _ffi.timeout_ns(timeout)
    st = lib.boc_nb_sync(ns, ffi.NULL)
    if st == _ffi.ETIMEDOUT:
        raise TimeoutError("notice_sync(%ss) timed out" % (timeout,))
    _ffi.check(st, "notice_sync")
    _cache.pop(_b._get_ident(), None)


def capacity():
    """The most keys the noticeboard holds."""
    out = ffi.new("size_t *")
    _ffi.check(lib.boc_nb_capacity(out), "noticeboard capacity")
    return int(out[0])


def set_noticeboard_capacity(n):
    """Set the most keys the noticeboard holds (default 1024; bocpy had a
    fixed 64).  ValueError when ``n`` is below the number of keys on the
    board now, or outside 1..1048576."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError("capacity must be an int")
    if n < 1 or n > lib.BOC_NB_MAX_CAPACITY:
        raise ValueError("capacity must be between 1 and %d" % lib.BOC_NB_MAX_CAPACITY)
    st = lib.boc_nb_set_capacity(n)
    if st == _ffi.EBUSY:
        raise ValueError("the noticeboard holds more than %d keys" % n)
    _ffi.check(st, "noticeboard capacity")


def final_state():
    """The board as a plain dict (for wait/quiesce(noticeboard=True))."""
    return _snapshot()[1]


def clear():
    """Empty the board (wait() does, as bocpy's did) and the caches."""
    lib.boc_nb_clear()
    _cache.clear()
    if _blob._pins:
        _blob.sweep()
