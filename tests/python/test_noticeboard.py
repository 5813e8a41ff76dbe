# Copyright (c) 2026 The libboc authors.
# SPDX-License-Identifier: MIT
"""The noticeboard (reference: bocpy-api.md section 6), with this
package's documented differences (see bocpy._noticeboard)."""

import functools
import gc
import logging
import operator
import pickle
import threading
import types
import weakref

import pytest

import bocpy
from bocpy import (
    REMOVED,
    Cown,
    notice_delete,
    notice_read,
    notice_sync,
    notice_update,
    notice_write,
    noticeboard,
    quiesce,
    start,
    wait,
    when,
)
from bocpy.behaviors import set_noticeboard_capacity
from bocpy_testutil import TIMEOUT as LIMIT
from bocpy_testutil import requires_threads, seeded_rng


@pytest.fixture(autouse=True)
def _default_capacity():
    yield
    bocpy.wait(timeout=20)
    set_noticeboard_capacity(1024)


def run(fn, *cowns):
    """Run fn as a behavior over cowns (default: a fresh cown) and return
    its result, re-raising what it raised."""
    if not cowns:
        cowns = (Cown(None),)
    r = when(*cowns)(fn)
    quiesce(timeout=LIMIT)
    with r as value:
        if r.exception:
            r.exception = False
            raise value
        return value


def value_of(r):
    """A result's value, read from main while the runtime runs."""
    with r as value:
        return value


# -- keys ---------------------------------------------------------------------------


def test_key_validation():
    start(worker_count=1)
    with pytest.raises(TypeError, match="noticeboard key must be a str"):
        notice_write(1, "x")
    with pytest.raises(ValueError):
        notice_write("a\0b", "x")
    with pytest.raises(ValueError, match=r"noticeboard key too long \(max 63 UTF-8 bytes\)"):
        notice_write("k" * 64, "x")
    notice_write("k" * 63, "ok")
    notice_write("k" * 60 + "\u20ac", "euro")  # 63 bytes
    with pytest.raises(ValueError):
        notice_write("k" * 61 + "\u20ac", "x")  # 64 bytes
    with pytest.raises(TypeError):
        notice_read(None)
    with pytest.raises(TypeError):
        notice_delete(b"k")
    with pytest.raises(TypeError):
        notice_update(3, abs)
    assert wait(noticeboard=True) == {"k" * 63: "ok", "k" * 60 + "\u20ac": "euro"}


def test_writes_before_start_raise_on_main():
    with pytest.raises(RuntimeError, match="cannot write to the noticeboard before"):
        notice_write("k", 1)
    with pytest.raises(RuntimeError, match="cannot update the noticeboard before"):
        notice_update("k", abs)
    with pytest.raises(RuntimeError, match="cannot delete from the noticeboard before"):
        notice_delete("k")
    with pytest.raises(RuntimeError, match="cannot notice_sync before the runtime is started"):
        notice_sync()


# -- write, read, delete ------------------------------------------------------------


def test_write_then_read_in_a_behavior(backend):
    start(worker_count=1, backend=backend)
    notice_write("cfg", {"rate": 3})
    notice_write("n", None)
    assert run(lambda c: (notice_read("cfg"), notice_read("n", 5),
                          notice_read("missing", "dflt"))) == ({"rate": 3}, None, "dflt")
    board = run(lambda c: noticeboard())
    assert isinstance(board, types.MappingProxyType)
    assert dict(board) == {"cfg": {"rate": 3}, "n": None}
    with pytest.raises(TypeError):
        board["x"] = 1
    with pytest.raises(TypeError):
        del board["cfg"]


def test_last_write_wins_and_delete(backend):
    start(worker_count=1, backend=backend)
    notice_write("k", 1)
    notice_write("k", 2)
    assert run(lambda c: notice_read("k")) == 2
    notice_delete("k")
    notice_delete("never-there")  # silent
    assert run(lambda c: notice_read("k", "gone")) == "gone"


def test_write_applies_at_once_for_every_thread(backend):
    start(worker_count=2, backend=backend)
    c = Cown(0)

    @when(c)
    def _(c):
        notice_write("from-behavior", c.value + 1)

    quiesce(timeout=LIMIT)
    assert noticeboard()["from-behavior"] == 1  # main, outside behaviors: current
    assert run(lambda c: notice_read("from-behavior")) == 1


def test_wait_and_quiesce_return_the_board_and_wait_empties_it(backend):
    start(worker_count=1, backend=backend)
    assert quiesce(noticeboard=True) == {}
    notice_write("a", [1, 2])
    got = quiesce(noticeboard=True)
    assert got == {"a": [1, 2]} and type(got) is dict
    got["mutable"] = True  # a plain dict
    stats, board = quiesce(stats=True, noticeboard=True)
    assert board == {"a": [1, 2]} and isinstance(stats, list)
    assert wait(noticeboard=True) == {"a": [1, 2]}
    assert wait(noticeboard=True) == {}  # no runtime
    start(worker_count=1, backend=backend)
    assert quiesce(noticeboard=True) == {}  # a new runtime starts empty


# -- snapshots ----------------------------------------------------------------------


def test_a_behavior_sees_one_stable_snapshot(backend):
    requires_threads(backend, "coordinates a behavior with main through Events")
    start(worker_count=2, backend=backend)
    notice_write("v", 1)
    first_read = threading.Event()
    written = threading.Event()

    def body(c):
        a = notice_read("v")
        first_read.set()
        written.wait(LIMIT)
        notice_write("own", "mine")
        return a, notice_read("v"), notice_read("own"), noticeboard() is noticeboard()

    r = when(Cown(None))(body)
    first_read.wait(LIMIT)
    notice_write("v", 2)
    written.set()
    quiesce(timeout=LIMIT)
    # Neither the other write nor its own is seen within the behavior.
    assert value_of(r) == (1, 1, None, True)
    # The next behavior sees both.
    assert run(lambda c: (notice_read("v"), notice_read("own"))) == (2, "mine")


def test_notice_sync_ends_the_snapshot(backend):
    start(worker_count=1, backend=backend)
    notice_write("v", 1)

    def body(c):
        before = notice_read("v")
        notice_write("v", 2)
        unchanged = notice_read("v")
        notice_sync()
        return before, unchanged, notice_read("v")

    assert run(body) == (1, 1, 2)


def test_notice_sync_arguments():
    start(worker_count=1)
    notice_sync()
    notice_sync(None)
    notice_sync(0)
    notice_sync(-1)
    notice_sync(1e12)
    with pytest.raises(ValueError):
        notice_sync(float("nan"))


# -- notice_update -------------------------------------------------------------------


def test_update_uses_default_and_current(backend):
    start(worker_count=1, backend=backend)
    notice_update("count", functools.partial(operator.add, 1), 0)
    notice_update("count", functools.partial(operator.add, 1), 0)
    notice_update("count", lambda v: v * 10)  # lambdas work here
    assert run(lambda c: notice_read("count")) == 20
    notice_write("none", None)
    notice_update("none", lambda v: ("seen", v), "default")  # stored None is present
    assert run(lambda c: notice_read("none")) == ("seen", None)


def test_update_returning_removed_deletes(backend):
    start(worker_count=1, backend=backend)
    notice_write("k", 1)
    notice_update("k", lambda v: REMOVED)
    notice_update("absent", lambda v: REMOVED)
    assert quiesce(noticeboard=True) == {}


def test_update_failure_keeps_value_and_logs(backend, caplog):
    start(worker_count=1, backend=backend)
    notice_write("k", 5)
    with caplog.at_level(logging.WARNING, logger="behaviors"):
        notice_update("k", lambda v: 1 / 0)
    assert "noticeboard_update('k') failed" in caplog.text
    assert "ZeroDivisionError" in caplog.text
    assert quiesce(noticeboard=True) == {"k": 5}
    with pytest.raises(TypeError):
        notice_update("k", "not callable")


@pytest.mark.timeout(120, method="thread")
def test_concurrent_updates_from_behaviors_lose_nothing(backend):
    rng = seeded_rng("test_concurrent_updates_from_behaviors_lose_nothing")
    n = rng.randint(100, 300)
    start(worker_count=2, backend=backend)
    cowns = [Cown(i) for i in range(rng.randint(2, 16))]
    for i in range(n):
        @when(cowns[i % len(cowns)])
        def _(c):
            notice_update("total", functools.partial(operator.add, 1), 0)

    assert finish_board() == {"total": n}


def finish_board():
    quiesce(timeout=LIMIT)
    return wait(noticeboard=True)


def test_concurrent_updates_from_threads_lose_nothing():
    start(worker_count=1)
    per, nthreads = 200, 4

    def bump():
        for _ in range(per):
            notice_update("t", lambda v: v + 1, 0)

    ts = [threading.Thread(target=bump) for _ in range(nthreads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(LIMIT)
    assert quiesce(noticeboard=True) == {"t": per * nthreads}


# -- capacity ------------------------------------------------------------------------


def test_capacity_raises_at_the_call():
    start(worker_count=1)
    set_noticeboard_capacity(64)
    for i in range(64):
        notice_write("k%d" % i, i)
    with pytest.raises(RuntimeError, match=r"Noticeboard is full \(max 64\)"):
        notice_write("k64", 64)
    with pytest.raises(RuntimeError, match="Noticeboard is full"):
        notice_update("k64", lambda v: 1, 0)
    notice_write("k0", "overwrite works")
    notice_delete("k1")
    notice_write("k64", "fits now")
    board = quiesce(noticeboard=True)
    assert len(board) == 64 and board["k0"] == "overwrite works" and "k1" not in board


def test_default_capacity_is_larger_than_bocpys():
    start(worker_count=1)
    for i in range(200):
        notice_write("key%d" % i, i)
    assert len(quiesce(noticeboard=True)) == 200


def test_set_capacity_errors():
    start(worker_count=1)
    notice_write("a", 1)
    notice_write("b", 2)
    with pytest.raises(ValueError):
        set_noticeboard_capacity(1)
    with pytest.raises(ValueError):
        set_noticeboard_capacity(0)
    with pytest.raises(TypeError):
        set_noticeboard_capacity("3")


# -- cowns in entries ------------------------------------------------------------------


def test_a_cown_living_only_in_an_entry(backend):
    start(worker_count=1, backend=backend)
    notice_write("holder", {"c": Cown(10)})
    gc.collect()
    c = run(lambda x: notice_read("holder")["c"])

    @when(c)
    def r(c):
        c.value += 1
        return c.value

    quiesce(timeout=LIMIT)
    assert value_of(r) == 11


def test_an_entry_keeps_its_cowns_exactly_as_long_as_it_lives(backend):
    requires_threads(backend, "uses weak references to wrappers")
    start(worker_count=1, backend=backend)
    c = Cown("v")
    ref = weakref.ref(c)
    notice_write("k", [c])
    del c
    gc.collect()
    assert ref() is not None
    notice_write("k", "replaced")
    gc.collect()
    assert ref() is None
    c2 = Cown("w")
    ref2 = weakref.ref(c2)
    notice_write("k2", c2)
    del c2
    wait()  # empties the board
    gc.collect()
    assert ref2() is None


def test_unpicklable_value_raises_at_the_call():
    start(worker_count=1)
    with pytest.raises((TypeError, pickle.PicklingError, AttributeError)):
        notice_write("k", threading.Lock())
    assert quiesce(noticeboard=True) == {}


def test_removed_sentinel():
    assert repr(REMOVED) == "REMOVED"
    assert REMOVED is not None
    assert pickle.loads(pickle.dumps(REMOVED)) is REMOVED
    assert type(REMOVED)() is REMOVED
