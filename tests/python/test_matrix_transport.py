# Copyright (c) 2026 The libboc authors.
# SPDX-License-Identifier: MIT
"""Matrix ownership (bocpy-matrix.md section 15) and transport: a Matrix
as a cown's value, in messages and on the noticeboard (carried by
reference: no data copied), pickling and copying.

The reference's TestMatrixInCown and TestVectorMethodsInCown groups are
the models of the cown tests; the reference bugs of section 15 (a second
cown, nested matrices in messages) are tested in their fixed form."""

import copy
import gc
import pickle
import struct
import sys
import threading

import pytest

import bocpy
from bocpy import (
    TIMEOUT,
    Cown,
    Matrix,
    drain,
    notice_delete,
    notice_read,
    notice_update,
    notice_write,
    receive,
    send,
    set_tags,
    start,
    wait,
    when,
)
from bocpy import _blob
from bocpy._ffi import ffi, matrix_calls
from bocpy_testutil import finish, requires_threads, seeded_rng

pytestmark = pytest.mark.timeout(60, method="thread")

NOT_OWNED = "does not own this matrix"
CPYTHON = sys.implementation.name == "cpython"


@pytest.fixture(autouse=True)
def _running(request):
    """Run each test with a runtime running (one worker), unless it is
    marked ``idle`` or starts one itself (``running`` parameter, or the
    ``backend`` fixture): ownership is enforced while a runtime runs.
    Without one every cown is idle and its value, a matrix included, is
    usable by any thread (see test_idle_cown_matrix_is_usable)."""
    callspec = getattr(request.node, "callspec", None)
    params = callspec.params if callspec is not None else {}
    if ("idle" not in request.keywords and "running" not in params
            and "backend" not in request.fixturenames):
        start(worker_count=1)
    yield


@pytest.fixture(autouse=True)
def _empty_queues():
    """Queues are process-wide: every test starts and ends with none."""
    set_tags([])
    yield
    bocpy.wait(timeout=20)
    set_tags([])


@pytest.fixture
def freed(monkeypatch):
    """The handle addresses (see ``handle``) of the matrices freed while
    the test runs: Matrix.__del__ is wrapped to record them."""
    out = set()
    orig = Matrix.__del__

    def spy(self):
        h = getattr(self, "_h", None)
        if h is not None:
            out.add(matrix_calls.addr(h))
        orig(self)

    monkeypatch.setattr(Matrix, "__del__", spy)
    return out


def handle(m):
    """The address of m's libboc matrix (which buffer m is)."""
    return matrix_calls.addr(m._h)


def data_ptr(m):
    """The address of m's elements: the same address means no copy."""
    return int(ffi.cast("uintptr_t", m._data()))


def collect():
    """Run the collector until finalizers have run (PyPy has no refcounts)."""
    for _ in range(3):
        gc.collect()


def flat(m):
    """m's elements, row-major, as a list of floats."""
    return [m[i, j] for i in range(m.rows) for j in range(m.columns)]


def bits(m):
    """m's elements as raw IEEE bit patterns (NaN payloads, -0.0)."""
    return bytes(ffi.buffer(m._data(), 8 * m.shape[0] * m.shape[1]))


def pins_hold(m):
    """Whether any live blob pins the object m."""
    return any(any(x is m for x in mats) for _cowns, mats in list(_blob._pins.values()))


# ------------------------------------------------------- acquired and ownership


@pytest.mark.idle
def test_idle_cown_matrix_is_usable():
    """Before the runtime starts and after wait(), a cown's matrix is usable
    like the cown's value; inside ``with`` other threads are refused."""
    m = Matrix(1, 2, [3, 4])
    c = Cown(m)
    assert m.acquired and m.magnitude() == 5 and c.value is m
    seen = []

    def other():
        seen.append(m.acquired)

    with c:
        t = threading.Thread(target=other)
        t.start()
        t.join(10)
    assert seen == [False]

    @when(c)
    def _(c):
        c.value.negate(in_place=True)

    wait()
    assert m.acquired and (c.value[0, 0], c.value[0, 1]) == (-3.0, -4.0)


def test_free_matrix_is_acquired():
    m = Matrix(2, 2, [1, 2, 3, 4])
    assert m.acquired is True
    assert m.sum() == 10


@pytest.mark.parametrize("running", [False, True], ids=["idle", "runtime"])
def test_cown_releases_matrix(running):
    if running:
        start(worker_count=1)
    m = Matrix(2, 3, [1, 2, 3, 4, 5, 6])
    c = Cown(m)
    if not running:
        # No runtime: every cown is idle, and its value is usable by any
        # thread (bocpy 0.9.0 released m here already; bocpy-cffi applies
        # one rule to every cown value, as after wait()).
        assert m.acquired is True
        assert m.sum() == 21
        t = threading.Thread(target=lambda: seen.append((m.acquired, m.sum())))
        seen = []
        t.start()
        t.join(10)
        assert seen == [(True, 21.0)]
        start(worker_count=1)
    assert m.acquired is False
    with pytest.raises(RuntimeError, match=NOT_OWNED):
        m.sum()
    with pytest.raises(RuntimeError, match=NOT_OWNED):
        m[0, 0]
    with c:
        assert m.sum() == 21


def test_with_block_acquires_and_writes_persist():
    m = Matrix(2, 2, [1, 2, 3, 4])
    c = Cown(m)
    with c as v:
        assert v is m  # one Python object (bocpy gave a second handle)
        assert v.acquired and m.acquired
        v[0, 0] = 10
        v += 1
        v.normalize(axis=1, in_place=True)
    assert not m.acquired
    with c as v:
        assert v.acquired
        assert Matrix.allclose(v, Matrix(2, 2, [11, 3, 4, 5]).normalize(axis=1))
    assert not m.acquired


def test_acquire_release_methods():
    m = Matrix(1, 2, [3, 4])
    c = Cown(m)
    c.acquire()
    try:
        assert m.acquired and m.magnitude() == 5
    finally:
        c.release()
    assert not m.acquired


def seen_from_another_thread(m):
    """What a new thread sees of m: [m.acquired, then m.sum()'s value or
    the RuntimeError's message]."""
    seen = []

    def other():
        seen.append(m.acquired)
        try:
            seen.append(m.sum())
        except RuntimeError as exc:
            seen.append(str(exc))

    t = threading.Thread(target=other)
    t.start()
    t.join(10)
    return seen


def test_held_matrix_is_not_usable_from_another_thread():
    m = Matrix(1, 2, [3, 4])
    c = Cown(m)
    with c:
        assert m.acquired
        seen = seen_from_another_thread(m)
    assert seen == [False, "The current interpreter does not own this matrix"]


def test_thread_that_acquires_may_use_it():
    m = Matrix(1, 2, [3, 4])
    c = Cown(m)
    seen = []

    def other():
        with c as v:
            seen.append((v.acquired, v.sum()))
            v *= 2
        seen.append(m.acquired)

    t = threading.Thread(target=other)
    t.start()
    t.join(10)
    assert seen == [(True, 7.0), False]
    with c as v:
        assert flat(v) == [6, 8]


def _three():
    """A free 1x3 operand."""
    return Matrix(1, 3, [1, 2, 3])


# Every accessor and operation of section 15 (the exceptions are tested
# below): each gets a matrix that belongs to a cown nobody holds.
ACCESSORS = {
    "rows": lambda m: m.rows,
    "columns": lambda m: m.columns,
    "size": lambda m: m.size,
    "T": lambda m: m.T,
    "length": lambda m: m.length,
    "x": lambda m: m.x,
    "y": lambda m: m.y,
    "z": lambda m: m.z,
    "set x": lambda m: setattr(m, "x", 1.0),
    "set w": lambda m: setattr(m, "w", 1.0),
    "del y": lambda m: delattr(m, "y"),
    "len": len,
    "bool": bool,
    "iter": iter,
    "list": list,
    "reversed": reversed,
    "in": lambda m: 1.0 in m,
    "getitem": lambda m: m[0],
    "getitem 2": lambda m: m[0, 1],
    "getitem slice": lambda m: m[:, 1:],
    "setitem": lambda m: m.__setitem__((0, 0), 5),
    "setitem row": lambda m: m.__setitem__(0, [1, 2, 3]),
    "delitem": lambda m: m.__delitem__(0),
    "add": lambda m: m + 1,
    "radd": lambda m: 1 + m,
    "add list": lambda m: m + [1, 2, 3],
    "radd list": lambda m: [1, 2, 3] + m,
    "sub": lambda m: m - 1,
    "rsub": lambda m: 1 - m,
    "mul": lambda m: m * 2,
    "rmul": lambda m: 2 * m,
    "div": lambda m: m / 2,
    "rdiv": lambda m: 2 / m,
    "iadd": lambda m: m.__iadd__(1),
    "isub": lambda m: m.__isub__(1),
    "imul": lambda m: m.__imul__(2),
    "idiv": lambda m: m.__itruediv__(2),
    "matmul": lambda m: m @ Matrix(3, 1, 1.0),
    "rmatmul": lambda m: Matrix(1, 1, 1.0).__rmatmul__(m),
    "rmatmul list": lambda m: m.__rmatmul__([1]),
    "neg": lambda m: -m,
    "abs": abs,
    "ceil": lambda m: m.ceil(),
    "floor": lambda m: m.floor(in_place=True),
    "round": lambda m: m.round(),
    "negate": lambda m: m.negate(),
    "abs()": lambda m: m.abs(),
    "transpose": lambda m: m.transpose(),
    "transpose in place": lambda m: m.transpose(in_place=True),
    "clip": lambda m: m.clip(0, 1),
    "select": lambda m: m.select([0]),
    "sum": lambda m: m.sum(),
    "mean": lambda m: m.mean(0),
    "min": lambda m: m.min(1),
    "max": lambda m: m.max(),
    "magnitude": lambda m: m.magnitude(),
    "magnitude_squared": lambda m: m.magnitude_squared(),
    "vecdot": lambda m: m.vecdot(_three()),
    "cross": lambda m: m.cross(_three()),
    "normalize": lambda m: m.normalize(),
    "perpendicular": lambda m: m.perpendicular(),
    "angle": lambda m: m.angle(),
    "copy": lambda m: m.copy(),
    "copy.copy": copy.copy,
    "copy.deepcopy": copy.deepcopy,
    "pickle": pickle.dumps,
    "vector": lambda m: Matrix.vector(m),
    "re-init": lambda m: m.__init__(1, 1),
    "send": lambda m: send("t", m),
    "send nested": lambda m: send("t", {"k": [m]}),
}


@pytest.mark.parametrize("op", list(ACCESSORS), ids=list(ACCESSORS))
def test_every_accessor_raises_when_not_owned(op):
    m = Matrix(2, 3, [1, 2, 3, 4, 5, 6])
    c = Cown(m)
    with pytest.raises(RuntimeError, match="^The current interpreter does not own this matrix$"):
        ACCESSORS[op](m)
    assert receive("t", 0) == (TIMEOUT, None)  # nothing was sent
    # Nothing changed, and the holder passes the check (the operation
    # itself may still reject the shape, or be unsupported).
    with c as v:
        assert v.shape == (2, 3) and flat(v) == [1, 2, 3, 4, 5, 6]
        try:
            ACCESSORS[op](v)
        except (ValueError, NotImplementedError, TypeError, AttributeError):
            pass


OPERAND_USES = {
    "add": lambda a, m: a + m,
    "radd": lambda a, m: a.__radd__(m),
    "iadd": lambda a, m: a.__iadd__(m),
    "matmul": lambda a, m: Matrix(3, 2, 1.0) @ m,
    "rmatmul": lambda a, m: a.__rmatmul__(m),
    "vecdot": lambda a, m: a.vecdot(m),
    "cross": lambda a, m: a.cross(m),
    "concat": lambda a, m: Matrix.concat([a, m]),
    "concat axis 1": lambda a, m: Matrix.concat([a, m], 1),
    "setitem full": lambda a, m: a.__setitem__(slice(None), m),
    "setitem row": lambda a, m: a.__setitem__(0, m),
    "setitem block": lambda a, m: a.__setitem__((slice(None), slice(1, 3)), m),
}


@pytest.mark.parametrize("use", list(OPERAND_USES), ids=list(OPERAND_USES))
def test_matrix_operands_are_checked(use):
    a = Matrix(2, 3, 1.0)
    m = Matrix(2, 3, 2.0)
    c = Cown(m)
    with pytest.raises(RuntimeError, match=NOT_OWNED):
        OPERAND_USES[use](a, m)
    assert flat(a) == [1.0] * 6  # the free operand is untouched
    with c:
        try:
            OPERAND_USES[use](a, m)
        except (ValueError, NotImplementedError):
            pass  # a shape error: the ownership check passed


def test_exceptions_shape_acquired_allclose_repr_str():
    m = Matrix(2, 2, [1, 2, 3, 4])
    c = Cown(m)
    assert m.shape == (2, 2)
    assert m.acquired is False
    assert Matrix.allclose(m, Matrix(2, 2, [1, 2, 3, 4]))
    assert Matrix.allclose(Matrix(2, 2, [1, 2, 3, 4]), m)
    assert repr(m) == "Matrix(<not acquired>)"
    assert str(m) == "<not acquired>"
    assert format(m) == "<not acquired>"
    assert repr([m]) == "[Matrix(<not acquired>)]"
    assert m == m and hash(m) == hash(m)  # identity, from object
    with c:
        assert repr(m) == "Matrix(2, 2, [1, 2, 3, 4])"
        assert str(m) == "[[1 2]\n [3 4]]"


def test_second_cown_raises_and_leaves_everything_intact():
    m = Matrix(1, 2, [1, 2])
    c1 = Cown(m)
    with pytest.raises(RuntimeError, match="already belongs to another cown"):
        Cown(m)
    c2 = Cown(Matrix(1, 1, 7.0))
    with c2:
        with pytest.raises(RuntimeError, match="already belongs to another cown"):
            c2.value = m
        assert c2.value.x == 7.0  # unchanged
    # Even for the thread holding the first cown.
    with c1 as v:
        assert v is m
        with pytest.raises(RuntimeError, match="already belongs to another cown"):
            Cown(m)
        assert flat(m) == [1, 2]
    assert not m.acquired
    # Taken out of the first cown, it may go into another.
    with c1:
        c1.value = None
    c3 = Cown(m)
    assert not m.acquired
    with c3 as v:
        assert v is m and flat(v) == [1, 2]


def test_giving_a_cown_its_own_matrix_again_is_a_no_op():
    m = Matrix(1, 2, [1, 2])
    c = Cown(m)
    with c:
        c.value = c.value
        c.value += 1  # in place: returns the same matrix
        assert c.value is m and flat(m) == [2, 3]
    assert not m.acquired


def test_replacing_the_value_frees_the_old_matrix(freed):
    m = Matrix(1, 2, [1, 2])
    c = Cown(m)
    h = handle(m)
    new = Matrix(1, 1, 5.0)
    with c:
        c.value = new
    assert m.acquired and flat(m) == [1, 2]  # no longer the cown's
    assert not new.acquired
    del m
    collect()
    assert h in freed
    with c as v:
        assert v is new and v.x == 5.0


@pytest.mark.idle
def test_replacing_without_acquire_before_start(freed):
    # Without a runtime every cown's value may be set directly.
    c = Cown(Matrix(1, 2, [1, 2]))
    with c as v:
        h = handle(v)
        del v
    c.value = 3
    collect()
    assert h in freed


def test_matrix_of_a_dead_cown_is_free():
    m = Matrix(1, 2, [1, 2])
    c = Cown(m)
    assert not m.acquired
    del c
    collect()
    assert m.acquired and m.sum() == 3


def test_nested_matrix_is_not_tracked():
    m = Matrix(1, 2, [1, 2])
    c = Cown([m, {"k": m}])
    assert m.acquired and m.sum() == 3
    with c as v:
        assert v[0] is m


def test_reinit_by_the_holder_keeps_ownership():
    m = Matrix(1, 2, [1, 2])
    c = Cown(m)
    with c:
        m.__init__(2, 2, 1.0)
        assert m.shape == (2, 2)
    assert not m.acquired
    with c as v:
        assert v.sum() == 4.0


# --------------------------------------------------------------- in behaviors


def test_behaviors_see_in_place_mutations(backend):
    """The reference's TestVectorMethodsInCown, as one chain: each behavior
    mutates the cown's matrix in place and the next one sees it."""
    start(worker_count=2, backend=backend)
    c = Cown(Matrix.vector([3.0, 4.0]))

    @when(c)
    def _(c):
        c.value.normalize(in_place=True)
        send("step", ("normalize", c.value.x, c.value.y))

    @when(c)
    def _(c):
        c.value.perpendicular(in_place=True)
        send("step", ("perpendicular", c.value.x, c.value.y))

    @when(c)
    def _(c):
        c.value.negate(in_place=True)
        send("step", ("negate", c.value.x, c.value.y))

    @when(c)
    def _(c):
        v = c.value
        v *= 10
        v[0, 0] = v[0, 0] + 1
        v.y = v.y - 1
        send("step", ("arith", v.x, v.y))

    @when(c)
    def _(c):
        c.value = c.value.concat([c.value, [0.0, 1.0]])  # a new 2x2 matrix
        c.value.transpose(in_place=True)
        send("step", ("concat", c.value.shape, c.value.acquired))

    steps = [receive("step", 20)[1] for _ in range(5)]
    finish()
    assert steps[0] == pytest.approx(("normalize", 0.6, 0.8))
    assert steps[1] == pytest.approx(("perpendicular", -0.8, 0.6))
    assert steps[2] == pytest.approx(("negate", 0.8, -0.6))
    assert steps[3] == pytest.approx(("arith", 9.0, -7.0))
    assert steps[4] == ("concat", (2, 2), True)
    with c as v:
        assert Matrix.allclose(v, Matrix(2, 2, [9, 0, -7, 1]))


def test_matrix_is_acquired_only_inside_its_behaviors(backend):
    requires_threads(backend, "a behavior uses the caller's Matrix object")
    start(worker_count=2, backend=backend)
    m = Matrix(1, 2, [1, 2])
    c = Cown(m)
    other = Cown(0)

    @when(c)
    def _(c):
        send("in", (m.acquired, c.value is m, m.sum()))

    @when(other)
    def _(other):
        try:
            m.sum()
            send("other", "no error")
        except RuntimeError as exc:
            send("other", (m.acquired, repr(m), str(exc)))

    assert receive("in", 20)[1] == (True, True, 3.0)
    assert receive("other", 20)[1] == (
        False, "Matrix(<not acquired>)", "The current interpreter does not own this matrix")
    assert not m.acquired  # main does not hold c
    finish()
    assert m.acquired  # no runtime: c is idle, its value usable


def test_behavior_can_put_a_new_matrix_in_a_cown(backend):
    start(worker_count=1, backend=backend)
    c = Cown(None)

    @when(c)
    def _(c):
        c.value = Matrix.ones((2, 2))

    @when(c)
    def _(c):
        c.value += 1
        send("ok", (c.value.sum(), c.value.acquired))

    assert receive("ok", 20)[1] == (8.0, True)
    finish()
    with c as v:
        assert v.sum() == 8.0


def test_random_behaviors_over_matrix_cowns(backend):
    """Behaviors over random subsets of matrix cowns add to their elements
    in place; every increment is kept (the holder may always use the
    matrix, and no increment is lost)."""
    rng = seeded_rng("test_random_behaviors_over_matrix_cowns")
    start(worker_count=4, backend=backend)
    n = 6
    cs = [Cown(Matrix(2, 3)) for _ in range(n)]
    expected = [0.0] * n
    for _ in range(300):
        idx = rng.sample(range(n), rng.randint(1, 3))
        k = rng.randint(1, 5)
        for j in idx:
            expected[j] += k

        @when([cs[j] for j in idx])
        def _(group, k=k):
            for g in group:
                m = g.value
                m += k
                if not m.acquired:
                    raise AssertionError("not acquired by its holder")

    finish()
    for j, c in enumerate(cs):
        with c as v:
            assert flat(v) == [expected[j]] * 6, j


# ------------------------------------------------------------------ messages


def test_send_receive_top_level_copies_nothing():
    m = Matrix(2, 2, [1, 2, 3, 4])
    p = data_ptr(m)
    send("t", m)
    tag, got = receive("t", 5)
    assert tag == "t" and got is m and data_ptr(got) == p
    got[0, 0] = 9
    assert m[0, 0] == 9


class _Slots:
    """A __slots__ object holding a matrix (pickled by __reduce__)."""

    __slots__ = ("m",)

    def __init__(self, m):
        self.m = m

    def __reduce__(self):
        return (_Slots, (self.m,))


class _Plain:
    """A plain object holding a matrix in its __dict__."""

    def __init__(self, m):
        self.m = m


@pytest.mark.parametrize("with_cown", [False, True], ids=["plain", "with-cown"])
def test_send_receive_nested_copies_nothing(with_cown):
    a = Matrix(1, 3, [1, 2, 3])
    b = Matrix.zeros((2, 2))
    payload = [a, (b, a), {"a": a, "deep": [[{"b": b}]]}, _Slots(a), _Plain(b)]
    if with_cown:
        payload.append(Cown(5))  # also takes the persistent-id unpickler
    send("t", payload)
    _tag, got = receive("t", 5)
    assert got is not payload
    assert got[0] is a and got[1] == (b, a) and got[1][0] is b
    assert got[2]["a"] is a and got[2]["deep"][0][0]["b"] is b
    assert got[3].m is a and got[4].m is b
    assert data_ptr(got[0]) == data_ptr(a)
    got[2]["deep"][0][0]["b"][1, 1] = 4
    assert b[1, 1] == 4


def test_sent_matrix_outlives_the_sender(freed):
    m = Matrix(1, 3, [1.5, float("nan"), -0.0])
    h = handle(m)
    send("t", [m])
    del m
    collect()
    assert h not in freed
    _tag, (m,) = receive("t", 5)
    assert repr(m) == "Matrix(1, 3, [1.5, nan, -0])"
    assert not pins_hold(m)  # the message is gone: only `m` holds it
    del m
    collect()
    assert h in freed


@pytest.mark.parametrize("how", ["drain", "set_tags"])
def test_drained_messages_free_their_matrices(freed, how):
    m = Matrix(1, 2, [1, 2])
    h = handle(m)
    send("t", m)
    send("t", {"again": [m]})
    del m
    collect()
    assert h not in freed
    if how == "drain":
        drain("t")
    else:
        set_tags([])
    collect()
    assert h in freed
    assert not _blob._pins


def test_sending_a_matrix_of_an_unheld_cown_raises():
    m = Matrix(1, 2, [1, 2])
    c = Cown(m)
    with pytest.raises(RuntimeError, match=NOT_OWNED):
        send("t", [m])
    assert receive("t", 0) == (TIMEOUT, None)
    assert not _blob._pins
    with c:
        send("t", [m])
    assert receive("t", 0)[1] == [m]


def test_sending_a_cown_matrix_keeps_it_in_the_cown():
    """A cown's matrix, sent by its holder, is still that cown's: the
    receiver may use it only while holding the cown."""
    m = Matrix(1, 2, [1, 2])
    c = Cown(m)
    with c as v:
        send("t", {"v": v})
        _tag, got = receive("t", 5)
        assert got["v"] is m and got["v"].acquired  # a round trip by the holder
        send("later", v)
    _tag, got = receive("later", 5)
    assert got is m and not got.acquired
    with pytest.raises(RuntimeError, match=NOT_OWNED):
        got.sum()
    with c:
        assert got.sum() == 3


def test_a_sent_matrix_put_in_a_cown_is_protected_on_arrival():
    m = Matrix(1, 2, [1, 2])
    send("t", m)
    c = Cown(m)  # still in the queue: allowed, the matrix was free
    _tag, got = receive("t", 5)
    assert got is m and not got.acquired
    with pytest.raises(RuntimeError, match=NOT_OWNED):
        got.sum()
    with c:
        assert got.sum() == 3


def test_round_trip_inside_a_behavior(backend):
    start(worker_count=1, backend=backend)
    c = Cown(Matrix(1, 2, [1, 2]))

    @when(c)
    def _(c):
        send("self", c.value)
        _tag, got = receive("self", 10)
        got += 1
        send("out", (got is c.value, got.acquired, c.value.sum()))

    assert receive("out", 20)[1] == (True, True, 5.0)
    finish()


def test_main_and_a_behavior_share_a_sent_matrix(backend):
    requires_threads(backend, "the matrix is shared, not copied")
    start(worker_count=1, backend=backend)
    m = Matrix(1, 3, [1, 2, 3])
    r = Cown(None)

    @when(r)
    def _(r):
        _tag, got = receive("in", 10)
        got *= 2
        send("out", data_ptr(got))

    send("in", m)
    assert receive("out", 20)[1] == data_ptr(m)
    finish()
    assert flat(m) == [2, 4, 6]


def test_pack_keeps_the_plain_fast_path():
    data, handles, token = _blob.pack({"k": [1, 2.5, "x"]})
    assert handles is None and token == 0
    m = Matrix(1, 1)
    data, handles, token = _blob.pack([m, m])
    try:
        assert token != 0 and len(handles) == 0
        assert _blob._pins[token] == ((), (m,))  # one pin for both
        assert pickle.loads(data) == [m, m]
        got = pickle.loads(data)
        assert got[0] is m and got[1] is m
    finally:
        _blob.unpin(token)


def test_user_pickle_inside_a_value_still_copies():
    # A value whose __reduce__ pickles a matrix itself gets a copy there.
    m = Matrix(1, 2, [1, 2])
    blob = pickle.dumps(m)
    send("t", [blob, m])
    _tag, (b, got) = receive("t", 5)
    assert got is m
    c = pickle.loads(b)
    assert c is not m and flat(c) == [1, 2] and data_ptr(c) != data_ptr(m)


# --------------------------------------------------------------- noticeboard


def test_noticeboard_value_survives_the_writer(freed):
    start(worker_count=1)
    a, b = Matrix(1, 3, [1, 2, 3]), Matrix(1, 1, 4.0)
    hs = {handle(a), handle(b)}
    notice_write("k", a)
    notice_write("nested", {"l": [b]})
    del a, b
    collect()
    assert not hs & freed
    m = notice_read("k")
    assert flat(m) == [1, 2, 3]
    assert notice_read("nested")["l"][0].x == 4.0
    # Every read returns the same object: no copy.
    assert bocpy.noticeboard()["k"] is m


def test_noticeboard_copies_nothing():
    start(worker_count=1)
    m = Matrix(2, 2, [1, 2, 3, 4])
    notice_write("k", {"m": m, "again": m})
    got = notice_read("k")
    assert got["m"] is m and got["again"] is m and data_ptr(got["m"]) == data_ptr(m)


@pytest.mark.parametrize("how", ["delete", "overwrite", "update-removed", "wait"])
def test_noticeboard_frees_matrices_of_dead_entries(freed, how):
    start(worker_count=1)
    m = Matrix(1, 2, [1, 2])
    h = handle(m)
    notice_write("k", [m])
    assert pins_hold(m)
    del m
    collect()
    assert h not in freed
    if how == "delete":
        notice_delete("k")
    elif how == "overwrite":
        notice_write("k", 0)
    elif how == "update-removed":
        notice_update("k", lambda v: bocpy.REMOVED)
    else:
        wait()
    if how != "wait":
        notice_read("other")  # drop this thread's cached snapshot of the board
    collect()
    assert h in freed
    assert not _blob._pins


def test_notice_update_with_matrices():
    start(worker_count=1)
    m = Matrix(1, 2, [1, 2])
    notice_write("k", m)
    notice_update("k", lambda v: v + 1)  # a new matrix
    got = notice_read("k")
    assert got is not m and flat(got) == [2, 3] and flat(m) == [1, 2]


def test_behaviors_read_a_matrix_from_the_noticeboard(backend):
    start(worker_count=2, backend=backend)
    notice_write("weights", Matrix(1, 3, [1, 2, 3]))
    c = Cown(Matrix(1, 3, 1.0))

    @when(c)
    def _(c):
        w = notice_read("weights")
        send("dot", c.value.vecdot(w))

    assert receive("dot", 20)[1] == 6.0
    finish()


def test_cown_matrix_on_the_noticeboard_needs_the_cown():
    start(worker_count=1)
    m = Matrix(1, 2, [1, 2])
    c = Cown(m)
    with pytest.raises(RuntimeError, match=NOT_OWNED):
        notice_write("k", m)
    with c:
        notice_write("k", m)
    got = notice_read("k")
    assert got is m and not got.acquired
    with c:
        assert got.sum() == 3


# ------------------------------------------------------------ pickle and copy

SPECIAL = [0.0, -0.0, 1.5, -2.25, float("inf"), float("-inf"), float("nan"),
           struct.unpack("<d", struct.pack("<Q", 0x7FF8DEADBEEF0001))[0],  # NaN payload
           5e-324, 1.7976931348623157e308, 0.1, 1e-310]


def _special(rows, columns):
    """A rows x columns matrix cycling through the SPECIAL values."""
    return Matrix(rows, columns, [SPECIAL[i % len(SPECIAL)] for i in range(rows * columns)])


SHAPES = {
    "1x1": lambda: _special(1, 1),
    "3x4": lambda: _special(3, 4),
    "1x12": lambda: _special(1, 12),
    "12x1": lambda: _special(12, 1),
    "40x25": lambda: _special(40, 25),
    "1x0": lambda: Matrix.vector([]),
    "0x1": lambda: Matrix.vector([]).T,
}


@pytest.mark.parametrize("proto", range(pickle.HIGHEST_PROTOCOL + 1))
@pytest.mark.parametrize("shape", list(SHAPES), ids=list(SHAPES))
def test_pickle_round_trip_is_exact(shape, proto):
    m = SHAPES[shape]()
    got = pickle.loads(pickle.dumps(m, proto))
    assert type(got) is Matrix and got is not m
    assert got.shape == m.shape and bits(got) == bits(m)
    if m.size:
        assert data_ptr(got) != data_ptr(m)
        got[0, 0] = 42
        assert m[0, 0] != 42


def test_pickle_inside_containers_shares_one_copy():
    m = _special(2, 3)
    a, b = pickle.loads(pickle.dumps([m, {"m": m}]))
    assert a is b["m"] and bits(a) == bits(m)


def test_pickle_format_does_not_reference_blobs():
    data = pickle.dumps(Matrix(1, 1))
    assert b"_load_matrix" not in data and b"_unpickle" in data


@pytest.mark.parametrize("fn", [copy.copy, copy.deepcopy], ids=["copy", "deepcopy"])
def test_copy_module(fn):
    m = _special(3, 4)
    got = fn(m)
    assert type(got) is Matrix and got is not m and bits(got) == bits(m)
    got[0, 0] = 42
    assert m[0, 0] != 42


def test_deepcopy_keeps_sharing():
    m = Matrix(1, 2, [1, 2])
    a, b = copy.deepcopy([m, m])
    assert a is b and a is not m and flat(a) == [1, 2]


def test_copy_of_a_cown_matrix_is_free():
    m = Matrix(1, 2, [1, 2])
    c = Cown(m)
    with c:
        cp = copy.copy(m)
        pk = pickle.loads(pickle.dumps(m))
    assert cp.acquired and pk.acquired and flat(cp) == flat(pk) == [1, 2]
    # A copy may go into another cown.
    c2 = Cown(cp)
    assert not cp.acquired
    with c2:
        assert cp.acquired


def test_bad_pickled_matrix_is_rejected():
    from bocpy._matrix import _unpickle

    with pytest.raises(pickle.UnpicklingError):
        _unpickle(2, 2, b"\0" * 8)
    with pytest.raises(pickle.UnpicklingError):
        _unpickle(-1, 0, b"")


def test_uninitialised_matrix_still_reports_it():
    u = Matrix.__new__(Matrix)
    for op in (lambda m: m.acquired, lambda m: m.rows, lambda m: m.shape, repr,
               pickle.dumps, copy.copy, lambda m: Matrix.allclose(m, m),
               lambda m: send("t", m)):
        with pytest.raises(AttributeError, match="not initialised"):
            op(u)


def test_signature_is_the_constructors():
    import inspect

    assert str(inspect.signature(Matrix)) == "(rows, columns, values=None)"


def test_pinned_cown_matrix_is_the_main_threads():
    """A PinnedCown's matrix follows its cown: usable on the main thread
    (which holds a pinned cown for life), refused on any other."""
    from bocpy import PinnedCown

    m = Matrix(1, 2, [3, 4])
    p = PinnedCown(m)
    assert m.acquired and m.magnitude() == 5
    assert seen_from_another_thread(m) == [
        False, "The current interpreter does not own this matrix"]
    with pytest.raises(RuntimeError, match="another cown"):
        Cown(m)
    m2 = Matrix(1, 1, [1])
    p.value = m2
    c = Cown(m)  # m left the pinned cown: free for another
    with c as v:
        assert v is m and m.sum() == 7
    with pytest.raises(RuntimeError, match="another cown"):
        Cown(m2)


def test_returned_matrix_belongs_to_the_result_cown():
    """A behavior's returned Matrix is its result cown's (usable by that
    cown's holders); one that is still another cown's value stays that
    cown's; after wait() both are usable (idle cowns)."""
    c = Cown(Matrix(1, 2, [3, 4]))

    @when(c)
    def made(c):
        return Matrix(1, 2, [5, 12])

    @when(c)
    def same(c):
        return c.value

    @when(made)
    def check(made):
        return (made.value.acquired, made.value.magnitude())

    wait()
    assert check.value == (True, 13.0)
    assert not same.exception and same.value is c.value
    assert same.value.magnitude() == 5.0  # no runtime: every cown is idle
    start(worker_count=1)
    with made as v:
        m = v
        assert m.acquired and m.magnitude() == 13.0
    assert not m.acquired  # made's, and main no longer holds it
    with same as v:
        assert not v.acquired  # still c's, not same's
    with c as v:
        assert v.acquired and v.magnitude() == 5.0
