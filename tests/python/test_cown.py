# Copyright (c) 2026 The libboc authors.
# SPDX-License-Identifier: MIT
"""Cown: value, exception flag, acquire/release, context manager,
ordering, equality/hashing, str/repr."""

import re
import threading
import time

import pytest

import bocpy
from bocpy import Cown, when
from bocpy_testutil import TIMEOUT, finish, requires_threads

pytestmark = pytest.mark.timeout(60, method="thread")

REPR_RE = r"CownCapsule\(0x[0-9a-fA-F]+, value=%s\)"


# ---------------------------------------------------------------- no runtime


def test_value_get_set_without_runtime():
    c = Cown(5)
    assert c.value == 5
    c.value = 7
    assert c.value == 7


def test_default_value_none():
    assert Cown(None).value is None


def test_exception_flag_without_runtime():
    c = Cown(1)
    assert c.exception is False
    c.exception = True
    assert c.exception is True
    # Setting .value clears the flag.
    c.value = 2
    assert c.exception is False
    # The setter takes truthy/falsy values.
    c.exception = 1
    assert c.exception is True
    c.exception = 0
    assert c.exception is False


def test_acquire_release_without_runtime():
    c = Cown("v")
    assert c.acquired is False
    c.acquire()
    assert c.acquired is True
    c.acquire()  # re-acquire on the same thread is a no-op
    assert c.acquired is True
    assert c.value == "v"
    c.release()
    assert c.acquired is False
    c.release()  # releasing a cown nobody holds is a no-op
    assert c.acquired is False


def test_context_manager_returns_value():
    c = Cown([1, 2])
    with c as v:
        assert v == [1, 2]
        assert c.acquired is True
    assert c.acquired is False


def test_repr_and_str_owner():
    c = Cown(5)
    assert re.fullmatch(REPR_RE % "5", repr(c)), repr(c)
    assert str(c) == repr(c)
    s = Cown("x")
    assert re.fullmatch(REPR_RE % re.escape("'x'"), repr(s)), repr(s)


def test_ordering_by_creation_id():
    a, b, c = Cown(1), Cown(2), Cown(3)
    assert a < b < c
    assert c > a
    assert not (b < a)
    assert sorted([c, a, b]) == [a, b, c]
    assert sorted([b, c, a], reverse=True) == [c, b, a]


def test_ordering_is_total_and_consistent():
    cs = [Cown(i) for i in range(50)]
    shuffled = cs[::-1]
    assert sorted(shuffled) == cs
    for x in cs[:10]:
        for y in cs[:10]:
            if x is not y:
                assert (x < y) != (y < x)


def test_ordering_unsupported_operators():
    a, b = Cown(1), Cown(2)
    with pytest.raises(TypeError):
        a <= b
    with pytest.raises(TypeError):
        a >= b
    with pytest.raises(TypeError):
        a < 5


def test_equality_and_hash():
    a, b = Cown(1), Cown(1)
    assert a == a
    assert not (a != a)
    assert a != b
    assert (a == 5) is False
    assert (a == None) is False  # noqa: E711
    assert hash(a) == hash(a)
    assert len({a, b, a}) == 2
    d = {a: "a", b: "b"}
    assert d[a] == "a" and d[b] == "b"


def test_cown_in_cown():
    inner = Cown(42)
    outer = Cown(inner)
    assert outer.value is inner
    assert outer.value.value == 42


# ------------------------------------------------------------- with runtime


def test_value_requires_ownership_while_running(backend):
    bocpy.start(worker_count=1, backend=backend)
    c = Cown(1)
    with pytest.raises(RuntimeError, match="does not own this cown"):
        c.value
    with pytest.raises(RuntimeError, match="does not own this cown"):
        c.value = 2
    with pytest.raises(RuntimeError, match="does not own this cown"):
        c.exception
    assert c.acquired is False
    assert re.fullmatch(REPR_RE % "<not owner>", repr(c)), repr(c)
    assert str(c) == repr(c)
    c.acquire()
    assert c.acquired is True
    assert c.value == 1
    c.value = 3
    assert re.fullmatch(REPR_RE % "3", repr(c)), repr(c)
    c.release()
    assert c.acquired is False
    with c as v:
        assert v == 3
        assert c.acquired is True
    assert c.acquired is False
    with pytest.raises(RuntimeError, match="does not own this cown"):
        c.value
    finish()
    # After wait() every cown is readable directly again.
    assert c.value == 3


def test_read_result_with_context_manager_after_quiesce(backend):
    bocpy.start(worker_count=2, backend=backend)
    c = Cown(10)

    @when(c)
    def r(c):
        c.value += 1
        return c.value * 2

    bocpy.quiesce(timeout=TIMEOUT)
    with r as v:
        assert v == 22
    with c as v:
        assert v == 11
    # The runtime is still up and the cowns are usable again.

    @when(c, r)
    def s(c, r):
        return c.value + r.value

    finish()
    assert s.value == 33


def test_params_inside_behavior(backend):
    bocpy.start(worker_count=2, backend=backend)
    c = Cown(5)

    @when(c)
    def r(x):
        return (
            isinstance(x, Cown),
            x.acquired,
            x == c,
            x.exception,
            bool(re.fullmatch(REPR_RE % "5", repr(x))),
        )

    finish()
    assert r.value == (True, True, True, False, True)


def test_param_is_the_same_wrapper(backend):
    requires_threads(backend, "one Cown wrapper per cown")
    c = Cown(5)
    bocpy.start(worker_count=1, backend=backend)

    @when(c)
    def r(x):
        return x is c

    finish()
    assert r.value is True


def test_cown_does_not_copy_value(backend):
    requires_threads(backend, "Cown(x) keeps x itself (D7)")
    payload = {"k": [1]}
    c = Cown(payload)
    assert c.value is payload
    bocpy.start(worker_count=1, backend=backend)

    @when(c)
    def r(c):
        return c.value is payload

    finish()
    assert r.value is True


def test_captured_cown_is_not_owned_in_behavior(backend):
    bocpy.start(worker_count=2, backend=backend)
    c = Cown(1)
    d = Cown(2)

    @when(c)
    def r(c):
        try:
            d.value
        except RuntimeError as e:
            return ("raised", str(e), d.acquired)
        return ("no error",)

    finish()
    assert r.value[0] == "raised"
    assert "does not own this cown" in r.value[1]
    assert r.value[2] is False


def test_acquire_of_held_cown_fails_b6(backend):
    """B6: acquiring a cown a running behavior holds must fail, from main
    and from another behavior, without disturbing the holder."""
    requires_threads(backend, "coordinates with threading.Event")
    bocpy.start(worker_count=2, backend=backend)
    c = Cown(0)
    other = Cown(0)
    started = threading.Event()
    go = threading.Event()

    @when(c)
    def hold(c):
        started.set()
        go.wait(TIMEOUT)
        c.value += 1
        return "held"

    try:
        assert started.wait(TIMEOUT)
        with pytest.raises(RuntimeError, match="cannot acquire"):
            c.acquire()
        assert c.acquired is False
        with pytest.raises(RuntimeError, match="does not own"):
            c.value

        outcome = []
        stolen = threading.Event()

        @when(other)
        def steal(other):
            try:
                c.acquire()
            except RuntimeError as e:
                outcome.append("refused: %s" % e)
            else:
                outcome.append("acquired")
                c.release()
            stolen.set()

        assert stolen.wait(TIMEOUT)
        v = outcome[0]
        assert v.startswith("refused"), v
    finally:
        go.set()
    finish()
    assert c.value == 1
    assert hold.value == "held"


def test_exception_flag_inside_behavior(backend):
    """D36: setting .exception by hand inside a behavior reads back."""
    bocpy.start(worker_count=1, backend=backend)
    x = Cown(0)

    @when(x)
    def r(x):
        x.exception = True
        a = x.exception
        x.exception = False
        b = x.exception
        return a, b

    finish()
    assert r.value == (True, False)
    assert x.exception is False


def test_cown_in_cown_inside_behavior(backend):
    """D20/D21: a cown stored in a cown can be scheduled on."""
    bocpy.start(worker_count=2, backend=backend)
    inner = Cown(42)
    outer = Cown(inner)

    @when(outer)
    def r(o):
        return type(o.value).__name__

    @when(outer, inner)
    def s(o, i):
        i.value = 99
        return o.value == i

    finish()
    assert r.value == "Cown"
    assert s.value is True
    assert inner.value == 99


def test_main_acquire_excludes_behaviors(backend):
    """A cown main has acquired is not handed to behaviors until main
    releases it; a queued behavior makes acquire() fail."""
    bocpy.start(worker_count=2, backend=backend)
    c = Cown(1)
    c.acquire()

    @when(c)
    def r(c):
        c.value += 1
        return "ran"

    with pytest.raises(TimeoutError):
        bocpy.quiesce(timeout=0.3)
    assert c.acquired is True
    assert c.value == 1
    c.value = 10
    c.release()
    bocpy.quiesce(timeout=TIMEOUT)
    with c as v:
        assert v == 11

    d = Cown(0)

    @when(d)
    def slow(d):
        time.sleep(0.5)

    @when(d)
    def queued(d):
        d.value = "queued ran"

    with pytest.raises(RuntimeError, match="cannot acquire"):
        d.acquire()
    assert d.acquired is False
    finish()
    assert r.value == "ran"
    assert d.value == "queued ran"


def test_finalizer_does_not_touch_the_lazy_library_object(monkeypatch):
    """Cown.__del__ may run inside cffi while cffi holds its internal lock
    (a GC pass during ffi.new); resolving a library attribute there
    deadlocked PyPy.  The finalizer must use a pre-bound function and
    never touch the ``lib`` object."""
    import gc
    import sys as _sys

    from bocpy import behaviors

    class Trap:
        def __getattr__(self, name):
            raise AssertionError("finalizer touched lib.%s" % name)

    c = Cown(1)
    errors = []
    monkeypatch.setattr(_sys, "unraisablehook", lambda u: errors.append(u.exc_value))
    monkeypatch.setattr(behaviors, "lib", Trap())
    del c
    gc.collect()
    assert errors == []
