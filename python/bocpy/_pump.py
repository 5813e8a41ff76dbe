# Copyright (c) 2026 The libboc authors.
# SPDX-License-Identifier: MIT
"""Running pinned behaviors: ``pump``, the starvation watchdog and the
automatic pumping of ``wait()``/``quiesce()`` (libboc's boc/pump.h).

A behavior naming a ``PinnedCown`` is queued by libboc on the pinned
queue instead of going to a worker; ``pump()`` takes it off on the
calling thread (the main thread, in practice) and runs it there.
Differences from bocpy 0.9.0:

* ``raise_on_error=True`` re-raises the first body exception after the
  loop has finished (queue drained, or the limits reached), as bocpy's
  documentation says; bocpy stopped at the first error.
* ``set_pump_watchdog`` has ``raise_ms`` (promised by bocpy's changelog,
  missing from 0.9.0): ``pump()`` raises RuntimeError on entry when the
  pinned queue has been non-empty that long.
* Any thread that is not running a behavior may pump, one at a time; a
  second one gets RuntimeError (bocpy could crash there).
"""

import logging
import time
from typing import Callable, NamedTuple, Optional

from . import _ffi
from ._ffi import ffi, lib

logger = logging.getLogger("bocpy.pump")

_MAX_MS = 9_223_372_036_853  # (2**63 - 1) // 10**6 - 1

#: How often (ms) wait()/quiesce() wake up to check for pinned work when
#: nothing woke them; libboc wakes them at once when pinned work arrives,
#: so this is only a bound on a missed wake-up.
_wait_poll_ms = 50

# Watchdog settings (off until set_pump_watchdog is called) and state.
_watchdog = {"warn_ms": None, "raise_ms": None, "on_starve": None}
_fired = {"warn": False, "raise": False}

# Pinned behaviors run per automatic pump in wait()/quiesce().
_AUTO_BATCH = 64


class PumpResult(NamedTuple):
    """What one ``pump()`` call did."""

    executed: int
    deadline_reached: bool
    raised: int


def _positive_ms(name, value, limit=_MAX_MS):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise TypeError("%s must be a positive int or None" % name)
    if value > limit:
        raise OverflowError("%s is too large (max %d)" % (name, limit))
    return value


def _status():
    st = ffi.new("boc_pump_status_t *")
    lib.boc_pump_status(st)
    return st


def _check_watchdog():
    """On pump entry: warn, call on_starve or raise when the pinned queue
    has been non-empty too long (at most once each per non-empty period)."""
    warn_ms, raise_ms = _watchdog["warn_ms"], _watchdog["raise_ms"]
    if warn_ms is None and raise_ms is None:
        return
    st = _status()
    if st.nonempty_ns == 0:
        _fired["warn"] = _fired["raise"] = False
        return
    ms = st.nonempty_ns // 1_000_000
    on_starve = _watchdog["on_starve"]
    msg = "pinned-cown queue non-empty for %d ms with no pump() progress (depth=%d)" % (
        ms,
        st.depth,
    )
    if raise_ms is not None and ms >= raise_ms and not _fired["raise"]:
        _fired["raise"] = _fired["warn"] = True
        if on_starve is not None:
            _call_on_starve(on_starve, 1, msg)
        raise RuntimeError(msg + ": watchdog raise threshold tripped")
    if warn_ms is not None and ms >= warn_ms and not _fired["warn"]:
        _fired["warn"] = True
        if on_starve is not None:
            _call_on_starve(on_starve, 0, msg)
        else:
            logger.warning("%s", msg)


def _call_on_starve(fn, severity, msg):
    try:
        fn(severity, msg)
    except Exception:  # noqa: BLE001 - reported, never propagated (as bocpy)
        import sys

        sys.unraisablehook(_Unraisable(sys.exc_info(), fn))


class _Unraisable:
    def __init__(self, info, obj):
        self.exc_type, self.exc_value, self.exc_traceback = info
        self.err_msg = "Exception ignored in pump watchdog callback"
        self.object = obj


def set_pump_watchdog(warn_ms: Optional[int] = 1000, raise_ms: Optional[int] = None,
                      on_starve: Optional[Callable[[int, str], None]] = None) -> None:
    """Watch for a starved pinned queue (off until this is called).

    On each ``pump()`` entry (including wait()/quiesce()'s), when the
    pinned queue has been non-empty for at least ``warn_ms`` ms:
    ``on_starve(0, message)``, or a WARNING on logger ``bocpy.pump``; for
    at least ``raise_ms`` ms: ``on_starve(1, message)`` if given, then
    RuntimeError from ``pump()``.  Each fires at most once per non-empty
    period.  Time spent on ordinary behaviors never counts.  ``None``
    disables a threshold.  Main thread only.
    """
    from .behaviors import _current_thread, _main_thread

    warn_ms = _positive_ms("warn_ms", warn_ms)
    raise_ms = _positive_ms("raise_ms", raise_ms)
    if on_starve is not None and not callable(on_starve):
        raise TypeError("on_starve must be callable or None")
    if _current_thread() is not _main_thread():
        raise RuntimeError("set_pump_watchdog() can only be called from the main interpreter")
    _watchdog.update(warn_ms=warn_ms, raise_ms=raise_ms, on_starve=on_starve)
    _fired["warn"] = _fired["raise"] = False


def set_wait_pump_poll(ms: int = 50) -> None:
    """How often (ms) wait()/quiesce() re-check for pinned work while they
    pump.  libboc wakes them as soon as pinned work is queued; this bounds
    the wait between checks otherwise."""
    global _wait_poll_ms
    if isinstance(ms, bool) or not isinstance(ms, int) or ms <= 0:
        raise TypeError("ms must be a positive int")
    _wait_poll_ms = ms


def pump(deadline_ms: Optional[int] = None, max_behaviors: Optional[int] = None,
         raise_on_error: bool = False) -> PumpResult:
    """Run queued pinned behaviors on the calling thread; never blocks.

    Stops when the queue is empty, after ``max_behaviors``, or once
    ``deadline_ms`` has passed (checked after each behavior, so one runs
    at least).  A body's exception goes to its result cown and counts in
    ``raised``; with ``raise_on_error`` the first one is re-raised after
    the loop.  A BaseException that is not an Exception (KeyboardInterrupt)
    is stored too and propagates at once; the rest stays queued.  Raises
    RuntimeError without a running runtime, inside a behavior (pump is not
    reentrant), and when another thread is pumping.
    """
    from . import behaviors as _b

    deadline_ms = _positive_ms("deadline_ms", deadline_ms)
    if max_behaviors is not None and (
        isinstance(max_behaviors, bool) or not isinstance(max_behaviors, int)
        or max_behaviors <= 0
    ):
        raise TypeError("max_behaviors must be a positive int or None")
    rt = _b._RUNTIME
    if rt is None:
        raise RuntimeError(
            "pump() requires a live bocpy runtime: call bocpy.start() (or use @when) first"
        )
    if _b._in_worker():
        raise RuntimeError("pump() is not reentrant: it cannot be called from a behavior")
    _check_watchdog()
    return _pump(rt, deadline_ms, max_behaviors, raise_on_error)


def _pump(rt, deadline_ms, max_behaviors, raise_on_error):
    """The pump loop (also wait()/quiesce()'s automatic pump)."""
    from . import behaviors as _b

    st = lib.boc_pump_begin()
    if st == _ffi.EBUSY:
        raise RuntimeError("pump() is in use by another thread")
    if st == _ffi.EDEADLK:
        raise RuntimeError("pump() is not reentrant: it cannot be called from a behavior")
    if st == _ffi.ENOTRUNNING:
        raise RuntimeError("pump() requires a live bocpy runtime: call bocpy.start() first")
    _ffi.check(st, "pump")
    io = ffi.new("uint64_t[3]")
    records = rt._records
    tls = _b._tls
    me = _b._get_ident()
    running = _b._running
    executed = raised = 0
    first = None
    deadline_reached = False
    end = None if deadline_ms is None else time.monotonic() + deadline_ms / 1000.0
    try:
        while max_behaviors is None or executed < max_behaviors:
            st = lib.boc_pump_next_packed(io)
            executed += int(io[2])
            if st == _ffi.ETIMEDOUT:
                _fired["warn"] = _fired["raise"] = False  # drained: a new period
                break
            _ffi.check(st, "pump")
            rec = records.pop(int(io[1]), None)
            if rec is None:  # pragma: no cover - not scheduled by bocpy
                logger.error("pump(): pulled an unknown pinned behavior")
                continue
            running[me] = running.get(me, 0) + 1
            saved = getattr(tls, "worker", False)
            tls.worker = True  # main-only calls are refused inside the body
            try:
                exc = _b._run_record(rec)
            finally:
                tls.worker = saved
            executed += 1
            if exc is not None:
                if not isinstance(exc, Exception):
                    raise exc  # stored on the result too; the rest stays queued
                raised += 1
                if first is None:
                    first = exc
            if end is not None and time.monotonic() >= end:
                deadline_reached = True
                break
    finally:
        b = int(io[0])
        if b:
            lib.boc_behavior_complete(ffi.cast("boc_behavior_t *", b))
        running.pop(me, None)
        lib.boc_pump_end()
    if raise_on_error and first is not None:
        raise first
    return PumpResult(executed, deadline_reached, raised)


def pumping_wait(rt, timeout_ns, finish):
    """Wait for quiescence while pumping pinned work: sleep in libboc until
    the runtime is quiescent or pinned work is queued, pump it, repeat.
    Then ``finish(remaining_ns)`` (the plain wait).  Returns its result, or
    ETIMEDOUT when ``timeout_ns`` (negative: none) ran out first."""
    deadline = None if timeout_ns < 0 else time.monotonic_ns() + timeout_ns
    why = ffi.new("uint32_t *")
    while True:
        poll_ns = _wait_poll_ms * 1_000_000
        if deadline is None:
            slice_ns = poll_ns
        else:
            slice_ns = max(0, min(deadline - time.monotonic_ns(), poll_ns))
        st = lib.boc_runtime_await(slice_ns, why)
        if st == _ffi.ETIMEDOUT:
            if deadline is not None and time.monotonic_ns() >= deadline:
                return _ffi.ETIMEDOUT
            continue
        _ffi.check(st, "wait")
        if why[0] & lib.BOC_AWAIT_PINNED:
            _check_watchdog()
            _pump(rt, None, _AUTO_BATCH, False)
            continue
        if why[0] & lib.BOC_AWAIT_QUIESCENT:
            left = -1 if deadline is None else max(0, deadline - time.monotonic_ns())
            return finish(left)
