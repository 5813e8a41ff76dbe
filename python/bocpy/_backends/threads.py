# Copyright (c) 2026 The libboc authors.
# SPDX-License-Identifier: MIT
"""The threads backend (DESIGN.md D7).

libboc runs with N pull slots; N Python threads attach to them and pull
ready behaviors (``boc_worker_pull`` blocks with the GIL released).  Cown
values are live Python objects.  Bodies run in parallel on free-threaded
CPython and wherever they release the GIL; otherwise the GIL serialises
them.  No callback from C into Python is ever made.
"""

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

_VOIDP = ffi.typeof("void *")
_INTPTR = ffi.typeof("intptr_t")


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
            rec.drop(_b._DROPPED)
        self.final_stats = _b._scheduler_stats()
        return quiesced

    # -- scheduling -------------------------------------------------------------

    def schedule(self, record, cowns):
        """Schedule ``record``; ``cowns[-1]`` is its (new) result cown.

        One call into libboc: the result cown is created by
        ``boc_when_pull`` and its handle written into a per-thread buffer
        before the behavior can run (the worker never needs the handle).
        """
        n = len(cowns)
        tls = _b._tls
        try:
            buf, out = tls.when_buf, tls.when_out
        except AttributeError:
            buf = tls.when_buf = ffi.new("boc_cown_t *[]", _BUF)
            out = tls.when_out = ffi.new("boc_cown_t *[1]")
        if n - 1 > _BUF:
            buf = ffi.new("boc_cown_t *[]", n - 1)
        for i in range(n - 1):
            buf[i] = cowns[i]._h
        # The behavior's argument is a key into _records.  Keys are void*
        # cdata objects (hashed by address), recycled through _keys, so no
        # int<->pointer conversion is paid per behavior on either side.
        keys = self._keys
        key = keys.pop() if keys else ffi.cast(_VOIDP, next(self._ids))
        records = self._records
        records[key] = record
        st = lib.boc_when_pull(buf, n - 1, key, ffi.NULL, out)
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
            pull_next = lib.boc_worker_pull_next
            complete = lib.boc_behavior_complete
            out = ffi.new("boc_behavior_t **")
            argp = ffi.new("void **")
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
        OK, ETIMEDOUT = _ffi.OK, _ffi.ETIMEDOUT
        done = ffi.NULL
        try:
            while True:
                # One call per behavior: complete the last, pull the next.
                st = pull_next(done, _PULL_NS, out, argp)
                done = ffi.NULL
                if st != OK:
                    if st == ETIMEDOUT:
                        continue
                    break
                done = out[0]
                key = argp[0]
                rec = records.pop(key, None)
                if rec is None:  # pragma: no cover - not scheduled by us
                    _b.logger.error("bocpy worker %d: pulled an unknown behavior", slot)
                    continue
                keys.append(key)
                rec.run()  # stores every exception of the body in the result
        except BaseException:  # pragma: no cover - a bug in bocpy itself
            _b.logger.exception("bocpy worker %d: internal error; the worker stops", slot)
            raise
        finally:
            if done != ffi.NULL:
                complete(done)
            lib.boc_worker_detach()
