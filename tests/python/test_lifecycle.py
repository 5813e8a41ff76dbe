# Copyright (c) 2026 The libboc authors.
# SPDX-License-Identifier: MIT
"""start / wait / quiesce: return shapes, stats, restart, timeouts,
backend selection, exit without wait()."""

import logging
import threading
import time

import pytest

import bocpy
from bocpy import Cown, WaitResult, when
from bocpy_testutil import TIMEOUT, describe, finish, run_python

pytestmark = pytest.mark.timeout(60, method="thread")

STATS_KEYS = {
    "worker_index",
    "pushed_local",
    "dispatched_to_pending",
    "pushed_remote",
    "popped_local",
    "popped_via_steal",
    "enqueue_cas_retries",
    "dequeue_cas_retries",
    "batch_resets",
    "steal_attempts",
    "steal_failures",
    "parked",
    "last_steal_attempt_ns",
    "fairness_arm_fires",
}


def _check_stats(stats, n):
    assert isinstance(stats, list)
    assert len(stats) == n
    for i, s in enumerate(stats):
        assert isinstance(s, dict)
        assert set(s) == STATS_KEYS
        assert len(s) == 14
        for k, v in s.items():
            assert isinstance(v, int) and not isinstance(v, bool), (k, v)
            assert v >= 0, (k, v)
    assert sorted(s["worker_index"] for s in stats) == list(range(n))


def _busy(n_cowns=3, n=30):
    cs = [Cown(0) for _ in range(n_cowns)]
    for i in range(n):

        @when(cs[i % n_cowns])
        def _(c):
            c.value += 1

    return cs


# ----------------------------------------------------------- return shapes


def test_shapes_without_runtime():
    assert bocpy.wait() is None
    assert bocpy.wait(stats=True) == []
    assert bocpy.wait(noticeboard=True) == {}
    wr = bocpy.wait(stats=True, noticeboard=True)
    assert isinstance(wr, WaitResult)
    assert wr == WaitResult([], {})
    assert bocpy.quiesce() is None
    assert bocpy.quiesce(stats=True) == []
    assert bocpy.quiesce(noticeboard=True) == {}
    assert bocpy.quiesce(stats=True, noticeboard=True) == WaitResult([], {})
    assert bocpy.wait(timeout=0.1) is None
    assert bocpy.quiesce(timeout=0.1) is None


def test_wait_plain_returns_none(backend):
    bocpy.start(worker_count=2, backend=backend)
    cs = _busy()
    assert bocpy.wait(timeout=TIMEOUT) is None
    assert [c.value for c in cs] == [10, 10, 10]


def test_wait_stats_shape(backend):
    bocpy.start(worker_count=2, backend=backend)
    _busy()
    stats = bocpy.wait(timeout=TIMEOUT, stats=True)
    _check_stats(stats, 2)


def test_wait_noticeboard_shape(backend):
    bocpy.start(worker_count=2, backend=backend)
    _busy()
    board = bocpy.wait(timeout=TIMEOUT, noticeboard=True)
    assert isinstance(board, dict)
    assert board == {}


def test_wait_both_shape(backend):
    bocpy.start(worker_count=3, backend=backend)
    _busy()
    wr = bocpy.wait(timeout=TIMEOUT, stats=True, noticeboard=True)
    assert isinstance(wr, WaitResult)
    stats, board = wr
    _check_stats(stats, 3)
    assert board == {}
    assert wr.stats is stats and wr.noticeboard is board


def test_quiesce_shapes_and_runtime_stays_up(backend):
    bocpy.start(worker_count=2, backend=backend)
    cs = _busy(n=30)
    assert bocpy.quiesce(timeout=TIMEOUT) is None
    _check_stats(bocpy.quiesce(timeout=TIMEOUT, stats=True), 2)
    assert bocpy.quiesce(timeout=TIMEOUT, noticeboard=True) == {}
    wr = bocpy.quiesce(timeout=TIMEOUT, stats=True, noticeboard=True)
    assert isinstance(wr, WaitResult)
    _check_stats(wr.stats, 2)
    # Still running: cowns are not readable without acquiring...
    with pytest.raises(RuntimeError, match="does not own"):
        cs[0].value
    # ...and @when keeps working on the same runtime (counters carry on).
    for c in cs:

        @when(c)
        def _(c):
            c.value += 1

    stats = bocpy.wait(timeout=TIMEOUT, stats=True)
    assert [c.value for c in cs] == [11, 11, 11]
    popped = sum(s["popped_local"] + s["popped_via_steal"] for s in stats)
    assert popped == 33


def test_stats_identity_at_quiescence(backend):
    """Regression 11: every behavior run is popped exactly once; every
    dispatch is counted once (batch resets re-queue)."""
    bocpy.start(worker_count=2, backend=backend)
    cs = [Cown(0) for _ in range(4)]
    n = 0
    for i in range(200):
        if i % 5:

            @when(cs[i % 4])
            def _(c):
                pass

        else:

            @when()
            def _():
                pass

        n += 1
    stats = bocpy.quiesce(timeout=TIMEOUT, stats=True)
    popped = sum(s["popped_local"] + s["popped_via_steal"] for s in stats)
    pushed = sum(s["pushed_local"] + s["dispatched_to_pending"] + s["pushed_remote"] for s in stats)
    resets = sum(s["batch_resets"] for s in stats)
    assert popped == n, stats
    assert pushed - resets == n, stats
    assert sum(s["enqueue_cas_retries"] for s in stats) == 0


def test_stats_after_restart_are_reset(backend):
    bocpy.start(worker_count=2, backend=backend)
    _busy(n=40)
    s1 = bocpy.wait(timeout=TIMEOUT, stats=True)
    bocpy.start(worker_count=2, backend=backend)
    _busy(n=10)
    s2 = bocpy.wait(timeout=TIMEOUT, stats=True)
    assert sum(s["popped_local"] + s["popped_via_steal"] for s in s1) == 40
    assert sum(s["popped_local"] + s["popped_via_steal"] for s in s2) == 10


def test_start_default_worker_count(backend):
    bocpy.start(backend=backend)
    stats = bocpy.wait(timeout=TIMEOUT, stats=True)
    assert len(stats) == bocpy.WORKER_COUNT


def test_start_signature(backend):
    # Positional worker_count and an explicit module=None.
    bocpy.start(2, None, backend=backend)
    assert len(bocpy.wait(timeout=TIMEOUT, stats=True)) == 2
    bocpy.start(worker_count=1, module=None, backend=backend)
    assert len(bocpy.wait(timeout=TIMEOUT, stats=True)) == 1


def test_start_module_argument(backend):
    """D43 (adapted): module is (dotted_name, path); a bad name is a
    ValueError; a different module while running is a RuntimeError."""
    with pytest.raises(ValueError, match="dotted Python module path"):
        bocpy.start(worker_count=1, module=('a"b', __file__), backend=backend)
    assert bocpy.wait(stats=True) == []
    bocpy.start(worker_count=1, module=(__name__, __file__), backend=backend)
    bocpy.start(worker_count=1, module=(__name__, __file__))  # same: no-op
    with pytest.raises(RuntimeError):
        bocpy.start(module=("some.other_module", __file__))
    c = Cown(0)

    @when(c)
    def _(c):
        c.value = 1

    finish()
    assert c.value == 1


# ----------------------------------------------------------- idempotency


def test_start_idempotent_and_conflicting(backend):
    bocpy.start(worker_count=2, backend=backend)
    bocpy.start()  # bare start: no-op
    bocpy.start(worker_count=2)  # same count: no-op
    bocpy.start(2, backend=backend)
    with pytest.raises(RuntimeError, match="already"):
        bocpy.start(worker_count=3)
    with pytest.raises(RuntimeError):
        bocpy.start(worker_count=1, backend=backend)
    stats = bocpy.wait(timeout=TIMEOUT, stats=True)
    assert len(stats) == 2


def test_start_zero_workers(backend):
    with pytest.raises(RuntimeError, match="Error starting worker pool"):
        bocpy.start(worker_count=0, backend=backend)
    # Nothing was left half-started.
    assert bocpy.wait(stats=True) == []
    bocpy.start(worker_count=1, backend=backend)
    c = Cown(0)

    @when(c)
    def _(c):
        c.value = 1

    finish()
    assert c.value == 1


def test_start_negative_workers(backend):
    with pytest.raises(ValueError, match="worker_count must be >= 0"):
        bocpy.start(-1, backend=backend)
    assert bocpy.wait(stats=True) == []


def test_unknown_backend(backend):
    with pytest.raises(ValueError):
        bocpy.start(worker_count=1, backend="no-such-backend")
    assert bocpy.wait(stats=True) == []
    bocpy.start(worker_count=1, backend=backend)
    assert len(bocpy.wait(timeout=TIMEOUT, stats=True)) == 1


def test_backend_from_environment(backend, monkeypatch):
    monkeypatch.setenv("BOCPY_BACKEND", "no-such-backend")
    with pytest.raises(ValueError):
        bocpy.start(worker_count=1)
    assert bocpy.wait(stats=True) == []
    monkeypatch.setenv("BOCPY_BACKEND", backend)
    bocpy.start(worker_count=1)
    c = Cown(1)

    @when(c)
    def _(c):
        c.value = 2

    finish()
    assert c.value == 2


def test_explicit_backend_overrides_environment(backend, monkeypatch):
    monkeypatch.setenv("BOCPY_BACKEND", "no-such-backend")
    bocpy.start(worker_count=1, backend=backend)
    c = Cown(1)

    @when(c)
    def _(c):
        c.value = 2

    finish()
    assert c.value == 2


def test_backend_env_in_subprocess(tmp_path, backend):
    code = """
        from bocpy import Cown, when, wait
        c = Cown(1)
        @when(c)
        def _(c):
            c.value = 2
        wait(timeout=20)
        print("VALUE", c.value)
        """
    proc = run_python(tmp_path, code, env={"BOCPY_BACKEND": backend}, timeout=40)
    assert proc.returncode == 0, describe(proc)
    assert "VALUE 2" in proc.stdout
    proc = run_python(tmp_path, code, env={"BOCPY_BACKEND": "no-such-backend"}, timeout=40)
    assert proc.returncode != 0, describe(proc)
    assert "ValueError" in proc.stderr, describe(proc)


# ------------------------------------------------------------------ restart


def test_restart_after_wait(backend):
    """Regression 10: start/wait/start with two workloads; cowns from the
    first run stay usable without release()."""
    c = Cown(0)
    for round_ in range(4):
        bocpy.start(worker_count=2, backend=backend)
        for _i in range(10):

            @when(c)
            def _(c):
                c.value += 1

        finish()
        assert c.value == 10 * (round_ + 1)


def test_when_after_wait_autostarts(backend):
    bocpy.start(worker_count=1, backend=backend)
    c = Cown(0)

    @when(c)
    def _(c):
        c.value += 1

    bocpy.wait(timeout=TIMEOUT)
    assert c.value == 1

    @when(c)
    def r(c):
        c.value += 1
        return "new runtime"

    finish()
    assert c.value == 2
    assert r.value == "new runtime"


def test_threads_stopped_after_wait(backend):
    baseline = threading.active_count()
    bocpy.start(worker_count=3, backend=backend)
    _busy()
    finish()
    deadline = time.monotonic() + 5
    while threading.active_count() > baseline and time.monotonic() < deadline:
        time.sleep(0.02)
    assert threading.active_count() <= baseline, threading.enumerate()


def test_idle_workers_park(backend):
    """Regression 12: idle workers must not spin."""
    bocpy.start(worker_count=2, backend=backend)
    _busy()
    bocpy.quiesce(timeout=TIMEOUT)
    time.sleep(0.1)
    cpu0, wall0 = time.process_time(), time.monotonic()
    time.sleep(1.0)
    cpu = time.process_time() - cpu0
    wall = time.monotonic() - wall0
    assert cpu / wall < 0.5, (cpu, wall)


# ------------------------------------------------------------------ timeouts


def test_wait_includes_nested_work(backend):
    bocpy.start(worker_count=2, backend=backend)
    c = Cown(0)

    @when(c)
    def _(c):
        time.sleep(0.1)

        @when(c)
        def _(c):
            time.sleep(0.1)

            @when(c)
            def _(c):
                c.value = "deep"

    bocpy.wait(timeout=TIMEOUT)
    assert c.value == "deep"


def test_quiesce_timeout_raises_and_keeps_runtime(backend):
    bocpy.start(worker_count=1, backend=backend)
    c = Cown(0)

    @when(c)
    def slow(c):
        time.sleep(1.0)
        c.value += 1
        return "slow"

    t0 = time.monotonic()
    with pytest.raises(TimeoutError, match="quiesce"):
        bocpy.quiesce(timeout=0.1)
    assert time.monotonic() - t0 < 0.9
    bocpy.quiesce(timeout=TIMEOUT)
    with slow as v:
        assert v == "slow"

    @when(c)
    def after(c):
        c.value += 1
        return c.value

    finish()
    assert after.value == 2


def test_quiesce_zero_and_negative_timeout(backend):
    bocpy.start(worker_count=1, backend=backend)
    bocpy.quiesce(timeout=TIMEOUT)
    # Idle: already quiescent, no wait needed.
    bocpy.quiesce(timeout=0)
    bocpy.quiesce(timeout=-1)
    c = Cown(0)

    @when(c)
    def _(c):
        time.sleep(0.5)

    t0 = time.monotonic()
    with pytest.raises(TimeoutError):
        bocpy.quiesce(timeout=-1)
    with pytest.raises(TimeoutError):
        bocpy.quiesce(timeout=0)
    assert time.monotonic() - t0 < 0.3
    bocpy.quiesce(timeout=float("inf"))
    finish()


def test_quiesce_nan_timeout(backend):
    """Regression 25: a NaN timeout raises ValueError."""
    bocpy.start(worker_count=1, backend=backend)
    with pytest.raises(ValueError):
        bocpy.quiesce(timeout=float("nan"))
    with pytest.raises(ValueError):
        bocpy.wait(timeout=float("nan"))
    finish()


def test_wait_infinite_timeout(backend):
    bocpy.start(worker_count=1, backend=backend)
    c = Cown(0)

    @when(c)
    def _(c):
        time.sleep(0.1)
        c.value = 1

    bocpy.wait(timeout=float("inf"))
    assert c.value == 1


def test_wait_timeout_drops_queued_keeps_running(backend, caplog):
    """wait(timeout) as chosen in python-design.md: no TimeoutError; a
    warning on logger "behaviors"; the running behavior finishes; queued
    ones are dropped with a RuntimeError result (exception True)."""
    bocpy.start(worker_count=1, backend=backend)
    a = Cown(0)

    @when(a)
    def long(a):
        time.sleep(1.5)
        a.value += 1
        return "long-done"

    queued = []
    for _i in range(3):

        @when(a)
        def q(a):
            a.value += 100
            return "ran"

        queued.append(q)

    @when(queued[0])
    def dep(r):
        return "dep ran"

    time.sleep(0.3)  # `long` is running by now
    t0 = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="behaviors"):
        res = bocpy.wait(timeout=0.2)
    elapsed = time.monotonic() - t0
    assert res is None
    assert elapsed >= 0.5, elapsed  # waited for `long` to finish
    assert elapsed < 10
    assert any(rec.name == "behaviors" and rec.levelno >= logging.WARNING for rec in caplog.records)
    assert long.value == "long-done"
    assert long.exception is False
    assert a.value == 1
    for r in queued + [dep]:
        assert isinstance(r.value, RuntimeError), r.value
        assert r.exception is True
        assert "dropped" in str(r.value)
        r.exception = False
    # The cowns of dropped behaviors are not stranded.
    bocpy.start(worker_count=1, backend=backend)

    @when(a)
    def again(a):
        a.value += 1
        return a.value

    finish()
    assert again.value == 2


def test_wait_timeout_with_stats(backend):
    bocpy.start(worker_count=1, backend=backend)
    c = Cown(0)

    @when(c)
    def _(c):
        time.sleep(0.8)

    @when(c)
    def dropped(c):
        pass

    time.sleep(0.2)
    wr = bocpy.wait(timeout=0.1, stats=True, noticeboard=True)
    assert isinstance(wr, WaitResult)
    _check_stats(wr.stats, 1)
    assert wr.noticeboard == {}
    assert dropped.exception is True
    dropped.exception = False


# ------------------------------------------------- exit without wait() (B4)

EXIT_SCRIPT = """
import sys
import time
import bocpy
from bocpy import Cown, when

bocpy.start(worker_count=2)
c = Cown(0)
for i in range(50):
    @when(c)
    def _(c):
        time.sleep(0.002)
        c.value += 1

@when(c)
def _(c):
    time.sleep(0.2)
    print("FINAL", c.value, flush=True)

print("MAIN DONE", flush=True)
%s
"""


@pytest.mark.parametrize(
    "ending,rc,stderr_has",
    [
        ("", 0, None),
        ("raise RuntimeError('script failed on purpose')", 1, "script failed on purpose"),
        ("sys.exit(3)", 3, None),
    ],
    ids=["plain-exit", "raises", "sys-exit"],
)
def test_exit_without_wait_finishes_work(tmp_path, backend, ending, rc, stderr_has):
    """B4: a script that never calls wait() terminates, and its in-flight
    work finishes."""
    proc = run_python(tmp_path, EXIT_SCRIPT % ending, timeout=30)
    assert proc.returncode == rc, describe(proc)
    assert "MAIN DONE" in proc.stdout, describe(proc)
    assert "FINAL 50" in proc.stdout, describe(proc)
    if stderr_has:
        assert stderr_has in proc.stderr, describe(proc)


def test_exit_without_wait_autostarted(tmp_path, backend):
    proc = run_python(
        tmp_path,
        """
        from bocpy import Cown, when
        c = Cown(0)
        @when(c)
        def _(c):
            print("RAN", flush=True)
        """,
        timeout=30,
    )
    assert proc.returncode == 0, describe(proc)
    assert "RAN" in proc.stdout, describe(proc)


def test_exit_without_wait_idle_runtime(tmp_path, backend):
    proc = run_python(
        tmp_path,
        """
        import bocpy
        bocpy.start(worker_count=2)
        print("STARTED", flush=True)
        """,
        timeout=30,
    )
    assert proc.returncode == 0, describe(proc)
    assert "STARTED" in proc.stdout


def test_ctrl_c_interrupts_wait_and_wait_can_be_retried(tmp_path):
    """SIGINT reaches a main thread blocked in wait(): KeyboardInterrupt is
    raised promptly, the runtime keeps running, and a second wait()
    finishes the work."""
    import signal
    import subprocess
    import sys as _sys
    import time as _time

    from bocpy_testutil import subprocess_env

    script = tmp_path / "ctrlc.py"
    script.write_text(
        "import threading, time\n"
        "import bocpy\n"
        "from bocpy import Cown, when, wait\n"
        "bocpy.start(worker_count=1)\n"
        "go = threading.Event()\n"
        "c = Cown(0)\n"
        "@when(c)\n"
        "def slow(c):\n"
        "    go.wait(30)\n"
        "    c.value = 1\n"
        "print('READY', flush=True)\n"
        "t0 = time.monotonic()\n"
        "try:\n"
        "    wait()\n"
        "except KeyboardInterrupt:\n"
        "    print('INTERRUPTED after %.1f s' % (time.monotonic() - t0), flush=True)\n"
        "go.set()\n"
        "wait(timeout=20)\n"
        "print('VALUE', c.value, flush=True)\n"
    )
    proc = subprocess.Popen(
        [_sys.executable, str(script)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        universal_newlines=True,
        env=subprocess_env(),
    )
    try:
        assert proc.stdout.readline().strip() == "READY"
        _time.sleep(0.5)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "INTERRUPTED after" in out, (out, err)
    seconds = float(out.split("INTERRUPTED after ")[1].split()[0])
    assert seconds < 5, out
    assert "VALUE 1" in out, (out, err)
