# Copyright (c) 2026 The libboc authors.
# SPDX-License-Identifier: MIT
"""The threads backend (DESIGN.md D7).

libboc runs with N pull slots; N Python threads attach to them and pull
ready behaviors (``boc_worker_pull`` blocks with the GIL released).  Cown
values are live Python objects.  Bodies run in parallel on free-threaded
CPython and wherever they release the GIL; otherwise the GIL serialises
them.  No callback from C into Python is ever made.
"""

import sys
import threading
import weakref

from .. import _ffi
from .. import behaviors as _b
from .._ffi import ffi, lib, nogil
from .._matrix import Matrix

# How long a worker blocks in one pull call.  Stopping wakes pullers at
# once, so this only bounds how stale a parked thread can be.
_PULL_NS = 1_000_000_000

# Cowns per behavior that fit the per-thread word array.
_BUF = 16

_when_pull_packed = nogil.when_pull_packed


def _when_words():
    """The calling thread's word array for boc_when_pull_packed, as
    (memoryview, argument object for ``nogil``); the array lives as long
    as the thread."""
    buf, words, addr, arg = _ffi.words_arg(_BUF + 3)
    _b._tls.when_words_buf = buf
    _b._tls.when_words = (words, arg)
    return words, arg


def _schedule_error(st):
    """Raise the exception for a failed boc_when_pull_packed."""
    if st == _ffi.ESHUTDOWN:
        raise RuntimeError("runtime is shutting down")
    if st == _ffi.ENOTRUNNING:
        raise RuntimeError(
            "cannot schedule behavior: bocpy runtime is not running. "
            "Call bocpy.start() before scheduling behaviors"
        )
    _ffi.check(st, "when")


class ThreadsBackend:
    """Python worker threads pulling behaviors from libboc."""

    name = "threads"

    def __init__(self, worker_count, module=None):
        self.worker_count = worker_count
        self.module = module
        self.final_stats = []
        self._records = {}
        self._threads = []
        self._ready = threading.Barrier(worker_count + 1)
        self._starter = threading.get_ident()
        try:
            self._starter_words = _b._tls.when_words
        except AttributeError:
            self._starter_words = _when_words()

    # -- lifecycle ------------------------------------------------------------

    def start(self):
        cfg = ffi.new("boc_runtime_config_t *")
        lib.boc_runtime_config_init(cfg)
        cfg.workers = self.worker_count
        cfg.pull_slots = self.worker_count
        st = lib.boc_runtime_start(cfg)
        if st != _ffi.OK:
            raise RuntimeError("Error starting worker pool: " + _ffi.strerror(st))
        errors = []
        for i in range(self.worker_count):
            t = threading.Thread(
                target=self._worker, args=(i, errors), name="bocpy-worker-%d" % i, daemon=True
            )
            t.start()
            self._threads.append(t)
        self._ready.wait()
        if errors:
            lib.boc_runtime_shutdown()
            self._join()
            raise RuntimeError("Error starting worker pool: " + "; ".join(errors))

    def _join(self):
        for t in self._threads:
            t.join()
        self._threads = []

    def quiesce(self, timeout_ns):
        st = _ffi.sliced(lib.boc_runtime_quiesce, timeout_ns)
        if st == _ffi.ETIMEDOUT:
            return False
        _ffi.check(st, "quiesce")
        return True

    def stop(self, timeout_ns):
        st = _ffi.sliced(lib.boc_runtime_wait, timeout_ns)
        quiesced = st == _ffi.OK
        if st == _ffi.ETIMEDOUT:
            st = lib.boc_runtime_shutdown()
        if st not in (_ffi.OK, _ffi.ENOTRUNNING):
            _ffi.check(st, "stop")
        self._join()
        # Behaviors dropped by a forced stop never reached a worker.
        records = self._records
        self._records = {}
        for rec in records.values():
            _b._drop_record(rec, _b._DROPPED)
        self.final_stats = _b._scheduler_stats()
        return quiesced

    # -- scheduling -------------------------------------------------------------

    def issue(self, fn, params, flat, rest=None, _new=object.__new__, _cls=_b.Cown,
              _tls=_b._tls, _ident=threading.get_ident):
        """Schedule the behavior ``fn(*params)`` over the cowns ``flat``;
        return its new result cown.  ``rest`` is None for a plain behavior,
        else ``(extras, kwargs, context)`` (see ``behaviors._rest``).

        One call into libboc, boc_when_pull_packed: it also creates the
        result cown.  The cown handles go in a per-thread word array, and
        the call keeps the GIL (see ``_ffi.nogil``): handing the GIL to a
        worker and back on every ``@when`` would cost more than the call.
        The behavior's argument is a key into _records: the id() of its
        result cown, unique while the record is there.  (Not the record's
        own id: PyPy gives tuples value-based ids.)
        """
        result = _new(_cls)
        result._h = result._id = result._value = result._holder = None
        result._exception = result._ext = False
        n = len(flat)
        if n <= _BUF:
            # The starting thread's array is kept here: reading a
            # threading.local costs more than this test.
            if _ident() == self._starter:
                words, arg = self._starter_words
            else:
                try:
                    words, arg = _tls.when_words
                except AttributeError:
                    words, arg = _when_words()
        else:
            buf, words, _, arg = _ffi.words_arg(n + 3)
        key = id(result)
        words[0] = n
        words[1] = key
        if n == 1:
            words[2] = flat[0]._h
        else:
            i = 2
            for c in flat:
                words[i] = c._h
                i += 1
        records = self._records
        records[key] = (result, fn, params, flat) if rest is None else \
            (result, fn, params, flat) + rest
        st = _when_pull_packed(arg)
        if st:
            del records[key]
            _schedule_error(st)
        result._h = words[n + 2]
        return result

    # -- workers ------------------------------------------------------------------

    def _worker(self, slot, errors):
        _b._tls.worker = True
        try:
            # Resolve everything the loop needs before reporting ready, so
            # a broken installation fails start() instead of hanging later.
            poll_next = nogil.pull_next_packed
            wait_next = lib.boc_worker_pull_next_packed
            complete = lib.boc_behavior_complete
            buf, io, _, io_addr = _ffi.words_arg(3)
            st = lib.boc_worker_attach(slot, ffi.NULL)
            if st != _ffi.OK:
                errors.append("worker %d: %s" % (slot, _ffi.strerror(st)))
        except BaseException as exc:  # noqa: BLE001 - reported by start()
            errors.append("worker %d: %r" % (slot, exc))
            st = None
        try:
            self._ready.wait()
        except threading.BrokenBarrierError:  # pragma: no cover
            return
        if st != _ffi.OK:
            return
        records = self._records
        run = _b._run_record
        me = threading.get_ident()
        running = _b._running
        serial = 0
        OK, ETIMEDOUT = _ffi.OK, _ffi.ETIMEDOUT
        refcount = getattr(sys, "getrefcount", None)  # not on PyPy
        weakcount = weakref.getweakrefcount
        io[0] = io[2] = 0
        try:
            while True:
                # Complete the last behavior (io[0]) and take the next one
                # if it is ready, keeping the GIL (it never blocks); only
                # when there is nothing to do, block in libboc with the GIL
                # released.
                io[1] = 0
                st = poll_next(io_addr)
                if st == ETIMEDOUT:
                    io[1] = _PULL_NS
                    st = wait_next(buf)
                    if st == ETIMEDOUT:
                        continue
                if st != OK:
                    break
                key = io[1]
                rec = records.pop(key, None)
                if rec is None:  # pragma: no cover - not scheduled by us
                    _b.logger.error("bocpy worker %d: pulled an unknown behavior", slot)
                    continue
                serial += 1
                running[me] = serial
                if len(rec) != 4:
                    run(rec)  # captures, keyword arguments or a context
                    continue
                # The plain form, inline: the body's return value or the
                # exception it raised becomes the result's value.
                result, fn, params, flat = rec
                for c in flat:
                    c._holder = me
                result._holder = me
                try:
                    result._value = fn(*params)
                    if result._value.__class__ is Matrix:
                        _b._adopt_result(result)
                except BaseException as exc:  # noqa: BLE001 - stored, as bocpy does
                    result._value = exc
                    result._exception = True
                finally:
                    for c in flat:
                        c._holder = None
                    result._holder = None
                # When nothing else refers to the result cown (rec, the
                # local and the argument: 3), its wrapper dies with this
                # record: the next pull call releases its handle (io[2]),
                # which saves the wrapper's finalizer a call into libboc.
                if refcount is not None and refcount(result) == 3 and not weakcount(result):
                    io[2] = result._h
                    result._h = None
        except BaseException:  # pragma: no cover - a bug in bocpy itself
            _b.logger.exception("bocpy worker %d: internal error; the worker stops", slot)
            raise
        finally:
            running.pop(me, None)
            if io[0]:
                complete(_ffi.ffi.cast("boc_behavior_t *", io[0]))
            if io[2]:
                lib.boc_cown_release(_ffi.handle(io[2]))
            lib.boc_worker_detach()
