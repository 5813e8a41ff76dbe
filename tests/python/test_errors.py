# Copyright (c) 2026 The libboc authors.
# SPDX-License-Identifier: MIT
"""Bad input and calls made where they are not allowed."""

import pytest

import bocpy
from bocpy import Cown, WaitResult, when, whencall
from bocpy_testutil import TIMEOUT, finish

pytestmark = pytest.mark.timeout(60, method="thread")

SCHEDULE_TYPE_ERROR = "can only schedule over cowns or sequences of cowns"


def _bad_args():
    c = Cown(0)
    return [
        (1,),
        ("abc",),
        (None,),
        (c, 5),
        ([c, 1],),
        ((c, "x"),),
        ([[c]],),
        ([c, [c]],),
        ((c, (c,)),),
        ({c},),
        ({"k": c},),
    ]


def test_non_cown_arguments(backend):
    bocpy.start(worker_count=1, backend=backend)
    for args in _bad_args():
        if len(args) == 1:
            with pytest.raises(TypeError, match=SCHEDULE_TYPE_ERROR):

                @when(*args)
                def _(p):
                    pass

        else:
            with pytest.raises(TypeError, match=SCHEDULE_TYPE_ERROR):

                @when(*args)
                def _(p, q):
                    pass

    # Nothing leaked into the in-flight count: quiescent right away.
    bocpy.quiesce(timeout=5)
    finish()


def test_rejected_schedule_does_not_strand_cowns(backend):
    """Regression 4: a schedule that raises leaves the runtime usable."""
    bocpy.start(worker_count=2, backend=backend)
    c = Cown(0)
    for _i in range(3):
        with pytest.raises(TypeError):

            @when(c, [c, "not a cown"])
            def _(a, b):
                a.value += 100

    @when(c)
    def r(c):
        c.value += 1
        return c.value

    finish()
    assert r.value == 1


def test_non_cown_arguments_whencall(backend):
    bocpy.start(worker_count=1, backend=backend)
    c = Cown(0)
    for args in ([1], [[c, 2]], [[[c]]], ["x"]):
        with pytest.raises(TypeError, match=SCHEDULE_TYPE_ERROR):
            whencall(lambda *a: None, args, [])
    finish()


def test_too_few_parameters(backend):
    c, d = Cown(0), Cown(0)
    with pytest.raises(SyntaxError, match=r"cown positions?"):

        @when(c, d)
        def _(c):
            c.value = 1

    with pytest.raises(SyntaxError, match=r"cown positions?"):

        @when(c)
        def _():
            pass

    finish()
    assert c.value == 0


def test_default_on_cown_position(backend):
    """C31: `def b(c=c)`."""
    c = Cown(0)
    with pytest.raises(SyntaxError, match=r"cown positions?"):

        @when(c)
        def _(c=c):
            c.value = 1

    finish()
    assert c.value == 0


def test_when_on_non_function(backend):
    c = Cown(0)
    with pytest.raises(TypeError):
        when(c)(42)
    finish()


def test_start_inside_behavior(backend):
    bocpy.start(worker_count=1, backend=backend)
    c = Cown(0)

    @when(c)
    def r(c):
        try:
            bocpy.start()
        except RuntimeError as e:
            return "RuntimeError", str(e)
        return "no error", None

    @when(c)
    def r2(c):
        bocpy.start(worker_count=1)

    finish()
    assert r.value == ("RuntimeError", "start() can only be called from the main interpreter")
    assert isinstance(r2.value, RuntimeError)
    assert r2.exception is True
    r2.exception = False


def test_wait_and_quiesce_inside_behavior_are_noops(backend):
    bocpy.start(worker_count=1, backend=backend)
    c = Cown(0)

    @when(c)
    def r(c):
        return (
            bocpy.wait(),
            bocpy.wait(stats=True),
            bocpy.wait(noticeboard=True),
            tuple(bocpy.wait(stats=True, noticeboard=True)),
            type(bocpy.wait(stats=True, noticeboard=True)).__name__,
            bocpy.quiesce(),
            bocpy.quiesce(stats=True),
            bocpy.quiesce(noticeboard=True),
            tuple(bocpy.quiesce(stats=True, noticeboard=True)),
            bocpy.wait(timeout=1),
        )

    @when(c)
    def later(c):
        c.value = "still running"

    finish()
    assert r.exception is False, r.value
    assert r.value == (None, [], {}, ([], {}), "WaitResult", None, [], {}, ([], {}), None)
    # The runtime was not torn down by the inner wait(): later work ran.
    assert c.value == "still running"


def test_whencall_without_runtime():
    c = Cown(0)
    with pytest.raises(RuntimeError, match="cannot schedule behavior: bocpy runtime is not running"):
        whencall(lambda c: None, [c], [])
    # The cown is not stranded.
    assert c.value == 0


def test_whencall_after_wait(backend):
    bocpy.start(worker_count=1, backend=backend)
    c = Cown(0)

    def thunk(c, add):
        c.value += add
        return "thunk"

    r = whencall(thunk, [c], [5])
    bocpy.wait(timeout=TIMEOUT)
    assert r.value == "thunk"
    assert c.value == 5
    with pytest.raises(RuntimeError, match="cannot schedule behavior: bocpy runtime is not running"):
        whencall(thunk, [c], [1])
    # @when after wait() auto-starts a new runtime; the cown is usable.

    @when(c)
    def again(c):
        c.value += 1

    finish()
    assert c.value == 6


def test_whencall_groups_and_captures(backend):
    bocpy.start(worker_count=2, backend=backend)
    a, b, c = Cown(1), Cown(2), Cown(3)

    def thunk(x, group, k1, k2):
        return x.value + sum(g.value for g in group) + k1 * k2

    r = whencall(thunk, [a, [b, c]], [10, 100])
    assert isinstance(r, Cown)
    finish()
    assert r.value == 1006


def test_whencall_by_name(backend):
    bocpy.start(worker_count=1, backend=backend)
    c = Cown(4)
    r = whencall("_module_thunk", [c], [3])
    finish()
    assert r.value == 12


def _module_thunk(c, n):
    return c.value * n


def test_use_after_wait_cowns_readable(backend):
    """B3: after wait() every cown reachable from main, directly or
    through values, is readable."""
    bocpy.start(worker_count=2, backend=backend)
    outer = Cown(None)

    @when(outer)
    def _(outer):
        outer.value = {"child": Cown(20), "list": [Cown(1), Cown(2)]}

    finish()
    val = outer.value
    assert val["child"].value == 20
    assert [c.value for c in val["list"]] == [1, 2]
    with val["child"] as v:
        assert v == 20


def test_wait_result_empty_equals():
    assert WaitResult([], {}) == ([], {})
