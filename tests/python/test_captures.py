# Copyright (c) 2026 The libboc authors.
# SPDX-License-Identifier: MIT
"""Captures and parameter mapping: free variables bound when the @when
runs, trailing parameters and defaults, keyword-only parameters, lambdas,
@when in other modules."""

import importlib
import sys
import time

import pytest

import bocpy
from bocpy import Cown, when
from bocpy_testutil import finish, requires_threads

pytestmark = pytest.mark.timeout(60, method="thread")

MODULE_LEVEL_DATA = [1, 2, 3]
LIMIT = 10


def _block(c, seconds=0.3):
    """Schedule a behavior that holds ``c`` for a while, so that the next
    behaviors on ``c`` run after the caller has moved on."""

    @when(c)
    def _(c):
        time.sleep(seconds)


# ----------------------------------------------------------- loop variables


def test_loop_variable_implicit_capture(backend):
    """D14/X2: each behavior sees the loop variable as it was."""
    bocpy.start(worker_count=2, backend=backend)
    acc = Cown([])
    _block(acc)
    for i in range(10):
        val_to_add = i

        @when(acc)
        def _(acc):
            acc.value.append(val_to_add)

    finish()
    assert acc.value == list(range(10))


def test_loop_variable_default_capture(backend):
    """D48: `def _(c, i=i)`."""
    bocpy.start(worker_count=2, backend=backend)
    acc = Cown([])
    _block(acc)
    for i in range(4):

        @when(acc)
        def _(acc, i=i):
            acc.value.append(i)

    finish()
    assert acc.value == [0, 1, 2, 3]


def test_loop_variable_module_level(backend):
    """Module-level loop in another module: values at the @when moment."""
    bocpy.start(worker_count=2, backend=backend)
    sys.modules.pop("boc_toplevel_loop", None)
    mod = importlib.import_module("boc_toplevel_loop")
    try:
        finish()
        assert mod.SEEN.value == list(range(mod.N))
        assert mod.SEEN_DEFAULT.value == list(range(mod.N))
    finally:
        sys.modules.pop("boc_toplevel_loop", None)


def test_rebinding_after_schedule_not_seen(backend):
    bocpy.start(worker_count=1, backend=backend)
    c = Cown(0)
    _block(c)
    x = "before"

    @when(c)
    def r(c):
        return x

    x = "after"  # noqa: F841
    finish()
    assert r.value == "before"


def test_module_global_read_and_snapshot(backend):
    """X4: module-level lowercase and UPPERCASE globals are readable."""
    bocpy.start(worker_count=1, backend=backend)
    c = Cown(0)

    @when(c)
    def r(c):
        return sum(MODULE_LEVEL_DATA) + LIMIT

    finish()
    assert r.value == 16


def test_module_global_snapshotted_when_scheduled(backend):
    import boc_helper_mod as h

    bocpy.start(worker_count=1, backend=backend)
    c = Cown(0)
    _block(c)
    before = h.SNAPSHOT_ME
    r = h.global_snapshot(c)
    assert h.SNAPSHOT_ME == before + 1000
    finish()
    assert r.value == before


# ------------------------------------------------ trailing params / defaults


def test_trailing_param_captured_from_caller(backend):
    """X3/C28: `def b(c, factor)` takes factor from the caller."""
    bocpy.start(worker_count=1, backend=backend)
    c = Cown(2)
    factor = 5

    @when(c)
    def r(c, factor):
        return c.value * factor

    finish()
    assert r.value == 10


def test_trailing_param_default_name(backend):
    """D49/C27: `def b(c, x=y)`."""
    bocpy.start(worker_count=1, backend=backend)
    c = Cown(0)
    y = 99

    @when(c)
    def r(c, x=y):
        return x

    finish()
    assert r.value == 99


def test_trailing_param_literal_default(backend):
    bocpy.start(worker_count=1, backend=backend)
    c = Cown(0)

    @when(c)
    def r(c, x=3, y="s"):
        return x, y

    finish()
    assert r.value == (3, "s")


def test_trailing_param_from_outer_caller_frame(backend):
    """Dynamic lookup walks outward through the callers."""
    import boc_helper_mod as h

    bocpy.start(worker_count=1, backend=backend)
    c = Cown(0)
    caller_value = "from-test-frame"  # noqa: F841
    r = h.schedule_in_caller_scope(c)
    finish()
    assert r.value == "from-test-frame"
    assert c.value == "from-test-frame"


def test_trailing_param_from_module_globals(backend):
    import boc_helper_mod as h

    bocpy.start(worker_count=1, backend=backend)
    r = h.with_trailing(Cown(0))
    finish()
    assert r.value == 14


def test_trailing_param_with_group(backend):
    bocpy.start(worker_count=1, backend=backend)
    cs = [Cown(1), Cown(2)]
    offset = 100

    @when(cs, cs[0])
    def r(g, s, offset):
        return sum(c.value for c in g) + s.value + offset

    finish()
    assert r.value == 104


def test_unresolvable_capture(backend):
    bocpy.start(worker_count=1, backend=backend)
    c = Cown(0)
    with pytest.raises(RuntimeError, match="Cannot resolve capture: zz_no_such_name"):

        @when(c)
        def r(c, zz_no_such_name):
            c.value = 1

    finish()
    assert c.value == 0


def test_keyword_only_with_default(backend):
    """X15: `def b(c, *, k=3)`."""
    bocpy.start(worker_count=1, backend=backend)
    c = Cown(1)

    @when(c)
    def r(c, *, k=3):
        return c.value + k

    finish()
    assert r.value == 4


def test_keyword_only_captured(backend):
    """X15: `def b(c, *, k)` with k captured from the caller."""
    bocpy.start(worker_count=1, backend=backend)
    c = Cown(1)
    k = 40

    @when(c)
    def r(c, *, k):
        return c.value + k

    finish()
    assert r.value == 41


def test_keyword_only_mixed(backend):
    bocpy.start(worker_count=1, backend=backend)
    c = Cown(1)
    extra = 10
    k2 = 1000

    @when(c)
    def r(c, extra, *, k1=100, k2):
        return c.value + extra + k1 + k2

    finish()
    assert r.value == 1111


# ----------------------------------------------- body-local names (X13/X14)


def test_lambda_parameter_is_local(backend):
    """X13: a lambda inside a body using its own parameter."""
    bocpy.start(worker_count=1, backend=backend)
    c = Cown([1, 2, 3])

    @when(c)
    def r(c):
        return list(map(lambda v: v + 1, c.value))

    finish()
    assert r.value == [2, 3, 4]


def test_body_local_import_class_comprehension(backend):
    """X14 and friends: names bound in the body are locals."""
    bocpy.start(worker_count=1, backend=backend)
    c = Cown({"a": 1})

    @when(c)
    def r(c):
        import json

        class Local:
            pass

        squares = [q * q for q in range(4)]
        try:
            {}["nope"]
        except KeyError as ex:
            err = type(ex).__name__
        return json.dumps(c.value), Local.__name__, squares, err

    finish()
    assert r.value == ('{"a": 1}', "Local", [0, 1, 4, 9], "KeyError")


def test_plain_nested_def_uses_caller_variable(backend):
    """X19: a plain nested def in a body using a caller variable."""
    bocpy.start(worker_count=1, backend=backend)
    c = Cown(2)
    factor = 21

    @when(c)
    def r(c):
        def helper():
            return factor

        return c.value * helper()

    finish()
    assert r.value == 42


def test_nested_when_in_loop_with_free_cown(backend):
    """X17: a nested @when(y) inside a for/if in a body, y free."""
    bocpy.start(worker_count=2, backend=backend)
    x = Cown(0)
    y = Cown(0)

    @when(x)
    def outer(x):
        for _i in range(3):
            if True:

                @when(y)
                def _(y):
                    y.value += 1

        x.value = "outer done"

    finish()
    assert outer.exception is False, outer.value
    assert x.value == "outer done"
    assert y.value == 3


def test_nested_when_extras_propagate(backend):
    """X18: `def inner(x, factor)` and `inner(x, j=k)` in a nested behavior
    resolve against the outer behavior's scheduling context."""
    bocpy.start(worker_count=2, backend=backend)
    x = Cown(1)
    factor = 5
    k = 7

    @when(x)
    def outer(x):
        @when(x)
        def inner1(x, factor):
            x.value = x.value * factor

        @when(x)
        def inner2(x, j=k):
            x.value = x.value + j

        return inner1, inner2

    finish()
    assert outer.exception is False, outer.value
    r1, r2 = outer.value
    assert r1.exception is False, r1.value
    assert r2.exception is False, r2.value
    assert x.value == 12


def test_captured_list_mutation_threads(backend):
    """Threads backend: a capture is the object reference (not a copy)
    bound when @when runs; rebinding later is not seen, mutation is."""
    requires_threads(backend, "captures share objects")
    bocpy.start(worker_count=1, backend=backend)
    c = Cown(0)
    _block(c)
    data = [1, 2, 3]

    @when(c)
    def r(c):
        return list(data)

    data.append(4)
    data = ["rebound"]  # noqa: F841
    finish()
    assert r.value == [1, 2, 3, 4]


def test_dunder_name_in_body(backend):
    """D38: __name__ in a body is the defining module's."""
    import boc_helper_mod as h

    bocpy.start(worker_count=1, backend=backend)
    c = Cown(0)

    @when(c)
    def r(c):
        return __name__

    d = h.double(Cown(4))
    finish()
    assert r.value == __name__
    assert d.value == "double:boc_helper_mod"


# ----------------------------------------------------------- other modules


def test_when_in_helper_module(backend):
    """X21: @when in a module other than the one that started the runtime."""
    import boc_helper_mod as h

    bocpy.start(worker_count=2, backend=backend)
    # Also a local behavior on the same line range must not be confused.
    c = Cown(3)

    @when(c)
    def mine(c):
        return "mine"

    d = h.double(c)
    m = h.multiply_direct(Cown(3))
    p = h.Multiplier(5).multiply(Cown(7))
    finish()
    assert mine.value == "mine"
    assert d.value == "double:boc_helper_mod"
    assert c.value == 6
    assert m.value == 21
    assert p.value == 35


@pytest.mark.parametrize("value", [1, 10, 100])
def test_helper_module_global_factor(backend, value):
    """D25."""
    import boc_helper_mod as h

    bocpy.start(worker_count=1, backend=backend)
    r = h.multiply_direct(Cown(value))
    finish()
    assert r.value == value * 7
