# Copyright (c) 2026 The libboc authors.
# SPDX-License-Identifier: MIT
"""The threads backend (DESIGN.md D7).

libboc runs with N pull slots; N Python threads attach to them and pull
ready behaviors (``boc_worker_pull`` blocks with the GIL released).  Cown
values are live Python objects.  Bodies run in parallel on free-threaded
CPython and wherever they release the GIL; otherwise the GIL serialises
them.  No callback from C into Python is ever made.
"""

import ctypes
import itertools
import threading
import time

from .. import _ffi
from .. import behaviors as _b
from .._ffi import ffi, lib

# How long a worker blocks in one pull call.  Stopping wakes pullers at
# once, so this only bounds how stale a parked thread can be.
_PULL_NS = 1_000_000_000

# Longest single blocking wait on the main thread (see _sliced).
_SLICE_NS = 100_000_000

# Cowns per behavior that fit the per-thread handle buffer.
_BUF = 16

_UINTPTR = ffi.typeof("uintptr_t")


def _load_nogil():
    """The two hot-path calls that never block, bound without releasing the
    GIL (ctypes.PyDLL).  Every cffi call releases and re-takes the GIL; on
    a GIL build, with a worker waiting for it, that hands the GIL over and
    back on every call.  Blocking calls always go through cffi."""
    if not hasattr(ctypes, "PyDLL"):
        # PyPy: no PyDLL (and no such handover cost).  Same signatures,
        # through cffi.
        def when_pull(buf, n, key, free, out):
            return lib.boc_when_pull(
                ffi.cast("boc_cown_t **", buf), n, ffi.cast("void *", key),
                ffi.NULL, ffi.cast("boc_cown_t **", out))

        def pull_next(done, timeout, out, arg):
            return lib.boc_worker_pull_next(
                ffi.cast("boc_behavior_t *", done or 0), timeout,
                ffi.cast("boc_behavior_t **", out), ffi.cast("void **", arg))

        class NoGilFallback:
            boc_when_pull = staticmethod(when_pull)
            boc_worker_pull_next = staticmethod(pull_next)

        return NoGilFallback
    dll = ctypes.PyDLL(_ffi.LIBRARY_PATH)
    when_pull = dll.boc_when_pull
    when_pull.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p,
                          ctypes.c_void_p, ctypes.c_void_p]
    when_pull.restype = ctypes.c_int
    pull_next = dll.boc_worker_pull_next
    pull_next.argtypes = [ctypes.c_void_p, ctypes.c_int64, ctypes.c_void_p, ctypes.c_void_p]
    pull_next.restype = ctypes.c_int

    class NoGil:
        boc_when_pull = when_pull
        boc_worker_pull_next = pull_next

    return NoGil


_nogil = _load_nogil()


class ThreadsBackend:
    """Python worker threads pulling behaviors from libboc."""

    name = "threads"

    def __init__(self, worker_count, module=None):
        self.worker_count = worker_count
        self.module = module
        self.final_stats = []
        self._records = {}
        self._keys = []
        self._ids = itertools.count(1)
        self._threads = []
        self._ready = threading.Barrier(worker_count + 1)

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

    @staticmethod
    def _sliced(call, timeout_ns):
        """Call a blocking libboc wait in slices of at most _SLICE_NS, so
        that signals (Ctrl-C) reach Python code while main waits."""
        if timeout_ns < 0:
            while True:
                st = call(_SLICE_NS)
                if st != _ffi.ETIMEDOUT:
                    return st
        deadline = time.monotonic_ns() + timeout_ns
        while True:
            left = deadline - time.monotonic_ns()
            st = call(max(0, min(left, _SLICE_NS)))
            if st != _ffi.ETIMEDOUT or left <= _SLICE_NS:
                return st

    def quiesce(self, timeout_ns):
        st = self._sliced(lib.boc_runtime_quiesce, timeout_ns)
        if st == _ffi.ETIMEDOUT:
            return False
        _ffi.check(st, "quiesce")
        return True

    def stop(self, timeout_ns):
        st = self._sliced(lib.boc_runtime_wait, timeout_ns)
        quiesced = st == _ffi.OK
        if st == _ffi.ETIMEDOUT:
            st = lib.boc_runtime_shutdown()
        if st not in (_ffi.OK, _ffi.ENOTRUNNING):
            _ffi.check(st, "stop")
        self._join()
        # Behaviors dropped by a forced stop never reached a worker.
        records = self._records
        self._records = {}
        self._keys = []
        for rec in records.values():
            _b._drop_record(rec, _b._DROPPED)
        self.final_stats = _b._scheduler_stats()
        return quiesced

    # -- scheduling -------------------------------------------------------------

    def schedule(self, record, cowns):
        """Schedule ``record``; ``cowns[-1]`` is its (new) result cown.

        One call into libboc: the result cown is created by
        ``boc_when_pull`` and its handle written into a per-thread buffer
        before the behavior can run (the worker never needs the handle).
        The call never blocks, so it is made without releasing the GIL
        (see ``_nogil``): handing the GIL to a worker and back on every
        ``@when`` would cost more than the call itself.
        """
        n = len(cowns) - 1
        tls = _b._tls
        try:
            buf, buf_addr, out, out_addr = tls.when_bufs
        except AttributeError:
            buf = ffi.new("boc_cown_t *[]", _BUF)
            out = ffi.new("boc_cown_t *[1]")
            buf_addr = int(ffi.cast(_UINTPTR, buf))
            out_addr = int(ffi.cast(_UINTPTR, out))
            tls.when_bufs = (buf, buf_addr, out, out_addr)
        if n > _BUF:
            buf = ffi.new("boc_cown_t *[]", n)
            buf_addr = int(ffi.cast(_UINTPTR, buf))
        for i in range(n):
            buf[i] = cowns[i]._h
        # The behavior's argument is a key into _records: a small int,
        # recycled through _keys.
        keys = self._keys
        key = keys.pop() if keys else next(self._ids)
        records = self._records
        records[key] = record
        st = _nogil.boc_when_pull(buf_addr, n, key, None, out_addr)
        if st != _ffi.OK:
            del records[key]
            keys.append(key)
            if st == _ffi.ESHUTDOWN:
                raise RuntimeError("runtime is shutting down")
            if st == _ffi.ENOTRUNNING:
                raise RuntimeError(
                    "cannot schedule behavior: bocpy runtime is not running. "
                    "Call bocpy.start() before scheduling behaviors"
                )
            _ffi.check(st, "when")
        cowns[-1]._h = out[0]

    # -- workers ------------------------------------------------------------------

    def _worker(self, slot, errors):
        _b._tls.worker = True
        try:
            # Resolve everything the loop needs before reporting ready, so
            # a broken installation fails start() instead of hanging later.
            poll_next = _nogil.boc_worker_pull_next
            wait_next = lib.boc_worker_pull_next
            complete = lib.boc_behavior_complete
            out = (ctypes.c_void_p * 1)()
            argp = (ctypes.c_void_p * 1)()
            out_addr = ctypes.addressof(out)
            arg_addr = ctypes.addressof(argp)
            out_c = ffi.cast("boc_behavior_t **", out_addr)
            arg_c = ffi.cast("void **", arg_addr)
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
        keys = self._keys
        run = _b._run_record
        OK, ETIMEDOUT = _ffi.OK, _ffi.ETIMEDOUT
        done = None
        try:
            while True:
                # Complete the last behavior and take the next one if it is
                # ready, keeping the GIL (it never blocks); only when there
                # is nothing to do, block in libboc with the GIL released.
                st = poll_next(done, 0, out_addr, arg_addr)
                done = None
                if st == ETIMEDOUT:
                    st = wait_next(ffi.NULL, _PULL_NS, out_c, arg_c)
                    if st == ETIMEDOUT:
                        continue
                if st != OK:
                    break
                done = out[0]
                key = argp[0]
                rec = records.pop(key, None)
                if rec is None:  # pragma: no cover - not scheduled by us
                    _b.logger.error("bocpy worker %d: pulled an unknown behavior", slot)
                    continue
                keys.append(key)
                run(rec)  # stores every exception of the body in the result
        except BaseException:  # pragma: no cover - a bug in bocpy itself
            _b.logger.exception("bocpy worker %d: internal error; the worker stops", slot)
            raise
        finally:
            if done is not None:
                complete(ffi.cast("boc_behavior_t *", done))
            lib.boc_worker_detach()
