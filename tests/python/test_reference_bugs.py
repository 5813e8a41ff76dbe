# Copyright (c) 2026 The libboc authors.
# SPDX-License-Identifier: MIT
"""Reference (bocpy 0.9.0) bugs: test the fixed behavior.

B1 unstorable values strand cowns, B2 empty groups, B3 cown-in-cown after
wait, B4 exit without wait (test_lifecycle), B6 acquire of a held cown
(test_cown), X21 @when in other modules (test_captures), wait(timeout)
(test_lifecycle), lambda/keyword-only parameters (test_captures)."""

import threading

import pytest

import bocpy
from bocpy import Cown, when
from bocpy_testutil import finish

pytestmark = pytest.mark.timeout(60, method="thread")


# ------------------------------------------------------------- B2


def test_empty_group_first(backend):
    bocpy.start(worker_count=2, backend=backend)
    c = Cown(5)

    @when([], c)
    def r(g, c):
        return g, c.value

    finish()
    assert r.exception is False, r.value
    assert r.value == ([], 5)


def test_empty_group_middle(backend):
    bocpy.start(worker_count=2, backend=backend)
    a, b = Cown(1), Cown(2)

    @when(a, [], b)
    def r(a, g, b):
        return a.value, g, b.value

    finish()
    assert r.exception is False, r.value
    assert r.value == (1, [], 2)


def test_empty_group_last(backend):
    bocpy.start(worker_count=2, backend=backend)
    c = Cown(3)

    @when(c, ())
    def r(c, g):
        return c.value, g

    finish()
    assert r.exception is False, r.value
    assert r.value == (3, [])


def test_empty_groups_only(backend):
    bocpy.start(worker_count=2, backend=backend)

    @when([], ())
    def r(g1, g2):
        return g1, g2

    finish()
    assert r.exception is False, r.value
    assert r.value == ([], [])


def test_empty_group_type_is_list(backend):
    bocpy.start(worker_count=1, backend=backend)
    c = Cown(0)

    @when([], c, [])
    def r(g1, c, g2):
        return type(g1).__name__, type(g2).__name__

    finish()
    assert r.value == ("list", "list")


# ------------------------------------------------------------- B1


def test_unstorable_return_does_not_strand_cowns(backend):
    """Returning a threading.Lock(): the result holds it (or an error), and
    the cowns stay usable for later behaviors, on any worker."""
    bocpy.start(worker_count=2, backend=backend)
    a, b = Cown(10), Cown(20)

    @when(a, b)
    def r(a, b):
        a.value += 1
        return threading.Lock()

    @when(a, b)
    def s(a, b):
        b.value += 1
        return a.value

    singles = []
    for _i in range(20):

        @when(a)
        def t(a):
            a.value += 1
            return a.value

        singles.append(t)
        filler = Cown(0)

        @when(filler)  # spread the work so some follow-ups land elsewhere
        def _(f):
            f.value += 1

    @when(r)
    def look(r):
        return r.exception

    finish()
    assert s.value == 11
    assert (a.value, b.value) == (31, 21)
    assert [t.value for t in singles] == list(range(12, 32))
    assert not any(t.exception for t in singles)
    rv = r.value
    if r.exception:
        assert isinstance(rv, BaseException)
        r.exception = False
    else:
        assert hasattr(rv, "acquire") and hasattr(rv, "release"), rv
    assert look.exception is False


def test_unstorable_value_assignment(backend):
    """Assigning an unpicklable object (lock, generator) to a cown value."""
    bocpy.start(worker_count=2, backend=backend)
    a = Cown(0)

    @when(a)
    def w(a):
        a.value = threading.Lock()

    @when(a)
    def r1(a):
        kind = type(a.value).__name__
        a.value = (x for x in range(3))
        return kind

    @when(a)
    def r2(a):
        out = list(a.value) if not isinstance(a.value, BaseException) else a.value
        a.value = "fine"
        return out

    finish()
    assert w.exception is False
    assert r2.exception is False
    assert a.value == "fine"
    assert r2.value == [0, 1, 2]


def test_unstorable_cown_constructor(backend):
    """An unpicklable initial value: no crash; the cown works."""
    bocpy.start(worker_count=2, backend=backend)
    lock = threading.Lock()
    c = Cown(lock)

    @when(c)
    def r(c):
        return type(c.value).__name__

    @when(c)
    def r2(c):
        c.value = 1
        return c.value

    finish()
    assert r.exception is False
    assert r2.value == 1


# ------------------------------------------------------------- B3


def test_cown_created_in_behavior_survives_wait(backend):
    bocpy.start(worker_count=2, backend=backend)
    outer = Cown(None)

    @when(outer)
    def _(outer):
        outer.value = Cown(123)

    finish()
    inner = outer.value
    assert isinstance(inner, Cown)
    assert inner.value == 123
    # ... and is schedulable in a new runtime.
    bocpy.start(worker_count=2, backend=backend)

    @when(inner)
    def r(i):
        i.value += 1
        return i.value

    finish()
    assert r.value == 124


def test_cown_in_cown_chain(backend):
    """D27/D23: an inner cown created in a behavior, stored, and scheduled
    on by later behaviors."""
    bocpy.start(worker_count=2, backend=backend)
    c1 = Cown({"child": None})

    @when(c1)
    def _(c1):
        c1.value["child"] = Cown(20)

    @when(c1)
    def r(c1):
        child = c1.value["child"]

        @when(child)
        def inner(ch):
            return ch.value

        return inner

    finish()
    assert r.value.value == 20


# ------------------------------------------------------------- misc

def test_schedule_during_another_threads_wait(backend):
    """Regression 3 (shape): @when from another thread while wait() runs
    either succeeds (and its work finishes) or raises RuntimeError; it
    never hangs or loses work silently."""
    bocpy.start(worker_count=2, backend=backend)
    c = Cown(0)
    outcomes = []
    stop = threading.Event()

    def hammer():
        results = []
        while not stop.is_set() and len(results) < 2000:
            try:

                @when(c)
                def r(c):
                    c.value += 1

                results.append(r)
            except RuntimeError as e:
                outcomes.append(str(e))
                break
        outcomes.append(results)

    t = threading.Thread(target=hammer)
    t.start()
    try:
        bocpy.wait(timeout=20)
    finally:
        stop.set()
        t.join(30)
    assert not t.is_alive()
    bocpy.wait(timeout=20)  # a runtime auto-started by the hammer, if any
    scheduled = [o for o in outcomes if isinstance(o, list)][0]
    assert c.value == len(scheduled)
    assert not any(r.exception for r in scheduled)
