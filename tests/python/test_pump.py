# Copyright (c) 2026 The libboc authors.
# SPDX-License-Identifier: MIT
"""Pinned cowns, pump(), the starvation watchdog and wait()/quiesce()'s
automatic pumping (reference: bocpy-api.md sections 4.4 and 5)."""

import gc
import logging
import threading
import time

import pytest

import bocpy
from bocpy import (
    Cown,
    PinnedCown,
    PumpResult,
    notice_write,
    pump,
    quiesce,
    receive,
    send,
    set_pump_watchdog,
    set_wait_pump_poll,
    start,
    wait,
    when,
)
from bocpy import _pump as pump_mod
from bocpy_testutil import TIMEOUT as LIMIT

MAIN = threading.main_thread()


@pytest.fixture(autouse=True)
def _reset_pump_settings():
    yield
    bocpy.wait(timeout=20)
    pump_mod._watchdog.update(warn_ms=None, raise_ms=None, on_starve=None)
    set_wait_pump_poll(50)


def pump_until(pred, limit=LIMIT):
    """Pump until pred() holds (bounded)."""
    end = time.monotonic() + limit
    while not pred():
        pump()
        if time.monotonic() > end:
            raise AssertionError("condition not reached while pumping")
        time.sleep(0.001)


def queued_depth():
    return pump_mod._status().depth


def wait_depth(n, limit=LIMIT):
    end = time.monotonic() + limit
    while queued_depth() < n:
        if time.monotonic() > end:
            raise AssertionError("pinned queue never reached depth %d" % n)
        time.sleep(0.001)


# -- PinnedCown ------------------------------------------------------------------


def test_pinned_cown_is_held_by_main_for_life():
    p = PinnedCown([1])
    assert p.acquired
    assert p.value == [1]
    p.value = [2]
    p.acquire()  # no-ops on main
    p.release()
    assert "value=[2]" in repr(p)
    assert isinstance(p, Cown)


def test_pinned_cown_value_is_never_pickled():
    class NoPickle:
        def __reduce_ex__(self, proto):
            raise AssertionError("pickled")

    start(worker_count=1)
    p = PinnedCown(NoPickle())
    send("pinned-handle", {"p": p})
    _, got = receive("pinned-handle", 5)
    assert got["p"] is p
    notice_write("pinned", p)  # the handle goes on the board, not the value


def test_constructing_off_main_raises(backend):
    start(worker_count=1, backend=backend)
    out = []

    @when(Cown(None))
    def _(c):
        try:
            PinnedCown(1)
        except RuntimeError as exc:
            out.append(str(exc))

    errors = []
    th = threading.Thread(target=lambda: _try(errors))
    th.start()
    th.join(LIMIT)
    quiesce(timeout=LIMIT)
    assert out == ["PinnedCown must be constructed on the main interpreter"]
    assert errors == ["PinnedCown must be constructed on the main interpreter"]


def _try(errors):
    try:
        PinnedCown(1)
    except RuntimeError as exc:
        errors.append(str(exc))


def test_value_off_main_raises(backend):
    start(worker_count=1, backend=backend)
    p = PinnedCown("secret")
    out = []

    @when(Cown(p))
    def _(c):
        handle = c.value
        for op in (lambda: handle.value, handle.acquire, handle.release):
            try:
                op()
                out.append("no error")
            except RuntimeError as exc:
                out.append("cannot acquire pinned cown" in str(exc))

    quiesce(timeout=LIMIT)
    assert out == [True, True, True]
    assert not pump_mod._status().depth


# -- routing ------------------------------------------------------------------------


def test_a_pinned_and_an_ordinary_cown_run_on_main(backend):
    start(worker_count=2, backend=backend)
    p = PinnedCown([])
    c = Cown(5)

    @when(p, c)
    def r(p, c):
        p.value.append(c.value)
        c.value += 1
        return threading.current_thread() is MAIN

    @when(c)
    def after(c):
        return c.value, threading.current_thread() is MAIN

    wait_depth(1)
    res = pump()
    assert res.executed == 1 and res.raised == 0 and not res.deadline_reached
    quiesce(timeout=LIMIT)
    assert p.value == [5]
    with r as v:
        assert v is True
    with after as v:
        assert v == (6, False)  # ordinary behaviors stay on workers


def test_nothing_queued_pump_returns_at_once():
    start(worker_count=1)
    t0 = time.monotonic()
    assert pump() == PumpResult(0, False, 0)
    assert time.monotonic() - t0 < 1.0


def test_worker_schedules_on_a_pinned_handle(backend):
    start(worker_count=1, backend=backend)
    p = PinnedCown(0)
    holder = Cown(p)  # a pinned handle inside another cown's value

    @when(holder)
    def _(h):
        @when(h.value)
        def _(pc):
            pc.value += 10

    pump_until(lambda: p.value == 10)
    assert p.value == 10


def test_pinned_behaviors_keep_order():
    start(worker_count=1)
    p = PinnedCown([])
    for i in range(20):
        @when(p)
        def _(p):
            p.value.append(i)

    wait_depth(1)
    pump_until(lambda: len(p.value) == 20)
    assert p.value == list(range(20))


# -- limits ----------------------------------------------------------------------------


def test_max_behaviors_and_deadline():
    start(worker_count=1)
    p = PinnedCown(0)
    for _ in range(10):
        @when(p)
        def _(p):
            p.value += 1
            time.sleep(0.02)

    wait_depth(1)  # behaviors on one cown: one is ready at a time
    r = pump(max_behaviors=3)
    assert r.executed == 3 and not r.deadline_reached
    r = pump(deadline_ms=30)
    assert 1 <= r.executed < 7 and r.deadline_reached
    pump_until(lambda: p.value == 10)


def test_pump_argument_errors():
    start(worker_count=1)
    for bad in (0, -1, 1.5, "1", True, False):
        with pytest.raises(TypeError, match="deadline_ms"):
            pump(deadline_ms=bad)
        with pytest.raises(TypeError, match="max_behaviors"):
            pump(max_behaviors=bad)
    with pytest.raises(OverflowError):
        pump(deadline_ms=2 ** 63)
    pump(max_behaviors=10 ** 30)  # no upper limit


def test_pump_requires_a_runtime():
    with pytest.raises(RuntimeError, match="requires a live bocpy runtime"):
        pump()


# -- errors in pinned bodies ----------------------------------------------------------


def test_errors_land_on_results_and_raise_on_error_drains_first():
    start(worker_count=1)
    p = PinnedCown([])
    results = []
    for i in range(4):
        @when(p)
        def r(p):
            p.value.append(i)
            if i in (1, 2):
                raise ValueError("boom %d" % i)
            return i

        results.append(r)

    wait_depth(1)
    with pytest.raises(ValueError, match="boom 1"):
        pump(raise_on_error=True)
    # bocpy stopped at the first error; here the queue was drained first.
    assert p.value == [0, 1, 2, 3]
    quiesce(timeout=LIMIT)
    with results[2] as v:
        assert isinstance(v, ValueError) and results[2].exception
        results[2].exception = False
    with results[1] as v:
        results[1].exception = False
    with results[3] as v:
        assert v == 3


def test_errors_counted_without_raise_on_error():
    start(worker_count=1)
    p = PinnedCown(None)
    rs = []
    for _ in range(3):
        @when(p)
        def r(p):
            raise KeyError("x")

        rs.append(r)
    wait_depth(1)
    assert pump() == PumpResult(3, False, 3)
    quiesce(timeout=LIMIT)
    for r in rs:
        with r:
            r.exception = False


def test_pump_is_not_reentrant_and_refused_in_behaviors(backend):
    start(worker_count=1, backend=backend)
    p = PinnedCown(None)
    out = []

    @when(p)
    def _(p):
        try:
            pump()
        except RuntimeError as exc:
            out.append("reentrant: " + str(exc))

    @when(Cown(None))
    def _(c):
        try:
            pump()
        except RuntimeError as exc:
            out.append("worker: " + str(exc))

    pump_until(lambda: len(out) == 2)
    assert sorted(o.split(":")[0] for o in out) == ["reentrant", "worker"]
    assert all("not reentrant" in o for o in out)


def test_a_second_thread_pumping_gets_runtime_error():
    start(worker_count=1)
    p = PinnedCown(None)
    inside = threading.Event()
    release = threading.Event()

    @when(p)
    def _(p):
        inside.set()
        release.wait(LIMIT)

    errors = []

    def other():
        inside.wait(LIMIT)
        try:
            pump()
        except RuntimeError as exc:
            errors.append(str(exc))
        finally:
            release.set()

    th = threading.Thread(target=other)
    th.start()
    wait_depth(1)
    pump()  # main runs the body, which waits while the other thread tries
    th.join(LIMIT)
    assert errors and "in use by another thread" in errors[0]


def test_pump_from_another_thread_does_not_crash():
    start(worker_count=1)
    p = PinnedCown(0)

    @when(p)
    def _(p):
        return 1

    wait_depth(1)
    got = []
    th = threading.Thread(target=lambda: got.append(pump()))
    th.start()
    th.join(LIMIT)
    assert got and got[0].executed == 1


# -- watchdog ---------------------------------------------------------------------------


def test_watchdog_warns_once_per_period_and_calls_on_starve(caplog):
    start(worker_count=1)
    p = PinnedCown(None)

    @when(p)
    def _(p):
        pass

    wait_depth(1)
    time.sleep(0.03)
    set_pump_watchdog(warn_ms=10)
    with caplog.at_level(logging.WARNING, logger="bocpy.pump"):
        pump()
    assert "pinned-cown queue non-empty for" in caplog.text
    assert "depth=1" in caplog.text
    calls = []
    set_pump_watchdog(warn_ms=10, on_starve=lambda sev, msg: calls.append((sev, msg)))

    @when(p)
    def _(p):
        pass

    wait_depth(1)
    time.sleep(0.03)
    pump()
    pump()
    assert len(calls) == 1 and calls[0][0] == 0


def test_watchdog_raises_with_raise_ms():
    start(worker_count=1)
    p = PinnedCown(None)

    @when(p)
    def _(p):
        pass

    wait_depth(1)
    time.sleep(0.05)
    calls = []
    set_pump_watchdog(warn_ms=None, raise_ms=20, on_starve=lambda s, m: calls.append(s))
    with pytest.raises(RuntimeError, match="watchdog raise threshold tripped"):
        pump()
    assert calls == [1]
    assert pump().executed == 1  # once per period: the next pump drains


def test_watchdog_no_false_alarm_with_only_unpinned_work(caplog):
    start(worker_count=2)
    set_pump_watchdog(warn_ms=1, raise_ms=2)
    c = Cown(0)
    for _ in range(200):
        @when(c)
        def _(c):
            c.value += 1
            time.sleep(0.0001)

    with caplog.at_level(logging.WARNING, logger="bocpy.pump"):
        for _ in range(20):
            pump()
            time.sleep(0.002)
    assert "non-empty" not in caplog.text


def test_watchdog_argument_errors():
    for bad in (0, 1.5, True, "1"):
        with pytest.raises(TypeError):
            set_pump_watchdog(warn_ms=bad)
        with pytest.raises(TypeError):
            set_pump_watchdog(raise_ms=bad)
    with pytest.raises(TypeError):
        set_pump_watchdog(on_starve=5)
    with pytest.raises(OverflowError):
        set_pump_watchdog(warn_ms=2 ** 63)
    set_pump_watchdog()  # 1000 ms, default sink
    assert pump_mod._watchdog["warn_ms"] == 1000
    for bad in (0, -5, 1.0, True):
        with pytest.raises(TypeError):
            set_wait_pump_poll(bad)


# -- wait/quiesce auto-pump -----------------------------------------------------------------


def test_wait_and_quiesce_pump_pinned_work(backend):
    start(worker_count=2, backend=backend)
    set_wait_pump_poll(5)
    p = PinnedCown([])
    cs = [Cown(i) for i in range(10)]
    for c in cs:
        @when(c)
        def _(c):
            # a worker schedules pinned work: only the auto-pump runs it
            @when(p, c)
            def _(p, c):
                p.value.append((c.value, threading.current_thread() is MAIN))

    quiesce(timeout=LIMIT)
    assert sorted(p.value) == [(i, True) for i in range(10)]
    for c in cs:
        @when(p, c)
        def _(p, c):
            p.value.append(-c.value)

    wait(timeout=LIMIT)
    assert len(p.value) == 20


def test_pinned_cown_dies_cleanly():
    import weakref

    start(worker_count=1)
    p = PinnedCown([1])
    ref = weakref.ref(p)

    @when(p)
    def _(p):
        p.value.append(2)

    wait()
    del p
    gc.collect()
    assert ref() is None
