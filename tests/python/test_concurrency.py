# Copyright (c) 2026 The libboc authors.
# SPDX-License-Identifier: MIT
"""Conservation, per-cown ordering, exclusivity, parallelism."""

import threading
import time

import pytest

import bocpy
from bocpy import Cown, when
from bocpy_testutil import TIMEOUT, finish, requires_threads, seeded_rng

pytestmark = pytest.mark.timeout(60, method="thread")


def transfer(src, dst, amount):
    @when(src, dst)
    def _(src, dst):
        if src.value >= amount:
            src.value -= amount
            dst.value += amount
            return True
        return False

    return _


def test_bank_conservation(backend):
    """100 accounts, 5000 random transfers (some src == dst): the total is
    conserved and no balance goes negative."""
    rng = seeded_rng("test_bank_conservation")
    bocpy.start(worker_count=4, backend=backend)
    accounts = [Cown(1000) for _ in range(100)]
    results = []
    for _i in range(5000):
        src = rng.choice(accounts)
        dst = rng.choice(accounts)
        results.append(transfer(src, dst, rng.randint(1, 300)))

    @when(accounts)
    def audit(accts):
        return sum(a.value for a in accts)

    finish(timeout=50)
    assert audit.value == 100 * 1000
    assert sum(a.value for a in accounts) == 100 * 1000
    assert all(a.value >= 0 for a in accounts)
    assert not any(r.exception for r in results)


def test_transfer_ordering_per_cown(backend):
    """D4: check() before and after a transfer sees 100,0 then 50,50."""
    bocpy.start(worker_count=2, backend=backend)
    x, y = Cown(100), Cown(0)
    log = Cown([])

    def check(log):
        @when(x, y, log)
        def _(x, y, log):
            log.value.append((x.value, y.value))

    check(log)
    transfer(x, y, 50)
    check(log)
    finish()
    assert log.value == [(100, 0), (50, 50)]


def test_order_on_one_cown(backend):
    bocpy.start(worker_count=4, backend=backend)
    c = Cown([])
    for i in range(300):

        @when(c)
        def _(c, i=i):
            c.value.append(i)

    finish()
    assert c.value == list(range(300))


def test_order_with_overlapping_sets(backend):
    """Behaviors whose cown sets overlap run in scheduling order."""
    rng = seeded_rng("test_order_with_overlapping_sets")
    bocpy.start(worker_count=4, backend=backend)
    logs = [Cown([]) for _ in range(5)]
    expected = [[] for _ in range(5)]
    for step in range(400):
        k = rng.randint(1, 3)
        idx = sorted(rng.sample(range(5), k))
        for j in idx:
            expected[j].append(step)
        group = [logs[j] for j in idx]

        @when(group)
        def _(g, step=step):
            for lg in g:
                lg.value.append(step)

    finish()
    assert [lg.value for lg in logs] == expected


def test_eleven_fifty_increments(backend):
    """D11."""
    bocpy.start(worker_count=4, backend=backend)
    c = Cown(0)
    for _i in range(50):

        @when(c)
        def _(c):
            c.value += 1

    finish()
    assert c.value == 50


_GUARD = threading.Lock()
_IN_USE = {}
_VIOLATIONS = []


def test_exclusivity(backend):
    """Two behaviors sharing a cown never overlap (checked with a shared
    'in use' table and time.sleep(0) inside the bodies)."""
    requires_threads(backend, "shared in-use table")
    rng = seeded_rng("test_exclusivity")
    _IN_USE.clear()
    del _VIOLATIONS[:]
    bocpy.start(worker_count=4, backend=backend)
    n = 6
    cs = [Cown(i) for i in range(n)]
    for _step in range(600):
        idx = rng.sample(range(n), rng.randint(1, 2))

        @when([cs[j] for j in idx])
        def _(g):
            keys = [c.value for c in g]
            with _GUARD:
                for key in keys:
                    if _IN_USE.get(key):
                        _VIOLATIONS.append(key)
                    _IN_USE[key] = True
            time.sleep(0)
            time.sleep(0)
            with _GUARD:
                for key in keys:
                    _IN_USE[key] = False

    finish()
    assert _VIOLATIONS == []


def test_disjoint_behaviors_run_concurrently(backend):
    """Behaviors on disjoint cowns run in parallel (both reach a barrier)."""
    requires_threads(backend, "threading.Barrier")
    bocpy.start(worker_count=2, backend=backend)
    barrier = threading.Barrier(2, timeout=10)
    a, b = Cown(0), Cown(0)

    @when(a)
    def ra(a):
        barrier.wait()
        return "a"

    @when(b)
    def rb(b):
        barrier.wait()
        return "b"

    finish()
    assert (ra.exception, rb.exception) == (False, False), (ra.value, rb.value)
    assert (ra.value, rb.value) == ("a", "b")


def test_shared_cown_behaviors_do_not_run_concurrently(backend):
    requires_threads(backend, "threading.Barrier")
    bocpy.start(worker_count=2, backend=backend)
    barrier = threading.Barrier(2, timeout=0.5)
    a = Cown(0)
    results = []
    for _i in range(2):

        @when(a)
        def r(a):
            try:
                barrier.wait()
            except threading.BrokenBarrierError:
                return "alone"
            return "together"

        results.append(r)
    finish()
    assert [r.value for r in results] == ["alone", "alone"]


def test_schedule_from_many_threads(backend):
    """Regression 2: hammer @when over overlapping cowns from several
    threads while workers release."""
    bocpy.start(worker_count=4, backend=backend)
    cs = [Cown(0) for _ in range(3)]
    errors = []

    def producer(k):
        try:
            for i in range(250):
                a = cs[(k + i) % 3]
                b = cs[(k + i + 1) % 3]

                @when(a, b)
                def _(a, b):
                    a.value += 1
                    b.value += 1

        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=producer, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT)
    assert not any(t.is_alive() for t in threads)
    assert errors == []
    finish()
    assert sum(c.value for c in cs) == 2 * 4 * 250


def test_many_cowns_fan_out(backend):
    bocpy.start(worker_count=4, backend=backend)
    cs = [Cown(i) for i in range(500)]
    for c in cs:

        @when(c)
        def _(c):
            c.value *= 2

    finish()
    assert [c.value for c in cs] == [2 * i for i in range(500)]


def test_dining_philosophers(backend):
    """D5 (shape): 5 philosophers, hunger 4, re-scheduling themselves; each
    fork is used 2*hunger times."""
    bocpy.start(worker_count=4, backend=backend)
    hunger = 4
    forks = [Cown(0) for _ in range(5)]
    full = Cown(0)

    def eat(left, right, remaining):
        @when(left, right)
        def _(left, right):
            left.value += 1
            right.value += 1
            if remaining > 1:
                eat(left, right, remaining - 1)
            else:

                @when(full)
                def _(full):
                    full.value += 1

    for i in range(5):
        eat(forks[i], forks[(i + 1) % 5], hunger)
    finish()
    assert full.value == 5
    assert [f.value for f in forks] == [2 * hunger] * 5
