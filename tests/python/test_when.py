# Copyright (c) 2026 The libboc authors.
# SPDX-License-Identifier: MIT
"""@when: single cowns, groups, duplicates, zero cowns, nesting,
decorators below/above, async rejection, chains."""

import functools
import threading

import pytest

import bocpy
from bocpy import Cown, when
from bocpy_testutil import finish, requires_threads

pytestmark = pytest.mark.timeout(60, method="thread")


# Decorators used below @when (module level, like a user's).
def add_one(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return fn(*args, **kwargs) + 1

    return wrapper


def times_two(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return fn(*args, **kwargs) * 2

    return wrapper


def plain_add_ten(fn):
    # No functools.wraps: the wrapper's own signature is (*args, **kwargs).
    def wrapper(*args, **kwargs):
        return fn(*args, **kwargs) + 10

    return wrapper


def where_run(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        on_worker = threading.current_thread() is not threading.main_thread()
        return fn(*args, **kwargs), on_worker

    return wrapper


def test_single_cown(backend):
    bocpy.start(worker_count=2, backend=backend)
    x = Cown(1)

    @when(x)
    def r(x):
        x.value *= 2
        return x.value + 100

    assert isinstance(r, Cown)
    finish()
    assert x.value == 2
    assert r.value == 102
    assert r.exception is False


def test_when_returns_immediately(backend):
    import time

    bocpy.start(worker_count=1, backend=backend)
    x = Cown(0)
    t0 = time.monotonic()

    @when(x)
    def r(x):
        time.sleep(0.5)
        x.value = 1

    assert time.monotonic() - t0 < 0.4
    finish()
    assert x.value == 1


def test_runs_on_a_worker_thread(backend):
    requires_threads(backend, "compares threads")
    bocpy.start(worker_count=2, backend=backend)
    c = Cown(0)

    @when(c)
    def r(c):
        return threading.current_thread() is not threading.main_thread()

    finish()
    assert r.value is True


def test_zero_cowns(backend):
    bocpy.start(worker_count=2, backend=backend)

    @when()
    def r():
        return 40 + 2

    finish()
    assert r.value == 42
    assert r.exception is False


def test_auto_start(backend):
    # No start(): the first @when starts the runtime (backend from
    # BOCPY_BACKEND, set by the fixture).
    c = Cown(3)

    @when(c)
    def r(c):
        c.value += 1
        return "auto"

    finish()
    assert c.value == 4
    assert r.value == "auto"


def test_parameter_types(backend):
    """X7: single -> Cown; group (list or tuple) -> list of Cowns."""
    bocpy.start(worker_count=2, backend=backend)
    a, b, c = Cown(1), Cown(2), Cown(3)

    @when(a, [b, c], (c, a))
    def r(x, group, tgroup):
        return (
            isinstance(x, Cown),
            type(group).__name__,
            [g.value for g in group],
            type(tgroup).__name__,
            [g.value for g in tgroup],
        )

    finish()
    assert r.value == (True, "list", [2, 3], "list", [3, 1])


def test_groups_mixed_with_singles(backend):
    """D7: groups and singles in any order; every sum is 45."""
    bocpy.start(worker_count=2, backend=backend)
    cs = [Cown(i) for i in range(10)]
    results = []

    @when(cs)
    def r1(g):
        return sum(c.value for c in g)

    results.append(r1)

    @when(cs[:9], cs[9])
    def r2(g, s):
        return sum(c.value for c in g) + s.value

    results.append(r2)

    @when(cs[0], cs[1:])
    def r3(s, g):
        return s.value + sum(c.value for c in g)

    results.append(r3)

    @when(cs[:4], cs[4], cs[5:])
    def r4(g1, s, g2):
        return sum(c.value for c in g1) + s.value + sum(c.value for c in g2)

    results.append(r4)

    @when(cs[0], tuple(cs[1:9]), cs[9])
    def r5(s1, g, s2):
        return s1.value + sum(c.value for c in g) + s2.value

    results.append(r5)

    @when(results)
    def total(rs):
        return [r.value for r in rs]

    finish()
    assert total.value == [45] * 5
    assert [r.value for r in results] == [45] * 5


def test_group_updates(backend):
    """D8/D9: a group is writable; group plus single."""
    bocpy.start(worker_count=2, backend=backend)
    cs = [Cown(i) for i in range(5)]

    @when(cs)
    def _(g):
        for c in g:
            c.value *= 2

    items = [Cown(1), Cown(2), Cown(3)]
    tot = Cown(0)

    @when(items, tot)
    def _(g, t):
        for c in g:
            t.value += c.value
            c.value = 0

    finish()
    assert [c.value for c in cs] == [0, 2, 4, 6, 8]
    assert tot.value == 6
    assert [c.value for c in items] == [0, 0, 0]


def test_duplicates_run_once_and_alias(backend):
    """D15-D19 / regression 1."""
    bocpy.start(worker_count=2, backend=backend)
    runs = Cown(0)
    c1 = Cown(5)

    @when(c1, c1, runs)
    def r1(a, b, n):
        n.value += 1
        a.value = 10
        return a == b, a.value is b.value, b.value

    c2 = Cown(3)

    @when(c2, c2, c2, runs)
    def r2(a, b, c, n):
        n.value += 1
        return a.value + b.value + c.value

    a3, b3 = Cown(10), Cown(20)

    @when(a3, b3, a3, runs)
    def r3(x, y, z, n):
        n.value += 1
        return x.value + y.value + z.value

    c4 = Cown(7)

    @when([c4, c4], runs)
    def r4(g, n):
        n.value += 1
        return sum(c.value for c in g)

    c5 = Cown(0)

    @when(c5, c5, runs)
    def r5(a, b, n):
        n.value += 1
        a.value = 42
        return b.value

    c6 = Cown(1)

    @when(c6, [c6, c6], runs)
    def r6(s, g, n):
        n.value += 1
        s.value = 8
        return [c.value for c in g]

    finish()
    assert runs.value == 6
    assert r1.value == (True, True, 10)
    assert c1.value == 10
    assert r2.value == 9
    assert r3.value == 40
    assert r4.value == 14
    assert r5.value == 42
    assert r6.value == [8, 8]


def test_duplicates_are_the_same_object(backend):
    requires_threads(backend, "object identity of params")
    bocpy.start(worker_count=1, backend=backend)
    c = Cown(1)

    @when(c, c, [c])
    def r(a, b, g):
        return a is b and g[0] is a

    finish()
    assert r.value is True


def test_result_chaining(backend):
    """D10: step1 -> step2 -> step3 -> check on result cowns."""
    bocpy.start(worker_count=2, backend=backend)

    @when()
    def step1():
        return 2 + 3

    @when(step1)
    def step2(s):
        return s.value * 4

    @when(step2)
    def step3(s):
        return s.value - 7

    finish()
    assert step3.value == 13


def test_returning_a_cown(backend):
    """D1/X8: a returned Cown is stored as the result value; schedulable."""
    bocpy.start(worker_count=2, backend=backend)
    x = Cown(1)

    @when(x)
    def r(x):
        x.value *= 2
        return x

    @when(r)
    def follow(r):
        inner = r.value

        @when(inner)
        def _(i):
            i.value += 100

        return type(inner).__name__

    finish()
    assert follow.value == "Cown"
    assert r.value == x
    assert x.value == 102


def test_nested_when(backend):
    """D2: outer doubles and schedules inner (triples); returns inner."""
    bocpy.start(worker_count=2, backend=backend)
    x = Cown(1)

    @when(x)
    def outer(x):
        x.value *= 2

        @when(x)
        def inner(x):
            x.value *= 3
            return "inner"

        return inner

    finish()
    assert x.value == 6
    assert isinstance(outer.value, Cown)
    assert outer.value.value == "inner"


def test_nested_when_on_cown_inside_value(backend):
    """D2 second half: @when(x, y) then nested @when(x, y.value)."""
    bocpy.start(worker_count=2, backend=backend)
    inner_cown = Cown(5)
    x = Cown(1)
    y = Cown(inner_cown)

    @when(x, y)
    def outer(x, y):
        @when(x, y.value)
        def inner(x, iv):
            iv.value += x.value
            return iv.value

        return inner

    finish()
    assert outer.value.value == 6
    assert inner_cown.value == 6


def test_nested_runs_after_outer_releases(backend):
    bocpy.start(worker_count=2, backend=backend)
    log = Cown([])
    other = Cown(0)

    @when(log, other)
    def outer(log, other):
        @when(log)
        def inner(log):
            log.value.append("inner")

        log.value.append("outer-end")

    finish()
    assert log.value == ["outer-end", "inner"]


def test_nested_captures_outer_locals(backend):
    bocpy.start(worker_count=2, backend=backend)
    x = Cown(1)

    @when(x)
    def outer(x):
        local = x.value + 10
        stash = {"k": 1}

        @when(x)
        def inner(x):
            x.value = (local, stash["k"])

        stash["k"] = 2  # rebinding/mutation after scheduling
        local = -1
        return None

    finish()
    assert x.value[0] == 11


def test_behaviors_schedule_behaviors_recursively(backend):
    bocpy.start(worker_count=2, backend=backend)
    counter = Cown(0)
    spawn(counter, 6)
    finish()
    assert counter.value == 2 ** 7 - 1


def spawn(counter, depth):
    @when(counter)
    def _(counter):
        counter.value += 1
        if depth > 0:
            spawn(counter, depth - 1)
            spawn(counter, depth - 1)


def fib_seq(n):
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


def fib_parallel(n):
    if n <= 4:
        return Cown(fib_seq(n))

    @when(fib_parallel(n - 1), fib_parallel(n - 2))
    def f(f1, f2):
        return f1.value + f2.value

    return f


@pytest.mark.parametrize("n", [1, 10, 15])
def test_fib_parallel(backend, n):
    """D6."""
    bocpy.start(worker_count=2, backend=backend)
    r = fib_parallel(n)
    finish()
    assert r.value == fib_seq(n)


# ----------------------------------------------------- decorators and async


def test_decorator_below_when(backend):
    """D45."""
    bocpy.start(worker_count=2, backend=backend)
    x = Cown(10)

    @when(x)
    @add_one
    def r(x):
        return x.value * 2

    finish()
    assert r.value == 21


def test_decorators_below_compose_in_order(backend):
    """D46: times_two(add_one(f)) -> (10 + 1) * 2."""
    bocpy.start(worker_count=2, backend=backend)
    x = Cown(10)

    @when(x)
    @times_two
    @add_one
    def r(x):
        return x.value

    finish()
    assert r.value == 22


def test_decorator_without_wraps_below_when(backend):
    bocpy.start(worker_count=2, backend=backend)
    x = Cown(1)

    @when(x)
    @plain_add_ten
    def r(x):
        return x.value

    finish()
    assert r.value == 11


def test_decorator_below_runs_in_worker(backend):
    requires_threads(backend, "compares threads")
    bocpy.start(worker_count=2, backend=backend)
    x = Cown(3)

    @when(x)
    @where_run
    def r(x):
        return x.value

    finish()
    assert r.value == (3, True)


def test_decorator_below_nested_when(backend):
    """D47."""
    bocpy.start(worker_count=2, backend=backend)
    y = Cown(7)

    @when(y)
    def outer(y):
        @when(y)
        @add_one
        def inner(y):
            return y.value

        return inner

    finish()
    assert outer.value.value == 8


def test_async_def_rejected(backend):
    c = Cown(0)
    with pytest.raises(SyntaxError, match="@when does not support async functions"):

        @when(c)
        async def r(c):
            c.value = 1

    finish()
    assert c.value == 0


def _identity_deco(fn):
    return fn


def test_decorator_above_when_rejected(backend):
    c = Cown(0)
    with pytest.raises(SyntaxError, match=r"^Decorators above @when are not supported"):

        @_identity_deco
        @when(c)
        def r(c):
            c.value = 1

    finish()
    assert c.value == 0


def test_decorator_call_above_when_rejected(backend):
    c = Cown(0)
    with pytest.raises(SyntaxError, match=r"^Decorators above @when are not supported"):

        @functools.lru_cache(maxsize=None)
        @when(c)
        def r(c):
            c.value = 1

    finish()
    assert c.value == 0


def test_when_alias_and_attribute_spelling(backend):
    """`from bocpy import when as X` and `@bocpy.when` both work."""
    from bocpy import when as boc_when

    bocpy.start(worker_count=1, backend=backend)
    c = Cown(1)

    @boc_when(c)
    def r1(c):
        c.value += 1
        return "alias"

    @bocpy.when(c)
    def r2(c):
        c.value += 1
        return "attr"

    finish()
    assert (r1.value, r2.value, c.value) == ("alias", "attr", 3)


@pytest.mark.parametrize("deco", ["staticmethod", "classmethod", "property"])
def test_method_decorators_below_when_rejected(backend, deco):
    """C15/E5: @staticmethod/@classmethod/@property below @when raise
    SyntaxError naming the decorator."""
    c = Cown(0)
    decorator = {"staticmethod": staticmethod, "classmethod": classmethod, "property": property}[deco]
    with pytest.raises(SyntaxError, match=deco):

        @when(c)
        @decorator
        def r(c):
            c.value = 1

    finish()
    assert c.value == 0


def test_large_groups_with_duplicates(backend):
    bocpy.start(worker_count=2, backend=backend)
    cs = [Cown(i) for i in range(1000)]

    @when(cs)
    def big(g):
        return sum(c.value for c in g)

    @when(cs, cs[::-1], cs[5])
    def big2(a, b, s):
        return len(a) + len(b) + s.value

    finish()
    assert big.value == sum(range(1000))
    assert big2.value == 2005


def test_when_from_other_thread_autostarts(backend):
    c = Cown(0)
    out = {}

    def run():
        try:

            @when(c)
            def r(c):
                c.value += 1
                return "from thread"

            bocpy.wait(timeout=20)
            out["v"] = (c.value, r.value)
        except BaseException as e:  # reported below
            out["err"] = repr(e)

    t = threading.Thread(target=run)
    t.start()
    t.join(30)
    assert not t.is_alive()
    assert out == {"v": (1, "from thread")}
