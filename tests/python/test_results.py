# Copyright (c) 2026 The libboc authors.
# SPDX-License-Identifier: MIT
"""Result cowns and exceptions, including the unhandled-exception report."""

import re

import pytest

import bocpy
from bocpy import Cown, when
from bocpy_testutil import describe, finish, run_python

pytestmark = pytest.mark.timeout(60, method="thread")


def test_raised_exception_is_stored(backend):
    """D3/D33: raised -> result.value is the exception, exception True."""
    bocpy.start(worker_count=2, backend=backend)
    x = Cown(1)

    @when(x)
    def r(x):
        x.value /= 0

    @when(r)
    def downstream(r):
        return type(r.value).__name__, r.exception

    finish()
    assert isinstance(r.value, ZeroDivisionError)
    assert r.exception is True
    assert downstream.value == ("ZeroDivisionError", True)
    assert downstream.exception is False
    r.exception = False


@pytest.mark.parametrize(
    "body,exc_type",
    [
        (lambda: "hello" + 1, TypeError),  # D12
        (lambda: {}["missing"], KeyError),  # D13
    ],
)
def test_common_exceptions(backend, body, exc_type):
    bocpy.start(worker_count=1, backend=backend)
    c = Cown(0)

    @when(c)
    def r(c):
        return body()

    finish()
    assert isinstance(r.value, exc_type)
    assert r.exception is True
    r.exception = False


def test_returned_exception_is_not_flagged(backend):
    """D34."""
    bocpy.start(worker_count=1, backend=backend)
    c = Cown(0)

    @when(c)
    def r(c):
        return ValueError("returned, not raised")

    finish()
    assert isinstance(r.value, ValueError)
    assert r.exception is False


def test_writing_value_clears_flag_downstream(backend):
    """D35."""
    bocpy.start(worker_count=1, backend=backend)
    c = Cown(0)

    @when(c)
    def r(c):
        raise RuntimeError("x")

    @when(r)
    def fix(r):
        before = r.exception
        r.value = "fixed"
        return before, r.exception

    finish()
    assert fix.value == (True, False)
    assert r.value == "fixed"
    assert r.exception is False


def test_cowns_released_after_exception(backend):
    bocpy.start(worker_count=2, backend=backend)
    c = Cown(0)

    @when(c)
    def bad(c):
        c.value += 1
        raise ValueError("boom")

    @when(c)
    def good(c):
        c.value += 1
        return c.value

    finish()
    assert good.value == 2
    assert bad.exception is True
    bad.exception = False


@pytest.mark.parametrize("exc", [KeyboardInterrupt, SystemExit, GeneratorExit])
def test_base_exceptions_captured(backend, exc):
    """D44 / regression 7: BaseException bodies are captured; follow-on runs."""
    bocpy.start(worker_count=2, backend=backend)
    c = Cown(0)

    @when(c)
    def bad(c):
        c.value += 1
        raise exc()

    @when(c)
    def follow(c):
        c.value += 1
        return "ran"

    finish()
    assert isinstance(bad.value, exc)
    assert bad.exception is True
    assert follow.value == "ran"
    assert c.value == 2
    bad.exception = False


def test_many_raising_bodies_do_not_take_workers_down(backend):
    """Regression 7: thousands of raising bodies; workers stay in rotation."""
    bocpy.start(worker_count=2, backend=backend)
    cs = [Cown(i) for i in range(8)]
    results = []
    for i in range(1000):

        @when(cs[i % 8])
        def r(c):
            raise ValueError(c.value)

        results.append(r)

    @when(cs)
    def after(g):
        return sum(c.value for c in g)

    finish()
    assert after.value == sum(range(8))
    assert all(r.exception for r in results)
    assert all(isinstance(r.value, ValueError) for r in results)
    for r in results:
        r.exception = False


def test_result_starts_as_none_and_is_ordered(backend):
    """A behavior on the result runs after the producer."""
    import time

    bocpy.start(worker_count=2, backend=backend)

    @when()
    def producer():
        time.sleep(0.2)
        return "produced"

    @when(producer)
    def consumer(p):
        return p.value

    finish()
    assert consumer.value == "produced"


def test_none_return(backend):
    bocpy.start(worker_count=1, backend=backend)
    c = Cown(1)

    @when(c)
    def r(c):
        c.value = 2

    finish()
    assert r.value is None
    assert r.exception is False


UNHANDLED_SCRIPT = """
import gc
import sys
import bocpy
from bocpy import Cown, when

bocpy.start(worker_count=2)
c = Cown(0)

@when(c)
def raised(c):
    raise ValueError("boom-raised")

@when(c)
def returned(c):
    return ValueError("boom-returned")

@when(c)
def cleared(c):
    raise KeyError("boom-cleared")

@when(c)
def overwritten(c):
    raise KeyError("boom-overwritten")

bocpy.wait(timeout=20)
assert raised.exception and not returned.exception and cleared.exception
cleared.exception = False
overwritten.value = "ok"
del returned, cleared, overwritten
gc.collect()
print("MARK-1", file=sys.stderr, flush=True)
del raised
gc.collect()
print("MARK-2", file=sys.stderr, flush=True)
"""


def test_unhandled_exception_report(tmp_path, backend):
    """Regression 17: a cown still flagged with an exception reports on
    stderr when freed; returned/cleared/overwritten ones do not."""
    proc = run_python(tmp_path, UNHANDLED_SCRIPT, timeout=40)
    assert proc.returncode == 0, describe(proc)
    err = proc.stderr
    assert "contains an unhandled exception" in err, describe(proc)
    assert re.search(
        r"Cown\(0x[0-9a-fA-F]+\) contains an unhandled exception: ValueError\('boom-raised'\)", err
    ), describe(proc)
    assert "boom-returned" not in err, describe(proc)
    assert "boom-cleared" not in err, describe(proc)
    assert "boom-overwritten" not in err, describe(proc)
    # Reported when the last reference goes away, not later.
    i1, i2 = err.index("MARK-1"), err.index("MARK-2")
    rep = err.index("boom-raised")
    assert i1 < rep < i2, describe(proc)
    assert err.count("contains an unhandled exception") == 1, describe(proc)


DROPPED_SCRIPT = """
import gc, sys, threading, weakref
import bocpy
from bocpy import Cown, when
c = Cown(0)
gate = threading.Event()
@when(c)
def _(c):
    gate.wait(10)
refs = []
for i in range(50):
    @when(c)
    def r(c):
        c.value += 1
        if c.value == 25:
            raise ValueError("boom-dropped")
    if i % 10 == 0:
        refs.append(weakref.ref(r))  # a weakref: bocpy must not count on none
    del r  # only the behavior's record refers to the result now
kept = []
for i in range(5):
    @when(c)
    def r(c):
        return c.value
    kept.append(r)
gate.set()
bocpy.wait(timeout=20)
gc.collect()
print("VALUE", c.value, "ALIVE", sum(1 for w in refs if w() is not None), flush=True)
print("KEPT", [k.value for k in kept], flush=True)
"""


def test_results_dropped_before_their_behavior_runs(tmp_path, backend):
    """Result cowns nobody refers to any more die with their behavior's
    record (the threads backend then releases their handle in its next
    pull call): each is freed once, the one holding an exception still
    reports it, and results still referred to keep their values."""
    proc = run_python(tmp_path, DROPPED_SCRIPT, timeout=40)
    assert proc.returncode == 0, describe(proc)
    assert "VALUE 50 ALIVE 0" in proc.stdout, describe(proc)
    assert "KEPT [50, 50, 50, 50, 50]" in proc.stdout, describe(proc)
    assert proc.stderr.count("contains an unhandled exception") == 1, describe(proc)
    assert "ValueError('boom-dropped')" in proc.stderr, describe(proc)


def test_no_spurious_stderr_on_normal_exit(tmp_path, backend):
    proc = run_python(
        tmp_path,
        """
        import bocpy
        from bocpy import Cown, when
        c = Cown(0)
        for i in range(20):
            @when(c)
            def _(c):
                c.value += 1
        bocpy.wait(timeout=20)
        print("VALUE", c.value)
        """,
        timeout=40,
    )
    assert proc.returncode == 0, describe(proc)
    assert "VALUE 20" in proc.stdout
    assert proc.stderr.strip() == "", describe(proc)
