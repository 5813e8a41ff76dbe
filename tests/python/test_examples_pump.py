# Copyright (c) 2026 The libboc authors.
# SPDX-License-Identifier: MIT
"""The pinned-cown examples: examples/python/pump_asyncio.py (pump() from an
asyncio task) and examples/python/pump_tk.py (pump() from the Tk loop, run
in a real window under Xvfb, with a screenshot that must show the result).

The Tk test needs Xvfb, an interpreter with tkinter and cffi (Debian's
/usr/bin/python3 with python3-tk and python3-cffi), xwd (x11-apps) and
xwdtopnm (netpbm); ./quickstart.sh installs them all.  It is skipped, with
the reason, only when one is missing."""

import os
import re
import shutil
import subprocess
import sys

import pytest

from x11_testutil import python_with, read_ppm  # xvfb_display: a fixture, in conftest.py

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLES = os.path.join(TOP, "examples", "python")
PUMP_ASYNCIO = os.path.join(EXAMPLES, "pump_asyncio.py")
PUMP_TK = os.path.join(EXAMPLES, "pump_tk.py")

# pump_tk.py draws a #00ff00 bar BAR_BASE + total % BAR_MOD pixels wide and
# BAR_HEIGHT high (kept in step with the example by hand, on purpose: the
# test must not trust the program it checks).
BAR_BASE = 20
BAR_MOD = 300
BAR_HEIGHT = 40


def sieve_count(n):
    """The number of primes below n."""
    flags = bytearray([1]) * max(n, 2)
    flags[0] = flags[1] = 0
    for k in range(2, int(n ** 0.5) + 1):
        if flags[k]:
            flags[k * k::k] = bytes(len(range(k * k, n, k)))
    return sum(flags[:n])


def example_env(pythonpath=None, extra=None):
    env = dict(os.environ)
    path = os.path.join(TOP, "python")
    if pythonpath:
        path += os.pathsep + pythonpath
    env["PYTHONPATH"] = path
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    if extra:
        env.update(extra)
    return env


def run(argv, env, timeout=120):
    return subprocess.run(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, timeout=timeout, stdin=subprocess.DEVNULL)


def describe(proc):
    return "rc=%s\n--- stdout ---\n%s\n--- stderr ---\n%s" % (
        proc.returncode, proc.stdout, proc.stderr)


# --- pump_asyncio.py ---------------------------------------------------------------


@pytest.mark.timeout(150, method="thread")
@pytest.mark.parametrize("workers,jobs,seed", [(1, 4, 3), (3, 8, 7)])
def test_pump_asyncio_example_delivers_every_result_on_the_main_thread(workers, jobs, seed):
    proc = run([sys.executable, PUMP_ASYNCIO, "--workers", str(workers),
                "--jobs", str(jobs), "--seed", str(seed)],
               example_env(os.environ.get("PYTHONPATH")))
    out = proc.stdout
    assert proc.returncode == 0, describe(proc)
    assert "results:          all correct" in out, describe(proc)
    # Every count is checked here too, against a sieve of our own.
    counts = re.findall(r"^\s+job \d+\s+n=(\d+)\s+(\d+) primes \(ok\)$", out, re.M)
    assert len(counts) == jobs, describe(proc)
    for n, count in counts:
        assert int(count) == sieve_count(int(n)), (n, count)
    m = re.search(r"pinned behaviors: (\d+) run, (\d+) on the main thread", out)
    assert m and int(m.group(1)) == jobs and int(m.group(2)) == jobs, describe(proc)
    m = re.search(r"pump\(\) calls:\s+(\d+), (\d+) pinned behaviors executed, (\d+) raised", out)
    assert m, describe(proc)
    assert int(m.group(1)) >= 1 and int(m.group(2)) == jobs and int(m.group(3)) == 0, out


def test_pump_asyncio_example_rejects_bad_options():
    proc = run([sys.executable, PUMP_ASYNCIO, "--jobs", "0"], example_env(), timeout=60)
    assert proc.returncode == 2, describe(proc)


# --- pump_tk.py under Xvfb ---------------------------------------------------------


def find_colour(width, height, pixels, rgb):
    """(count, bounding box (x0, y0, x1, y1) inclusive or None) of the pixels
    of colour rgb."""
    target = bytes(rgb)
    count = 0
    x0 = y0 = None
    x1 = y1 = -1
    row_bytes = width * 3
    for y in range(height):
        row = pixels[y * row_bytes:(y + 1) * row_bytes]
        start = row.find(target)
        while start != -1 and start % 3:
            start = row.find(target, start + 1)
        if start == -1:
            continue
        for x in range(start // 3, width):
            if row[3 * x:3 * x + 3] == target:
                count += 1
                x0 = x if x0 is None else min(x0, x)
                x1 = max(x1, x)
                y0 = y if y0 is None else y0
                y1 = y
    return count, (None if x0 is None else (x0, y0, x1, y1))


@pytest.mark.timeout(240, method="thread")
@pytest.mark.parametrize("limit", [100000, 30000])
def test_pump_tk_example_shows_the_result_in_a_real_window(limit, xvfb_display, tmp_path):
    py = python_with("tkinter, cffi")
    if py is None:
        pytest.skip("no Python with tkinter and cffi (Debian: apt-get install python3-tk "
                    "python3-cffi, or ./quickstart.sh test)")
    for tool, package in (("xwd", "x11-apps"), ("xwdtopnm", "netpbm")):
        if shutil.which(tool) is None:
            pytest.skip("no %s for the screenshot (Debian: apt-get install %s, or "
                        "./quickstart.sh test)" % (tool, package))
    shot = str(tmp_path / "screen.ppm")
    # Only the package from this tree on the path: py may be another
    # interpreter than the one running the suite.  BOCPY_LIBBOC comes from
    # the environment (make check sets it to the library just built).
    proc = run([py, PUMP_TK, "--limit", str(limit), "--workers", "2",
                "--auto-close-ms", "300", "--screenshot", shot],
               example_env(extra={"DISPLAY": xvfb_display}), timeout=180)
    want = sieve_count(limit)
    assert proc.returncode == 0, describe(proc)
    assert "primes below %d: %d (shown in the window" % (limit, want) in proc.stdout, describe(proc)
    assert "pinned body on the main thread: yes" in proc.stdout, describe(proc)
    assert os.path.getsize(shot) > 0, describe(proc)

    width, height, pixels = read_ppm(shot)
    green = (0, 255, 0)
    count, box = find_colour(width, height, pixels, green)
    assert count > 0, "no %r pixel in the screenshot: the result was not drawn" % (green,)
    bar_w = box[2] - box[0] + 1
    bar_h = box[3] - box[1] + 1
    # One solid bar whose width encodes the result.
    assert (bar_w, bar_h) == (BAR_BASE + want % BAR_MOD, BAR_HEIGHT), (box, want)
    assert count == bar_w * bar_h, (count, box)
