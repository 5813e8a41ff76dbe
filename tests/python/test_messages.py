# Copyright (c) 2026 The libboc authors.
# SPDX-License-Identifier: MIT
"""Tagged message queues: send, receive, drain, set_tags, TIMEOUT
(reference: bocpy-api.md section 7), and cowns carried in messages."""

import collections
import copyreg
import gc
import pickle
import threading
import time

import pytest

import bocpy
from bocpy import TIMEOUT, Cown, drain, receive, send, set_tags, start, wait, when
from bocpy_testutil import TIMEOUT as LIMIT
from bocpy_testutil import finish, requires_threads, seeded_rng


@pytest.fixture(autouse=True)
def _empty_queues():
    """Queues are process-wide: every test starts and ends with none."""
    set_tags([])
    yield
    bocpy.wait(timeout=20)
    set_tags([])


# -- round trips --------------------------------------------------------------


@pytest.mark.parametrize(
    "payload",
    [
        1,
        2.5,
        "text",
        None,
        True,
        (1, "a"),
        [1, 2, 3],  # bocpy delivered lists as tuples (bug B5)
        {"k": [1, {2}]},
        {1, 2},
        frozenset({3}),
        b"bytes",
        bytearray(b"ba"),
        collections.OrderedDict(a=1),
        [],
    ],
)
def test_payload_arrives_as_the_type_sent(payload):
    send("t", payload)
    tag, got = receive("t", 1)
    assert tag == "t"
    assert type(got) is type(payload)
    assert got == payload


def test_receive_returns_a_tuple():
    send("t", "alpha")
    out = receive("t", 1)
    assert isinstance(out, tuple) and out == ("t", "alpha")
    send("t", "beta")
    [_, x] = receive(["t"], 1)
    assert x == "beta"


def test_fifo_per_tag():
    for i in range(100):
        send("fifo", i)
    assert [receive("fifo", 1)[1] for _ in range(100)] == list(range(100))


def test_messages_survive_start_and_wait():
    send("early", 1)  # before start(): start() must not throw it away
    start(worker_count=1)
    send("early", 2)
    wait()
    send("early", 3)  # after wait()
    assert [receive("early", 1)[1] for _ in range(3)] == [1, 2, 3]


def test_several_tags_any_ready_one_each_fifo():
    send("b", 1)
    send("c", 2)
    send("b", 3)
    got = [receive(["a", "b", "c"], 1) for _ in range(3)]
    assert sorted(got) == [("b", 1), ("b", 3), ("c", 2)]
    assert [m for m in got if m[0] == "b"] == [("b", 1), ("b", 3)]


def test_receive_from_a_tuple_and_a_generator_of_tags():
    send("x", 1)
    assert receive(("y", "x"), 1) == ("x", 1)
    send("y", 2)
    assert receive((t for t in ["x", "y"]), 1) == ("y", 2)


# -- timeouts --------------------------------------------------------------------


def test_timeout_zero_polls_once():
    t0 = time.monotonic()
    assert receive("empty", 0) == (TIMEOUT, None)
    assert time.monotonic() - t0 < 0.5
    assert TIMEOUT == "__timeout__"


def test_positive_timeout_waits_at_least_that_long():
    t0 = time.monotonic()
    assert receive("empty", 0.05) == (TIMEOUT, None)
    elapsed = time.monotonic() - t0
    assert 0.05 <= elapsed < 5


def test_after_value_is_returned_on_timeout():
    assert receive("empty", 0, after=lambda: 5) == 5
    calls = []
    assert receive("empty", 0.01, after=lambda: calls.append(1)) is None
    assert calls == [1]


def test_after_not_called_when_a_message_arrives():
    send("t", 1)
    assert receive("t", 1, after=lambda: pytest.fail("after called")) == ("t", 1)


def test_none_timeout_waits_forever():
    # bocpy raised TypeError for None; here it means wait forever.
    def later():
        time.sleep(0.1)
        send("late", "hi")

    th = threading.Thread(target=later)
    th.start()
    assert receive("late", None) == ("late", "hi")
    th.join()


def test_negative_timeout_blocks_until_a_message():
    th = threading.Timer(0.05, send, args=("neg", 7))
    th.start()
    assert receive("neg", -1) == ("neg", 7)
    th.join()


def test_blocked_receiver_on_several_tags_wakes_for_any():
    out = []
    th = threading.Thread(target=lambda: out.append(receive(["p", "q", "r"], LIMIT)))
    th.start()
    time.sleep(0.05)
    t0 = time.monotonic()
    send("r", "wake")
    th.join(LIMIT)
    assert out == [("r", "wake")]
    assert time.monotonic() - t0 < 1.0


# -- drain and set_tags ------------------------------------------------------------


def test_drain_discards_queued_messages():
    for i in range(5):
        send("d", i)
    send("keep", 1)
    drain("d")
    assert receive("d", 0) == (TIMEOUT, None)
    assert receive("keep", 0) == ("keep", 1)
    drain([])  # no-op
    send("d", 9)
    drain(["d", "never-used"])
    assert receive("d", 0) == (TIMEOUT, None)


def test_drain_while_a_receiver_is_blocked():
    out = []
    th = threading.Thread(target=lambda: out.append(receive("blk", LIMIT)))
    th.start()
    time.sleep(0.05)
    drain("blk")
    time.sleep(0.05)
    assert out == []  # still waiting
    send("blk", "after")
    th.join(LIMIT)
    assert out == [("blk", "after")]


def test_set_tags_discards_every_message():
    send("a", 1)
    send("b", 2)
    set_tags(["a", "b", "c"])
    assert receive(["a", "b", "c"], 0) == (TIMEOUT, None)
    send("c", 3)
    assert receive("c", 0) == ("c", 3)


def test_set_tags_errors():
    with pytest.raises(TypeError, match="Tags must provide __len__"):
        set_tags(t for t in ["a"])
    with pytest.raises(TypeError):
        set_tags(["a", 1])
    with pytest.raises(IndexError, match="or fewer tags supported"):
        set_tags(["t%d" % i for i in range(5000)])


def test_set_tags_from_a_behavior_raises():
    out = []
    start(worker_count=1)
    c = Cown(None)

    @when(c)
    def _(c):
        try:
            set_tags([])
        except RuntimeError as exc:
            out.append(str(exc))

    finish()
    assert out == ["set_tags can only be called from the main interpreter"]


# -- argument errors ---------------------------------------------------------------


def test_argument_errors():
    with pytest.raises(TypeError):
        send(1, "x")
    with pytest.raises(TypeError):
        send(b"t", "x")
    with pytest.raises(RuntimeError, match="tags must contain at least one value"):
        receive([], 0)
    with pytest.raises(TypeError):
        receive(["a", 2], 0)
    with pytest.raises(TypeError):
        receive(5, 0)
    with pytest.raises(TypeError, match="must be real number"):
        receive("a", "soon")
    with pytest.raises(ValueError):
        receive("a", float("nan"))
    with pytest.raises(TypeError):
        drain(["a", None])
    with pytest.raises(UnicodeEncodeError):
        send("bad\udc80", 1)
    send("ok", 1)  # the queues still work
    assert receive("ok", 0) == ("ok", 1)


def test_unpicklable_contents_raise_at_send():
    with pytest.raises((TypeError, pickle.PicklingError, AttributeError)):
        send("t", threading.Lock())
    assert receive("t", 0) == (TIMEOUT, None)


def test_tag_capacity_is_generous_and_explicit():
    # bocpy allowed 13 user tags; libboc 4096 per process.
    for i in range(1024):
        send("many-%d" % i, i)
    for i in range(1024):
        assert receive("many-%d" % i, 0) == ("many-%d" % i, i)


def test_full_queue_raises_and_keeps_messages():
    from bocpy._ffi import ffi, lib

    limits = ffi.new("boc_msg_limits_t *")
    lib.boc_msg_get_limits(limits)
    saved = (limits.max_pending_per_tag, limits.max_pending_bytes)
    limits.max_pending_per_tag = 3
    assert lib.boc_msg_set_limits(limits) == 0
    try:
        for i in range(3):
            send("full", i)
        with pytest.raises(RuntimeError, match="Message queue is full"):
            send("full", 3)
        assert receive("full", 0) == ("full", 0)
        send("full", 4)  # room again
        assert [receive("full", 0)[1] for _ in range(3)] == [1, 2, 4]
    finally:
        limits.max_pending_per_tag, limits.max_pending_bytes = saved
        lib.boc_msg_set_limits(limits)


# -- behaviors and cowns ------------------------------------------------------------


def test_behaviors_send_main_receives(backend):
    start(worker_count=2, backend=backend)
    cs = [Cown(i) for i in range(10)]
    for c in cs:
        @when(c)
        def _(c):
            send("from-b", c.value)

    got = sorted(receive("from-b", LIMIT)[1] for _ in range(10))
    assert got == list(range(10))
    finish()


def test_behavior_receives_what_main_sends(backend):
    start(worker_count=1, backend=backend)
    c = Cown(0)

    @when(c)
    def r(c):
        return receive("to-b", LIMIT)

    send("to-b", {"x": 1})
    finish()
    assert r.value == ("to-b", {"x": 1})


def test_receive_without_timeout_in_a_behavior_and_a_thread(backend):
    # The default timeout (wait forever) off the main thread.
    start(worker_count=1, backend=backend)
    c = Cown(None)

    @when(c)
    def r(c):
        _, k = receive("fwd")
        send("back", k * 2)
        return k

    got = []
    th = threading.Thread(target=lambda: got.append(receive(["back"], None)))
    th.start()
    send("fwd", 21)
    th.join(LIMIT)
    assert got == [("back", 42)]
    finish()
    assert r.value == 21


def test_round_trip_between_main_and_a_behavior(backend):
    start(worker_count=1, backend=backend)
    c = Cown(None)

    @when(c)
    def _(c):
        for _ in range(20):
            _, n = receive("ping", LIMIT)
            send("pong", n + 1)

    for i in range(20):
        send("ping", i)
        assert receive("pong", LIMIT) == ("pong", i + 1)
    finish()


def test_a_cown_sent_in_a_message_is_the_same_cown(backend):
    requires_threads(backend, "compares object identity")
    c = Cown([1])
    send("cowns", {"c": c, "n": 3})
    _, got = receive("cowns", 1)
    assert got["c"] is c
    assert got["n"] == 3


def test_a_cown_living_only_in_a_message_keeps_its_value(backend):
    start(worker_count=1, backend=backend)
    send("only", [Cown("kept")])  # no other reference to the cown
    gc.collect()
    _, [c] = receive("only", LIMIT)

    @when(c)
    def r(c):
        c.value += "!"
        return c.value

    finish()
    assert r.value == "kept!"
    assert c.value == "kept!"


class _Slotted:
    __slots__ = ("cown", "other")

    def __init__(self, cown):
        self.cown = cown
        self.other = 1


class _Reduced:
    def __init__(self, cown):
        self.hidden = cown

    def __reduce__(self):
        return (_Reduced, (self.hidden,))


class _Registered:
    def __init__(self, cown):
        self.inner = cown


def _reduce_registered(obj):
    return (_Registered, (obj.inner,))


copyreg.pickle(_Registered, _reduce_registered)


@pytest.mark.parametrize("wrap", [_Slotted, _Reduced, _Registered,
                                  lambda c: {"deep": [(1, {c})]}])
def test_cowns_found_at_any_depth(backend, wrap):
    start(worker_count=1, backend=backend)
    send("deep", wrap(Cown(41)))
    gc.collect()
    _, got = receive("deep", LIMIT)
    if isinstance(got, dict):
        c = next(iter(got["deep"][0][1]))
    else:
        c = getattr(got, "cown", None) or getattr(got, "hidden", None) or got.inner
    assert isinstance(c, Cown)

    @when(c)
    def r(c):
        return c.value + 1

    finish()
    assert r.value == 42


def test_a_dropped_message_frees_its_cowns():
    import weakref

    c = Cown("x")
    ref = weakref.ref(c)
    send("drop", c)
    del c
    gc.collect()
    assert ref() is not None  # the queued message keeps it
    drain("drop")
    gc.collect()
    assert ref() is None


def test_pickling_a_cown_elsewhere_is_refused():
    with pytest.raises(TypeError, match="can only be pickled by bocpy"):
        pickle.dumps(Cown(1))


# -- stress ------------------------------------------------------------------------


@pytest.mark.timeout(120, method="thread")
def test_stress_behaviors_send_while_main_receives(backend):
    rng = seeded_rng("test_stress_behaviors_send_while_main_receives")
    workers = rng.choice([1, 2])
    nsenders = rng.randint(4, 12)
    per = rng.randint(50, 200)
    tags = ["s%d" % i for i in range(rng.randint(1, 5))]
    start(worker_count=workers, backend=backend)
    senders = [Cown(i) for i in range(nsenders)]
    for c in senders:
        @when(c)
        def _(c):
            for k in range(per):
                send(tags[(c.value + k) % len(tags)], (c.value, k))

    seen = collections.defaultdict(list)
    for _ in range(nsenders * per):
        tag, (s, k) = receive(tags, LIMIT)
        assert tag == tags[(s + k) % len(tags)]
        seen[(s, tag)].append(k)
    assert receive(tags, 0) == (TIMEOUT, None)
    total = 0
    for (s, tag), ks in seen.items():
        assert ks == sorted(ks), "per-sender order on %s broken" % tag
        total += len(ks)
    assert total == nsenders * per
    assert {s for s, _ in seen} == set(range(nsenders))
    finish()


class _RegisteredCown(Cown):
    pass


def test_a_copyreg_reducer_for_a_cown_class_cannot_leak_the_cown(backend):
    # A reducer registered for a cown class must not turn the cown into
    # plain data: the cown still travels as a reference.
    start(worker_count=1, backend=backend)
    copyreg.pickle(_RegisteredCown, lambda c: (int, (0,)))
    try:
        send("reg", [_RegisteredCown(5)])
        gc.collect()
        _, [c] = receive("reg", LIMIT)
        assert isinstance(c, _RegisteredCown)

        @when(c)
        def r(c):
            return c.value

        finish()
        assert r.value == 5
    finally:
        del copyreg.dispatch_table[_RegisteredCown]


def test_a_blob_made_in_c_with_a_cown_is_received_as_a_cown():
    # No Python pins for a blob that C code made: the receiver wraps its
    # cowns (the value is None: it lived in no Python wrapper).
    import io

    from bocpy import _blob, _messages
    from bocpy._ffi import ffi, lib

    class P(pickle.Pickler):
        def persistent_id(self, obj):
            return 0 if obj == "the-cown" else None

    buf = io.BytesIO()
    P(buf, protocol=pickle.HIGHEST_PROTOCOL).dump(["the-cown", 7])
    data = buf.getvalue()
    out = ffi.new("boc_cown_t **")
    assert lib.boc_cown_create(ffi.NULL, ffi.NULL, out) == 0
    blob = ffi.new("boc_blob_t **")
    assert lib.boc_blob_create(data, len(data), out, 1, 0, blob) == 0
    assert lib.boc_cown_release(out[0]) == 0  # the blob keeps it alive
    assert lib.boc_msg_send(_messages._tag_id("from-c"), blob[0]) == 0
    _, (c, n) = receive("from-c", 1)
    assert isinstance(c, Cown) and n == 7
    assert c.value is None
    assert not _blob._pins
